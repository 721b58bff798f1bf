"""Shared steps of the payments tests: a paid course, a checkout, the sandbox's buttons."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import Account
from tests.learning.test_flow import make_course

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def paid_course(teacher: Account, price: str = "19.99", lessons: int = 2) -> int:
    course_id, _ = await make_course(teacher, lessons=lessons, price=price)
    return course_id


async def checkout(
    buyer: Account, course_id: int, coupon: str | None = None, status: int = 201
) -> dict[str, Any]:
    body = {"coupon": coupon} if coupon is not None else {}
    response = await buyer.client.post(
        f"/api/v1/courses/{course_id}/checkout", json=body, headers=buyer.csrf_headers()
    )
    assert response.status == status, await response.text()
    return dict(await response.json())


async def press(buyer: Account, order_id: int, outcome: str = "pay") -> int:
    """Open the sandbox page as a browser would, and press a button (a plain form post)."""
    page = await buyer.client.get(f"/pay/sandbox/{order_id}")
    assert page.status == 200, await page.text()
    found = FORM_TOKEN.search(await page.text())
    assert found, "the page has no form token"
    answer = await buyer.client.post(
        f"/pay/sandbox/{order_id}",
        data={"csrf_token": found.group(1), "outcome": outcome},
        allow_redirects=False,
    )
    return answer.status
