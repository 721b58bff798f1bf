"""Outbound webhooks: the endpoints admins register and each event's delivery to each."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookEndpoint(Model):
    """A receiver of events: its URL, the event types it wants and the secret it verifies
    signatures with (the one before a rotation signs alongside until ``previous_secret_until``)."""

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=2048)
    description = fields.CharField(max_length=500, default="")
    event_types: Any = fields.JSONField()  # ["order.paid", ...] or ["*"]
    enabled = fields.BooleanField(default=True)
    # Why it was turned off by OCP: "gone" (it answered 410) or "failing" (5 days of failures).
    disabled_reason = fields.CharField(max_length=16, null=True)
    secret = fields.CharField(max_length=64)
    previous_secret = fields.CharField(max_length=64, null=True)
    previous_secret_until = fields.DatetimeField(null=True)
    # The first failure since the last success: an endpoint failing for 5 days is turned off.
    failing_since = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook_endpoint"


class WebhookDelivery(Model):
    """One event for one endpoint, tried until it succeeds or its schedule runs out. Its
    ``event_id`` is the ``webhook-id`` of every try, replays included."""

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint_id: int
    event_id = fields.UUIDField()
    type = fields.CharField(max_length=64)
    occurred_at = fields.DatetimeField()
    data: Any = fields.JSONField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)  # every try, replays included
    # Tries since the delivery was (re)started: the retry schedule's position.
    round_attempts = fields.IntField(default=0)
    response_status = fields.IntField(null=True)
    response_body = fields.TextField(null=True)  # at most 1 KB of the last answer
    error = fields.CharField(max_length=500, null=True)
    duration_ms = fields.IntField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    # Set when a worker takes the delivery; a try that died is taken again after it.
    locked_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint", "event_id"),)
        indexes = (("status", "next_attempt_at"), ("endpoint", "status", "id"))
