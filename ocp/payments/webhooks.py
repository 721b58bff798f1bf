"""Provider webhooks: verified before anything is read, applied once by the event's id.

Stripe's event types OCP acts on (the sandbox sends the same ones):

- ``checkout.session.completed`` (paid when ``payment_status`` is ``paid``) and
  ``checkout.session.async_payment_succeeded``: the order is paid;
- ``checkout.session.async_payment_failed``: it failed; ``checkout.session.expired``: expired;
- ``charge.refunded`` (fully refunded charges): it is refunded.

The order is the session's ``client_reference_id`` (also ``metadata.order_id``); a charge
names it in ``metadata.order_id`` (copied from the checkout's payment) or by its payment.
Amounts are compared in minor units. Every other type is acknowledged and ignored.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ocp.errors import BadRequest
from ocp.events.log import EventLog
from ocp.payments import orders, signatures
from ocp.payments.models import Order, OrderStatus, PaymentWebhook
from ocp.payments.providers import Provider

log = logging.getLogger("ocp.payments")

PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
ENDED = {
    "checkout.session.async_payment_failed": OrderStatus.FAILED,
    "checkout.session.expired": OrderStatus.EXPIRED,
}
REFUNDED = "charge.refunded"


def _order_id(obj: dict[str, Any]) -> int | None:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    for raw in (obj.get("client_reference_id"), metadata.get("order_id")):
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 12:
            return int(raw)
    return None


def _amount_matches(order: Order, amount: Any, currency: Any) -> bool:
    return (
        isinstance(amount, int)
        and not isinstance(amount, bool)
        and amount == order.amount_minor
        and isinstance(currency, str)
        and currency.lower() == order.currency.lower()
    )


async def _find(obj: dict[str, Any], conn: BaseDBAsyncClient) -> Order | None:
    """The order an object names, locked for the change."""
    order_id = _order_id(obj)
    if order_id is None and isinstance(obj.get("payment_intent"), str):
        found = await Order.filter(provider_payment_id=obj["payment_intent"]).using_db(conn).first()
        order_id = found.id if found else None
    return None if order_id is None else await orders.lock(order_id, conn)


async def _apply(
    type: str, obj: dict[str, Any], provider: str, conn: BaseDBAsyncClient, event_id: str
) -> str:
    """Apply one event in ``conn``; return what happened, for the log."""
    if type not in PAID and type not in ENDED and type != REFUNDED:
        return "ignored"
    order = await _find(obj, conn)
    if order is None:
        log.warning("webhook %s (%s) names no known order: %r", event_id, type, _order_id(obj))
        return "unknown order"
    if order.provider != provider:
        log.error(
            "webhook %s from %s for order %s of %s", event_id, provider, order.id, order.provider
        )
        return "other provider"
    if type in PAID:
        if obj.get("payment_status") != "paid":
            return "not paid yet"
        if not _amount_matches(order, obj.get("amount_total"), obj.get("currency")):
            log.error(
                "webhook %s: order %s is %s %s, the provider says %r %r; left unpaid",
                event_id, order.id, order.amount_minor, order.currency,
                obj.get("amount_total"), obj.get("currency"),
            )  # fmt: skip
            return "amount mismatch"
        payment = obj.get("payment_intent")
        changed = await orders.mark_paid(
            order, conn, payment_id=payment if isinstance(payment, str) else None
        )
        return "paid" if changed else "already settled"
    if type in ENDED:
        changed = await orders.mark_ended(order, conn, ENDED[type])
        return ENDED[type].value if changed else "already settled"
    if obj.get("refunded") is not True:
        return "partial refund ignored"
    if not _amount_matches(order, obj.get("amount"), obj.get("currency")):
        log.error("webhook %s: refund of order %s does not match its amount", event_id, order.id)
        return "amount mismatch"
    payment = obj.get("payment_intent")
    changed = await orders.mark_refunded(
        order, conn, refund_id=None, payment_id=payment if isinstance(payment, str) else None
    )
    return "refunded" if changed else "already refunded"


def _parse(body: bytes) -> tuple[str, str, dict[str, Any]]:
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("The body is not JSON") from None
    if not isinstance(event, dict):
        raise BadRequest("The body is not an event object")
    event_id, type = event.get("id"), event.get("type")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(event_id, str) or not event_id or len(event_id) > 255:
        raise BadRequest("The event has no id")
    if not isinstance(type, str) or not isinstance(obj, dict):
        raise BadRequest("The event has no type or no data.object")
    return event_id, type[:100], obj


async def receive(
    *, provider: Provider, body: bytes, signature: str | None, events: EventLog
) -> str:
    """Verify, then apply a webhook once; return what happened. 400 before anything is
    read when the signature does not hold."""
    try:
        signatures.verify(body, signature, provider.webhook_secret)
    except signatures.BadSignature as error:
        raise BadRequest(f"Webhook signature refused: {error}") from None
    event_id, type, obj = _parse(body)
    try:
        async with in_transaction() as conn:
            _ = await PaymentWebhook.create(
                provider=provider.name, event_id=event_id, type=type, using_db=conn
            )
            outcome = await _apply(type, obj, provider.name, conn, event_id)
    except IntegrityError:
        outcome = "duplicate"  # the same event again, or in parallel: applied once
    log.info("webhook %s %s from %s: %s", event_id, type, provider.name, outcome)
    _ = await events.flush()
    return outcome
