"""Base schemas every domain builds on: strict input, problems, pages."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns
ID_RANGE = validate.Range(min=1, max=MAX_ID, error="Not an id.")


class InputSchema(Schema):
    """Input: only the declared fields; anything else is a 422 (no mass assignment)."""

    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """JSON ``true``/``false`` only; no "yes", 1 or "on" guessing."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed, and no control characters."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
            raise ValidationError("Must not contain control characters.")
        return text


class PageQuerySchema(InputSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1),
        metadata={"description": f"Items per page; values over {MAX_PER_PAGE} are capped."},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is answered."""

    type = fields.String(required=True, metadata={"example": "urn:ocp:problem:not-found"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    request_id = fields.String(allow_none=True)
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Field name -> list of messages (validation errors only)."},
    )


class PageSchema(Schema):
    """The envelope of every list; ``items`` holds the listed objects."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
