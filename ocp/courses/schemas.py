"""What goes in and out of the catalog API."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ocp.courses.currencies import ISO_4217
from ocp.courses.models import ContentType, CourseStatus, Level
from ocp.media.schemas import AssetSchema
from ocp.media.service import media_url, thumbnail_url
from ocp.web.schemas import (
    ID_RANGE,
    HttpUrl,
    InputSchema,
    PageQuerySchema,
    StrictBoolean,
    StrictInteger,
    TrimmedString,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PRICE_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")
# PRICE_TEXT within 0-100000, as one pattern for the OpenAPI document.
PRICE_PATTERN = r"^0*(?:100000(?:\.0{1,2})?|[0-9]{1,5}(?:\.[0-9]{1,2})?)$"
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
MAX_PRICE = Decimal("100000")
MAX_DURATION = 100_000
SORTS = ["relevance", "newest", "price", "-price", "title", "popular"]
LEVELS = [level.value for level in Level]
STATUSES = [status.value for status in CourseStatus]
CONTENT_TYPES = [kind.value for kind in ContentType]
MAX_TAGS = 20


class Slug(TrimmedString):
    """A lower-case slug such as ``data-science``."""

    def __init__(self, max_length: int = 50, **kwargs: Any) -> None:
        super().__init__(
            validate=[
                validate.Length(min=1, max=max_length),
                validate.Regexp(SLUG, error="Use lower-case letters, digits and single hyphens."),
            ],
            **kwargs,
        )


class Price(fields.Decimal):
    """A price, 0 to 100000 with at most 2 decimal places: a decimal string such as "19.99" or,
    in a JSON body (not ``text_only``), a number as written (19.99, not 19.990000000000002)."""

    def __init__(self, *, text_only: bool = False, **kwargs: Any) -> None:
        text = {"type": "string", "pattern": PRICE_PATTERN, "example": "19.99"}
        number = {"type": "number", "minimum": 0, "maximum": int(MAX_PRICE), "multipleOf": 0.01}
        declared = text if text_only else {"anyOf": [number, text]}
        metadata = {"json_schema": declared, **kwargs.pop("metadata", {})}
        super().__init__(places=None, as_string=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("Must be a number.")
        if isinstance(value, str) and not PRICE_TEXT.fullmatch(value):
            raise ValidationError("Write it like 19.99.")
        number = super()._deserialize(str(value), attr, data, **kwargs)
        if not number.is_finite() or number < 0 or number > MAX_PRICE:
            raise ValidationError(f"Must be between 0 and {MAX_PRICE}.")
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError("At most 2 decimal places.")
        return number


class InstructorSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


def _ready_cover(course: Any) -> Any:
    cover = course.cover if course.cover_id is not None else None
    # Loaded with the course (select_related) where courses are listed; else not shown.
    return cover if getattr(cover, "status", None) == "ready" else None


def _cover_url(course: Any) -> str | None:
    cover = _ready_cover(course)
    return media_url(cover.sha256) if cover is not None else course.cover_image_url


def _cover_thumbnail_url(course: Any) -> str | None:
    cover = _ready_cover(course)
    return thumbnail_url(cover.sha256) if cover is not None and cover.has_thumbnail else None


def _price(course: Any) -> str:
    return f"{Decimal(course.price_cents) / 100:.2f}"


class CourseSummarySchema(Schema):
    """A course as the catalog lists it."""

    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True)
    subtitle = fields.String(required=True)
    category = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    level = fields.String(required=True, metadata={"enum": LEVELS})
    language = fields.String(required=True)
    price = fields.Function(_price, required=True, metadata={"type": "string", "example": "19.99"})
    currency = fields.String(required=True)
    is_free = fields.Function(lambda c: c.price_cents == 0, metadata={"type": "boolean"})
    duration_minutes = fields.Integer(required=True)
    cover_id = fields.Integer(
        allow_none=True, required=True, metadata={"description": "The uploaded cover image."}
    )
    cover_image_url = fields.Function(
        _cover_url,
        allow_none=True,
        required=True,
        metadata={"type": "string", "description": "The uploaded cover, else the given URL."},
    )
    cover_thumbnail_url = fields.Function(
        _cover_thumbnail_url,
        allow_none=True,
        required=True,
        metadata={"type": "string", "description": "A small JPEG of the uploaded cover."},
    )
    lesson_count = fields.Integer(required=True)
    enrollment_count = fields.Integer(required=True)
    instructor = fields.Nested(InstructorSchema, required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    published_at = fields.DateTime(allow_none=True, required=True)


class CourseSchema(CourseSummarySchema):
    """A course in full."""

    description = fields.String(required=True, metadata={"description": "Sanitized HTML."})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CourseFieldsSchema(InputSchema):
    """The fields an owner may set; ``price`` is a decimal (number or string)."""

    title = TrimmedString(validate=validate.Length(min=3, max=200))
    subtitle = TrimmedString(validate=validate.Length(max=300))
    description = fields.String(
        validate=validate.Length(max=50_000), metadata={"description": "HTML; sanitized."}
    )
    category = Slug()
    tags = fields.List(Slug(max_length=40), validate=validate.Length(max=MAX_TAGS))
    level = fields.String(validate=validate.OneOf(LEVELS))
    language = TrimmedString(
        validate=[
            validate.Length(max=8),  # the column's width
            validate.Regexp(LANGUAGE, error="A lower-case language code such as en or pt-br."),
        ]
    )
    price = Price()
    currency = fields.String(
        validate=validate.OneOf(sorted(ISO_4217), error="An ISO 4217 code such as USD.")
    )
    duration_minutes = StrictInteger(validate=validate.Range(min=0, max=MAX_DURATION))
    cover_image_url = HttpUrl(
        allow_none=True,
        metadata={"description": "An http(s) URL; null or an empty string removes it."},
    )
    cover_id = StrictInteger(
        allow_none=True,
        validate=ID_RANGE,
        metadata={"description": "A ready image upload of the course's instructor; null removes."},
    )

    @post_load
    def normalize(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "tags" in data:
            data["tags"] = list(dict.fromkeys(data["tags"]))
        if "price" in data:
            data["price_cents"] = int(data.pop("price") * 100)
        return data


class CourseCreateSchema(CourseFieldsSchema):
    title = TrimmedString(required=True, validate=validate.Length(min=3, max=200))


class AdminCourseCreateSchema(CourseCreateSchema):
    instructor_id = StrictInteger(
        validate=ID_RANGE,
        metadata={"description": "Admins only: the instructor who will own the course."},
    )


class CourseUpdateSchema(CourseFieldsSchema):
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata={"description": "`published` publishes (needs a lesson); `archived` archives."},
    )


class CatalogQuerySchema(PageQuerySchema):
    q = TrimmedString(validate=validate.Length(min=1, max=200))
    category = Slug()
    tag = Slug(max_length=40)
    instructor = fields.Integer(validate=ID_RANGE)
    level = fields.String(validate=validate.OneOf(LEVELS))
    language = TrimmedString(validate=validate.Regexp(LANGUAGE))
    price_min = Price(text_only=True)
    price_max = Price(text_only=True)
    is_free = fields.String(validate=validate.OneOf(["true", "false"]))
    duration_min = fields.Integer(validate=validate.Range(min=0, max=MAX_DURATION))
    duration_max = fields.Integer(validate=validate.Range(min=0, max=MAX_DURATION))
    sort = fields.String(
        validate=validate.OneOf(SORTS),
        metadata={
            "description": (
                "Default: `relevance` with `q`, `newest` without; `relevance` without `q` "
                "sorts as `newest`."
            )
        },
    )

    @post_load
    def normalize(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for name in ("price_min", "price_max"):
            if name in data:
                data[name] = int(data[name] * 100)
        if "is_free" in data:
            data["is_free"] = data["is_free"] == "true"
        if "q" not in data and data.get("sort") == "relevance":
            data["sort"] = "newest"
        data.setdefault("sort", "relevance" if "q" in data else "newest")
        return data


class CategorySchema(Schema):
    category = fields.String(required=True)
    count = fields.Integer(required=True)


class LessonOutlineSchema(Schema):
    """A lesson in a course's outline; content fields are null where the caller may not read."""

    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"enum": CONTENT_TYPES})
    position = fields.Integer(required=True)
    duration_minutes = fields.Integer(required=True)
    is_preview = fields.Boolean(required=True)
    locked = fields.Boolean(
        required=True, metadata={"description": "True when the caller may not read the lesson."}
    )
    body = fields.String(allow_none=True, required=True)
    video_url = fields.String(allow_none=True, required=True)
    asset_id = fields.Integer(allow_none=True, required=True)
    asset = fields.Nested(
        AssetSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The attached upload with its download `url`, for readers."},
    )


class LessonProgressStateSchema(Schema):
    completed = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    position_seconds = fields.Integer(required=True)
    last_seen_at = fields.DateTime(allow_none=True, required=True)


class LessonSchema(LessonOutlineSchema):
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    progress = fields.Nested(
        LessonProgressStateSchema,
        allow_none=True,
        metadata={"description": "The caller's progress; null when not enrolled."},
    )


class LessonFieldsSchema(InputSchema):
    title = TrimmedString(validate=validate.Length(min=1, max=200))
    description = TrimmedString(validate=validate.Length(max=5000))
    content_type = fields.String(validate=validate.OneOf(CONTENT_TYPES))
    body = fields.String(
        validate=validate.Length(max=200_000), metadata={"description": "HTML; sanitized."}
    )
    video_url = HttpUrl(
        https_only=True,
        allow_none=True,
        metadata={"description": "An https URL; null or an empty string removes it."},
    )
    asset_id = StrictInteger(
        allow_none=True,
        validate=ID_RANGE,
        metadata={"description": "A ready upload of the course's instructor; null detaches."},
    )
    position = StrictInteger(
        validate=validate.Range(min=1, max=10_000),
        metadata={"description": "1-based; other lessons move to make room."},
    )
    duration_minutes = StrictInteger(validate=validate.Range(min=0, max=MAX_DURATION))
    is_preview = StrictBoolean()


class LessonCreateSchema(LessonFieldsSchema):
    title = TrimmedString(required=True, validate=validate.Length(min=1, max=200))


class LessonOrderSchema(InputSchema):
    lesson_ids = fields.List(
        StrictInteger(validate=ID_RANGE),
        required=True,
        validate=validate.Length(max=10_000),
        metadata={
            "description": "Every lesson of the course, each once, in the new order.",
            "uniqueItems": True,
        },
    )
