"""The ``course``, ``course_tag`` and ``lesson`` tables.

On PostgreSQL ``course`` also has a ``search_vector`` column (weighted full text: title,
then category/tags/instructor name, then subtitle, then description) kept by triggers that
the migrations create; the ORM never reads or writes it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from ocp.users.models import User


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    ALL = "all"


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ContentType(StrEnum):
    TEXT = "text"
    VIDEO = "video"
    FILE = "file"


class Course(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    slug = fields.CharField(max_length=240, unique=True)
    subtitle = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    # The description's visible text (tags dropped, entities decoded): what SQLite searches.
    description_text = fields.TextField(default="")
    category = fields.CharField(max_length=50, default="general", db_index=True)
    tags: list[str] = fields.JSONField(default=list)
    level = fields.CharEnumField(Level, max_length=16, default=Level.ALL, db_index=True)
    language = fields.CharField(max_length=8, default="en", db_index=True)
    # Money as integer cents: exact, and it sorts and compares right in every dialect.
    price_cents = fields.IntField(default=0, db_index=True)
    currency = fields.CharField(max_length=3, default="USD")
    duration_minutes = fields.IntField(default=0, db_index=True)
    status = fields.CharEnumField(
        CourseStatus, max_length=16, default=CourseStatus.DRAFT, db_index=True
    )
    instructor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="courses", on_delete=fields.RESTRICT
    )
    instructor_id: int
    cover_image_url = fields.CharField(max_length=2048, null=True)
    # An uploaded image; when set it is the cover shown instead of ``cover_image_url``.
    cover: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Upload", related_name="covers", null=True, on_delete=fields.RESTRICT
    )
    cover_id: int | None
    lesson_count = fields.IntField(default=0)
    enrollment_count = fields.IntField(default=0, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True, db_index=True)

    lessons: fields.ReverseRelation[Lesson]

    class Meta:
        table = "course"
        indexes = (
            # ``newest`` sorts by (published_at, id): with id in the index a page is a scan.
            ("status", "published_at", "id"),
            ("status", "price_cents"),
            ("status", "enrollment_count"),
            ("status", "title"),
            ("status", "category"),
            ("instructor", "status"),
        )


class CourseTag(Model):
    """One row per (course, tag): what the ``tag`` filter uses, with an index."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "models.Course", related_name="tag_rows", on_delete=fields.CASCADE
    )
    tag = fields.CharField(max_length=40, db_index=True)

    class Meta:
        table = "course_tag"
        unique_together = (("course", "tag"),)


class Lesson(Model):
    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Course] = fields.ForeignKeyField(
        "models.Course", related_name="lessons", on_delete=fields.CASCADE
    )
    course_id: int
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    content_type = fields.CharEnumField(ContentType, max_length=8, default=ContentType.TEXT)
    body = fields.TextField(default="")
    video_url = fields.CharField(max_length=2048, null=True)
    asset: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Upload", related_name="lessons", null=True, on_delete=fields.RESTRICT
    )
    asset_id: int | None
    position = fields.IntField()
    duration_minutes = fields.IntField(default=0)
    is_preview = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lesson"
        indexes = (("course", "position"),)
