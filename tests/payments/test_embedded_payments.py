"""A sandbox purchase on the embedded default: SQLite, the in-memory bus, in-process jobs
that run by themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS
from ocp.config import Settings
from ocp.learning.models import Enrollment
from ocp.payments.models import Order
from ocp.users.models import User
from tests.helpers import PASSWORD, Account
from tests.payments.helpers import checkout, paid_course, press

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]
WAIT_SECONDS = 10


async def _account(
    aiohttp_client: ClientFactory, server: Any, email: str, role: str = "student"
) -> Account:
    """A registered, signed-in account on a browser of its own."""
    browser = await aiohttp_client(server)
    registered = await browser.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": email}
    )
    assert registered.status == 201, await registered.text()
    user = await registered.json()
    await User.filter(id=user["id"]).update(role=role)
    login = await browser.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status == 200, await login.text()
    body = await login.json()
    return Account(client=browser, user=body["user"], password=PASSWORD, csrf=body["csrf_token"])


async def _enrollment_status(user_id: int, course_id: int, wanted: str) -> str | None:
    """Wait (the in-process jobs run on their own) until the enrollment has ``wanted``."""
    status = None
    for _ in range(WAIT_SECONDS * 20):
        enrollment = await Enrollment.get_or_none(user_id=user_id, course_id=course_id)
        status = enrollment.status.value if enrollment is not None else None
        if status == wanted:
            break
        await asyncio.sleep(0.05)
    return status


async def test_an_embedded_sandbox_purchase_and_refund(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    """Checkout, Pay, enrolled by the in-process jobs; refund, cancelled the same way."""
    app = create_app(embedded_settings)
    anonymous = await aiohttp_client(app)
    teacher = await _account(aiohttp_client, anonymous.server, "t@example.com", "instructor")
    course_id = await paid_course(teacher)
    buyer = await _account(aiohttp_client, anonymous.server, "b@example.com")
    events = app[BUS].subscribe({f"user:{buyer.id}"})

    answer = await checkout(buyer, course_id)
    order = answer["order"]
    assert (order["status"], order["amount"], order["provider"]) == ("pending", "19.99", "sandbox")
    assert answer["checkout_url"].endswith(f"/pay/sandbox/{order['id']}")
    assert await press(buyer, order["id"]) == 303
    assert await _enrollment_status(buyer.id, course_id, "active") == "active"
    enrollment = await Enrollment.get(user_id=buyer.id, course_id=course_id)
    assert enrollment.source == "paid" and enrollment.order_id == order["id"]

    refunded = await buyer.client.post(
        f"/api/v1/orders/{order['id']}/refund",
        json={"reason": "Changed my mind"},
        headers=buyer.csrf_headers(),
    )
    assert refunded.status == 200, await refunded.text()
    assert (await refunded.json())["status"] == "refunded"
    assert await _enrollment_status(buyer.id, course_id, "cancelled") == "cancelled"
    types: list[str] = []
    async with asyncio.timeout(WAIT_SECONDS):
        while "enrollment.cancelled" not in types:
            types.append((await events.get()).type)
    for expected in ("order.paid", "enrollment.created", "order.refunded", "enrollment.cancelled"):
        assert expected in types, types
    assert await Order.filter(user_id=buyer.id).count() == 1


async def test_parallel_embedded_checkouts_leave_one_pending_order(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    """10 checkouts at once on SQLite: one 201, nine 200 with the same order, one row."""
    app = create_app(embedded_settings)
    anonymous = await aiohttp_client(app)
    teacher = await _account(aiohttp_client, anonymous.server, "t@example.com", "instructor")
    course_id = await paid_course(teacher)
    buyer = await _account(aiohttp_client, anonymous.server, "b@example.com")
    answers = await asyncio.gather(
        *(
            buyer.client.post(
                f"/api/v1/courses/{course_id}/checkout", json={}, headers=buyer.csrf_headers()
            )
            for _ in range(10)
        )
    )
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * 9 + [201], statuses
    order_ids = {(await answer.json())["order"]["id"] for answer in answers}
    assert len(order_ids) == 1
    assert await Order.filter(user_id=buyer.id).count() == 1
    assert await Order.filter(user_id=buyer.id, status="pending").count() == 1
