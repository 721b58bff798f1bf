"""The analytics rollups: kept by the analytics consumer from domain events, read by the API.

Plain id columns, no foreign keys: rollups are derived data, written in batches, and never
the reason a course or a user could not change.
"""

from __future__ import annotations

from datetime import date

from tortoise import fields
from tortoise.models import Model


class CourseDay(Model):
    """One course's figures of one day (UTC)."""

    id = fields.BigIntField(primary_key=True)
    course_id = fields.IntField()
    day: date = fields.DateField()
    enrollments = fields.IntField(default=0)
    cancellations = fields.IntField(default=0)
    completions = fields.IntField(default=0)
    progress_updates = fields.IntField(default=0)
    active_learners = fields.IntField(default=0)
    forum_posts = fields.IntField(default=0)

    class Meta:
        table = "analytics_course_day"
        unique_together = (("course_id", "day"),)
        indexes = (("day",),)


class CourseDayRevenue(Model):
    """Paid minus refunded, in minor units of one currency, for one course and day."""

    id = fields.BigIntField(primary_key=True)
    course_id = fields.IntField()
    day: date = fields.DateField()
    currency = fields.CharField(max_length=3)
    amount_minor = fields.BigIntField(default=0)

    class Meta:
        table = "analytics_course_day_revenue"
        unique_together = (("course_id", "day", "currency"),)
        indexes = (("day",),)


class CourseTotals(Model):
    """One course's figures since it began (its current state)."""

    course_id = fields.IntField(primary_key=True)
    enrollments = fields.IntField(default=0)  # ever made (a re-enrollment counts again)
    active_enrollments = fields.IntField(default=0)  # studying now (active or completed)
    completions = fields.IntField(default=0)
    progress_sum = fields.BigIntField(default=0)  # of the studying enrollments' percents
    forum_posts = fields.IntField(default=0)

    class Meta:
        table = "analytics_course_totals"


class EnrollmentFigure(Model):
    """What analytics knows of one enrollment: its percent, whether it studies, and the last
    day its student recorded progress."""

    enrollment_id = fields.IntField(primary_key=True)
    course_id = fields.IntField()
    user_id = fields.IntField()
    percent = fields.IntField(default=0)
    studying = fields.BooleanField(default=True)
    last_active_day: date | None = fields.DateField(null=True)

    class Meta:
        table = "analytics_enrollment"
        indexes = (("course_id", "last_active_day"), ("last_active_day", "user_id"))


class LessonFigure(Model):
    """A lesson's funnel: enrollments that opened it, and that have it completed now."""

    lesson_id = fields.IntField(primary_key=True)
    course_id = fields.IntField(db_index=True)
    started = fields.IntField(default=0)
    completed = fields.IntField(default=0)

    class Meta:
        table = "analytics_lesson"


class LearnerFigure(Model):
    """The last day a student recorded progress in any course: the platform counts each
    student once a day, however many courses they study."""

    user_id = fields.IntField(primary_key=True)
    last_active_day: date = fields.DateField()

    class Meta:
        table = "analytics_learner"


class PlatformDay(Model):
    """The platform's figures of one day that are not the sum of its courses'."""

    day: date = fields.DateField(primary_key=True)
    active_learners = fields.IntField(default=0)

    class Meta:
        table = "analytics_platform_day"
