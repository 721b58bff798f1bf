"""What goes in and out of the accounts API."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ocp.users.models import Role
from ocp.web.schemas import HttpUrl, InputSchema, PageQuerySchema, StrictBoolean, TrimmedString

PASSWORD = validate.Length(min=10, max=128)
ROLES = [role.value for role in Role]


class Email(fields.Email):
    """An email address, trimmed and lower-cased."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str):
            value = value.strip()
        return str(super()._deserialize(value, attr, data, **kwargs)).lower()


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    bio = fields.String(required=True)
    avatar_url = fields.String(allow_none=True, required=True)
    role = fields.String(required=True, metadata={"enum": ROLES})
    is_active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    last_login_at = fields.DateTime(allow_none=True, required=True)
    timezone = fields.String(
        required=True, metadata={"description": "IANA name; digests go out at 08:00 there."}
    )


class MeSchema(UserSchema):
    """The caller's own account, with figures other domains keep for it."""

    unread_notifications = fields.Integer(required=True)


class RegisterSchema(InputSchema):
    email = Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=PASSWORD)
    full_name = TrimmedString(required=True, validate=validate.Length(min=1, max=100))


class LoginSchema(InputSchema):
    email = TrimmedString(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class SessionSchema(Schema):
    user = fields.Nested(UserSchema, required=True)
    csrf_token = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": (
                "Send it as X-CSRF-Token on every unsafe cookie request; null when signed in "
                "with a Bearer token, which needs none."
            )
        },
    )


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class TimeZoneName(fields.String):
    """An IANA time zone name, such as "Europe/Paris" or "UTC"."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"example": "Europe/Paris", "enum": sorted(_zones())}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        if len(name) > 64 or name not in _zones():
            raise ValidationError("Not an IANA time zone name (such as Europe/Paris).")
        return name


class ProfileUpdateSchema(InputSchema):
    full_name = TrimmedString(validate=validate.Length(min=1, max=100))
    timezone = TimeZoneName()
    bio = TrimmedString(validate=validate.Length(max=2000))
    avatar_url = HttpUrl(
        allow_none=True,
        metadata={"description": "An http(s) URL; null or an empty string removes it."},
    )


class PasswordChangeSchema(InputSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, validate=PASSWORD)


class UserListQuerySchema(PageQuerySchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    q = TrimmedString(validate=validate.Length(max=100))


class AdminUserUpdateSchema(InputSchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = StrictBoolean()

    @post_load
    def to_role(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "role" in data:
            data["role"] = Role(data["role"])
        return data


class TokenCreateSchema(InputSchema):
    name = TrimmedString(required=True, validate=validate.Length(min=1, max=100))


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(
        required=True, metadata={"description": "The first characters of the secret."}
    )
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": (
                "The secret; shown in this response only (null in an answer replayed for an "
                "`Idempotency-Key`: the secret is kept nowhere)."
            )
        },
    )
