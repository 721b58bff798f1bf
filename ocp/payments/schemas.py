"""What goes in and out of the payments API."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ocp.payments import money
from ocp.payments.models import OrderStatus
from ocp.web.schemas import (
    ID_RANGE,
    InputSchema,
    Moment,
    PageQuerySchema,
    StrictInteger,
    TrimmedString,
)

STATUSES = [status.value for status in OrderStatus]
CODE_PATTERN = r"^[A-Za-z0-9_-]{3,64}$"
CODE = re.compile(CODE_PATTERN)
AMOUNT_PATTERN = r"^(?=[0.]*[1-9])[0-9]{1,9}(\.[0-9]{1,3})?$"  # more than 0
AMOUNT = re.compile(AMOUNT_PATTERN)
MAX_REDEMPTIONS = 1_000_000
REASON_MAX = 500


class CouponCode(fields.String):
    """3 to 64 letters, digits, ``-`` or ``_``; matched case-insensitively."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": CODE_PATTERN, "example": "LAUNCH20", **kwargs.pop("metadata", {})}
        super().__init__(
            validate=validate.Regexp(CODE, error="3 to 64 letters, digits, - or _."),
            metadata=metadata,
            **kwargs,
        )


class AmountOff(fields.Field[Decimal]):
    """A positive decimal string in the course's currency ("5.00"; "500" for JPY)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": AMOUNT_PATTERN, "example": "5.00"}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not AMOUNT.fullmatch(value):
            raise ValidationError("A decimal string such as 5.00.")
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ValidationError("A decimal string such as 5.00.") from None
        if amount <= 0:
            raise ValidationError("Must be more than 0.")
        return amount


class SandboxFormSchema(InputSchema):
    """The sandbox page's form: the session's CSRF token and the button pressed."""

    csrf_token = fields.String(required=True, metadata={"description": "From the page."})
    outcome = fields.String(required=True, validate=validate.OneOf(["pay", "decline"]))


class CheckoutSchema(InputSchema):
    coupon = CouponCode(metadata={"description": "A coupon code of the course (any case)."})


def _amount(field: str) -> fields.Function:
    return fields.Function(
        lambda order: money.format_minor(getattr(order, field), order.currency),
        required=True,
        metadata={"type": "string", "example": "19.99"},
    )


class OrderSchema(Schema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    amount = _amount("amount_minor")
    list_price = _amount("list_price_minor")
    discount = _amount("discount_minor")
    currency = fields.String(required=True, metadata={"example": "USD"})
    coupon = fields.String(required=True, allow_none=True, attribute="coupon_code")
    provider = fields.String(required=True, metadata={"enum": ["sandbox", "stripe", "none"]})
    checkout_url = fields.Function(
        lambda order: order.checkout_url if order.status == OrderStatus.PENDING else None,
        required=True,
        metadata={"type": "string", "nullable": True, "description": "While pending."},
    )
    expires_at = fields.DateTime(
        required=True, metadata={"description": "A pending order expires then."}
    )
    created_at = fields.DateTime(required=True)
    paid_at = fields.DateTime(required=True, allow_none=True)
    refunded_at = fields.DateTime(required=True, allow_none=True)
    refund_pending = fields.Function(
        lambda order: order.status == OrderStatus.PAID and order.provider_refund_id is not None,
        required=True,
        metadata={
            "type": "boolean",
            "description": "A refund was asked for and the provider has not confirmed it yet.",
        },
    )
    refund_reason = fields.String(required=True, allow_none=True)


class CheckoutAnswerSchema(Schema):
    order = fields.Nested(OrderSchema, required=True)
    checkout_url = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Where the buyer pays; null when nothing is left to pay."},
    )


class OrderQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    user_id = fields.Integer(validate=ID_RANGE, metadata={"description": "Admins only."})
    course_id = fields.Integer(validate=ID_RANGE)


class RefundSchema(InputSchema):
    reason = TrimmedString(
        required=True,
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={"example": "Bought the wrong course"},
    )


class CouponWriteSchema(InputSchema):
    """A coupon takes ``percent_off`` or ``amount_off``, not both."""

    code = CouponCode()
    percent_off = StrictInteger(allow_none=True, validate=validate.Range(min=1, max=100))
    amount_off = AmountOff(allow_none=True)
    expires_at = Moment(allow_none=True)
    max_redemptions = StrictInteger(
        allow_none=True, validate=validate.Range(min=1, max=MAX_REDEMPTIONS)
    )

    @validates_schema
    def _one_discount(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("percent_off") is not None and data.get("amount_off") is not None:
            raise ValidationError("Give percent_off or amount_off, not both.", "percent_off")


class CouponCreateSchema(CouponWriteSchema):
    code = CouponCode(required=True)

    @validates_schema
    def _some_discount(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("percent_off") is None and data.get("amount_off") is None:
            raise ValidationError("Give percent_off or amount_off.", "percent_off")


class CouponSchema(Schema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    code = fields.String(required=True)
    percent_off = fields.Integer(required=True, allow_none=True)
    amount_off = fields.Function(
        lambda c: (
            None
            if c.amount_off_minor is None
            else money.format_minor(c.amount_off_minor, c.currency)
        ),
        required=True,
        metadata={"type": "string", "nullable": True, "example": "5.00"},
    )
    currency = fields.String(required=True)
    expires_at = fields.DateTime(required=True, allow_none=True)
    max_redemptions = fields.Integer(required=True, allow_none=True)
    redeemed = fields.Integer(
        required=True,
        metadata={"description": "Orders paid or pending with it (a failed one gives it back)."},
    )
    created_at = fields.DateTime(required=True)
