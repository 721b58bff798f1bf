"""Buy and refund a course with Stripe as the provider (its API being the local fake), end to
end over HTTP on PostgreSQL + Redis + a real arq worker: checkout, the signed webhooks Stripe
sends (also twice, in parallel, forged, out of order), refunds and coupons."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS
from ocp.config import Settings
from ocp.events.models import LoggedEvent
from ocp.learning.models import Enrollment, EnrollmentStatus
from ocp.payments import signatures
from ocp.payments.models import Coupon, Order, PaymentWebhook
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course
from tests.payments.helpers import checkout
from tests.payments.stripe_fake import StripeFake, webhook_body

RunJobs = Callable[[], Awaitable[int]]
ClientFactory = Callable[..., Awaitable[TestClient]]
Event = dict[str, Any]

WEBHOOK_SECRET = "whsec_ocp_flow_0123456789abcdef"
PUBLIC_URL = "http://shop.example"
STRIPE_WEBHOOK = "/api/v1/payments/webhooks/stripe"


@pytest.fixture
async def shop(
    settings: Settings, stripe_fake: StripeFake, aiohttp_client: ClientFactory
) -> TestClient:
    """The app with ``OCP_PAYMENTS_PROVIDER=stripe``, Stripe's API being the local fake.
    (Asked for last, the client closes the app before the fake and the database go.)"""
    stripe_settings = dataclasses.replace(
        settings,
        payments_provider="stripe",
        stripe_api_key="sk_test_ocp_flow",
        payments_webhook_secret=WEBHOOK_SECRET,
        public_url=PUBLIC_URL,
        stripe_api_base=stripe_fake.url,
    )
    return await aiohttp_client(create_app(stripe_settings))


@pytest.fixture
def people(aiohttp_client: ClientFactory, shop: TestClient) -> Users:
    """Accounts on the Stripe app, each signed in on a client of its own."""

    async def another_client() -> TestClient:
        return await aiohttp_client(shop.server)

    return Users(shop, another_client)


@pytest.fixture
async def stripe_side(aiohttp_client: ClientFactory, shop: TestClient) -> TestClient:
    """Stripe's own HTTP client posting webhooks to the app: no cookies, no session."""
    return await aiohttp_client(shop.server)


@dataclass
class Sale:
    """A published course at 19.99 USD with two lessons, its teacher and a buyer."""

    teacher: Account
    buyer: Account
    course_id: int
    lessons: list[int]

    @property
    def lesson_url(self) -> str:
        return f"/api/v1/courses/{self.course_id}/lessons/{self.lessons[0]}"


@pytest.fixture
async def sale(people: Users) -> Sale:
    teacher = await people.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2, price="19.99")
    buyer = await people.signed_in()
    return Sale(teacher=teacher, buyer=buyer, course_id=course_id, lessons=lessons)


async def open_checkout(
    sale: Sale, stripe_fake: StripeFake, coupon: str | None = None
) -> tuple[dict[str, Any], str]:
    """The buyer checks out (201): the order, and the id of the Stripe session it opened."""
    answer = await checkout(sale.buyer, sale.course_id, coupon=coupon)
    order = answer["order"]
    session_id = (await Order.get(id=order["id"])).provider_session_id
    assert session_id is not None
    assert answer["checkout_url"] == stripe_fake.sessions[session_id]["url"]
    return order, session_id


def signed(event: Event, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
    """The body and headers of Stripe's POST of ``event``."""
    body = webhook_body(event)
    return body, {
        "Content-Type": "application/json; charset=utf-8",
        signatures.HEADER: signatures.sign(body, secret),
    }


async def deliver(stripe_side: TestClient, event: Event, path: str = STRIPE_WEBHOOK) -> Any:
    """Stripe posts ``event``, signed with the endpoint's secret."""
    body, headers = signed(event)
    return await stripe_side.post(path, data=body, headers=headers)


async def accepted(stripe_side: TestClient, event: Event) -> str:
    """Deliver ``event``; it is acknowledged (200): what the app made of it."""
    response = await deliver(stripe_side, event)
    assert response.status == 200, await response.text()
    return str((await response.json())["outcome"])


async def order_of(buyer: Account, order_id: int) -> dict[str, Any]:
    response = await buyer.client.get(f"/api/v1/orders/{order_id}")
    assert response.status == 200, await response.text()
    return dict(await response.json())


async def my_enrollments(buyer: Account) -> list[dict[str, Any]]:
    response = await buyer.client.get("/api/v1/users/me/enrollments")
    assert response.status == 200, await response.text()
    return list((await response.json())["items"])


async def enrollment_count(shop: TestClient, course_id: int) -> int:
    response = await shop.get(f"/api/v1/courses/{course_id}")
    assert response.status == 200, await response.text()
    return int((await response.json())["enrollment_count"])


async def active_enrollments(sale: Sale) -> int:
    return await Enrollment.filter(
        user_id=sale.buyer.id, course_id=sale.course_id, status=EnrollmentStatus.ACTIVE
    ).count()


async def logged(type: str, order_id: int) -> int:
    """How many ``type`` events of ``order_id`` the event log holds."""
    return sum(e.data.get("order_id") == order_id for e in await LoggedEvent.filter(type=type))


async def make_coupon(sale: Sale, code: str = "SAVE10", percent_off: int = 10) -> int:
    response = await sale.teacher.client.post(
        f"/api/v1/courses/{sale.course_id}/coupons",
        json={"code": code, "percent_off": percent_off},
        headers=sale.teacher.csrf_headers(),
    )
    assert response.status == 201, await response.text()
    return int((await response.json())["id"])


async def redeemed(sale: Sale, coupon_id: int) -> int:
    """The coupon's ``redeemed`` as its teacher sees it."""
    response = await sale.teacher.client.get(f"/api/v1/courses/{sale.course_id}/coupons")
    assert response.status == 200, await response.text()
    (coupon,) = [c for c in await response.json() if c["id"] == coupon_id]
    return int(coupon["redeemed"])


async def ask_refund(buyer: Account, order_id: int, reason: str) -> ClientResponse:
    return await buyer.client.post(
        f"/api/v1/orders/{order_id}/refund", json={"reason": reason}, headers=buyer.csrf_headers()
    )


async def bought(
    sale: Sale, stripe_fake: StripeFake, stripe_side: TestClient, run_jobs: RunJobs
) -> tuple[dict[str, Any], str]:
    """The buyer checked out, paid at Stripe, and is enrolled: the order and its payment."""
    order, session_id = await open_checkout(sale, stripe_fake)
    paid = stripe_fake.pay(session_id)
    assert await accepted(stripe_side, paid) == "paid"
    await run_jobs()
    assert await active_enrollments(sale) == 1
    return order, paid["data"]["object"]["payment_intent"]


# Paying


async def test_paying_at_stripe_enrolls_the_buyer(
    shop: TestClient,
    sale: Sale,
    stripe_fake: StripeFake,
    stripe_side: TestClient,
    run_jobs: RunJobs,
) -> None:
    """Checkout opens a session for the amount in cents; the signed completed event pays the
    order, enrolls the buyer (source paid) and reaches the buyer's channel."""
    order, session_id = await open_checkout(sale, stripe_fake)
    assert order["status"] == "pending" and order["provider"] == "stripe"
    assert (order["amount"], order["currency"]) == ("19.99", "USD")
    session = stripe_fake.sessions[session_id]
    assert (session["amount_total"], session["currency"]) == (1999, "usd")
    assert session["client_reference_id"] == str(order["id"])
    assert session["success_url"].startswith(f"{PUBLIC_URL}/pay/orders/{order['id']}")

    paid = stripe_fake.pay(session_id)
    assert await accepted(stripe_side, paid) == "paid"
    await run_jobs()

    seen = await order_of(sale.buyer, order["id"])
    assert seen["status"] == "paid" and seen["paid_at"] is not None
    payment = paid["data"]["object"]["payment_intent"]
    assert (await Order.get(id=order["id"])).provider_payment_id == payment
    (listed,) = await my_enrollments(sale.buyer)
    assert (listed["course_id"], listed["status"]) == (sale.course_id, "active")
    enrollment = await Enrollment.get(user_id=sale.buyer.id, course_id=sale.course_id)
    assert (enrollment.source, enrollment.order_id) == ("paid", order["id"])
    assert await enrollment_count(shop, sale.course_id) == 1
    assert (await sale.buyer.client.get(sale.lesson_url)).status == 200

    history = await shop.server.app[BUS].history(f"user:{sale.buyer.id}", since=None)
    types = [(e.type, e.data.get("order_id")) for e in history]
    assert ("order.paid", order["id"]) in types
    assert ("enrollment.created", order["id"]) in types


async def test_ten_parallel_deliveries_of_one_payment_enroll_once(
    shop: TestClient,
    sale: Sale,
    stripe_fake: StripeFake,
    stripe_side: TestClient,
    run_jobs: RunJobs,
) -> None:
    """Stripe retrying one completed event ten times at once: all 200, one order.paid, one
    enrollment, the course counts one student."""
    order, session_id = await open_checkout(sale, stripe_fake)
    body, headers = signed(stripe_fake.pay(session_id))
    answers = await asyncio.gather(
        *(stripe_side.post(STRIPE_WEBHOOK, data=body, headers=headers) for _ in range(10))
    )
    assert [a.status for a in answers] == [200] * 10
    outcomes = sorted([(await a.json())["outcome"] for a in answers])
    assert outcomes == ["duplicate"] * 9 + ["paid"]
    await run_jobs()

    assert (await order_of(sale.buyer, order["id"]))["status"] == "paid"
    assert await logged("order.paid", order["id"]) == 1
    assert await PaymentWebhook.all().count() == 1
    assert await Enrollment.filter(user_id=sale.buyer.id, course_id=sale.course_id).count() == 1
    assert await enrollment_count(shop, sale.course_id) == 1
    history = await shop.server.app[BUS].history(f"user:{sale.buyer.id}", since=None)
    assert [e.type for e in history].count("order.paid") == 1


# What is refused or ignored


def forged(body: bytes, case: str) -> tuple[bytes, dict[str, str]]:
    """``body`` as a forger (or a broken proxy) would post it."""
    content = {"Content-Type": "application/json"}
    if case == "wrong secret":
        return body, {**content, signatures.HEADER: signatures.sign(body, "whsec_not_ours")}
    if case == "changed body":
        header = signatures.sign(body, WEBHOOK_SECRET)
        changed = body.replace(b'"amount_total": 1999', b'"amount_total": 1')
        assert changed != body
        return changed, {**content, signatures.HEADER: header}
    if case == "stale timestamp":
        stale = int(time.time()) - signatures.TOLERANCE - 1
        header = signatures.sign(body, WEBHOOK_SECRET, timestamp=stale)
        return body, {**content, signatures.HEADER: header}
    assert case == "missing header"
    return body, content


@pytest.mark.parametrize(
    "case", ["wrong secret", "changed body", "stale timestamp", "missing header"]
)
async def test_a_webhook_without_a_good_signature_changes_nothing(
    sale: Sale,
    stripe_fake: StripeFake,
    stripe_side: TestClient,
    run_jobs: RunJobs,
    case: str,
) -> None:
    """400 problem; the order stays pending, no event is recorded, nobody is enrolled."""
    order, session_id = await open_checkout(sale, stripe_fake)
    body, headers = forged(webhook_body(stripe_fake.pay(session_id)), case)
    await expect_problem(await stripe_side.post(STRIPE_WEBHOOK, data=body, headers=headers), 400)
    await run_jobs()
    assert (await order_of(sale.buyer, order["id"]))["status"] == "pending"
    assert await PaymentWebhook.all().count() == 0
    assert await Enrollment.filter(user_id=sale.buyer.id).count() == 0


@pytest.mark.parametrize(("field", "value"), [("amount_total", 1998), ("currency", "eur")])
async def test_a_payment_that_does_not_match_the_order_leaves_it_unpaid(
    sale: Sale,
    stripe_fake: StripeFake,
    stripe_side: TestClient,
    run_jobs: RunJobs,
    caplog: pytest.LogCaptureFixture,
    field: str,
    value: Any,
) -> None:
    """Another amount or currency than the order's: 200, an error logged, still pending."""
    caplog.set_level(logging.ERROR, logger="ocp.payments")
    order, session_id = await open_checkout(sale, stripe_fake)
    paid = stripe_fake.pay(session_id)
    paid["data"]["object"][field] = value
    assert await accepted(stripe_side, paid) == "amount mismatch"
    await run_jobs()
    assert (await order_of(sale.buyer, order["id"]))["status"] == "pending"
    assert await Enrollment.filter(user_id=sale.buyer.id).count() == 0
    assert any(
        r.levelno == logging.ERROR and f"order {order['id']}" in r.getMessage()
        for r in caplog.records
    )


async def test_a_payment_for_an_unknown_order_is_acknowledged(
    sale: Sale, stripe_fake: StripeFake, stripe_side: TestClient, run_jobs: RunJobs
) -> None:
    """A session naming no order of ours: 200 (Stripe stops retrying), nothing changes."""
    order, session_id = await open_checkout(sale, stripe_fake)
    paid = stripe_fake.pay(session_id)
    session = paid["data"]["object"]
    session["client_reference_id"] = session["metadata"]["order_id"] = "987654"
    assert await accepted(stripe_side, paid) == "unknown order"
    await run_jobs()
    assert (await order_of(sale.buyer, order["id"]))["status"] == "pending"
    assert await Enrollment.filter(user_id=sale.buyer.id).count() == 0


async def test_a_refund_arriving_before_the_payment_ends_refunded(
    shop: TestClient,
    sale: Sale,
    stripe_fake: StripeFake,
    stripe_side: TestClient,
    run_jobs: RunJobs,
) -> None:
    """charge.refunded before checkout.session.completed: refunded, no active enrollment;
    the late completed event then changes nothing."""
    order, session_id = await open_checkout(sale, stripe_fake)
    paid = stripe_fake.pay(session_id)
    refunded = stripe_fake.refunded_event(paid["data"]["object"]["payment_intent"])

    assert await accepted(stripe_side, refunded) == "refunded"
    await run_jobs()
    assert (await order_of(sale.buyer, order["id"]))["status"] == "refunded"
    assert await active_enrollments(sale) == 0

    assert await accepted(stripe_side, paid) == "already settled"
    await run_jobs()
    seen = await order_of(sale.buyer, order["id"])
    assert seen["status"] == "refunded" and seen["refunded_at"] is not None
    assert await active_enrollments(sale) == 0
    assert await logged("order.paid", order["id"]) == 0
    assert await enrollment_count(shop, sale.course_id) == 0
    await expect_problem(await sale.buyer.client.get(sale.lesson_url), 403)


async def test_an_expired_checkout_gives_its_coupon_back(
    sale: Sale, stripe_fake: StripeFake, stripe_side: TestClient
) -> None:
    """checkout.session.expired: the order expires, its coupon counts 0 again, and a new
    checkout makes a new order."""
    coupon_id = await make_coupon(sale)
    order, session_id = await open_checkout(sale, stripe_fake, coupon="save10")
    assert (order["amount"], order["discount"], order["coupon"]) == ("17.99", "2.00", "SAVE10")
    assert stripe_fake.sessions[session_id]["amount_total"] == 1799
    assert await redeemed(sale, coupon_id) == 1

    assert await accepted(stripe_side, stripe_fake.expire(session_id)) == "expired"
    assert (await order_of(sale.buyer, order["id"]))["status"] == "expired"
    assert await redeemed(sale, coupon_id) == 0

    again, again_session = await open_checkout(sale, stripe_fake, coupon="SAVE10")
    assert again["id"] != order["id"] and again["status"] == "pending"
    assert again_session != session_id
    assert await redeemed(sale, coupon_id) == 1


# Refunds


async def test_the_buyer_refunds_and_loses_access(
    shop: TestClient,
    sale: Sale,
    stripe_fake: StripeFake,
    stripe_side: TestClient,
    run_jobs: RunJobs,
) -> None:
    """A refund Stripe confirms at once: 200 refunded, Stripe refunded the payment with the
    reason; after the reaction the enrollment is cancelled and the lesson answers 403."""
    order, payment = await bought(sale, stripe_fake, stripe_side, run_jobs)
    assert (await sale.buyer.client.get(sale.lesson_url)).status == 200

    response = await ask_refund(sale.buyer, order["id"], "not what I hoped")
    assert response.status == 200, await response.text()
    answer = await response.json()
    assert answer["status"] == "refunded" and answer["refund_pending"] is False
    (refund,) = stripe_fake.refunds.values()
    assert (refund["payment_intent"], refund["amount"], refund["status"]) == (
        payment,
        1999,
        "succeeded",
    )
    assert refund["metadata"] == {"order_id": str(order["id"]), "reason": "not what I hoped"}

    await run_jobs()
    assert (await Enrollment.get(user_id=sale.buyer.id)).status == EnrollmentStatus.CANCELLED
    await expect_problem(await sale.buyer.client.get(sale.lesson_url), 403)
    assert await enrollment_count(shop, sale.course_id) == 0
    history = await shop.server.app[BUS].history(f"user:{sale.buyer.id}", since=None)
    assert {"order.refunded", "enrollment.cancelled"} <= {e.type for e in history}


async def test_a_refund_stripe_confirms_later_waits_for_its_webhook(
    sale: Sale, stripe_fake: StripeFake, stripe_side: TestClient, run_jobs: RunJobs
) -> None:
    """A pending refund: 202, still paid with refund_pending and access kept (asking again
    refunds nothing more); charge.refunded then makes it refunded and ends the enrollment."""
    order, payment = await bought(sale, stripe_fake, stripe_side, run_jobs)
    stripe_fake.refunds_pending = True

    response = await ask_refund(sale.buyer, order["id"], "bought it twice")
    assert response.status == 202, await response.text()
    answer = await response.json()
    assert answer["status"] == "paid" and answer["refund_pending"] is True
    again = await ask_refund(sale.buyer, order["id"], "bought it twice")
    assert again.status == 202, await again.text()
    assert len(stripe_fake.refunds) == 1
    await run_jobs()
    assert await active_enrollments(sale) == 1
    assert (await sale.buyer.client.get(sale.lesson_url)).status == 200

    assert await accepted(stripe_side, stripe_fake.refunded_event(payment)) == "refunded"
    seen = await order_of(sale.buyer, order["id"])
    assert seen["status"] == "refunded" and seen["refund_pending"] is False
    assert len(stripe_fake.refunds) == 1
    await run_jobs()
    assert await active_enrollments(sale) == 0
    await expect_problem(await sale.buyer.client.get(sale.lesson_url), 403)


# Stripe unavailable, the other provider's path


async def test_stripe_down_at_checkout_leaves_nothing(sale: Sale, stripe_fake: StripeFake) -> None:
    """503 problem; no order row, the coupon not counted; once Stripe is back, checkout works."""
    coupon_id = await make_coupon(sale)
    stripe_fake.down = True
    response = await sale.buyer.client.post(
        f"/api/v1/courses/{sale.course_id}/checkout",
        json={"coupon": "SAVE10"},
        headers=sale.buyer.csrf_headers(),
    )
    await expect_problem(response, 503)
    assert len(stripe_fake.requests_to("POST", "/v1/checkout/sessions")) == 2  # one retry
    assert await Order.all().count() == 0
    assert await redeemed(sale, coupon_id) == 0
    assert (await Coupon.get(id=coupon_id)).redeemed == 0

    stripe_fake.down = False
    order, _ = await open_checkout(sale, stripe_fake, coupon="SAVE10")
    assert order["status"] == "pending" and await redeemed(sale, coupon_id) == 1


async def test_the_sandbox_webhook_is_not_there_when_stripe_is_the_provider(
    sale: Sale, stripe_fake: StripeFake, stripe_side: TestClient
) -> None:
    """/webhooks/sandbox answers 404, even signed: only the provider in use is heard."""
    order, session_id = await open_checkout(sale, stripe_fake)
    paid = stripe_fake.pay(session_id)
    response = await deliver(stripe_side, paid, path="/api/v1/payments/webhooks/sandbox")
    await expect_problem(response, 404)
    assert (await order_of(sale.buyer, order["id"]))["status"] == "pending"
    assert await PaymentWebhook.all().count() == 0
