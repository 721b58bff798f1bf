"""Checkout, orders and refunds: the payments operations a view asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from ocp import ratelimit
from ocp.config import Settings
from ocp.courses import service as course_service
from ocp.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from ocp.events.log import EventLog
from ocp.learning import access as learning_access
from ocp.payments import money, orders
from ocp.payments.models import Coupon, Order, OrderStatus
from ocp.payments.providers import CheckoutRequest, Provider
from ocp.ratelimit import Limiter
from ocp.users.models import Role, User

# How long a checkout stays open: then the order expires. Stripe allows less than 24 hours
# from when it makes the session; ten minutes less leaves room for clocks that differ.
CHECKOUT_LIFETIME = timedelta(hours=23, minutes=50)
CHECKOUTS_WINDOW = 60  # seconds
NO_PROVIDER = "none"  # the provider of an order a coupon made free: nothing to charge
EXPIRE_BATCH = 500  # stale pending orders expired per read at most


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    created: bool  # False: the pending order the caller already had


async def _count_checkout(*, user: User, limiter: Limiter, settings: Settings) -> None:
    key = ratelimit.key("checkouts", str(user.id))
    count, retry = await limiter.hit(key, CHECKOUTS_WINDOW)
    if count > settings.checkouts_per_minute:
        raise TooManyRequests("Too many checkouts; try again shortly", retry_after=retry)


def _coupon_refused(message: str) -> ValidationFailed:
    return ValidationFailed("The coupon cannot be used", errors={"coupon": [message]})


async def _reserve_coupon(conn: Any, *, course_id: int, code: str, currency: str) -> Coupon:
    """Count one redemption of ``code`` in the checkout's transaction, if it has one left:
    one conditional UPDATE, so ``max_redemptions`` holds under parallel checkouts."""
    coupon = (
        await Coupon.filter(course_id=course_id, code_key=code.strip().casefold())
        .using_db(conn)
        .first()
    )
    if coupon is None:
        raise _coupon_refused("No such coupon for this course")
    if coupon.expires_at is not None and coupon.expires_at <= orders.now():
        raise _coupon_refused("This coupon has expired")
    if coupon.amount_off_minor is not None and coupon.currency != currency:
        raise _coupon_refused(f"This coupon is in {coupon.currency}; the course costs {currency}")
    taken = (
        await Coupon.filter(id=coupon.id)
        .filter(Q(max_redemptions__isnull=True) | Q(redeemed__lt=F("max_redemptions")))
        .using_db(conn)
        .update(redeemed=F("redeemed") + 1)
    )
    if not taken:
        raise _coupon_refused("This coupon has been used up")
    return coupon


def _discount(coupon: Coupon, list_minor: int) -> int:
    if coupon.percent_off is not None:
        return min(list_minor, money.percent_of(list_minor, coupon.percent_off))
    return min(list_minor, coupon.amount_off_minor or 0)


async def _pending(user_id: int, course_id: int, conn: Any = None) -> Order | None:
    return (
        await Order.filter(user_id=user_id, course_id=course_id, status=OrderStatus.PENDING)
        .using_db(conn)
        .first()
    )


async def checkout(
    *,
    user: User,
    course_id: int,
    coupon_code: str | None,
    provider: Provider,
    base_url: str,
    events: EventLog,
    limiter: Limiter,
    settings: Settings,
) -> CheckoutResult:
    """Open a checkout for a published paid course, or hand back the pending one.

    The order, its coupon redemption and the provider's checkout are made in one
    transaction: a provider that fails leaves nothing behind; a parallel second checkout
    waits on the one-pending-order index and then gets the first one's order.
    """
    await _count_checkout(user=user, limiter=limiter, settings=settings)
    course = await course_service.get_published(course_id=course_id)
    if course is None:
        raise NotFound("No such course open for enrollment")
    if course.price_cents == 0:
        raise Conflict("This course is free: enroll in it instead")
    if await learning_access.is_enrolled(user_id=user.id, course_id=course.id):
        raise Conflict("Already enrolled in this course")
    list_minor = money.from_hundredths(course.price_cents, course.currency)
    if list_minor is None:
        raise Conflict(f"The price has a fraction of the smallest unit of {course.currency}")
    try:
        async with in_transaction() as conn:
            pending = await _pending(user.id, course.id, conn)
            if pending is not None:
                if pending.expires_at > orders.now():
                    return CheckoutResult(pending, created=False)
                locked = await orders.lock(pending.id, conn)
                assert locked is not None
                await orders.mark_ended(locked, conn, OrderStatus.EXPIRED)
            coupon = None
            if coupon_code is not None:
                coupon = await _reserve_coupon(
                    conn, course_id=course.id, code=coupon_code, currency=course.currency
                )
            discount = _discount(coupon, list_minor) if coupon is not None else 0
            amount = list_minor - discount
            order = await Order.create(
                user_id=user.id,
                course_id=course.id,
                amount_minor=amount,
                list_price_minor=list_minor,
                discount_minor=discount,
                currency=course.currency,
                coupon_id=coupon.id if coupon else None,
                coupon_code=coupon.code if coupon else None,
                provider=provider.name if amount else NO_PROVIDER,
                expires_at=orders.now() + CHECKOUT_LIFETIME,
                using_db=conn,
            )
            if amount == 0:
                await orders.mark_paid(order, conn, payment_id=None)
            else:
                opened = await provider.open_checkout(
                    CheckoutRequest(order=order, course_title=course.title, base_url=base_url)
                )
                order.provider_session_id = opened.session_id
                order.checkout_url = opened.url
                await order.save(
                    update_fields=["provider_session_id", "checkout_url"], using_db=conn
                )
    except IntegrityError:
        pending = await _pending(user.id, course.id)  # a parallel checkout made it first
        if pending is None:
            raise
        return CheckoutResult(pending, created=False)
    _ = await events.flush()
    return CheckoutResult(order, created=True)


async def expire_stale(*, user_id: int | None, events: EventLog | None = None) -> int:
    """Mark expired the pending orders (of ``user_id``, or everyone's) whose checkout has
    closed, each with its ``order.expired`` and its coupon given back; the provider's own
    word (Stripe's ``checkout.session.expired``) may come later and changes nothing more."""
    query = Order.filter(status=OrderStatus.PENDING, expires_at__lte=orders.now())
    if user_id is not None:
        query = query.filter(user_id=user_id)
    ended = 0
    stale = await query.limit(EXPIRE_BATCH)
    for order in stale:
        async with in_transaction() as conn:
            locked = await orders.lock(order.id, conn)
            if locked is not None and locked.expires_at <= orders.now():
                ended += await orders.mark_ended(locked, conn, OrderStatus.EXPIRED)
    if ended and events is not None:
        _ = await events.flush()
    return ended


def _may_read(actor: User, order: Order) -> bool:
    return actor.role == Role.ADMIN or order.user_id == actor.id


async def get_order(*, actor: User, order_id: int, events: EventLog | None = None) -> Order:
    """The order for its owner and admins; 404 for anyone else. A pending order whose
    checkout has closed is read as expired (it is marked so first)."""
    order = await Order.get_or_none(id=order_id)
    if order is None or not _may_read(actor, order):
        raise NotFound("No such order")
    if order.status == OrderStatus.PENDING and order.expires_at <= orders.now():
        _ = await expire_stale(user_id=order.user_id, events=events)
        await order.refresh_from_db()
    return order


async def list_orders(
    *,
    actor: User,
    user_id: int | None,
    course_id: int | None,
    status: str | None,
    offset: int,
    limit: int,
    events: EventLog | None = None,
) -> tuple[list[Order], int]:
    """Newest first: the caller's own; admins anyone's (``user_id``) or everyone's."""
    if actor.role != Role.ADMIN:
        if user_id is not None and user_id != actor.id:
            raise Forbidden("Only admins may list other people's orders")
        user_id = actor.id
    _ = await expire_stale(user_id=user_id, events=events)
    query = Order.all()
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if course_id is not None:
        query = query.filter(course_id=course_id)
    if status is not None:
        query = query.filter(status=status)
    total = await query.count()
    items = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return list(items), total


async def _check_refund_rights(actor: User, order: Order, settings: Settings) -> None:
    """Admins always; the buyer within ``refund_days`` of paying and below
    ``refund_max_progress`` percent of the course."""
    if actor.role == Role.ADMIN:
        return
    assert order.paid_at is not None
    if orders.now() - order.paid_at > timedelta(days=settings.refund_days):
        raise Forbidden(f"Refunds are possible within {settings.refund_days} days of paying")
    studied = await learning_access.progress_percent(
        user_id=order.user_id, course_id=order.course_id
    )
    if studied is not None and studied >= settings.refund_max_progress:
        raise Forbidden(
            f"Refunds are possible below {settings.refund_max_progress}% of the course "
            f"(you have completed {studied}%)"
        )


async def refund(
    *,
    actor: User,
    order_id: int,
    reason: str,
    provider: Provider,
    events: EventLog,
    settings: Settings,
) -> tuple[Order, bool]:
    """Refund a paid order: (the order, True) when done, (the order, False) when the
    provider confirms it later. The provider is asked once per order (its idempotency key),
    so parallel or repeated requests never refund twice."""
    order = await get_order(actor=actor, order_id=order_id)
    if order.status != OrderStatus.PAID:
        raise Conflict(f"Only a paid order can be refunded; this one is {order.status.value}")
    await _check_refund_rights(actor, order, settings)
    if order.amount_minor == 0 or order.provider != provider.name:
        if order.provider not in (NO_PROVIDER, provider.name):
            raise Conflict(
                f"This order was paid through {order.provider}, not the provider in use "
                f"({provider.name}): refund it there"
            )
        refund_id, succeeded = None, True
    else:
        asked = await provider.refund(order, reason=reason)
        refund_id, succeeded = asked.refund_id, asked.succeeded
    async with in_transaction() as conn:
        locked = await orders.lock(order.id, conn)
        assert locked is not None
        if locked.status != OrderStatus.PAID:
            raise Conflict(f"Only a paid order can be refunded; this one is {locked.status.value}")
        locked.refund_reason = reason
        locked.provider_refund_id = refund_id
        await locked.save(update_fields=["refund_reason", "provider_refund_id"], using_db=conn)
        if succeeded:
            await orders.mark_refunded(locked, conn, refund_id=refund_id)
    _ = await events.flush()
    return locked, succeeded
