"""``StripeProvider`` against the local Stripe fake: what it sends, what it makes of answers."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from ocp.config import Settings
from ocp.db import tortoise_config
from ocp.errors import Conflict, ServiceUnavailable
from ocp.payments.models import Order
from ocp.payments.providers import (
    STRIPE_API_VERSION,
    CheckoutRequest,
    Refund,
    StripeProvider,
)
from tests.payments.stripe_fake import ReceivedRequest, StripeFake

PUBLIC_URL = "https://courses.example"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_order_ids = itertools.count(101)


def microseconds(moment: datetime) -> int:
    """``moment`` in whole microseconds since the epoch, counted without floats."""
    return (moment - EPOCH) // timedelta(microseconds=1)


@pytest.fixture
async def orm() -> AsyncIterator[None]:
    """The ORM initialised (on an in-memory SQLite database), so that models can be built."""
    context = await Tortoise.init(config=tortoise_config("sqlite://:memory:"))
    yield
    await context.close_connections()


@pytest.fixture
def make_order(orm: None) -> Callable[..., Order]:
    """An unsaved pending order (its own id, made now) of user 7 for course 3."""

    def make(**fields: Any) -> Order:
        values: dict[str, Any] = {
            "id": next(_order_ids),
            "user_id": 7,
            "course_id": 3,
            "amount_minor": 1999,
            "list_price_minor": 1999,
            "currency": "USD",
            "provider": "stripe",
            "created_at": datetime.now(UTC),
            "expires_at": datetime.now(UTC) + timedelta(hours=23),
        }
        values.update(fields)
        return Order(**values)

    return make


@pytest.fixture
async def provider(stripe_fake: StripeFake) -> AsyncIterator[StripeProvider]:
    settings = Settings(
        payments_provider="stripe",
        stripe_api_key="sk_test_ocp",
        payments_webhook_secret="whsec_test_ocp",
        public_url=PUBLIC_URL,
        stripe_api_base=stripe_fake.url,
    )
    provider = StripeProvider(settings)
    yield provider
    await provider.close()


def checkout_of(order: Order, title: str = "Python for everyone") -> CheckoutRequest:
    return CheckoutRequest(order=order, course_title=title, base_url="http://127.0.0.1:8080")


def session_requests(stripe_fake: StripeFake) -> list[ReceivedRequest]:
    return stripe_fake.requests_to("POST", "/v1/checkout/sessions")


async def paid(provider: StripeProvider, stripe_fake: StripeFake, order: Order) -> Order:
    """The order after the buyer paid its checkout: it knows its payment intent."""
    checkout = await provider.open_checkout(checkout_of(order))
    event = stripe_fake.pay(checkout.session_id)
    order.provider_payment_id = event["data"]["object"]["payment_intent"]
    return order


# Checkout


async def test_open_checkout_sends_the_order_as_a_payment_session(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """Mode, reference, metadata, one line item and the return URLs reach Stripe."""
    order = make_order()
    checkout = await provider.open_checkout(checkout_of(order))
    (sent,) = session_requests(stripe_fake)
    metadata = {"order_id": str(order.id), "user_id": "7", "course_id": "3"}
    page = f"{PUBLIC_URL}/pay/orders/{order.id}"
    assert sent.params["mode"] == "payment"
    assert sent.params["client_reference_id"] == str(order.id)
    assert sent.params["metadata"] == metadata
    assert sent.params["payment_intent_data"] == {"metadata": metadata}
    assert sent.params["line_items"] == [
        {
            "quantity": "1",
            "price_data": {
                "currency": "usd",
                "unit_amount": "1999",
                "product_data": {"name": "Python for everyone"},
            },
        }
    ]
    assert sent.params["success_url"] == f"{page}?checkout=success"
    assert sent.params["cancel_url"] == f"{page}?checkout=cancel"
    assert sent.params["expires_at"] == str(int(order.expires_at.timestamp()))
    session = stripe_fake.sessions[checkout.session_id]
    assert checkout.url == session["url"] and session["amount_total"] == 1999


async def test_open_checkout_follows_the_pinned_api_version_with_a_key_per_order(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """``Stripe-Version`` is OCP's; the key names the action, the order and when it was made."""
    one, other = make_order(), make_order()
    await provider.open_checkout(checkout_of(one))
    await provider.open_checkout(checkout_of(other))
    first, second = session_requests(stripe_fake)
    assert first.headers["Stripe-Version"] == STRIPE_API_VERSION == stripe_fake.api_version
    assert first.headers["Authorization"] == "Bearer sk_test_ocp"
    assert first.headers["Idempotency-Key"] == (
        f"ocp-checkout-{one.id}-{microseconds(one.created_at)}"
    )
    assert second.headers["Idempotency-Key"] == (
        f"ocp-checkout-{other.id}-{microseconds(other.created_at)}"
    )
    assert len(stripe_fake.sessions) == 2


async def test_an_order_id_made_again_elsewhere_gets_its_own_session(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """Order 5 of a reset (or another) database sharing the Stripe account is a new checkout."""
    made = datetime(2025, 3, 1, 12, 0, 0, 123457, tzinfo=UTC)
    first = make_order(created_at=made)
    again = make_order(id=first.id, created_at=made + timedelta(microseconds=1))
    one = await provider.open_checkout(checkout_of(first))
    other = await provider.open_checkout(checkout_of(again))
    assert one.session_id != other.session_id and len(stripe_fake.sessions) == 2
    keys = [r.headers["Idempotency-Key"] for r in session_requests(stripe_fake)]
    assert keys == [
        f"ocp-checkout-{first.id}-1740830400123457",
        f"ocp-checkout-{first.id}-1740830400123458",
    ]


async def test_opening_an_orders_checkout_again_returns_the_same_session(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """A repeat (a retry, a double click) sends the same key and gets the first session."""
    order = make_order()
    first = await provider.open_checkout(checkout_of(order))
    again = await provider.open_checkout(checkout_of(order))
    assert again == first and len(stripe_fake.sessions) == 1
    keys = {r.headers["Idempotency-Key"] for r in session_requests(stripe_fake)}
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("currency", "amount", "sent"), [("JPY", 1500, "jpy"), ("KWD", 12345, "kwd")]
)
async def test_amounts_go_in_the_currencys_own_minor_units(
    provider: StripeProvider,
    stripe_fake: StripeFake,
    make_order: Callable[..., Order],
    currency: str,
    amount: int,
    sent: str,
) -> None:
    """Yen are whole, dinars thousandths: the order's minor units are sent as they are."""
    checkout = await provider.open_checkout(
        checkout_of(make_order(currency=currency, amount_minor=amount))
    )
    session = stripe_fake.sessions[checkout.session_id]
    assert (session["currency"], session["amount_total"]) == (sent, amount)


async def test_a_long_course_title_is_cut_to_what_stripe_takes(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """The product name stays within 250 characters."""
    await provider.open_checkout(checkout_of(make_order(), title="x" * 400))
    (sent,) = session_requests(stripe_fake)
    assert sent.params["line_items"][0]["price_data"]["product_data"]["name"] == "x" * 250


async def test_an_expiry_stripe_refuses_is_service_unavailable(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """An order closing in under 30 minutes cannot get a session: no half-made checkout."""
    order = make_order(expires_at=datetime.now(UTC) + timedelta(minutes=10))
    with pytest.raises(ServiceUnavailable):
        await provider.open_checkout(checkout_of(order))
    assert stripe_fake.sessions == {}


async def test_stripe_down_makes_checkout_service_unavailable(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """A 500 is retried once under the same key, then reported as ``ServiceUnavailable``."""
    stripe_fake.down = True
    order = make_order()
    with pytest.raises(ServiceUnavailable):
        await provider.open_checkout(checkout_of(order))
    keys = [r.headers["Idempotency-Key"] for r in session_requests(stripe_fake)]
    assert len(keys) == 2 and len(set(keys)) == 1
    stripe_fake.down = False
    assert (await provider.open_checkout(checkout_of(order))).session_id in stripe_fake.sessions


async def test_a_stripe_that_does_not_answer_is_given_up_after_two_tries_of_10_s(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """Each call waits 10 s at most and is tried twice: the checkout's transaction is not
    held for Stripe's default 80 s (takes about 21 s)."""
    stripe_fake.stall_seconds = 11
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        await provider.open_checkout(checkout_of(make_order()))
    waited = time.monotonic() - started
    assert len(session_requests(stripe_fake)) == 2
    assert 20 <= waited < 25, waited


# Refunds


async def test_a_refund_of_a_paid_order_succeeds(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """The whole payment is refunded, naming the order and the reason; Stripe says succeeded."""
    order = await paid(provider, stripe_fake, make_order())
    refund = await provider.refund(order, reason="changed my mind")
    (sent,) = stripe_fake.requests_to("POST", "/v1/refunds")
    assert refund == Refund(refund_id=refund.refund_id, succeeded=True)
    assert refund.refund_id is not None
    stored = stripe_fake.refunds[refund.refund_id]
    assert stored["amount"] == 1999 and stored["payment_intent"] == order.provider_payment_id
    assert stored["metadata"] == {"order_id": str(order.id), "reason": "changed my mind"}
    assert sent.params["payment_intent"] == order.provider_payment_id
    assert sent.params["reason"] == "requested_by_customer"
    assert sent.headers["Stripe-Version"] == STRIPE_API_VERSION
    assert sent.headers["Idempotency-Key"] == (
        f"ocp-refund-{order.id}-{microseconds(order.created_at)}"
    )


async def test_a_long_refund_reason_is_cut_to_what_stripe_takes(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """Metadata values hold 500 characters: a longer reason is cut, not refused."""
    order = await paid(provider, stripe_fake, make_order())
    refund = await provider.refund(order, reason="y" * 800)
    assert refund.refund_id is not None
    assert stripe_fake.refunds[refund.refund_id]["metadata"]["reason"] == "y" * 500


async def test_a_pending_refund_is_not_yet_succeeded(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """A refund Stripe has yet to confirm comes back ``succeeded=False``."""
    order = await paid(provider, stripe_fake, make_order())
    stripe_fake.refunds_pending = True
    refund = await provider.refund(order, reason="changed my mind")
    assert refund.succeeded is False
    assert stripe_fake.refunds[refund.refund_id]["status"] == "pending"


async def test_refunding_an_order_again_refunds_once(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """A repeated refund of one order replays the first: the buyer is paid back once."""
    order = await paid(provider, stripe_fake, make_order())
    first = await provider.refund(order, reason="changed my mind")
    again = await provider.refund(order, reason="changed my mind")
    assert again == first and len(stripe_fake.refunds) == 1


async def test_a_payment_refunded_in_stripes_dashboard_counts_as_refunded(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """Stripe's ``charge_already_refunded`` is a refund done: nothing more is paid back."""
    order = await paid(provider, stripe_fake, make_order())
    assert order.provider_payment_id is not None
    stripe_fake.refunded_event(order.provider_payment_id)  # refunded by hand at Stripe
    refund = await provider.refund(order, reason="changed my mind")
    assert refund == Refund(refund_id=None, succeeded=True)
    assert len(stripe_fake.refunds) == 1
    assert len(stripe_fake.requests_to("POST", "/v1/refunds")) == 1


async def test_stripe_down_makes_a_refund_service_unavailable(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """A refund Stripe cannot take raises ``ServiceUnavailable`` and refunds nothing."""
    order = await paid(provider, stripe_fake, make_order())
    stripe_fake.down = True
    with pytest.raises(ServiceUnavailable):
        await provider.refund(order, reason="changed my mind")
    assert stripe_fake.refunds == {}


async def test_an_order_stripe_has_not_named_a_payment_for_is_a_conflict(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """Without ``provider_payment_id`` there is nothing to refund yet: Stripe is not asked."""
    with pytest.raises(Conflict):
        await provider.refund(make_order(), reason="changed my mind")
    assert stripe_fake.requests == [] and stripe_fake.refunds == {}


async def test_a_refund_stripe_refuses_is_service_unavailable(
    provider: StripeProvider, stripe_fake: StripeFake, make_order: Callable[..., Order]
) -> None:
    """A payment Stripe does not know (``resource_missing``) cannot be refunded: 503."""
    order = make_order(provider_payment_id="pi_unknownToStripe000000000")
    with pytest.raises(ServiceUnavailable):
        await provider.refund(order, reason="changed my mind")
    assert len(stripe_fake.requests_to("POST", "/v1/refunds")) == 1
    assert stripe_fake.refunds == {}
