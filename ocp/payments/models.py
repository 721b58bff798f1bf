"""The ``order``, ``coupon`` and ``payment_webhook`` tables. Money is integer minor units of
the order's currency (cents for USD, yen for JPY)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class Order(Model):
    """One purchase of one course."""

    # At most one pending order per user and course: a partial unique index written by hand
    # in migration 9 (the ORM cannot declare one).

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="orders", on_delete=fields.RESTRICT
    )
    user_id: int
    course: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Course", related_name="orders", on_delete=fields.RESTRICT
    )
    course_id: int
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.PENDING)
    # Frozen at checkout: a later price change or coupon edit does not touch them.
    amount_minor = fields.BigIntField()
    list_price_minor = fields.BigIntField()
    discount_minor = fields.BigIntField(default=0)
    currency = fields.CharField(max_length=3)
    coupon: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Coupon", related_name="orders", null=True, on_delete=fields.SET_NULL
    )
    coupon_id: int | None
    coupon_code = fields.CharField(max_length=64, null=True)  # as typed at checkout
    provider = fields.CharField(max_length=16)
    # The provider's checkout session, and the payment behind it once paid.
    provider_session_id = fields.CharField(max_length=255, null=True, unique=True)
    provider_payment_id = fields.CharField(max_length=255, null=True, db_index=True)
    checkout_url = fields.CharField(max_length=2048, null=True)
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    paid_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    refunded_at = fields.DatetimeField(null=True)
    refund_reason = fields.CharField(max_length=500, null=True)
    # The provider's refund, once asked for (a refund the provider has not confirmed yet).
    provider_refund_id = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "order"
        indexes = (("user", "created_at"), ("course", "status"))


class Coupon(Model):
    """A discount code of one course; ``code_key`` (the code casefolded) is unique per course."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Course", related_name="coupons", on_delete=fields.CASCADE
    )
    course_id: int
    code = fields.CharField(max_length=64)
    code_key = fields.CharField(max_length=64)
    percent_off = fields.IntField(null=True)
    amount_off_minor = fields.BigIntField(null=True)
    currency = fields.CharField(max_length=3)  # the course's when made: amount_off is in it
    expires_at = fields.DatetimeField(null=True)
    max_redemptions = fields.IntField(null=True)
    # Orders paid or still pending with this coupon: a checkout reserves one, a failed or
    # expired order gives it back.
    redeemed = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "coupon"
        unique_together = (("course", "code_key"),)


class PaymentWebhook(Model):
    """A provider event applied once: its id is unique per provider."""

    id = fields.BigIntField(primary_key=True)
    provider = fields.CharField(max_length=16)
    event_id = fields.CharField(max_length=255)
    type = fields.CharField(max_length=100)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "payment_webhook"
        unique_together = (("provider", "event_id"),)
