"""An order's moves between states, each in the caller's transaction with its event.

``pending -> paid | failed | expired``, ``paid -> refunded``; a provider that says money
arrived for a failed or expired order wins (the money is real), and a refund the provider
reports before the payment (webhooks out of order) ends the order ``refunded``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from ocp.events import log as event_log
from ocp.payments import money
from ocp.payments.models import Coupon, Order, OrderStatus
from ocp.realtime.events import course_channel, user_channel

RELEASES_COUPON = (OrderStatus.FAILED, OrderStatus.EXPIRED)


def now() -> datetime:
    return datetime.now(UTC)


async def lock(order_id: int, conn: BaseDBAsyncClient) -> Order | None:
    return await Order.filter(id=order_id).select_for_update().using_db(conn).first()


async def announce(conn: BaseDBAsyncClient, order: Order, type: str) -> None:
    """Record ``order.<state>`` for the buyer's channel and the course's: ids and amounts."""
    data: dict[str, Any] = {
        "order_id": order.id,
        "user_id": order.user_id,
        "course_id": order.course_id,
        "status": order.status.value,
        "amount": money.format_minor(order.amount_minor, order.currency),
        "currency": order.currency,
        "provider": order.provider,
    }
    channels = [user_channel(order.user_id), course_channel(order.course_id)]
    await event_log.record(conn, type=type, data=data, channels=channels)


async def _coupon_back(order: Order, conn: BaseDBAsyncClient) -> None:
    if order.coupon_id is not None:
        await (
            Coupon.filter(id=order.coupon_id, redeemed__gt=0)
            .using_db(conn)
            .update(redeemed=F("redeemed") - 1)
        )


async def _coupon_again(order: Order, conn: BaseDBAsyncClient) -> None:
    """A failed or expired order turned out paid: its coupon counts again (even past its
    limit: the buyer was shown that price)."""
    if order.coupon_id is not None:
        await Coupon.filter(id=order.coupon_id).using_db(conn).update(redeemed=F("redeemed") + 1)


async def mark_paid(order: Order, conn: BaseDBAsyncClient, *, payment_id: str | None) -> bool:
    """``order`` (locked) is paid; False when that changes nothing (paid or refunded)."""
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return False
    if order.status in RELEASES_COUPON:
        await _coupon_again(order, conn)
    order.status = OrderStatus.PAID
    order.paid_at = now()
    order.provider_payment_id = payment_id or order.provider_payment_id
    await order.save(
        update_fields=["status", "paid_at", "provider_payment_id", "updated_at"], using_db=conn
    )
    await announce(conn, order, "order.paid")
    return True


async def mark_ended(order: Order, conn: BaseDBAsyncClient, status: OrderStatus) -> bool:
    """A pending ``order`` (locked) failed or expired; its coupon is given back."""
    if order.status != OrderStatus.PENDING:
        return False
    order.status = status
    if status == OrderStatus.FAILED:
        order.failed_at = now()
    await order.save(update_fields=["status", "failed_at", "updated_at"], using_db=conn)
    await _coupon_back(order, conn)
    await announce(conn, order, f"order.{status.value}")
    return True


async def mark_refunded(
    order: Order, conn: BaseDBAsyncClient, *, refund_id: str | None, payment_id: str | None = None
) -> bool:
    """``order`` (locked) is refunded, from whatever state the money came back in."""
    if order.status == OrderStatus.REFUNDED:
        return False
    if order.status in RELEASES_COUPON:
        await _coupon_again(order, conn)  # it was paid after all, then refunded
    order.status = OrderStatus.REFUNDED
    order.refunded_at = now()
    order.provider_refund_id = refund_id or order.provider_refund_id
    order.provider_payment_id = payment_id or order.provider_payment_id
    await order.save(
        update_fields=[
            "status",
            "refunded_at",
            "provider_refund_id",
            "provider_payment_id",
            "updated_at",
        ],
        using_db=conn,
    )
    await announce(conn, order, "order.refunded")
    return True
