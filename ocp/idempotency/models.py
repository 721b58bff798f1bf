"""Idempotency keys: the first answer to a caller's POST or PATCH, kept 24 h to replay."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class IdempotencyKey(Model):
    """One caller's ``Idempotency-Key``: ``running`` while its first request runs, then
    ``done`` with the answer that request gave."""

    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=40)  # whose key: "user:<id>" or "token:<id>"
    key = fields.CharField(max_length=255)
    # sha256 of method, path and body: a key sent again with another request is refused.
    fingerprint = fields.CharField(max_length=64)
    state = fields.CharField(max_length=8, default="running")
    # While running: past this, the request is taken for dead and the key may run again.
    locked_until = fields.DatetimeField()
    response_status = fields.SmallIntField(null=True)
    response_headers: Any = fields.JSONField(null=True)  # Content-Type, Location
    response_body = fields.BinaryField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("scope", "key"),)
