"""The ``enrollment`` and ``lesson_progress`` tables."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class EnrollmentSource(StrEnum):
    FREE = "free"
    PAID = "paid"
    ADMIN = "admin"


class Enrollment(Model):
    """One per user and course, enforced by the database; cancelling keeps the row."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="enrollments", on_delete=fields.CASCADE
    )
    user_id: int
    course: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Course", related_name="enrollments", on_delete=fields.CASCADE
    )
    course_id: int
    status = fields.CharEnumField(
        EnrollmentStatus, max_length=16, default=EnrollmentStatus.ACTIVE, db_index=True
    )
    source = fields.CharEnumField(EnrollmentSource, max_length=8, default=EnrollmentSource.FREE)
    progress_percent = fields.IntField(default=0)
    # Completed lessons of the course, kept by every flip and recounted by the completion
    # reaction (ocp/learning/service.py): a progress update's figures without a recount.
    completed_lessons = fields.IntField(default=0)
    # The paid order that granted it last (payments' order id; no foreign key across domains):
    # a refund of that order ends it, a late or repeated payment of it grants nothing more.
    order_id = fields.IntField(null=True)
    enrolled_at = fields.DatetimeField(auto_now_add=True)
    completed_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "enrollment"
        unique_together = (("user", "course"),)
        indexes = (("course", "status"),)


class LessonProgress(Model):
    """One per enrollment and lesson, enforced by the database."""

    id = fields.IntField(primary_key=True)
    enrollment: fields.ForeignKeyRelation[Enrollment] = fields.ForeignKeyField(
        "models.Enrollment", related_name="lesson_progress", on_delete=fields.CASCADE
    )
    enrollment_id: int
    lesson: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Lesson", related_name="progress", on_delete=fields.CASCADE
    )
    lesson_id: int
    completed = fields.BooleanField(default=False)
    completed_at = fields.DatetimeField(null=True)
    position_seconds = fields.IntField(default=0)
    last_seen_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lesson_progress"
        unique_together = (("enrollment", "lesson"),)
