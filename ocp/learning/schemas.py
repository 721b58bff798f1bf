"""What goes in and out of the learning API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ocp.courses.schemas import CourseSummarySchema
from ocp.learning.models import EnrollmentStatus
from ocp.web.schemas import InputSchema, PageQuerySchema, StrictBoolean

STATUSES = [status.value for status in EnrollmentStatus]


class EnrollmentSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    source = fields.String(required=True, metadata={"enum": ["free", "paid", "admin"]})
    progress_percent = fields.Integer(
        required=True,
        metadata={
            "description": (
                "Settled by each progress update that changes a completion, and again when "
                "the course gains or loses a lesson; 0-100."
            )
        },
    )
    enrolled_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)


class NextLessonSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    position = fields.Integer(required=True)


class MyEnrollmentSchema(Schema):
    """An enrollment with its course and the next lesson to study (null when all are done).

    Where the caller may no longer see the course (taken back to draft, or archived after
    the enrollment was cancelled), ``course_visible`` is false and ``course`` and
    ``next_lesson`` are null: the enrollment and its figures stay, the course's content not.
    """

    id = fields.Integer(required=True, attribute="enrollment.id")
    course_id = fields.Integer(required=True, attribute="enrollment.course_id")
    course_visible = fields.Function(
        lambda item: item["course"] is not None,
        required=True,
        metadata={"type": "boolean", "description": "False when the course is hidden from you."},
    )
    status = fields.String(required=True, attribute="enrollment.status")
    progress_percent = fields.Integer(required=True, attribute="enrollment.progress_percent")
    enrolled_at = fields.DateTime(required=True, attribute="enrollment.enrolled_at")
    completed_at = fields.DateTime(
        allow_none=True, required=True, attribute="enrollment.completed_at"
    )
    course = fields.Nested(CourseSummarySchema, allow_none=True, required=True)
    next_lesson = fields.Nested(NextLessonSchema, allow_none=True, required=True)


class StudentSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


class CourseEnrollmentSchema(EnrollmentSchema):
    """An enrollment as the course's instructor sees it."""

    user = fields.Nested(StudentSchema, required=True)


class EnrollmentQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))


MAX_POSITION = 7 * 24 * 3600  # seconds


class ProgressUpdateSchema(InputSchema):
    completed = StrictBoolean()
    position_seconds = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=MAX_POSITION),
        metadata={"description": "Where to resume a video, in seconds."},
    )


PROGRESS_FIELDS = frozenset(ProgressUpdateSchema._declared_fields)


def plain_progress_update(data: Any) -> dict[str, Any] | None:
    """``data`` as ``ProgressUpdateSchema`` loads it, when it is plainly valid (the video
    heartbeat's ``{"position_seconds": n}``, or ``{"completed": true}``) without running the
    schema: it runs on every heartbeat. None otherwise: the schema loads it, errors and all."""
    if type(data) is not dict or not data.keys() <= PROGRESS_FIELDS:
        return None
    completed = data.get("completed", False)
    position = data.get("position_seconds", 0)
    if type(completed) is not bool or type(position) is not int:
        return None
    if not 0 <= position <= MAX_POSITION:
        return None
    return dict(data)


class LessonProgressSchema(Schema):
    lesson_id = fields.Integer(required=True)
    completed = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    position_seconds = fields.Integer(required=True)
    last_seen_at = fields.DateTime(allow_none=True, required=True)


class LessonStateSchema(LessonProgressSchema):
    title = fields.String(required=True)
    position = fields.Integer(required=True)


class FiguresSchema(Schema):
    percent = fields.Integer(required=True)
    completed_lessons = fields.Integer(required=True)
    total_lessons = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})


class ProgressAnswerSchema(Schema):
    """The lesson's progress and the course's fresh figures."""

    lesson = fields.Nested(LessonProgressSchema, required=True)
    course = fields.Nested(FiguresSchema, required=True)


class CourseProgressSchema(FiguresSchema):
    completed_at = fields.DateTime(allow_none=True, required=True)
    lessons = fields.List(fields.Nested(LessonStateSchema), required=True)
