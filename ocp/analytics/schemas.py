"""What goes in and out of the analytics API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ocp.web.schemas import InputSchema

MAX_DAYS = 366
DEFAULT_DAYS = 30


class RangeQuerySchema(InputSchema):
    from_ = fields.Date(
        data_key="from",
        metadata={"description": "First day (UTC), YYYY-MM-DD; default: 29 days before `to`."},
    )
    to = fields.Date(metadata={"description": "Last day (UTC), YYYY-MM-DD; default: today."})
    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "`csv`: the daily series as text/csv with a header row."},
    )


def _money(description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": description, "example": {"USD": "19.99"}},
    )


class TotalsSchema(Schema):
    enrollments = fields.Integer(required=True, metadata={"description": "Ever made."})
    active_enrollments = fields.Integer(required=True, metadata={"description": "Studying now."})
    completions = fields.Integer(required=True)
    completion_rate = fields.Float(required=True, metadata={"description": "0 to 1."})
    average_progress = fields.Float(required=True, metadata={"description": "Percent, 0-100."})
    active_learners_7d = fields.Integer(required=True)
    revenue = _money("Paid minus refunded, per currency (decimal strings).")
    forum_posts = fields.Integer(required=True)


class DaySchema(Schema):
    date = fields.String(required=True, metadata={"example": "2026-12-03"})
    enrollments = fields.Integer(required=True)
    cancellations = fields.Integer(required=True)
    completions = fields.Integer(required=True)
    progress_updates = fields.Integer(required=True)
    active_learners = fields.Integer(required=True)
    revenue = _money("Paid minus refunded that day, per currency.")
    forum_posts = fields.Integer(required=True)


class LessonFunnelSchema(Schema):
    lesson_id = fields.Integer(required=True)
    title = fields.String(required=True)
    position = fields.Integer(required=True)
    started = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    completion_share = fields.Float(required=True, metadata={"description": "0 to 1."})


class CourseReportSchema(Schema):
    course_id = fields.Integer(required=True)
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    totals = fields.Nested(TotalsSchema, required=True)
    daily = fields.List(fields.Nested(DaySchema), required=True)
    lessons = fields.List(fields.Nested(LessonFunnelSchema), required=True)


class TopByEnrollmentsSchema(Schema):
    course_id = fields.Integer(required=True)
    title = fields.String(required=True)
    enrollments = fields.Integer(required=True)


class TopByRevenueSchema(Schema):
    course_id = fields.Integer(required=True)
    title = fields.String(required=True)
    revenue = fields.String(required=True)


class TopCoursesSchema(Schema):
    by_enrollments = fields.List(fields.Nested(TopByEnrollmentsSchema), required=True)
    by_revenue = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(TopByRevenueSchema)),
        required=True,
        metadata={"description": "Per currency, the top 10 of the range."},
    )


class PlatformReportSchema(Schema):
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    totals = fields.Nested(TotalsSchema, required=True)
    daily = fields.List(fields.Nested(DaySchema), required=True)
    top_courses = fields.Nested(TopCoursesSchema, required=True)


class WatchableCourseSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
