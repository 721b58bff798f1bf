"""Provider webhooks and the sandbox's checkout page under hostile input: forged, stale or
malformed deliveries and foreign or cross-site form posts change nothing (PostgreSQL +
Redis + arq, the sandbox provider)."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from ocp.appkeys import SETTINGS
from ocp.events.models import LoggedEvent
from ocp.learning.models import Enrollment
from ocp.payments.models import Coupon, Order, PaymentWebhook
from ocp.payments.signatures import HEADER, sign
from tests.helpers import Account, Users, expect_problem
from tests.payments.helpers import FORM_TOKEN, checkout, paid_course, press

RunJobs = Callable[[], Awaitable[int]]
WEBHOOK = "/api/v1/payments/webhooks/sandbox"
HANDLER_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def _secret(client: TestClient) -> str:
    return str(client.server.app[SETTINGS].sandbox_webhook_secret)


def _paid_event(order: dict[str, Any], **session: Any) -> dict[str, Any]:
    """The event Stripe sends when the order's checkout session is paid."""
    obj = {
        "id": f"cs_sandbox_{order['id']}",
        "object": "checkout.session",
        "amount_total": 1999,
        "currency": "usd",
        "client_reference_id": str(order["id"]),
        "metadata": {"order_id": str(order["id"])},
        "payment_intent": f"pi_test_{order['id']}",
        "payment_status": "paid",
        **session,
    }
    return {
        "id": f"evt_test_{time.monotonic_ns()}",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": obj},
    }


async def _deliver(
    client: TestClient,
    body: bytes | dict[str, Any],
    *,
    secret: str | None = None,
    signature: str | None = None,
    path: str = WEBHOOK,
) -> ClientResponse:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    headers = {"Content-Type": "application/json"}
    if signature is None:
        signature = sign(raw, secret or _secret(client))
    if signature:
        headers[HEADER] = signature
    return await client.post(path, data=raw, headers=headers)


async def _pending_order(users: Users, buyer: Account | None = None) -> dict[str, Any]:
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    return (await checkout(buyer or await users.signed_in(), course_id))["order"]


async def _untouched(order_id: int) -> None:
    """The order is still pending and no order event was recorded."""
    assert (await Order.get(id=order_id)).status == "pending"
    assert not await LoggedEvent.filter(type__startswith="order.").exists()


async def _page_form(buyer: Account, order_id: int) -> str:
    page = await buyer.client.get(f"/pay/sandbox/{order_id}")
    assert page.status == 200, await page.text()
    found = FORM_TOKEN.search(await page.text())
    assert found
    return found.group(1)


async def test_missing_wrong_or_stale_signatures_are_400(users: Users, client: TestClient) -> None:
    """No signature, a malformed one, another secret's, another body's, or one over 300 s
    old or ahead: 400, no event stored, the order still pending."""
    order = await _pending_order(users)
    event = orjson.dumps(_paid_event(order))
    now = int(time.time())
    secret = _secret(client)
    for signature in (
        "",
        "garbage",
        "t=,v1=",
        f"t={now}",
        f"v1={sign(event, secret).split('v1=')[1]}",
        f"t=abc,v1={'0' * 64}",
        f"t={now},v1={'0' * 64}",
        sign(event, "whsec_someone_else"),
        sign(event + b" ", secret),
        sign(event, secret, timestamp=now - 301),
        sign(event, secret, timestamp=now + 301),
        sign(event, secret, timestamp=10**30),
        sign(event, secret).upper(),
        "x" * 8000,
    ):
        answer = await _deliver(client, event, signature=signature)
        await expect_problem(answer, 400)
    await expect_problem(await client.post(WEBHOOK, data=event), 400)
    assert await PaymentWebhook.all().count() == 0
    await _untouched(order["id"])


async def test_signed_bodies_that_are_not_events_are_400(users: Users, client: TestClient) -> None:
    """Signed but not JSON, not an object, or without id, type or data.object: 400."""
    order = await _pending_order(users)
    good = _paid_event(order)
    bodies: list[bytes | dict[str, Any]] = [
        b"",
        b"not json",
        b"\xff\xfe{}",
        b"[1, 2]",
        b'"event"',
        b"null",
        b'{"id": "evt_1", ' * 5000,
        {},
        {key: value for key, value in good.items() if key != "id"},
        {**good, "id": ""},
        {**good, "id": 42},
        {**good, "id": "e" * 256},
        {key: value for key, value in good.items() if key != "type"},
        {**good, "type": None},
        {**good, "data": None},
        {**good, "data": {}},
        {**good, "data": {"object": "cs_1"}},
        {**good, "data": [good["data"]["object"]]},
    ]
    for body in bodies:
        await expect_problem(await _deliver(client, body), 400)
    assert await PaymentWebhook.all().count() == 0
    await _untouched(order["id"])


async def test_an_unknown_event_type_is_200_and_changes_nothing(
    users: Users, client: TestClient
) -> None:
    """A signed `customer.created` about the order is acknowledged and ignored; again, too."""
    order = await _pending_order(users)
    event = {**_paid_event(order), "type": "customer.created"}
    first = await _deliver(client, event)
    assert first.status == 200 and (await first.json())["outcome"] == "ignored"
    again = await _deliver(client, event)
    assert again.status == 200 and (await again.json())["outcome"] == "duplicate"
    assert await PaymentWebhook.all().count() == 1
    await _untouched(order["id"])


async def test_webhooks_for_a_provider_not_in_use_are_404(users: Users, client: TestClient) -> None:
    """/webhooks/paypal and /webhooks/stripe (with the sandbox in use) are 404, even signed."""
    order = await _pending_order(users)
    for provider in ("paypal", "stripe", "Sandbox", "none", "sandbox%2F..", "x" * 300):
        answer = await _deliver(
            client, _paid_event(order), path=f"/api/v1/payments/webhooks/{provider}"
        )
        await expect_problem(answer, 404)
    assert await PaymentWebhook.all().count() == 0
    await _untouched(order["id"])


async def test_a_webhook_body_over_the_size_limit_is_413(users: Users, client: TestClient) -> None:
    """A body one byte over OCP_MAX_BODY_KB is 413 whether signed or not; nothing stored."""
    order = await _pending_order(users)
    limit = client.server.app[SETTINGS].max_body_kb * 1024
    event = orjson.dumps(_paid_event(order))
    huge = event[:-1] + b', "padding": "' + b"x" * (limit - len(event)) + b'"}'
    assert len(huge) > limit
    for signature in (sign(huge, _secret(client)), None):
        headers = {"Content-Type": "application/json"}
        if signature:
            headers[HEADER] = signature
        answer = await client.post(WEBHOOK, data=io.BytesIO(huge), headers=headers)
        await expect_problem(answer, 413)
    assert await PaymentWebhook.all().count() == 0
    await _untouched(order["id"])


async def test_a_payment_that_does_not_match_the_order_leaves_it_unpaid(
    users: Users, client: TestClient
) -> None:
    """Amount or currency off, typed wrong, or not yet paid: 200, the order stays pending."""
    order = await _pending_order(users)
    for session in (
        {"amount_total": 1},
        {"amount_total": 1998},
        {"amount_total": "1999"},
        {"amount_total": 1999.0},
        {"amount_total": True},
        {"amount_total": None},
        {"currency": "eur"},
        {"currency": None},
        {"payment_status": "unpaid"},
    ):
        answer = await _deliver(client, _paid_event(order, **session))
        assert answer.status == 200, (session, await answer.text())
    await _untouched(order["id"])


async def test_events_naming_no_known_order_are_200_and_change_nothing(
    users: Users, client: TestClient
) -> None:
    """Unknown, huge, negative or non-numeric order references are acknowledged, logged."""
    order = await _pending_order(users)
    for reference in ("999999", "99999999999999999999", "-1", "1e3", "abc", 7, None, "١٢"):
        event = _paid_event(order, client_reference_id=reference, metadata={})
        answer = await _deliver(client, event)
        assert answer.status == 200, await answer.text()
        assert (await answer.json())["outcome"] == "unknown order"
    await _untouched(order["id"])


async def test_parallel_deliveries_of_one_event_pay_and_enroll_once(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    """The same signed event 10 times at once: all 200, one `order.paid`, one enrollment."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    raw = orjson.dumps(_paid_event(order))
    signature = sign(raw, _secret(client))
    answers = await asyncio.gather(*(_deliver(client, raw, signature=signature) for _ in range(10)))
    assert [answer.status for answer in answers] == [200] * 10
    outcomes = sorted([(await answer.json())["outcome"] for answer in answers])
    assert outcomes == ["duplicate"] * 9 + ["paid"], outcomes
    await run_jobs()
    assert (await Order.get(id=order["id"])).status == "paid"
    assert await LoggedEvent.filter(type="order.paid").count() == 1
    assert await Enrollment.filter(user_id=buyer.id).count() == 1


async def test_the_sandbox_page_is_its_buyers_only(users: Users) -> None:
    """Another user gets 404 on the page and its buttons; no session is 401."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    token = await _page_form(buyer, order["id"])
    other = await users.signed_in()
    other_token = await _page_form(other, (await _pending_order(users, other))["id"])
    await expect_problem(await other.client.get(f"/pay/sandbox/{order['id']}"), 404)
    await expect_problem(await other.client.get(f"/pay/orders/{order['id']}"), 404)
    for form in (
        {"csrf_token": other_token, "outcome": "pay"},
        {"csrf_token": token, "outcome": "pay"},
    ):
        await expect_problem(
            await other.client.post(
                f"/pay/sandbox/{order['id']}", data=form, allow_redirects=False
            ),
            404,
        )
    anonymous = await users.make_client()
    await expect_problem(await anonymous.get(f"/pay/sandbox/{order['id']}"), 401)
    await expect_problem(
        await anonymous.post(
            f"/pay/sandbox/{order['id']}",
            data={"csrf_token": token, "outcome": "pay"},
            allow_redirects=False,
        ),
        401,
    )
    for unknown in (order["id"] + 1000, "99999999999999999999", "abc"):
        await expect_problem(await buyer.client.get(f"/pay/sandbox/{unknown}"), 404)
    assert (await Order.get(id=order["id"])).status == "pending"
    assert await PaymentWebhook.all().count() == 0


async def test_sandbox_buttons_need_the_right_token_and_a_proper_form(users: Users) -> None:
    """A wrong csrf_token is 403; a missing one, an unknown outcome or an extra field 422;
    JSON or an oversized form 400; the order stays pending throughout."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    token = await _page_form(buyer, order["id"])
    url = f"/pay/sandbox/{order['id']}"
    for form, status in (
        ({"csrf_token": "wrong", "outcome": "pay"}, 403),
        ({"csrf_token": token[:-1], "outcome": "pay"}, 403),
        ({"csrf_token": "", "outcome": "pay"}, 403),
        ({"outcome": "pay"}, 422),
        ({"csrf_token": token, "outcome": "refund"}, 422),
        ({"csrf_token": token}, 422),
        ({"csrf_token": token, "outcome": "pay", "amount": "0"}, 422),
        ({"csrf_token": token, "outcome": "pay", "x": "y" * 5000}, 400),
    ):
        answer = await buyer.client.post(url, data=form, allow_redirects=False)
        await expect_problem(answer, status)
    as_json = await buyer.client.post(
        url, json={"csrf_token": token, "outcome": "pay"}, allow_redirects=False
    )
    await expect_problem(as_json, 400)
    await _untouched(order["id"])
    assert await PaymentWebhook.all().count() == 0


async def test_a_cross_site_sandbox_post_is_403(users: Users) -> None:
    """A form post from another site's page is refused even with the right token."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    token = await _page_form(buyer, order["id"])
    for origin in ("https://evil.example", "null", f"http://{buyer.client.host}.evil.example"):
        answer = await buyer.client.post(
            f"/pay/sandbox/{order['id']}",
            data={"csrf_token": token, "outcome": "pay"},
            headers={"Origin": origin},
            allow_redirects=False,
        )
        await expect_problem(answer, 403)
    await _untouched(order["id"])


async def test_declining_fails_the_order_and_gives_the_coupon_back(
    users: Users, run_jobs: RunJobs
) -> None:
    """Decline: 303, the order failed, its coupon's redemption back; then the buttons are
    409 and a new checkout makes a new order."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    made = await teacher.client.post(
        f"/api/v1/courses/{course_id}/coupons",
        json={"code": "ONLYONE", "percent_off": 10, "max_redemptions": 1},
        headers=teacher.csrf_headers(),
    )
    coupon_id = (await made.json())["id"]
    buyer = await users.signed_in()
    order = (await checkout(buyer, course_id, coupon="ONLYONE"))["order"]
    assert (await Coupon.get(id=coupon_id)).redeemed == 1
    token = await _page_form(buyer, order["id"])
    assert await press(buyer, order["id"], "decline") == 303
    await run_jobs()
    assert (await Order.get(id=order["id"])).status == "failed"
    assert (await Coupon.get(id=coupon_id)).redeemed == 0
    assert await LoggedEvent.filter(type="order.failed").count() == 1
    pay = await buyer.client.post(
        f"/pay/sandbox/{order['id']}",
        data={"csrf_token": token, "outcome": "pay"},
        allow_redirects=False,
    )
    await expect_problem(pay, 409)
    assert not await Enrollment.exists(user_id=buyer.id, course_id=course_id)
    again = (await checkout(buyer, course_id, coupon="ONLYONE"))["order"]
    assert again["id"] != order["id"] and again["status"] == "pending"


async def test_pressing_pay_on_a_paid_order_is_409(users: Users, run_jobs: RunJobs) -> None:
    """Once paid, the page shows the checkout closed and its buttons answer 409."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    token = await _page_form(buyer, order["id"])
    assert await press(buyer, order["id"]) == 303
    await run_jobs()
    for outcome in ("pay", "decline"):
        answer = await buyer.client.post(
            f"/pay/sandbox/{order['id']}",
            data={"csrf_token": token, "outcome": outcome},
            allow_redirects=False,
        )
        await expect_problem(answer, 409)
    page = await buyer.client.get(f"/pay/sandbox/{order['id']}")
    assert page.status == 200 and "closed" in await page.text()
    assert "<form" not in await page.text()
    assert (await Order.get(id=order["id"])).status == "paid"
    assert await LoggedEvent.filter(type="order.paid").count() == 1


async def test_the_sandbox_page_allows_forms_to_self_and_no_script(users: Users) -> None:
    """The page's CSP posts forms only to itself, runs no script and cannot be framed."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    page = await buyer.client.get(f"/pay/sandbox/{order['id']}")
    assert page.status == 200 and page.content_type == "text/html"
    policy = [part.strip() for part in page.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert not any(part.startswith("script-src") for part in policy)
    text = await page.text()
    assert "<script" not in text.lower() and not HANDLER_ATTRIBUTE.search(text)
    assert text.count(f'<form method="post" action="/pay/sandbox/{order["id"]}">') == 2
    assert page.headers["Cache-Control"] == "no-store"


async def test_pressing_a_sandbox_button_logs_no_server_error(
    users: Users, caplog: pytest.LogCaptureFixture
) -> None:
    """The 303 after a press is returned, not raised: aiohttp logs no unhandled exception and
    keeps the connection for the next request."""
    buyer = await users.signed_in()
    order = await _pending_order(users, buyer)
    with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
        assert await press(buyer, order["id"]) == 303
        await asyncio.sleep(0.05)
    assert not [r for r in caplog.records if r.name == "aiohttp.server"], caplog.text
    assert (await buyer.client.get(f"/api/v1/orders/{order['id']}")).status == 200
