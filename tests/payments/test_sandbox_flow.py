"""Buy a course through the sandbox, end to end over HTTP, on PostgreSQL + Redis + arq."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ocp.learning.models import Enrollment
from ocp.payments.models import Order
from tests.helpers import Users
from tests.payments.helpers import checkout, paid_course, press

RunJobs = Callable[[], Awaitable[int]]


async def test_pay_in_the_sandbox_enrolls_the_buyer(users: Users, run_jobs: RunJobs) -> None:
    """Checkout, press Pay: the order is paid and the buyer enrolled (source paid)."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    answer = await checkout(buyer, course_id)
    order = answer["order"]
    assert order["status"] == "pending" and order["amount"] == "19.99"
    assert answer["checkout_url"].endswith(f"/pay/sandbox/{order['id']}")

    assert await press(buyer, order["id"]) == 303
    await run_jobs()
    seen = await buyer.client.get(f"/api/v1/orders/{order['id']}")
    assert (await seen.json())["status"] == "paid"
    enrollment = await Enrollment.get(user_id=buyer.id, course_id=course_id)
    assert enrollment.source == "paid" and enrollment.status == "active"
    assert enrollment.order_id == order["id"]
    assert await Order.filter(user_id=buyer.id).count() == 1
