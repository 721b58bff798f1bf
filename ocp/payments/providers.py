"""Payment providers behind one interface: the built-in sandbox and Stripe.

A provider opens a checkout for an order (where the buyer pays) and refunds a paid order.
Whether an order is paid is never taken from the buyer's browser: the provider says so in a
signed webhook (``ocp/payments/webhooks.py``), which the sandbox sends too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import stripe

from ocp.config import Settings
from ocp.errors import Conflict, ServiceUnavailable
from ocp.payments.models import Order

log = logging.getLogger("ocp.payments")

# The Stripe API version OCP follows (the one stripe 16.1.0 is pinned to).
STRIPE_API_VERSION = "2026-10-28.endive"


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str


@dataclass(frozen=True)
class Refund:
    refund_id: str | None
    succeeded: bool  # False: the provider confirms it later (Stripe's charge.refunded)


@dataclass(frozen=True)
class CheckoutRequest:
    """What a provider is told about the order it opens a checkout for."""

    order: Order
    course_title: str
    # Where the service is reached (OCP_PUBLIC_URL, else the request's own address).
    base_url: str


class Provider(Protocol):
    name: str

    @property
    def webhook_secret(self) -> str: ...

    async def open_checkout(self, request: CheckoutRequest) -> Checkout: ...

    async def refund(self, order: Order, *, reason: str) -> Refund: ...

    async def close(self) -> None: ...


def order_page(base_url: str, order_id: int) -> str:
    """The page OCP shows an order's owner, where a checkout returns to."""
    return f"{base_url}/pay/orders/{order_id}"


class SandboxProvider:
    """Pays nothing: the checkout is OCP's own page (``/pay/sandbox/{order_id}``), whose Pay
    and Decline buttons make OCP send itself the webhook Stripe would send."""

    name = "sandbox"

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.sandbox_webhook_secret

    @property
    def webhook_secret(self) -> str:
        return self._secret

    async def open_checkout(self, request: CheckoutRequest) -> Checkout:
        order_id = request.order.id
        return Checkout(
            session_id=f"cs_sandbox_{order_id}",
            url=f"{request.base_url}/pay/sandbox/{order_id}",
        )

    async def refund(self, order: Order, *, reason: str) -> Refund:
        return Refund(refund_id=f"re_sandbox_{order.id}", succeeded=True)

    async def close(self) -> None:
        return None


class StripeProvider:
    """Stripe Checkout Sessions and Refunds through the official ``stripe`` package."""

    name = "stripe"

    def __init__(self, settings: Settings) -> None:
        assert settings.stripe_api_key and settings.payments_webhook_secret
        self._secret = settings.payments_webhook_secret
        self._public_url = settings.public_url or ""
        # The checkout's transaction waits on these calls: short, and one retry at most.
        self._http = stripe.AIOHTTPClient(timeout=10)
        base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
        self._client = stripe.StripeClient(
            settings.stripe_api_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses=base,  # type: ignore[arg-type]
            http_client=self._http,
            max_network_retries=1,  # with idempotency keys, so a retry never charges twice
        )

    @property
    def webhook_secret(self) -> str:
        return self._secret

    async def open_checkout(self, request: CheckoutRequest) -> Checkout:
        order = request.order
        metadata = {
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "course_id": str(order.course_id),
        }
        page = order_page(self._public_url, order.id)
        params = {
            "mode": "payment",
            "client_reference_id": str(order.id),
            "metadata": metadata,
            # Copied to the payment, so that its charge (and a refund of it) names the order.
            "payment_intent_data": {"metadata": metadata},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": order.currency.lower(),
                        "unit_amount": order.amount_minor,
                        "product_data": {"name": request.course_title[:250]},
                    },
                }
            ],
            "success_url": f"{page}?checkout=success",
            "cancel_url": f"{page}?checkout=cancel",
            "expires_at": int(_timestamp(order.expires_at)),
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": _idempotency_key("checkout", order)},
            )
        except stripe.StripeError as error:
            log.error("Stripe refused a checkout for order %s: %r", order.id, error)
            raise ServiceUnavailable("The payment provider could not open a checkout") from error
        return Checkout(session_id=session.id, url=str(session.url))

    async def refund(self, order: Order, *, reason: str) -> Refund:
        if not order.provider_payment_id:
            raise Conflict("Stripe has not named this order's payment yet: try again shortly")
        try:
            refund = await self._client.v1.refunds.create_async(
                {
                    "payment_intent": order.provider_payment_id,
                    "reason": "requested_by_customer",
                    "metadata": {"order_id": str(order.id), "reason": reason[:500]},
                },
                {"idempotency_key": _idempotency_key("refund", order)},
            )
        except stripe.InvalidRequestError as error:
            if error.code == "charge_already_refunded":  # refunded in Stripe's dashboard
                return Refund(refund_id=None, succeeded=True)
            log.error("Stripe refused a refund of order %s: %r", order.id, error)
            raise ServiceUnavailable("The payment provider could not refund the order") from error
        except stripe.StripeError as error:
            log.error("Stripe refused a refund of order %s: %r", order.id, error)
            raise ServiceUnavailable("The payment provider could not refund the order") from error
        return Refund(refund_id=refund.id, succeeded=refund.status == "succeeded")

    async def close(self) -> None:
        await self._http.close_async()


def _timestamp(moment: datetime) -> float:
    return moment.timestamp()


def _idempotency_key(action: str, order: Order) -> str:
    """One key per action and order row: the id alone would repeat across databases sharing
    a Stripe account (staging and production, a reset test database)."""
    made = int(order.created_at.timestamp() * 1_000_000)
    return f"ocp-{action}-{order.id}-{made}"


def make_provider(settings: Settings) -> Provider:
    """The provider ``OCP_PAYMENTS_PROVIDER`` names."""
    if settings.payments_provider == "stripe":
        return StripeProvider(settings)
    return SandboxProvider(settings)
