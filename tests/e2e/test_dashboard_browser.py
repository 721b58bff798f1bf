"""The live analytics dashboard (``GET /dashboard``) in a real headless Chromium, against real
``serve`` and worker processes sharing PostgreSQL and Redis (production mode).

An instructor (promoted by the admin) publishes a course with two lessons; the test opens
the page, signs in with the form as the instructor and picks the course. Students act through
the API with tokens; the worker keeps the rollups and pushes ``analytics.updated``; the page's
numbers must change without a reload within 3 s of the API's answer. Then the page's socket is
dropped (its test hook ``ocpDashboard.dropSocket``, held down), a student acts while it is
down, and the page reconnects with a new ticket, resubscribes with ``since`` and catches up.
Every request the page makes stays on its origin, and the console has no error beyond the
401 of the first look for a session (and Chromium's own 404 for /favicon.ico). On failure a
screenshot goes to the test's ``tmp_path`` (so does one at 375 px wide, always); with
``OCP_SCREENSHOT=1`` the working page is also saved to ``docs/dashboard.png``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, WebSocket, expect

from tests.e2e.browser import NEEDS_CHROMIUM
from tests.e2e.processes import REPO
from tests.e2e.test_events_durable import Worker
from tests.e2e.test_realtime import (
    Account,
    call,
    create_course,
    create_lesson,
    make_cast,
    prepare,
    production_env,
    servers,
)
from tests.e2e.test_serve import empty_database  # noqa: F401  (fixture)
from tests.helpers import PASSWORD

LIVE_WITHIN = 3_000  # ms from the API's answer to the page showing the new figure
FUNNEL_WITHIN = 10_000  # ms: the chart and funnel are re-read by REST at most every 5 s
SETTLE_WITHIN = 15_000  # ms for the page to load, sign in and subscribe
CAUGHT_UP_WITHIN = 10.0  # s for the worker to count what was done while the socket was down
HOLD_DOWN = 120_000  # ms the dropped socket stays down unless "Reconnect now" is pressed
TEACHER = "teacher@example.com"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

pytestmark = [NEEDS_CHROMIUM, pytest.mark.asyncio(loop_scope="module")]


async def two_lesson_course(http: aiohttp.ClientSession, base: str, teacher: Account) -> list[int]:
    """A published course of ``teacher`` with two lessons: [course id, lesson ids...]."""
    course_id = await create_course(http, base, teacher)
    lessons = [await create_lesson(http, base, teacher, course_id, t) for t in ("Intro", "Next")]
    await call(
        http,
        "PATCH",
        f"{base}/api/v1/courses/{course_id}",
        token=teacher.token,
        json={"status": "published"},
    )
    return [course_id, *lessons]


async def complete(
    http: aiohttp.ClientSession, base: str, student: Account, course_id: int, lesson_id: int
) -> Any:
    return await call(
        http,
        "PUT",
        f"{base}/api/v1/courses/{course_id}/lessons/{lesson_id}/progress",
        token=student.token,
        json={"completed": True},
    )


async def counted(
    http: aiohttp.ClientSession, base: str, teacher: Account, course_id: int, **wanted: int
) -> None:
    """Wait until the course's totals (by REST) have ``wanted``: the worker has counted it."""
    deadline = time.monotonic() + CAUGHT_UP_WITHIN
    while True:
        report = await call(
            http, "GET", f"{base}/api/v1/courses/{course_id}/analytics", token=teacher.token
        )
        totals = report["totals"]
        if all(totals[name] == value for name, value in wanted.items()):
            return
        assert time.monotonic() < deadline, f"the worker did not count {wanted}: {totals}"
        await asyncio.sleep(0.1)


class Watch:
    """What the page does besides drawing: requests, sockets and their frames, console."""

    def __init__(self, page: Page, origin: str) -> None:
        self.origin = origin
        self.requests: list[str] = []
        self.sockets: list[str] = []
        self.sent: list[list[dict[str, Any]]] = []  # per socket, the frames the page sent
        self.console: list[str] = []
        self.session_probe_refusals = 0
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", self._socket)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _socket(self, socket: WebSocket) -> None:
        self.sockets.append(socket.url)
        frames: list[dict[str, Any]] = []
        self.sent.append(frames)
        socket.on("framesent", lambda payload: frames.append(json.loads(payload)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type not in {"error", "warning"}:
            return
        # The first look for a session, signed out, is answered 401: Chromium logs it.
        location = message.location.get("url", "")
        if (
            "status of 401" in message.text
            and location == f"{self.origin}/api/v1/auth/session"
            and self.session_probe_refusals == 0
        ):
            self.session_probe_refusals += 1
            return
        # Chromium's own look for /favicon.ico (same origin; the page names no icon: its
        # policy allows no data: image, and OCP serves none).
        if "status of 404" in message.text and location == f"{self.origin}/favicon.ico":
            return
        self.console.append(f"{message.type}: {message.text} ({location})")

    def assert_same_origin(self) -> None:
        own = urlsplit(self.origin)
        assert self.requests, "the page made no request at all"
        for url in self.requests:
            parts = urlsplit(url)
            assert (parts.scheme, parts.netloc) == (own.scheme, own.netloc), url
        for url in self.sockets:
            parts = urlsplit(url)
            assert (parts.scheme, parts.netloc) == ("ws", own.netloc), url


async def sign_in_and_pick(page: Page, base: str, course_id: int) -> None:
    opened = await page.goto(f"{base}/dashboard")
    assert opened is not None and opened.status == 200
    headers = opened.headers
    assert headers["content-security-policy"] == CSP
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert headers["content-type"].startswith("text/html")
    form = page.get_by_test_id("sign-in-form")
    await expect(form).to_be_visible(timeout=SETTLE_WITHIN)
    await page.get_by_label("Email").fill(TEACHER)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_test_id("account-name")).to_contain_text("(instructor)")
    select = page.get_by_test_id("course-select")
    await expect(select.locator(f'option[value="{course_id}"]')).to_have_count(1)
    await select.select_option(str(course_id))
    await expect(page.get_by_test_id("connection-state")).to_have_attribute(
        "data-state", "live", timeout=SETTLE_WITHIN
    )
    await expect(page.locator("#total-enrollments")).to_have_text("0", timeout=SETTLE_WITHIN)
    await expect(page.locator("#funnel svg g.lesson")).to_have_count(2)
    await expect(page.locator("#daily-chart svg polyline")).to_have_count(2)


async def assert_assets(http: aiohttp.ClientSession, base: str) -> None:
    """The script and style sheet: their types, the page's headers, an ETag that answers 304;
    no other name under /dashboard/."""
    for name, media_type in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        async with http.get(f"{base}/dashboard/{name}") as answer:
            assert answer.status == 200, await answer.text()
            assert answer.content_type == media_type
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert answer.headers["Content-Security-Policy"] == CSP
            etag = answer.headers["ETag"]
            assert await answer.read()
        async with http.get(f"{base}/dashboard/{name}", headers={"If-None-Match": etag}) as again:
            assert again.status == 304
    for name in ("dashboard.html", "missing.js", "..%2Fpages.py"):
        async with http.get(f"{base}/dashboard/{name}") as answer:
            assert answer.status == 404, f"{name}: {answer.status}"


async def figures(page: Page, **wanted: str) -> None:
    """The page shows ``wanted`` (element id without ``total-`` -> text) within 3 s."""
    for name, text in wanted.items():
        await expect(page.locator(f"#total-{name.replace('_', '-')}")).to_have_text(
            text, timeout=LIVE_WITHIN
        )


async def test_dashboard_follows_a_course_live_and_catches_up_after_a_drop(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
    chromium: Browser,
) -> None:
    env = production_env(empty_database, redis_url)
    prepare(env, tmp_path)
    worker = Worker(env, tmp_path)
    try:
        with servers(1, env, tmp_path) as [(server, base)]:
            await server.wait_healthy(base)
            async with aiohttp.ClientSession() as http:
                cast = await make_cast(http, base)
                course_id, first, second = await two_lesson_course(http, base, cast.teacher)
                await assert_assets(http, base)
                context = await chromium.new_context(viewport={"width": 1280, "height": 1000})
                page = await context.new_page()
                watch = Watch(page, base)
                try:
                    await _drive(page, watch, http, base, cast, course_id, first, second, tmp_path)
                except BaseException:
                    shot = tmp_path / "dashboard-failure.png"
                    await page.screenshot(path=str(shot), full_page=True)
                    print(f"screenshot of the failing page: {shot}")
                    print(f"worker log (end):\n{worker.output()[-3000:]}")
                    raise
                finally:
                    await context.close()
            assert server.process.poll() is None, server.output()
        assert worker.process.poll() is None, worker.output()
    finally:
        worker.stop()


async def _drive(
    page: Page,
    watch: Watch,
    http: aiohttp.ClientSession,
    base: str,
    cast: Any,
    course_id: int,
    first: int,
    second: int,
    shots: Path,
) -> None:
    await sign_in_and_pick(page, base, course_id)
    student, other = cast.student, cast.other
    enrollment = f"{base}/api/v1/courses/{course_id}/enrollment"

    # Live: each figure moves within 3 s of the API's answer, without a reload.
    await call(http, "POST", enrollment, token=student.token, expect=201)
    await figures(page, enrollments="1", active_enrollments="1")
    await complete(http, base, student, course_id, first)
    await expect(page.locator("#funnel svg g.lesson").first).to_contain_text(
        "1 completed", timeout=FUNNEL_WITHIN
    )
    answer = await complete(http, base, student, course_id, second)
    assert answer["course"]["status"] == "completed", answer
    await figures(page, completions="1", completion_rate="100 %")
    feed = page.locator("#feed li")
    await expect(feed.filter(has_text="analytics.updated").first).to_be_visible()
    await expect(feed.filter(has_text="enrollment.created").first).to_be_visible()
    assert await feed.count() <= 20

    # The socket drops: "reconnecting" shows, and it stays down while a student acts. (No
    # REST read of the figures is left to come first: only the socket may bring them back.)
    dropped = await page.wait_for_function(
        """hold => {
            const seen = window.ocpDashboard.state();
            if (seen.reading) return false;
            window.ocpDashboard.dropSocket(hold);
            return seen;
        }""",
        arg=HOLD_DOWN,
        timeout=FUNNEL_WITHIN,
    )
    before = await dropped.json_value()
    channel = f"course:{course_id}"
    since = before["last"][channel]
    state = page.get_by_test_id("connection-state")
    await expect(state).to_have_attribute("data-state", "reconnecting")
    await expect(state).to_contain_text("Reconnecting")
    await call(http, "POST", enrollment, token=other.token, expect=201)
    await counted(http, base, cast.teacher, course_id, enrollments=2)
    await expect(page.locator("#total-enrollments")).to_have_text("1")  # down: not yet

    # Back: a new ticket, the course resubscribed from the last id seen, the figures caught up.
    tickets = len([url for url in watch.requests if url.endswith("/api/v1/ws/ticket")])
    await page.get_by_test_id("retry-now").click()
    await expect(state).to_have_attribute("data-state", "live", timeout=SETTLE_WITHIN)
    await figures(page, enrollments="2", completion_rate="50 %")
    assert len([url for url in watch.requests if url.endswith("/api/v1/ws/ticket")]) == tickets + 1
    assert len(watch.sockets) == 2, watch.sockets
    resumed = [frame for frame in watch.sent[1] if frame.get("op") == "subscribe"]
    assert resumed == [{"op": "subscribe", "channel": channel, "since": since}], watch.sent

    # Live again after the reconnect.
    await complete(http, base, other, course_id, first)
    await complete(http, base, other, course_id, second)
    await figures(page, completions="2", completion_rate="100 %")
    lessons = page.locator("#funnel svg g.lesson")
    for index in range(2):  # the funnel is re-read by REST after live updates, throttled
        await expect(lessons.nth(index)).to_contain_text("2 completed", timeout=FUNNEL_WITHIN)
    if os.environ.get("OCP_SCREENSHOT") == "1":
        await expect(page.locator("#totals dd.changed")).to_have_count(0)
        await page.screenshot(path=str(REPO / "docs" / "dashboard.png"), full_page=True)

    # A phone's width: the same page, nothing wider than the screen.
    await page.set_viewport_size({"width": 375, "height": 800})
    await expect(page.locator("#total-completions")).to_be_visible()
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px screen"
    await page.screenshot(path=str(shots / "dashboard-375px.png"), full_page=True)

    # Reloaded: the session is used (no sign-in form), the course comes back from the address.
    await page.reload()
    await expect(page.get_by_test_id("connection-state")).to_have_attribute(
        "data-state", "live", timeout=SETTLE_WITHIN
    )
    assert await page.get_by_test_id("sign-in-form").is_hidden()
    await expect(page.get_by_test_id("course-select")).to_have_value(str(course_id))
    await figures(page, enrollments="2", completions="2")

    watch.assert_same_origin()
    assert watch.console == [], watch.console
