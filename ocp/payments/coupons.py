"""Coupons: discount codes a course's instructor and admins make for that course."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ocp.courses import service as course_service
from ocp.courses.models import Course
from ocp.errors import Conflict, NotFound, ValidationFailed
from ocp.payments import money
from ocp.payments.models import Coupon
from ocp.users.models import User


def _taken() -> Conflict:
    return Conflict("This course already has a coupon with that code", errors={"code": ["taken"]})


def _amount_off(data: dict[str, Any], currency: str) -> int | None:
    """``amount_off`` (a Decimal) in minor units of ``currency``; 422 when it does not fit."""
    minor = money.to_minor(data["amount_off"], currency)
    if minor is None:
        digits = money.exponent(currency)
        raise ValidationFailed(
            "Invalid amount",
            errors={"amount_off": [f"{currency} has {digits} decimal place(s) at most"]},
        )
    return minor


async def _course_for_write(actor: User, course_id: int) -> Course:
    """The course if the caller may change it (its instructor, admins): else 404 or 403."""
    return await course_service.get_for_write(course_id=course_id, actor=actor)


async def create(*, actor: User, course_id: int, data: dict[str, Any]) -> Coupon:
    course = await _course_for_write(actor, course_id)
    amount_off = None
    if data.get("amount_off") is not None:
        amount_off = _amount_off(data, course.currency)
    try:
        return await Coupon.create(
            course_id=course.id,
            code=data["code"],
            code_key=data["code"].casefold(),
            percent_off=data.get("percent_off"),
            amount_off_minor=amount_off,
            currency=course.currency,
            expires_at=data.get("expires_at"),
            max_redemptions=data.get("max_redemptions"),
        )
    except IntegrityError:
        raise _taken() from None


async def list_for_course(*, actor: User, course_id: int) -> list[Coupon]:
    course = await _course_for_write(actor, course_id)
    return list(await Coupon.filter(course_id=course.id).order_by("-created_at", "-id"))


async def _for_write(actor: User, coupon_id: int, conn: Any = None) -> Coupon:
    coupon = await Coupon.filter(id=coupon_id).using_db(conn).first()
    if coupon is None:
        raise NotFound("No such coupon")
    try:
        _ = await _course_for_write(actor, coupon.course_id)
    except NotFound:
        raise NotFound("No such coupon") from None
    return coupon


async def update(*, actor: User, coupon_id: int, data: dict[str, Any]) -> Coupon:
    """Change a coupon. Orders already made keep the price they were given."""
    try:
        async with in_transaction() as conn:
            coupon = await _for_write(actor, coupon_id, conn)
            locked = await Coupon.filter(id=coupon.id).select_for_update().using_db(conn).first()
            assert locked is not None
            if "code" in data:
                locked.code, locked.code_key = data["code"], data["code"].casefold()
            if "percent_off" in data or "amount_off" in data:
                # One kind of discount at a time: setting one clears the other.
                locked.percent_off = data.get("percent_off")
                locked.amount_off_minor = (
                    _amount_off(data, locked.currency)
                    if data.get("amount_off") is not None
                    else None
                )
            for name in ("expires_at", "max_redemptions"):
                if name in data:
                    setattr(locked, name, data[name])
            if locked.max_redemptions is not None and locked.max_redemptions < locked.redeemed:
                raise ValidationFailed(
                    "Invalid limit",
                    errors={
                        "max_redemptions": [
                            f"Already redeemed {locked.redeemed} time(s): the limit cannot be lower"
                        ]
                    },
                )
            await locked.save(using_db=conn)
    except IntegrityError:
        raise _taken() from None
    return locked


async def delete(*, actor: User, coupon_id: int) -> None:
    """Delete a coupon: it can no longer be used; orders keep its code and their price."""
    coupon = await _for_write(actor, coupon_id)
    await Coupon.filter(id=coupon.id).delete()
