"""Reading orders and refunding them: who may, when, and what repeats or races leave behind
(PostgreSQL + Redis + arq, the sandbox provider)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from ocp.events.models import LoggedEvent
from ocp.learning.models import Enrollment
from ocp.payments import orders as order_states
from ocp.payments.models import Order
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course
from tests.payments.helpers import checkout, paid_course, press

RunJobs = Callable[[], Awaitable[int]]


async def _bought(buyer: Account, course_id: int, run_jobs: RunJobs) -> dict[str, Any]:
    """Check out, press Pay, run the reactions: the paid order, the buyer enrolled."""
    order = (await checkout(buyer, course_id))["order"]
    assert await press(buyer, order["id"]) == 303
    await run_jobs()
    assert await Enrollment.exists(user_id=buyer.id, course_id=course_id, status="active")
    return order


async def _refund(
    account: Account,
    order_id: object,
    reason: object = "Bought the wrong course",
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> ClientResponse:
    body = kwargs.pop("json", {"reason": reason})
    return await account.client.post(
        f"/api/v1/orders/{order_id}/refund",
        json=body,
        headers={**account.csrf_headers(), **(headers or {})},
        **kwargs,
    )


async def _status(order_id: int) -> str:
    return str((await Order.get(id=order_id)).status.value)


async def test_orders_list_only_the_callers_newest_first_in_pages(users: Users) -> None:
    """A buyer's list holds their 3 orders newest first, 2 a page, with a Link header."""
    teacher = await users.signed_in("instructor")
    courses = [await paid_course(teacher) for _ in range(3)]
    buyer = await users.signed_in()
    other = await users.signed_in()
    mine = [(await checkout(buyer, course_id))["order"]["id"] for course_id in courses]
    await checkout(other, courses[0])

    first = await buyer.client.get("/api/v1/orders?per_page=2")
    assert first.status == 200
    body = await first.json()
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 2
    assert [item["id"] for item in body["items"]] == mine[::-1][:2]
    assert 'rel="next"' in first.headers["Link"]
    second = await (await buyer.client.get("/api/v1/orders?per_page=2&page=2")).json()
    assert [item["id"] for item in second["items"]] == [mine[0]]
    assert all(item["user_id"] == buyer.id for item in body["items"] + second["items"])
    own = await (await buyer.client.get(f"/api/v1/orders?user_id={buyer.id}")).json()
    assert own["total"] == 3
    capped = await (await buyer.client.get("/api/v1/orders?per_page=1000000")).json()
    assert capped["per_page"] == 100 and len(capped["items"]) == 3
    beyond = await (await buyer.client.get("/api/v1/orders?page=1000000")).json()
    assert beyond["items"] == [] and beyond["total"] == 3


async def test_admins_list_everyones_orders_and_filter_by_user(users: Users) -> None:
    """An admin sees all orders, or one user's with `user_id`."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyers = [await users.signed_in() for _ in range(3)]
    for buyer in buyers:
        await checkout(buyer, course_id)
    admin = await users.signed_in("admin")
    everyone = await (await admin.client.get("/api/v1/orders")).json()
    assert everyone["total"] == 3
    assert {item["user_id"] for item in everyone["items"]} == {b.id for b in buyers}
    one = await (await admin.client.get(f"/api/v1/orders?user_id={buyers[1].id}")).json()
    assert one["total"] == 1 and one["items"][0]["user_id"] == buyers[1].id


async def test_a_student_asking_for_another_users_orders_is_403(users: Users) -> None:
    """`user_id` of someone else is refused to a student (and to an instructor)."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    victim = await users.signed_in()
    await checkout(victim, course_id)
    snoop = await users.signed_in()
    await expect_problem(await snoop.client.get(f"/api/v1/orders?user_id={victim.id}"), 403)
    await expect_problem(await teacher.client.get(f"/api/v1/orders?user_id={victim.id}"), 403)


async def test_orders_list_rejects_bad_query_and_anonymous_callers(users: Users) -> None:
    """Malformed, unknown or repeated query parameters are 422; no session is 401."""
    buyer = await users.signed_in()
    for query in (
        "page=0",
        "page=abc",
        "per_page=0",
        "per_page=-5",
        "status=lost",
        "user_id=0",
        "user_id=99999999999999999999",
        "course_id=x",
        "sort=amount",
        "page=1&page=2",
    ):
        await expect_problem(await buyer.client.get(f"/api/v1/orders?{query}"), 422)
    anonymous = await users.make_client()
    await expect_problem(await anonymous.get("/api/v1/orders"), 401)


async def test_an_order_is_read_by_its_buyer_and_admins_only(users: Users) -> None:
    """Another student and the course's instructor get 404; admins 200; unknown ids 404."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order_id = (await checkout(buyer, course_id))["order"]["id"]
    other = await users.signed_in()
    admin = await users.signed_in("admin")
    assert (await buyer.client.get(f"/api/v1/orders/{order_id}")).status == 200
    assert (await admin.client.get(f"/api/v1/orders/{order_id}")).status == 200
    await expect_problem(await other.client.get(f"/api/v1/orders/{order_id}"), 404)
    await expect_problem(await teacher.client.get(f"/api/v1/orders/{order_id}"), 404)
    for unknown in (order_id + 1000, 2**31, "99999999999999999999", "0", "-1", "x"):
        await expect_problem(await buyer.client.get(f"/api/v1/orders/{unknown}"), 404)
    anonymous = await users.make_client()
    await expect_problem(await anonymous.get(f"/api/v1/orders/{order_id}"), 401)


async def test_only_the_buyer_and_admins_may_ask_for_a_refund(
    users: Users, run_jobs: RunJobs
) -> None:
    """Another student and the course's instructor get 404 and the order stays paid."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    other = await users.signed_in()
    await expect_problem(await _refund(other, order["id"]), 404)
    await expect_problem(await _refund(teacher, order["id"]), 404)
    for unknown in (order["id"] + 1000, "99999999999999999999", "abc"):
        await expect_problem(await _refund(buyer, unknown), 404)
    assert await _status(order["id"]) == "paid"
    assert (await Order.get(id=order["id"])).refund_reason is None


async def test_an_admin_refunds_even_past_the_window(users: Users, run_jobs: RunJobs) -> None:
    """Paid 30 days ago and studied past the limit: an admin's refund is still 200."""
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2, price="19.99")
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    done = await buyer.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress",
        json={"completed": True},
        headers=buyer.csrf_headers(),
    )
    assert done.status == 200, await done.text()
    await Order.filter(id=order["id"]).update(paid_at=order_states.now() - timedelta(days=30))
    admin = await users.signed_in("admin")
    refunded = await _refund(admin, order["id"], reason="Chargeback settled")
    assert refunded.status == 200, await refunded.text()
    body = await refunded.json()
    assert body["status"] == "refunded" and body["refund_reason"] == "Chargeback settled"
    await run_jobs()
    enrollment = await Enrollment.get(user_id=buyer.id, course_id=course_id)
    assert enrollment.status == "cancelled"


async def test_the_buyer_refunds_within_the_window_and_loses_the_course(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """Within the window and below the progress limit: 200; after the jobs the enrollment is
    cancelled and `enrollment.cancelled` is on the buyer's channel."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    refunded = await _refund(buyer, order["id"], reason="  Not what I expected  ")
    assert refunded.status == 200, await refunded.text()
    body = await refunded.json()
    assert body["status"] == "refunded" and body["refunded_at"] is not None
    assert body["refund_reason"] == "Not what I expected" and body["refund_pending"] is False
    await run_jobs()
    enrollment = await Enrollment.get(user_id=buyer.id, course_id=course_id)
    assert enrollment.status == "cancelled"
    history = await client.server.app[BUS].history(f"user:{buyer.id}", since=None)
    types = [event.type for event in history]
    assert "order.refunded" in types and "enrollment.cancelled" in types, types
    lessons = await buyer.client.get(f"/api/v1/courses/{course_id}/progress")
    assert lessons.status in (403, 404), await lessons.text()


async def test_the_buyer_past_the_refund_window_is_403(users: Users, run_jobs: RunJobs) -> None:
    """Paid 15 days ago (the window is 14): 403, the order stays paid and the buyer enrolled."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    await Order.filter(id=order["id"]).update(paid_at=order_states.now() - timedelta(days=15))
    await expect_problem(await _refund(buyer, order["id"]), 403)
    await run_jobs()
    assert await _status(order["id"]) == "paid"
    assert (await Order.get(id=order["id"])).refund_reason is None
    assert await Enrollment.exists(user_id=buyer.id, course_id=course_id, status="active")


async def test_the_buyer_at_the_progress_limit_is_403(users: Users, run_jobs: RunJobs) -> None:
    """One lesson of three done (33%, the limit is 30%): 403 and nothing changes."""
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=3, price="19.99")
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    done = await buyer.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress",
        json={"completed": True},
        headers=buyer.csrf_headers(),
    )
    assert done.status == 200 and (await done.json())["course"]["percent"] == 33
    problem = await expect_problem(await _refund(buyer, order["id"]), 403)
    assert "33%" in problem["detail"]
    assert await _status(order["id"]) == "paid"
    assert await Enrollment.exists(user_id=buyer.id, course_id=course_id, status="active")


async def test_refunding_a_pending_or_refunded_order_is_409(
    users: Users, run_jobs: RunJobs
) -> None:
    """A pending order cannot be refunded, nor a refunded one again (buyer or admin)."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    other_course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    pending = (await checkout(buyer, other_course_id))["order"]
    await expect_problem(await _refund(buyer, pending["id"]), 409)
    assert await _status(pending["id"]) == "pending"

    order = await _bought(buyer, course_id, run_jobs)
    assert (await _refund(buyer, order["id"])).status == 200
    await expect_problem(await _refund(buyer, order["id"]), 409)
    admin = await users.signed_in("admin")
    await expect_problem(await _refund(admin, order["id"], reason="Again"), 409)
    kept = await Order.get(id=order["id"])
    assert kept.status == "refunded" and kept.refund_reason == "Bought the wrong course"


async def test_a_refund_needs_a_reason_of_1_to_500_characters(
    users: Users, run_jobs: RunJobs
) -> None:
    """Missing, blank, too long, not a string, extra fields, not JSON: 4xx, order untouched."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    for body in (
        {},
        {"reason": ""},
        {"reason": "   \n\t"},
        {"reason": "x" * 501},
        {"reason": None},
        {"reason": 42},
        {"reason": "ok", "amount": "19.99"},
        [],
    ):
        await expect_problem(await _refund(buyer, order["id"], json=body), 422)
    await expect_problem(
        await _refund(
            buyer, order["id"], json=None, data=b"{", headers={"Content-Type": "application/json"}
        ),
        400,
    )
    await expect_problem(
        await _refund(
            buyer, order["id"], json=None, data=b"reason=x", headers={"Content-Type": "text/plain"}
        ),
        415,
    )
    kept = await Order.get(id=order["id"])
    assert kept.status == "paid" and kept.refund_reason is None
    assert (await _refund(buyer, order["id"], reason="x" * 500)).status == 200


async def test_parallel_refunds_refund_once(users: Users, run_jobs: RunJobs) -> None:
    """5 refund requests at once: one 200, four 409, one `order.refunded` event."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = await _bought(buyer, course_id, run_jobs)
    answers = await asyncio.gather(*(_refund(buyer, order["id"]) for _ in range(5)))
    assert sorted(answer.status for answer in answers) == [200] + [409] * 4
    for answer in answers:
        if answer.status == 409:
            await expect_problem(answer, 409)
    await run_jobs()
    assert await LoggedEvent.filter(type="order.refunded").count() == 1
    assert await LoggedEvent.filter(type="enrollment.cancelled").count() == 1
    assert await _status(order["id"]) == "refunded"
