"""The sandbox's checkout pages in a real headless Chromium, against a real ``serve``.

One embedded ``python -m ocp serve`` (SQLite, in-process jobs) for the module, with an admin
made by ``createadmin`` who publishes a paid course. Each test is a new student in a browser
context of its own: it registers, signs in and checks out through the context's API client
(``context.request``, whose cookies are the pages' cookies), then uses the pages as a buyer
does, clicking the plain forms' buttons. Chromium is Debian's (``apt-get install chromium``),
driven by Playwright; ``playwright install`` is never needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import (
    ADMIN,
    NEEDS_CHROMIUM,
    assert_forbids_scripts,
    publish_course,
    sign_in,
)
from tests.e2e.processes import Server, clean_env, free_port, run_ocp
from tests.helpers import PASSWORD

TITLE = "Watercolour & Ink"
PRICE = "19.99"
ENROLLMENT_WAIT = 10.0  # seconds for the reaction to order.paid to enroll the buyer

pytestmark = [NEEDS_CHROMIUM, pytest.mark.asyncio(loop_scope="module")]


@dataclass(frozen=True)
class Shop:
    """The running server and the paid course it sells."""

    base: str
    course_id: int
    price: str  # as the pages show it: "19.99 USD"


async def _publish_paid_course(base: str) -> Shop:
    course = await publish_course(base, title=TITLE, price=PRICE, lesson="Mixing greens")
    return Shop(base=base, course_id=int(course["id"]), price=f"{PRICE} {course['currency']}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    """An embedded ``serve`` selling one published paid course."""
    folder: Path = tmp_path_factory.mktemp("sandbox-browser")
    port = free_port()
    env = clean_env(PORT=str(port))
    admin = run_ocp("createadmin", "--email", ADMIN, "--password", PASSWORD, env=env, cwd=folder)
    assert admin.returncode == 0, admin.stderr
    server = Server(env=env, cwd=folder)
    base = f"http://127.0.0.1:{port}"
    try:
        await server.wait_healthy(base)
        yield await _publish_paid_course(base)
    finally:
        assert server.stop() == 0, server.output()


@contextlib.asynccontextmanager
async def student(
    browser: Browser, shop: Shop, name: str, **options: Any
) -> AsyncIterator[tuple[BrowserContext, str]]:
    """A new browser context signed in as a new student; the session's CSRF token."""
    context = await browser.new_context(**options)
    try:
        yield context, await sign_in(context, shop.base, name)
    finally:
        await context.close()


async def check_out(context: BrowserContext, shop: Shop, csrf_token: str) -> tuple[int, str]:
    """Check the course out through the API; the order's id and its ``checkout_url``."""
    answer = await context.request.post(
        f"{shop.base}/api/v1/courses/{shop.course_id}/checkout",
        headers={"X-CSRF-Token": csrf_token},
    )
    assert answer.status == 201, await answer.text()
    body = await answer.json()
    assert body["order"]["status"] == "pending"
    assert body["checkout_url"] == f"{shop.base}/pay/sandbox/{body['order']['id']}"
    return int(body["order"]["id"]), str(body["checkout_url"])


async def press(page: Page, shop: Shop, checkout_url: str, button: str, order_id: int) -> None:
    """Open the checkout page, check what it shows, click ``button``: the order's page opens."""
    opened = await page.goto(checkout_url)
    assert_forbids_scripts(opened)
    await expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    await expect(page.locator("body")).to_contain_text(f"Order #{order_id}: {shop.price}")
    assert await page.locator("script").count() == 0
    async with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        await page.get_by_role("button", name=button, exact=True).click()
    answer = await posted.value
    assert answer.status == 303, f"{answer.status} {await answer.text()}"
    await page.wait_for_url(f"{shop.base}/pay/orders/{order_id}")


async def enrolled_course_ids(context: BrowserContext, shop: Shop) -> set[int]:
    """The student's enrolled courses, once the course is among them or after a short wait."""
    deadline = time.monotonic() + ENROLLMENT_WAIT
    while True:
        answer = await context.request.get(f"{shop.base}/api/v1/users/me/enrollments")
        assert answer.status == 200, await answer.text()
        course_ids = {item["course_id"] for item in (await answer.json())["items"]}
        if shop.course_id in course_ids or time.monotonic() > deadline:
            return course_ids
        await asyncio.sleep(0.1)


async def test_pay_click_in_chromium_pays_and_enrolls(shop: Shop, chromium: Browser) -> None:
    """Clicking Pay in Chromium opens the order page saying Paid, and the buyer is enrolled."""
    async with student(chromium, shop, "payer") as (context, csrf_token):
        order_id, checkout_url = await check_out(context, shop, csrf_token)
        page = await context.new_page()
        await press(page, shop, checkout_url, f"Pay {shop.price}", order_id)
        await expect(page.locator("body")).to_contain_text("Paid. You are enrolled")
        assert_forbids_scripts(await page.reload())
        assert await enrolled_course_ids(context, shop) == {shop.course_id}


async def test_decline_click_in_chromium_fails_the_order(shop: Shop, chromium: Browser) -> None:
    """Clicking Decline opens the order page saying the payment failed; the order is failed."""
    async with student(chromium, shop, "decliner") as (context, csrf_token):
        order_id, checkout_url = await check_out(context, shop, csrf_token)
        page = await context.new_page()
        await press(page, shop, checkout_url, "Decline", order_id)
        await expect(page.locator("body")).to_contain_text("The payment failed.")
        order = await context.request.get(f"{shop.base}/api/v1/orders/{order_id}")
        assert order.status == 200, await order.text()
        assert (await order.json())["status"] == "failed"
        await page.goto(checkout_url)
        await expect(page.locator("body")).to_contain_text("This checkout is closed")
        assert await page.get_by_role("button").count() == 0


async def test_pay_works_with_javascript_disabled(shop: Shop, chromium: Browser) -> None:
    """With JavaScript off in the browser, the plain forms still pay the order and enroll."""
    async with student(chromium, shop, "noscript", java_script_enabled=False) as (
        context,
        csrf_token,
    ):
        order_id, checkout_url = await check_out(context, shop, csrf_token)
        page = await context.new_page()
        await press(page, shop, checkout_url, f"Pay {shop.price}", order_id)
        await expect(page.locator("body")).to_contain_text("Paid. You are enrolled")
        assert await enrolled_course_ids(context, shop) == {shop.course_id}
