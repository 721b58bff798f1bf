"""Checkout under hostile or repeated input: the right status, a problem body, nothing half
written (PostgreSQL + Redis + arq, the sandbox provider)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import ClientResponse

from ocp.learning.models import Enrollment
from ocp.payments import orders as order_states
from ocp.payments.models import Coupon, Order
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course
from tests.payments.helpers import checkout, paid_course, press

RunJobs = Callable[[], Awaitable[int]]


async def _post_checkout(
    buyer: Account, course_id: object, headers: dict[str, str] | None = None, **kwargs: Any
) -> ClientResponse:
    return await buyer.client.post(
        f"/api/v1/courses/{course_id}/checkout",
        headers={**buyer.csrf_headers(), **(headers or {})},
        **kwargs,
    )


async def _coupon(teacher: Account, course_id: int, **fields: object) -> dict[str, object]:
    made = await teacher.client.post(
        f"/api/v1/courses/{course_id}/coupons", json=fields, headers=teacher.csrf_headers()
    )
    assert made.status == 201, await made.text()
    return dict(await made.json())


async def test_checkout_without_signing_in_is_401(users: Users) -> None:
    """An anonymous caller gets 401 and no order is made."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    anonymous = await users.make_client()
    answer = await anonymous.post(f"/api/v1/courses/{course_id}/checkout", json={})
    await expect_problem(answer, 401)
    assert await Order.all().count() == 0


async def test_checkout_of_a_free_course_is_409(users: Users) -> None:
    """A free course is enrolled in, not bought: 409 and no order."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, price="0")
    buyer = await users.signed_in()
    await expect_problem(await _post_checkout(buyer, course_id, json={}), 409)
    assert await Order.all().count() == 0


async def test_checkout_when_already_enrolled_is_409(users: Users, run_jobs: RunJobs) -> None:
    """A buyer who already holds the course (bought and enrolled) cannot buy it again."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = (await checkout(buyer, course_id))["order"]
    assert await press(buyer, order["id"]) == 303
    await run_jobs()
    assert await Enrollment.exists(user_id=buyer.id, course_id=course_id)
    await expect_problem(await _post_checkout(buyer, course_id, json={}), 409)
    assert await Order.filter(user_id=buyer.id).count() == 1


async def test_checkout_of_a_draft_archived_or_unknown_course_is_404(users: Users) -> None:
    """Draft, archived, unknown and out-of-range course ids all answer 404, with no order."""
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    draft = await teacher.client.post(
        "/api/v1/courses", json={"title": "Draft Course", "price": "9.99"}, headers=h
    )
    draft_id = (await draft.json())["id"]
    archived_id = await paid_course(teacher)
    archived = await teacher.client.patch(
        f"/api/v1/courses/{archived_id}", json={"status": "archived"}, headers=h
    )
    assert archived.status == 200, await archived.text()
    buyer = await users.signed_in()
    for course_id in (
        draft_id,
        archived_id,
        999_999,
        2**31,
        2**63,
        "99999999999999999999999999",
        "0",
        "-1",
        "1e3",
        "abc",
    ):
        await expect_problem(await _post_checkout(buyer, course_id, json={}), 404)
    assert await Order.all().count() == 0


async def test_checkout_body_that_is_not_json_is_400_or_415(users: Users) -> None:
    """Broken JSON is 400, another media type 415, JSON that is not an object 422."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    json_type = {"Content-Type": "application/json"}
    await expect_problem(
        await _post_checkout(buyer, course_id, data=b'{"coupon": ', headers=json_type), 400
    )
    await expect_problem(
        await _post_checkout(buyer, course_id, data=b"\xff\xfe", headers=json_type), 400
    )
    await expect_problem(
        await _post_checkout(
            buyer, course_id, data=b"coupon=SAVE", headers={"Content-Type": "text/plain"}
        ),
        415,
    )
    await expect_problem(await _post_checkout(buyer, course_id, json=["SAVE"]), 422)
    await expect_problem(await _post_checkout(buyer, course_id, json="SAVE"), 422)
    assert await Order.all().count() == 0


async def test_checkout_with_an_unknown_field_is_422(users: Users) -> None:
    """No field beyond `coupon` is taken: a smuggled price or status is a 422 on that field."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    for field, value in (("amount", "0.01"), ("status", "paid"), ("user_id", 1)):
        problem = await expect_problem(
            await _post_checkout(buyer, course_id, json={field: value}), 422
        )
        assert field in problem["errors"], problem
    assert await Order.all().count() == 0


async def test_checkout_with_a_malformed_coupon_is_422_on_coupon(users: Users) -> None:
    """Codes too short, too long, with spaces, not a string or null: 422 on `coupon`."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    for code in ("ab", "x" * 65, "x" * 100_000, "SAVE 10", "SAVE\n", "ÉTÉ2024", 123, None, []):
        problem = await expect_problem(
            await _post_checkout(buyer, course_id, json={"coupon": code}), 422
        )
        assert list(problem["errors"]) == ["coupon"], problem
    assert await Order.all().count() == 0


async def test_checkout_with_an_unusable_coupon_is_422_and_counts_nothing(users: Users) -> None:
    """Unknown, expired, used-up and another course's codes: 422 on `coupon`, `redeemed` kept."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    other_course_id = await paid_course(teacher)
    expired = await _coupon(
        teacher, course_id, code="OLD", percent_off=10, expires_at="2020-01-01T00:00:00Z"
    )
    used_up = await _coupon(teacher, course_id, code="ONCE", percent_off=10, max_redemptions=1)
    await _coupon(teacher, other_course_id, code="ELSEWHERE", percent_off=10)
    first = await users.signed_in()
    assert (await checkout(first, course_id, coupon="once"))["order"]["coupon"] == "ONCE"

    buyer = await users.signed_in()
    for code in ("NOPE", "OLD", "ONCE", "ELSEWHERE"):
        problem = await expect_problem(
            await _post_checkout(buyer, course_id, json={"coupon": code}), 422
        )
        assert list(problem["errors"]) == ["coupon"], problem
    assert (await Coupon.get(id=expired["id"])).redeemed == 0
    assert (await Coupon.get(id=used_up["id"])).redeemed == 1
    assert await Order.filter(user_id=buyer.id).count() == 0


async def test_a_repeated_checkout_while_pending_returns_the_same_order(users: Users) -> None:
    """A second checkout (even naming a coupon) answers 200 with the pending order."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _coupon(teacher, course_id, code="LATER", percent_off=50)
    buyer = await users.signed_in()
    first = await checkout(buyer, course_id)
    again = await checkout(buyer, course_id, status=200)
    with_coupon = await checkout(buyer, course_id, coupon="LATER", status=200)
    assert again == first
    assert with_coupon["order"]["id"] == first["order"]["id"]
    assert with_coupon["order"]["amount"] == "19.99"
    assert await Order.filter(user_id=buyer.id).count() == 1
    assert (await Coupon.get(id=coupon["id"])).redeemed == 0


async def test_parallel_checkouts_by_one_buyer_make_one_order(users: Users) -> None:
    """25 checkouts at once: one 201, the rest 200 up to the per-minute budget of 20, then 429;
    one order row, and its coupon counted once."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _coupon(teacher, course_id, code="RUSH", percent_off=10)
    buyer = await users.signed_in()
    answers = await asyncio.gather(
        *(_post_checkout(buyer, course_id, json={"coupon": "RUSH"}) for _ in range(25))
    )
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * 19 + [201] + [429] * 5, statuses
    order_ids = set()
    for answer in answers:
        if answer.status == 429:
            await expect_problem(answer, 429)
            assert int(answer.headers["Retry-After"]) > 0
        else:
            order_ids.add((await answer.json())["order"]["id"])
    assert len(order_ids) == 1
    assert await Order.filter(user_id=buyer.id).count() == 1
    assert (await Coupon.get(id=coupon["id"])).redeemed == 1


async def test_coupon_limit_holds_under_parallel_checkouts(users: Users) -> None:
    """`max_redemptions: 3` and 10 buyers at once: 3 orders carry it, 7 got 422, redeemed 3."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _coupon(teacher, course_id, code="FIRST3", percent_off=25, max_redemptions=3)
    buyers = [await users.signed_in() for _ in range(10)]
    answers = await asyncio.gather(
        *(_post_checkout(buyer, course_id, json={"coupon": "first3"}) for buyer in buyers)
    )
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [201] * 3 + [422] * 7, statuses
    for answer in answers:
        if answer.status == 422:
            assert list((await expect_problem(answer, 422))["errors"]) == ["coupon"]
        else:
            order = (await answer.json())["order"]
            assert order["coupon"] == "FIRST3" and order["amount"] == "14.99"
    assert await Order.filter(coupon_id=coupon["id"]).count() == 3
    assert await Order.filter(course_id=course_id).count() == 3
    assert (await Coupon.get(id=coupon["id"])).redeemed == 3


async def test_a_free_making_coupon_pays_at_once_and_enrolls(
    users: Users, run_jobs: RunJobs
) -> None:
    """A 100%-off coupon: 201, paid, no checkout_url, no provider; enrolled after the jobs."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    await _coupon(teacher, course_id, code="GIFT", percent_off=100)
    buyer = await users.signed_in()
    answer = await checkout(buyer, course_id, coupon="gift")
    order = answer["order"]
    assert answer["checkout_url"] is None and order["checkout_url"] is None
    assert order["status"] == "paid" and order["paid_at"] is not None
    assert (order["amount"], order["discount"], order["list_price"]) == ("0.00", "19.99", "19.99")
    assert order["provider"] == "none"
    await run_jobs()
    enrollment = await Enrollment.get(user_id=buyer.id, course_id=course_id)
    assert enrollment.source == "paid" and enrollment.status == "active"
    assert enrollment.order_id == order["id"]


async def test_a_price_change_after_checkout_leaves_the_order_amount(
    users: Users, run_jobs: RunJobs
) -> None:
    """The instructor raises the price: the pending order keeps its amount and still pays."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = (await checkout(buyer, course_id))["order"]
    raised = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"price": "49.00"}, headers=teacher.csrf_headers()
    )
    assert raised.status == 200 and (await raised.json())["price"] == "49.00"
    again = (await checkout(buyer, course_id, status=200))["order"]
    assert again["id"] == order["id"] and again["amount"] == "19.99"
    assert await press(buyer, order["id"]) == 303
    await run_jobs()
    seen = await (await buyer.client.get(f"/api/v1/orders/{order['id']}")).json()
    assert seen["status"] == "paid" and seen["amount"] == "19.99"
    assert (await Order.get(id=order["id"])).amount_minor == 1999
    assert await Enrollment.exists(user_id=buyer.id, course_id=course_id, status="active")


async def test_a_lapsed_pending_order_is_expired_by_the_next_checkout(users: Users) -> None:
    """Past its expires_at, the pending order ends `expired` (coupon given back) and the next
    checkout makes a new order at today's price."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _coupon(teacher, course_id, code="HALF", percent_off=50, max_redemptions=1)
    buyer = await users.signed_in()
    old = (await checkout(buyer, course_id, coupon="HALF"))["order"]
    assert (await Coupon.get(id=coupon["id"])).redeemed == 1
    await Order.filter(id=old["id"]).update(expires_at=order_states.now() - timedelta(seconds=1))
    new = (await checkout(buyer, course_id, coupon="HALF"))["order"]
    assert new["id"] != old["id"] and new["status"] == "pending" and new["amount"] == "9.99"
    assert (await Order.get(id=old["id"])).status == "expired"
    assert (await Coupon.get(id=coupon["id"])).redeemed == 1
    statuses = await Order.filter(user_id=buyer.id).order_by("id").values_list("status", flat=True)
    assert statuses == ["expired", "pending"]
