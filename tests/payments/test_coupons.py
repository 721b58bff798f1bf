"""Coupons under hostile input: who may make and change them, what values they take, and
what deleting one leaves (PostgreSQL + Redis, the sandbox provider)."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse

from ocp.payments.models import Coupon, Order
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course
from tests.payments.helpers import checkout, paid_course


async def _create(account: Account, course_id: object, body: Any) -> ClientResponse:
    return await account.client.post(
        f"/api/v1/courses/{course_id}/coupons", json=body, headers=account.csrf_headers()
    )


async def _patch(account: Account, coupon_id: object, body: Any) -> ClientResponse:
    return await account.client.patch(
        f"/api/v1/coupons/{coupon_id}", json=body, headers=account.csrf_headers()
    )


async def _delete(account: Account, coupon_id: object) -> ClientResponse:
    return await account.client.delete(
        f"/api/v1/coupons/{coupon_id}", headers=account.csrf_headers()
    )


async def _made(account: Account, course_id: int, **body: Any) -> dict[str, Any]:
    answer = await _create(account, course_id, body)
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())


async def _codes(account: Account, course_id: int) -> list[str]:
    listed = await account.client.get(f"/api/v1/courses/{course_id}/coupons")
    assert listed.status == 200, await listed.text()
    return [coupon["code"] for coupon in await listed.json()]


async def test_students_may_not_touch_coupons(users: Users) -> None:
    """A student gets 403 on all four coupon routes, and nothing changes."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _made(teacher, course_id, code="SAVE10", percent_off=10)
    student = await users.signed_in()
    await expect_problem(
        await _create(student, course_id, {"code": "MINE", "percent_off": 100}), 403
    )
    await expect_problem(await student.client.get(f"/api/v1/courses/{course_id}/coupons"), 403)
    await expect_problem(await _patch(student, coupon["id"], {"percent_off": 100}), 403)
    await expect_problem(await _delete(student, coupon["id"]), 403)
    assert await Coupon.filter(course_id=course_id).count() == 1
    assert (await Coupon.get(id=coupon["id"])).percent_off == 10


async def test_another_courses_instructor_is_403_everywhere(users: Users) -> None:
    """An instructor of another course is refused (403) on create, list, change and delete
    alike: the course exists, so the answer is the same 403 for its coupons."""
    owner = await users.signed_in("instructor")
    course_id = await paid_course(owner)
    coupon = await _made(owner, course_id, code="OWNER", percent_off=10)
    stranger = await users.signed_in("instructor")
    await paid_course(stranger)
    await expect_problem(
        await _create(stranger, course_id, {"code": "MINE", "percent_off": 90}), 403
    )
    await expect_problem(await stranger.client.get(f"/api/v1/courses/{course_id}/coupons"), 403)
    await expect_problem(await _patch(stranger, coupon["id"], {"percent_off": 90}), 403)
    await expect_problem(await _patch(stranger, coupon["id"], {"code": "STOLEN"}), 403)
    await expect_problem(await _delete(stranger, coupon["id"]), 403)
    kept = await Coupon.get(id=coupon["id"])
    assert (kept.code, kept.percent_off) == ("OWNER", 10)
    assert await Coupon.filter(course_id=course_id).count() == 1


async def test_admins_manage_any_courses_coupons(users: Users) -> None:
    """An admin creates, lists, changes and deletes a coupon of someone's course."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    admin = await users.signed_in("admin")
    coupon = await _made(admin, course_id, code="STAFF", percent_off=20)
    assert await _codes(admin, course_id) == ["STAFF"]
    assert (await _patch(admin, coupon["id"], {"max_redemptions": 5})).status == 200
    assert (await _delete(admin, coupon["id"])).status == 204


async def test_unknown_course_or_coupon_is_404(users: Users) -> None:
    """Unknown or out-of-range ids in the path are 404 on every coupon route."""
    teacher = await users.signed_in("instructor")
    body = {"code": "SAVE10", "percent_off": 10}
    for unknown in (999_999, 2**31, "99999999999999999999", "0", "-3", "abc"):
        await expect_problem(await _create(teacher, unknown, body), 404)
        await expect_problem(await teacher.client.get(f"/api/v1/courses/{unknown}/coupons"), 404)
        await expect_problem(await _patch(teacher, unknown, {"percent_off": 5}), 404)
        await expect_problem(await _delete(teacher, unknown), 404)
    assert await Coupon.all().count() == 0


async def test_codes_are_unique_per_course_in_any_case(users: Users) -> None:
    """ "SAVE" then "save" on one course is 409 (also by PATCH); another course may use it."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    other_course_id = await paid_course(teacher)
    await _made(teacher, course_id, code="SAVE", percent_off=10)
    problem = await expect_problem(
        await _create(teacher, course_id, {"code": "save", "percent_off": 20}), 409
    )
    assert "code" in problem["errors"]
    await _made(teacher, other_course_id, code="SAVE", percent_off=20)
    second = await _made(teacher, course_id, code="OTHER", percent_off=30)
    await expect_problem(await _patch(teacher, second["id"], {"code": "Save"}), 409)
    assert (await Coupon.get(id=second["id"])).code == "OTHER"
    assert await _codes(teacher, course_id) == ["OTHER", "SAVE"]


async def test_percent_off_takes_whole_numbers_1_to_100(users: Users) -> None:
    """0, 101, -5, 1.5, "10", true and a huge number are 422 on `percent_off`; no row."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    for value in (0, 101, -5, 1.5, "10", True, 10**30):
        problem = await expect_problem(
            await _create(teacher, course_id, {"code": "PCT", "percent_off": value}), 422
        )
        assert list(problem["errors"]) == ["percent_off"], problem
    assert await Coupon.all().count() == 0
    assert (await _made(teacher, course_id, code="PCT", percent_off=100))["percent_off"] == 100


async def test_amount_off_is_a_positive_decimal_string_in_the_currency(users: Users) -> None:
    """ "0", "-1", "1.234" for USD, "abc", "", a number, "1e3", "NaN": 422 on `amount_off`."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    for value in ("0", "0.00", "-1", "1.234", "abc", "", " 5", 5, 5.5, "1e3", "NaN", "1" * 12):
        problem = await expect_problem(
            await _create(teacher, course_id, {"code": "AMT", "amount_off": value}), 422
        )
        assert list(problem["errors"]) == ["amount_off"], (value, problem)
    assert await Coupon.all().count() == 0
    made = await _made(teacher, course_id, code="AMT", amount_off="5.5")
    assert (made["amount_off"], made["percent_off"], made["currency"]) == ("5.50", None, "USD")


async def test_a_coupon_takes_exactly_one_kind_of_discount(users: Users) -> None:
    """Both percent_off and amount_off, or neither (nulls included): 422, no row."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    for body in (
        {"code": "BOTH", "percent_off": 10, "amount_off": "5.00"},
        {"code": "NONE"},
        {"code": "NULLS", "percent_off": None, "amount_off": None},
    ):
        await expect_problem(await _create(teacher, course_id, body), 422)
    assert await Coupon.all().count() == 0


async def test_amount_off_in_yen_has_no_decimals(users: Users) -> None:
    """A JPY course takes "500" but not "10.5" (the yen has no minor unit)."""
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    created = await teacher.client.post(
        "/api/v1/courses",
        json={"title": "Yen Course", "price": "1500", "currency": "JPY"},
        headers=h,
    )
    assert created.status == 201, await created.text()
    course_id = (await created.json())["id"]
    for value in ("10.5", "0.1", "499.999"):
        problem = await expect_problem(
            await _create(teacher, course_id, {"code": "YEN", "amount_off": value}), 422
        )
        assert list(problem["errors"]) == ["amount_off"], problem
    assert await Coupon.all().count() == 0
    made = await _made(teacher, course_id, code="YEN", amount_off="500")
    assert (made["amount_off"], made["currency"]) == ("500", "JPY")
    await expect_problem(await _patch(teacher, made["id"], {"amount_off": "0.5"}), 422)
    assert (await Coupon.get(id=made["id"])).amount_off_minor == 500


async def test_other_fields_are_validated_and_unknown_ones_refused(users: Users) -> None:
    """Bad codes, limits, dates, a smuggled `redeemed` or `course_id`, not JSON: 4xx, no row."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    base = {"code": "OK1", "percent_off": 10}
    for change, field in (
        ({"code": "ab"}, "code"),
        ({"code": "x" * 65}, "code"),
        ({"code": "SAVE 10"}, "code"),
        ({"code": None}, "code"),
        ({"max_redemptions": 0}, "max_redemptions"),
        ({"max_redemptions": 1_000_001}, "max_redemptions"),
        ({"max_redemptions": "3"}, "max_redemptions"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"expires_at": "2030-01-01T00:00:00Z" + " " * 100}, "expires_at"),
        ({"expires_at": 1893456000}, "expires_at"),
        ({"redeemed": 0}, "redeemed"),
        ({"course_id": course_id}, "course_id"),
        ({"currency": "EUR"}, "currency"),
    ):
        problem = await expect_problem(await _create(teacher, course_id, {**base, **change}), 422)
        assert field in problem["errors"], (change, problem)
    await expect_problem(
        await teacher.client.post(
            f"/api/v1/courses/{course_id}/coupons",
            data=b"{",
            headers={**teacher.csrf_headers(), "Content-Type": "application/json"},
        ),
        400,
    )
    await expect_problem(
        await teacher.client.post(
            f"/api/v1/courses/{course_id}/coupons",
            data=b"code=OK1",
            headers={**teacher.csrf_headers(), "Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
    )
    assert await Coupon.all().count() == 0


async def test_a_limit_below_redeemed_is_refused(users: Users) -> None:
    """Redeemed twice: PATCH max_redemptions 1 is 422 and changes nothing; 2 is fine."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _made(teacher, course_id, code="TWICE", percent_off=10)
    for _ in range(2):
        await checkout(await users.signed_in(), course_id, coupon="TWICE")
    assert (await Coupon.get(id=coupon["id"])).redeemed == 2
    problem = await expect_problem(
        await _patch(teacher, coupon["id"], {"max_redemptions": 1, "percent_off": 50}), 422
    )
    assert list(problem["errors"]) == ["max_redemptions"]
    kept = await Coupon.get(id=coupon["id"])
    assert (kept.max_redemptions, kept.percent_off, kept.redeemed) == (None, 10, 2)
    limited = await _patch(teacher, coupon["id"], {"max_redemptions": 2})
    assert limited.status == 200 and (await limited.json())["max_redemptions"] == 2
    lifted = await _patch(teacher, coupon["id"], {"max_redemptions": None})
    assert (await lifted.json())["max_redemptions"] is None


async def test_patching_one_discount_kind_clears_the_other(users: Users) -> None:
    """percent_off -> amount_off clears percent_off, and back; both at once is 422."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _made(teacher, course_id, code="SWITCH", percent_off=10)
    to_amount = await _patch(teacher, coupon["id"], {"amount_off": "3.00"})
    assert to_amount.status == 200, await to_amount.text()
    body = await to_amount.json()
    assert (body["percent_off"], body["amount_off"]) == (None, "3.00")
    stored = await Coupon.get(id=coupon["id"])
    assert (stored.percent_off, stored.amount_off_minor) == (None, 300)
    back = await (await _patch(teacher, coupon["id"], {"percent_off": 15})).json()
    assert (back["percent_off"], back["amount_off"]) == (15, None)
    await expect_problem(
        await _patch(teacher, coupon["id"], {"percent_off": 5, "amount_off": "1.00"}), 422
    )
    await expect_problem(await _patch(teacher, coupon["id"], {"redeemed": 0}), 422)
    stored = await Coupon.get(id=coupon["id"])
    assert (stored.percent_off, stored.amount_off_minor) == (15, None)


async def test_a_deleted_coupon_is_gone_but_its_orders_keep_the_code(users: Users) -> None:
    """DELETE: gone from the list, a repeat is 404, checkout with it is 422, and the order
    made with it keeps `coupon` and its price."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    coupon = await _made(teacher, course_id, code="BYE", amount_off="4.99")
    kept_coupon = await _made(teacher, course_id, code="STAY", percent_off=5)
    buyer = await users.signed_in()
    order = (await checkout(buyer, course_id, coupon="bye"))["order"]
    assert (order["coupon"], order["amount"]) == ("BYE", "15.00")

    assert (await _delete(teacher, coupon["id"])).status == 204
    assert await _codes(teacher, course_id) == ["STAY"]
    await expect_problem(await _delete(teacher, coupon["id"]), 404)
    await expect_problem(await _patch(teacher, coupon["id"], {"percent_off": 5}), 404)
    late = await users.signed_in()
    problem = await expect_problem(
        await late.client.post(
            f"/api/v1/courses/{course_id}/checkout",
            json={"coupon": "BYE"},
            headers=late.csrf_headers(),
        ),
        422,
    )
    assert list(problem["errors"]) == ["coupon"]
    seen = await (await buyer.client.get(f"/api/v1/orders/{order['id']}")).json()
    assert (seen["coupon"], seen["amount"], seen["discount"]) == ("BYE", "15.00", "4.99")
    stored = await Order.get(id=order["id"])
    assert stored.coupon_id is None and stored.coupon_code == "BYE"
    assert await Coupon.filter(id=kept_coupon["id"]).exists()


async def test_coupons_list_newest_first_with_their_counts(users: Users) -> None:
    """The list is the course's own coupons, newest first, with `redeemed` counted."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1, price="10")
    other_course_id = await paid_course(teacher)
    await _made(teacher, course_id, code="FIRST", percent_off=10)
    await _made(teacher, course_id, code="SECOND", amount_off="1")
    await _made(teacher, other_course_id, code="ELSEWHERE", percent_off=10)
    await checkout(await users.signed_in(), course_id, coupon="first")
    listed = await (await teacher.client.get(f"/api/v1/courses/{course_id}/coupons")).json()
    assert [(c["code"], c["redeemed"]) for c in listed] == [("SECOND", 0), ("FIRST", 1)]
