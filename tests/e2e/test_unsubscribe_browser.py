"""The notification email's unsubscribe page in a real headless Chromium, against a real ``serve``.

One embedded ``python -m ocp serve`` (SQLite, in-process jobs, mail to the Maildir under
``OCP_DATA_DIR/mail``) for the module, with ``OCP_PUBLIC_URL`` set to its own address so the
links in mail reach it. An admin made by ``createadmin`` publishes a free course. Each test is
a new student who registers, signs in and enrolls through a browser context's API client; the
in-process jobs mail the ``enrollment.confirmed`` notification, and the test takes the link from
that message's ``List-Unsubscribe`` header and opens it in another browser context, one with no
cookies at all, as a mail reader's browser does. Chromium is Debian's, driven by Playwright.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import mailbox
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
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
from tests.helpers import PASSWORD, expect_problem, problem

KIND = "enrollment.confirmed"
MAIL_WAIT = 10.0  # seconds for the reaction and the mail job to put the message in the Maildir

pytestmark = [NEEDS_CHROMIUM, pytest.mark.asyncio(loop_scope="module")]


@dataclass(frozen=True)
class Site:
    """The running server, its Maildir and the free course students enroll in."""

    base: str
    mail_dir: Path
    course_id: int


async def _publish_free_course(base: str) -> int:
    course = await publish_course(base, title="Bird Songs", price="0", lesson="The blackbird")
    return int(course["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """An embedded ``serve`` whose mail links point at itself, with one published free course."""
    folder: Path = tmp_path_factory.mktemp("unsubscribe-browser")
    data_dir = folder / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(PORT=str(port), OCP_DATA_DIR=str(data_dir), OCP_PUBLIC_URL=base)
    admin = run_ocp("createadmin", "--email", ADMIN, "--password", PASSWORD, env=env, cwd=folder)
    assert admin.returncode == 0, admin.stderr
    server = Server(env=env, cwd=folder)
    try:
        await server.wait_healthy(base)
        course_id = await _publish_free_course(base)
        yield Site(base=base, mail_dir=data_dir / "mail", course_id=course_id)
    finally:
        assert server.stop() == 0, server.output()


@contextlib.asynccontextmanager
async def enrolled_student(
    browser: Browser, site: Site, name: str
) -> AsyncIterator[tuple[BrowserContext, str]]:
    """A browser context signed in as a new student enrolled in the course; the email."""
    context = await browser.new_context()
    try:
        email = f"{name}@example.com"
        csrf_token = await sign_in(context, site.base, name)
        enrolled = await context.request.post(
            f"{site.base}/api/v1/courses/{site.course_id}/enrollment",
            headers={"X-CSRF-Token": csrf_token},
        )
        assert enrolled.status == 201, await enrolled.text()
        yield context, email
    finally:
        await context.close()


def _mailed_to(mail_dir: Path, email: str) -> list[Message]:
    """The messages in the Maildir addressed to ``email`` (none while it does not exist)."""
    try:
        box = mailbox.Maildir(mail_dir, create=False)
        return [message for message in box if message["To"] == email]
    except (mailbox.NoSuchMailboxError, FileNotFoundError):
        return []


async def unsubscribe_link(site: Site, email: str) -> str:
    """The ``List-Unsubscribe`` link of the enrollment email, once it is in the Maildir."""
    deadline = time.monotonic() + MAIL_WAIT
    while not (messages := _mailed_to(site.mail_dir, email)):
        assert time.monotonic() < deadline, f"no mail to {email} within {MAIL_WAIT}s"
        await asyncio.sleep(0.1)
    assert len(messages) == 1, [message["Subject"] for message in messages]
    header = str(messages[0]["List-Unsubscribe"])
    assert header.startswith("<") and header.endswith(">"), header
    link = header[1:-1]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"{site.base}/api/v1/notifications/unsubscribe"
    ), link
    assert dict(parse_qsl(parts.query))["type"] == KIND, link
    return link


async def preferences(context: BrowserContext, site: Site) -> dict[str, Any]:
    """The student's notification preferences, read with the student's own session."""
    answer = await context.request.get(f"{site.base}/api/v1/notifications/preferences")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


@contextlib.asynccontextmanager
async def cookieless_page(browser: Browser, **options: Any) -> AsyncIterator[Page]:
    """A page in a new browser context that holds no cookies (not the student's)."""
    context = await browser.new_context(**options)
    try:
        assert await context.cookies() == []
        yield await context.new_page()
    finally:
        await context.close()


async def confirm(page: Page, link: str) -> None:
    """Open the link: a page asking to confirm for KIND; click Unsubscribe: it says done."""
    opened = await page.goto(link)
    assert_forbids_scripts(opened)
    await expect(page).to_have_title("Unsubscribe")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Stop these emails?")
    await expect(page.locator("body")).to_contain_text(f"You will no longer get email for {KIND}")
    assert await page.locator("script").count() == 0
    async with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        await page.get_by_role("button", name="Unsubscribe", exact=True).click()
    answer = await posted.value
    assert answer.url == link
    assert "cookie" not in await answer.request.all_headers()
    assert answer.status == 200, f"{answer.status} {await answer.text()}"
    assert_forbids_scripts(answer)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribed")
    await expect(page.locator("body")).to_contain_text(f"No more email for {KIND}")
    assert await page.locator("script").count() == 0


def altered(link: str) -> str:
    """``link`` with one character of its ``sig`` changed."""
    parts = urlsplit(link)
    query = dict(parse_qsl(parts.query))
    sig = query["sig"]
    query["sig"] = ("B" if sig[0] == "A" else "A") + sig[1:]
    return urlunsplit(parts._replace(query=urlencode(query)))


def turned_off(before: dict[str, Any]) -> dict[str, Any]:
    """``before`` with KIND's email set to ``never`` and everything else as it was."""
    return {**before, KIND: {**before[KIND], "email": "never"}}


async def test_click_in_chromium_without_session_turns_that_email_off(
    site: Site, chromium: Browser
) -> None:
    """The mailed link, opened with no cookies, asks to confirm; a click turns KIND's mail off."""
    async with enrolled_student(chromium, site, "clicker") as (student, email):
        link = await unsubscribe_link(site, email)
        before = await preferences(student, site)
        assert before[KIND]["email"] == "immediately"
        async with cookieless_page(chromium) as page:
            await confirm(page, link)
        assert await preferences(student, site) == turned_off(before)


async def test_altered_link_is_refused_and_changes_nothing(site: Site, chromium: Browser) -> None:
    """The link with one character of ``sig`` changed: 400 problem+json, on GET and POST alike."""
    async with enrolled_student(chromium, site, "forger") as (student, email):
        forged = altered(await unsubscribe_link(site, email))
        before = await preferences(student, site)
        async with cookieless_page(chromium) as page:
            opened = await page.goto(forged)
            assert opened is not None and opened.status == 400
            assert opened.headers["content-type"].startswith("application/problem+json")
            problem(json.loads(await opened.text()), 400)
            assert await page.get_by_role("button").count() == 0
        async with aiohttp.ClientSession() as http:
            posted = await http.post(forged, data={"List-Unsubscribe": "One-Click"})
            await expect_problem(posted, 400)
        assert await preferences(student, site) == before


async def test_unsubscribe_works_with_javascript_disabled(site: Site, chromium: Browser) -> None:
    """With JavaScript off in the browser, the plain form still turns KIND's email off."""
    async with enrolled_student(chromium, site, "noscript") as (student, email):
        link = await unsubscribe_link(site, email)
        before = await preferences(student, site)
        async with cookieless_page(chromium, java_script_enabled=False) as page:
            await confirm(page, link)
        assert await preferences(student, site) == turned_off(before)
