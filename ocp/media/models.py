"""The ``media_blob`` and ``upload`` tables.

A blob is one stored file, named by the SHA-256 of its bytes: the same bytes uploaded twice
are stored once. An upload is one person's file: its name, its processing state and what
processing found. Rejected uploads let go of their blob, so hostile bytes are not kept.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class UploadStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    REJECTED = "rejected"
    FAILED = "failed"


class Blob(Model):
    sha256 = fields.CharField(max_length=64, primary_key=True)
    size = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    uploads: fields.ReverseRelation[Upload]

    class Meta:
        table = "media_blob"


class Upload(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="uploads", on_delete=fields.RESTRICT
    )
    owner_id: int
    # Null once the upload is rejected (its bytes are dropped) or failed.
    blob: fields.ForeignKeyNullableRelation[Blob] = fields.ForeignKeyField(
        "models.Blob", related_name="uploads", null=True, on_delete=fields.RESTRICT
    )
    blob_id: str | None
    sha256 = fields.CharField(max_length=64)
    filename = fields.CharField(max_length=255)
    size = fields.BigIntField()
    declared_type = fields.CharField(max_length=255, default="")
    content_type = fields.CharField(max_length=255, null=True)
    kind = fields.CharField(max_length=16, null=True)
    status = fields.CharEnumField(
        UploadStatus, max_length=16, default=UploadStatus.PROCESSING, db_index=True
    )
    reason = fields.CharField(max_length=1000, null=True)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    pages = fields.IntField(null=True)
    duration_seconds = fields.FloatField(null=True)
    duration_status = fields.CharField(max_length=8, null=True)
    has_thumbnail = fields.BooleanField(default=False)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "upload"
        indexes = (("owner", "created_at"), ("blob", "status"))
