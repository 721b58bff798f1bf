"""The Stripe fake answers as Stripe documents, driven by the official ``stripe`` package, and
the webhooks it produces verify with Stripe's own code and with ours."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import stripe

from ocp.payments import signatures
from tests.payments.stripe_fake import StripeFake, webhook_body

SECRET = "whsec_test_0123456789abcdef"
NOW = int(time.time())


def session_params(**changes: Any) -> dict[str, Any]:
    """A valid Checkout Session request, as OCP makes them; ``None`` drops a key."""
    params: dict[str, Any] = {
        "mode": "payment",
        "client_reference_id": "5",
        "metadata": {"order_id": "5", "user_id": "7"},
        "payment_intent_data": {"metadata": {"order_id": "5", "user_id": "7"}},
        "line_items": [
            {
                "quantity": 2,
                "price_data": {
                    "currency": "USD",
                    "unit_amount": 1999,
                    "product_data": {"name": "Python for everyone"},
                },
            }
        ],
        "success_url": "https://ocp.example/pay/orders/5?checkout=success",
        "cancel_url": "https://ocp.example/pay/orders/5?checkout=cancel",
        "expires_at": int(time.time()) + 3600,
    }
    params.update(changes)
    return {key: value for key, value in params.items() if value is not None}


def with_price_data(**changes: Any) -> list[dict[str, Any]]:
    item = session_params()["line_items"][0]
    data = {**item["price_data"], **changes}
    return [{**item, "price_data": {k: v for k, v in data.items() if v is not None}}]


@pytest.fixture
async def make_client(
    stripe_fake: StripeFake,
) -> AsyncIterator[Callable[..., stripe.StripeClient]]:
    """Official Stripe clients aimed at the fake (no retries unless asked for)."""
    http_clients: list[stripe.AIOHTTPClient] = []

    def make(api_key: str = "sk_test_x", retries: int = 0) -> stripe.StripeClient:
        http = stripe.AIOHTTPClient()
        http_clients.append(http)
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": stripe_fake.url},
            http_client=http,
            max_network_retries=retries,
        )

    yield make
    for http in http_clients:
        await http.close_async()


@pytest.fixture
def client(make_client: Callable[..., stripe.StripeClient]) -> stripe.StripeClient:
    return make_client()


async def create_session(
    client: stripe.StripeClient,
    key: str | None = None,
    params: dict[str, Any] | None = None,
    **changes: Any,
) -> Any:
    """A Checkout Session made through the official client (``params`` as given, or valid),
    under ``key`` (a new idempotency key unless given)."""
    sent = params if params is not None else session_params(**changes)
    options = {"idempotency_key": key or f"test-{uuid.uuid4()}"}
    return await client.v1.checkout.sessions.create_async(sent, options)


async def paid_intent(client: stripe.StripeClient, stripe_fake: StripeFake) -> str:
    """A session paid for 39.98 USD; its payment intent's id."""
    session = await create_session(client)
    event = stripe_fake.pay(session.id)
    return str(event["data"]["object"]["payment_intent"])


# Checkout Sessions


async def test_a_checkout_session_is_created_as_documented(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """The answer is a ``checkout.session`` with the amounts, currency and URLs asked for."""
    params = session_params()
    session = await create_session(client)
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert session.url == f"https://checkout.stripe.com/c/pay/{session.id}"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "payment")
    assert (session.amount_total, session.amount_subtotal, session.currency) == (3998, 3998, "usd")
    assert session.client_reference_id == "5"
    assert session.metadata.to_dict() == {"order_id": "5", "user_id": "7"}
    assert session.payment_intent is None and session.livemode is False
    assert session.expires_at == params["expires_at"]
    assert (session.success_url, session.cancel_url) == (
        params["success_url"],
        params["cancel_url"],
    )
    assert abs(session.created - time.time()) < 5


async def test_nested_form_keys_are_read_as_stripe_reads_them(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``line_items[0][price_data][unit_amount]=1999`` arrives as nested lists and dicts."""
    await create_session(client)
    (received,) = stripe_fake.requests_to("POST", "/v1/checkout/sessions")
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert received.params["line_items"] == [
        {
            "quantity": "2",
            "price_data": {
                "currency": "USD",
                "unit_amount": "1999",
                "product_data": {"name": "Python for everyone"},
            },
        }
    ]
    assert received.params["payment_intent_data"] == {"metadata": {"order_id": "5", "user_id": "7"}}


async def test_a_session_is_retrieved_by_its_id(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``GET /v1/checkout/sessions/{id}`` answers the session as it now is."""
    session = await create_session(client)
    stripe_fake.pay(session.id)
    again = await client.v1.checkout.sessions.retrieve_async(session.id)
    assert again.id == session.id and again.status == "complete"
    assert again.payment_status == "paid" and again.payment_intent.startswith("pi_")


async def test_an_unknown_session_is_404_resource_missing(client: stripe.StripeClient) -> None:
    """Retrieving a session Stripe never made raises ``InvalidRequestError`` (404)."""
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.checkout.sessions.retrieve_async("cs_test_nothing")
    assert raised.value.http_status == 404 and raised.value.code == "resource_missing"
    assert "cs_test_nothing" in str(raised.value.user_message)


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"mode": None}, "mode"),
        ({"success_url": None}, "success_url"),
        ({"line_items": None}, "line_items"),
        ({"line_items": with_price_data(currency=None)}, "line_items[0][price_data][currency]"),
        (
            {"line_items": with_price_data(unit_amount=None)},
            "line_items[0][price_data][unit_amount]",
        ),
        (
            {"line_items": with_price_data(product_data={"description": "no name"})},
            "line_items[0][price_data][product_data][name]",
        ),
        (
            {"line_items": [{"price_data": with_price_data()[0]["price_data"]}]},
            "line_items[0][quantity]",
        ),
    ],
)
async def test_a_missing_required_param_is_400_parameter_missing(
    client: stripe.StripeClient, changes: dict[str, Any], param: str
) -> None:
    """Each required parameter, left out, names itself in a ``parameter_missing`` error."""
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await create_session(client, **changes)
    assert (raised.value.http_status, raised.value.code) == (400, "parameter_missing")
    assert raised.value.param == param


@pytest.mark.parametrize(
    ("changes", "param", "code"),
    [
        ({"success_url": "/pay/orders/5"}, "success_url", "url_invalid"),
        ({"cancel_url": "ocp.example/cancel"}, "cancel_url", "url_invalid"),
        (
            {"line_items": with_price_data(unit_amount="19.99")},
            "line_items[0][price_data][unit_amount]",
            "parameter_invalid_integer",
        ),
        ({"mode": "rental"}, "mode", None),
    ],
)
async def test_an_invalid_value_is_400_naming_its_param(
    client: stripe.StripeClient, changes: dict[str, Any], param: str, code: str | None
) -> None:
    """A relative URL, a decimal amount or an unknown mode is refused before anything is made."""
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await create_session(client, **changes)
    assert (raised.value.http_status, raised.value.param, raised.value.code) == (400, param, code)


@pytest.mark.parametrize("lifetime", [29 * 60, 24 * 3600 + 60])
async def test_expires_at_must_be_30_minutes_to_24_hours_ahead(
    client: stripe.StripeClient, stripe_fake: StripeFake, lifetime: int
) -> None:
    """Stripe refuses a session that would close too soon or stay open over a day."""
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await create_session(client, expires_at=int(time.time()) + lifetime)
    assert (raised.value.http_status, raised.value.param) == (400, "expires_at")
    assert stripe_fake.sessions == {}


@pytest.mark.parametrize("lifetime", [30 * 60 + 5, 24 * 3600 - 5])
async def test_expires_at_within_the_window_is_kept(
    client: stripe.StripeClient, lifetime: int
) -> None:
    """The shortest and the longest lifetimes Stripe allows are accepted as given."""
    expires_at = int(time.time()) + lifetime
    session = await create_session(client, expires_at=expires_at)
    assert session.expires_at == expires_at


# Authentication, idempotency, outages


async def test_a_key_that_is_not_a_secret_key_is_401(
    make_client: Callable[..., stripe.StripeClient],
) -> None:
    """A publishable key raises ``AuthenticationError``."""
    with pytest.raises(stripe.AuthenticationError) as raised:
        await create_session(make_client("pk_test_publishable"))
    assert raised.value.http_status == 401


async def test_a_request_without_authorization_is_401_in_stripes_shape(
    stripe_fake: StripeFake,
) -> None:
    """No ``Authorization`` header: 401 with Stripe's error body."""
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{stripe_fake.url}/v1/refunds", data={"charge": "ch_x"})
        body = await response.json()
    assert response.status == 401
    assert body["error"]["type"] == "invalid_request_error"
    assert "API key" in body["error"]["message"]


async def test_an_unknown_url_is_404_in_stripes_shape(stripe_fake: StripeFake) -> None:
    """A path Stripe does not have answers ``Unrecognized request URL``."""
    async with aiohttp.ClientSession() as http:
        response = await http.get(
            f"{stripe_fake.url}/v1/charges", headers={"Authorization": "Bearer sk_test_x"}
        )
        body = await response.json()
    assert response.status == 404
    assert body["error"]["message"].startswith("Unrecognized request URL (GET: /v1/charges)")


async def test_the_same_idempotency_key_and_params_replay_the_first_answer(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """A repeat makes nothing new: the first session comes back, marked as replayed."""
    params = session_params()
    first = await create_session(client, "k", params)
    again = await create_session(client, "k", params)
    assert again.id == first.id and len(stripe_fake.sessions) == 1
    assert again.last_response is not None
    assert again.last_response.headers["Idempotent-Replayed"] == "true"


async def test_the_same_idempotency_key_with_other_params_is_400_idempotency_error(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """Reusing a key for a different request raises ``IdempotencyError``."""
    await create_session(client, key="k")
    with pytest.raises(stripe.IdempotencyError) as raised:
        await create_session(client, key="k", client_reference_id="6")
    assert raised.value.http_status == 400
    assert len(stripe_fake.sessions) == 1


async def test_a_request_refused_by_validation_keeps_no_idempotent_result(
    client: stripe.StripeClient,
) -> None:
    """As Stripe documents, a key whose first use failed validation can be used again."""
    with pytest.raises(stripe.InvalidRequestError):
        await create_session(client, key="k", success_url=None)
    session = await create_session(client, key="k")
    assert session.status == "open"


async def test_stripe_down_is_500_api_error(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """With the switch on every call raises ``APIError``; off again, the same key works."""
    stripe_fake.down = True
    with pytest.raises(stripe.APIError) as raised:
        await create_session(client, key="k")
    assert raised.value.http_status == 500
    with pytest.raises(stripe.APIError):
        await client.v1.refunds.create_async({"payment_intent": "pi_x"})
    stripe_fake.down = False
    assert (await create_session(client, key="k")).status == "open"


async def test_the_stripe_package_retries_a_500_with_the_same_idempotency_key(
    make_client: Callable[..., stripe.StripeClient], stripe_fake: StripeFake
) -> None:
    """The client's own retries reach the fake, all carrying one key."""
    stripe_fake.down = True
    with pytest.raises(stripe.APIError):
        await create_session(make_client(retries=1), key="retried")
    keys = [r.headers["Idempotency-Key"] for r in stripe_fake.requests]
    assert keys == ["retried", "retried"]


# Refunds


async def test_a_refund_takes_all_that_is_left_by_default(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """A ``refund`` of the payment's whole charge, succeeded, naming charge and intent."""
    intent_id = await paid_intent(client, stripe_fake)
    refund = await client.v1.refunds.create_async(
        {
            "payment_intent": intent_id,
            "reason": "requested_by_customer",
            "metadata": {"order_id": "5"},
        }
    )
    charge_id = stripe_fake.payment_intents[intent_id]["latest_charge"]
    assert refund.id.startswith("re_") and refund.object == "refund"
    assert (refund.amount, refund.currency, refund.status) == (3998, "usd", "succeeded")
    assert (refund.payment_intent, refund.charge) == (intent_id, charge_id)
    assert refund.reason == "requested_by_customer"
    assert refund.metadata.to_dict() == {"order_id": "5"}


async def test_partial_refunds_until_nothing_is_left(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """Part, then the rest, then ``charge_already_refunded``; too much is ``amount_too_large``."""
    intent_id = await paid_intent(client, stripe_fake)
    first = await client.v1.refunds.create_async({"payment_intent": intent_id, "amount": 1000})
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        await client.v1.refunds.create_async({"payment_intent": intent_id, "amount": 3000})
    rest = await client.v1.refunds.create_async({"charge": first.charge})
    with pytest.raises(stripe.InvalidRequestError) as nothing_left:
        await client.v1.refunds.create_async({"payment_intent": intent_id})
    assert (first.amount, rest.amount) == (1000, 2998)
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")
    assert (nothing_left.value.http_status, nothing_left.value.code) == (
        400,
        "charge_already_refunded",
    )


async def test_a_refund_of_an_unknown_payment_intent_is_404(client: stripe.StripeClient) -> None:
    """``resource_missing`` naming the ``payment_intent`` param."""
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.refunds.create_async({"payment_intent": "pi_unknown"})
    assert (raised.value.http_status, raised.value.code) == (404, "resource_missing")
    assert raised.value.param == "payment_intent"


@pytest.mark.parametrize("params", [{}, {"payment_intent": ""}, {"amount": 100}])
async def test_a_refund_needs_a_payment_intent_or_a_charge(
    client: stripe.StripeClient, params: dict[str, Any]
) -> None:
    """Neither given (an empty string is none): 400 ``parameter_missing``."""
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.refunds.create_async(params)
    assert (raised.value.http_status, raised.value.code) == (400, "parameter_missing")


async def test_refunds_come_back_pending_when_switched(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """The switch makes new refunds ``pending``, as slower payment methods are."""
    intent_id = await paid_intent(client, stripe_fake)
    stripe_fake.refunds_pending = True
    refund = await client.v1.refunds.create_async({"payment_intent": intent_id})
    assert refund.status == "pending"


# Events


async def test_paying_completes_the_session_and_makes_a_charge(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``checkout.session.completed`` carries the paid session; the charge has its metadata."""
    session = await create_session(client)
    event = stripe_fake.pay(session.id)
    paid = event["data"]["object"]
    assert event["id"].startswith("evt_") and event["object"] == "event"
    assert event["type"] == "checkout.session.completed"
    assert event["api_version"] == stripe.api_version and event["livemode"] is False
    assert isinstance(event["created"], int) and isinstance(event["pending_webhooks"], int)
    assert event["request"] == {"id": None, "idempotency_key": None}
    assert (paid["id"], paid["status"], paid["payment_status"]) == (session.id, "complete", "paid")
    charge = stripe_fake.charges[
        stripe_fake.payment_intents[paid["payment_intent"]]["latest_charge"]
    ]
    assert charge["metadata"] == {"order_id": "5", "user_id": "7"}
    assert (charge["amount"], charge["currency"], charge["paid"]) == (3998, "usd", True)


async def test_an_expired_session(client: stripe.StripeClient, stripe_fake: StripeFake) -> None:
    """``checkout.session.expired`` with the session's status ``expired``."""
    session = await create_session(client)
    event = stripe_fake.expire(session.id)
    assert event["type"] == "checkout.session.expired"
    assert event["data"]["object"]["status"] == "expired"
    assert stripe_fake.sessions[session.id]["status"] == "expired"


async def test_a_failed_delayed_payment(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``checkout.session.async_payment_failed``: complete, unpaid, nothing to refund."""
    session = await create_session(client)
    event = stripe_fake.fail(session.id)
    failed = event["data"]["object"]
    assert event["type"] == "checkout.session.async_payment_failed"
    assert (failed["status"], failed["payment_status"]) == ("complete", "unpaid")
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.refunds.create_async({"payment_intent": failed["payment_intent"]})


async def test_charge_refunded_after_an_api_refund(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``charge.refunded``: the charge refunded in full, naming the refund's request."""
    intent_id = await paid_intent(client, stripe_fake)
    stripe_fake.refunds_pending = True
    await client.v1.refunds.create_async({"payment_intent": intent_id}, {"idempotency_key": "r1"})
    event = stripe_fake.refunded_event(intent_id)
    charge = event["data"]["object"]
    assert event["type"] == "charge.refunded"
    assert (charge["object"], charge["payment_intent"]) == ("charge", intent_id)
    assert (charge["refunded"], charge["amount_refunded"]) == (True, 3998)
    assert charge["metadata"] == {"order_id": "5", "user_id": "7"}
    assert [r["status"] for r in charge["refunds"]["data"]] == ["succeeded"]
    assert event["request"]["idempotency_key"] == "r1"
    assert event["request"]["id"].startswith("req_")


async def test_charge_refunded_from_the_dashboard(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """With no refund asked for through the API, the event refunds all (the Dashboard's way)."""
    intent_id = await paid_intent(client, stripe_fake)
    event = stripe_fake.refunded_event(intent_id)
    assert event["data"]["object"]["amount_refunded"] == 3998
    assert event["request"] == {"id": None, "idempotency_key": None}


# Webhook signatures


async def completed_event(client: stripe.StripeClient, stripe_fake: StripeFake) -> dict[str, Any]:
    return stripe_fake.pay((await create_session(client)).id)


async def test_our_signature_verifies_with_stripes_own_code(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``stripe.Webhook.construct_event`` accepts a body signed by ``signatures.sign``."""
    event = await completed_event(client, stripe_fake)
    body = webhook_body(event)
    header = signatures.sign(body, SECRET)
    constructed = stripe.Webhook.construct_event(body.decode(), header, SECRET, tolerance=300)
    assert (constructed.id, constructed.type) == (event["id"], "checkout.session.completed")
    assert constructed.data.object.id == event["data"]["object"]["id"]


async def test_we_verify_a_webhook_signed_the_way_stripe_signs(
    client: stripe.StripeClient, stripe_fake: StripeFake
) -> None:
    """``signatures.verify`` accepts what the fake posts, signed as Stripe documents."""
    body, headers = stripe_fake.signed_webhook(await completed_event(client, stripe_fake), SECRET)
    signatures.verify(body, headers[signatures.HEADER], SECRET)
    assert json.loads(body)["type"] == "checkout.session.completed"


def test_a_header_with_one_good_signature_among_several_verifies() -> None:
    """While a secret is rolled, a header may carry two ``v1`` signatures."""
    body = b'{"id": "evt_1"}'
    good = signatures.sign(body, SECRET)
    timestamp, mac = good.split(",")
    header = f"{timestamp},v1={'0' * 64},{mac}"
    signatures.verify(body, header, SECRET)
    stripe.WebhookSignature.verify_header(body.decode(), header, SECRET, tolerance=300)


@pytest.mark.parametrize(
    ("secret", "changed_body", "age"),
    [
        ("whsec_another_secret", False, 0),
        (SECRET, True, 0),
        (SECRET, False, 301),
        (SECRET, False, -301),
    ],
    ids=["wrong-secret", "changed-body", "stale", "from-the-future"],
)
def test_a_bad_signature_is_refused_by_us_and_by_stripe(
    secret: str, changed_body: bool, age: int
) -> None:
    """A wrong secret, a changed body or a timestamp over 300 s off fails both checks."""
    body = webhook_body({"id": "evt_1", "object": "event", "type": "charge.refunded"})
    header = signatures.sign(body, secret, timestamp=int(time.time()) - age)
    sent = body.replace(b"charge.refunded", b"charge.succeeded") if changed_body else body
    with pytest.raises(signatures.BadSignature):
        signatures.verify(sent, header, SECRET)
    if age < 0:
        return  # Stripe's own check looks back in time only
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(sent.decode(), header, SECRET, tolerance=300)


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", "t=,v1=abc", "t=soon,v1=abc", f"t={NOW}", "v1=abc", f"t={NOW},v0=abc"],
)
def test_a_missing_or_garbled_header_is_refused(header: str | None) -> None:
    """No header, no timestamp, no ``v1`` signature: :class:`BadSignature`, never a crash."""
    with pytest.raises(signatures.BadSignature):
        signatures.verify(b"{}", header, SECRET, now=NOW)
