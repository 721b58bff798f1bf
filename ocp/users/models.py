"""The ``user`` and ``api_token`` tables."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    STUDENT = "student"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class User(Model):
    id = fields.IntField(primary_key=True)
    # Stored trimmed and lower-cased, so the unique constraint holds regardless of case.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    full_name = fields.CharField(max_length=100)
    bio = fields.TextField(default="")
    avatar_url = fields.CharField(max_length=2048, null=True)
    role = fields.CharEnumField(Role, max_length=16, default=Role.STUDENT, db_index=True)
    is_active = fields.BooleanField(default=True)
    # Bumped when a password changes: sessions made before then stop working.
    auth_epoch = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    last_login_at = fields.DatetimeField(null=True)
    # An IANA time zone name: digests go out at 08:00 there.
    timezone = fields.CharField(max_length=64, default="UTC")

    api_tokens: fields.ReverseRelation[ApiToken]

    class Meta:
        table = "user"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
