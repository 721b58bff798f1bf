"""Notifications on the embedded default: SQLite, the in-memory bus, jobs in the process,
mail to a Maildir under the data directory."""

from __future__ import annotations

import asyncio
import logging
import mailbox
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS
from ocp.config import Settings
from ocp.users.models import User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]
DEADLINE = 10.0  # seconds to wait for the in-process jobs


async def _signed_in(
    aiohttp_client: ClientFactory, server: object, email: str, role: str = "student"
) -> tuple[TestClient, dict[str, str], int]:
    browser = await aiohttp_client(server)
    registered = await browser.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": email}
    )
    assert registered.status == 201, await registered.text()
    user_id = (await registered.json())["id"]
    await User.filter(id=user_id).update(role=role)
    login = await browser.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status == 200, await login.text()
    return browser, {"X-CSRF-Token": (await login.json())["csrf_token"]}, user_id


async def _eventually(check: Callable[[], Awaitable[Any]]) -> Any:
    """Poll ``check`` until it answers something truthy, or fail after the deadline."""
    loop = asyncio.get_running_loop()
    until = loop.time() + DEADLINE
    while True:
        found = await check()
        if found:
            return found
        assert loop.time() < until, "the in-process jobs never got there"
        await asyncio.sleep(0.05)


async def test_a_free_enrollment_is_listed_mailed_and_read_in_one_process(
    aiohttp_client: ClientFactory,
    embedded_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No Redis, no worker: the student's notification is listed and announced, its mail is a
    file in the Maildir under the data directory (and the log says where), read-all works."""
    caplog.set_level(logging.INFO, logger="ocp.mail")
    app = create_app(embedded_settings)
    anonymous = await aiohttp_client(app)
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "teacher@example.com", "instructor"
    )
    course = await (
        await teacher.post("/api/v1/courses", json={"title": "Embedded Course"}, headers=th)
    ).json()
    made = await teacher.post(
        f"/api/v1/courses/{course['id']}/lessons", json={"title": "One"}, headers=th
    )
    assert made.status == 201
    published = await teacher.patch(
        f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=th
    )
    assert published.status == 200
    student, sh, student_id = await _signed_in(
        aiohttp_client, anonymous.server, "student@example.com"
    )
    enrolled = await student.post(f"/api/v1/courses/{course['id']}/enrollment", headers=sh)
    assert enrolled.status == 201, await enrolled.text()

    async def listed() -> list[dict[str, Any]]:
        return list((await (await student.get("/api/v1/notifications")).json())["items"])

    items = await _eventually(listed)
    assert [n["type"] for n in items] == ["enrollment.confirmed"]
    notification = items[0]
    assert notification["url"] == f"/courses/{course['id']}"
    assert "Embedded Course" in notification["title"]
    assert notification["read_at"] is None
    history = await app[BUS].history(f"user:{student_id}", since=None)
    carried = [e.data for e in history if e.type == "notification.created"]
    assert [(e["id"], e["type"], e["title"]) for e in carried] == [
        (notification["id"], notification["type"], notification["title"])
    ]

    mail_dir = embedded_settings.effective_mail_dir
    assert mail_dir.is_relative_to(embedded_settings.data_dir)

    async def mailed() -> list[Any]:
        if not (mail_dir / "new").is_dir():
            return []
        return list(mailbox.Maildir(mail_dir, create=False))

    messages = await _eventually(mailed)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "student@example.com"
    assert "Embedded Course" in message["Subject"]
    assert message["List-Unsubscribe"]
    assert any(str(mail_dir) in record.getMessage() for record in caplog.records)

    async def teachers() -> list[dict[str, Any]]:
        return list((await (await teacher.get("/api/v1/notifications")).json())["items"])

    assert [n["type"] for n in await _eventually(teachers)] == ["course.enrolled"]
    await asyncio.sleep(0.3)
    assert len(await mailed()) == 1  # the instructor's waits for the daily digest

    me = await (await student.get("/api/v1/users/me")).json()
    assert me["unread_notifications"] == 1
    marked = await student.post("/api/v1/notifications/read-all", headers=sh)
    assert marked.status == 200
    assert await marked.json() == {"marked": 1}
    again = await student.post("/api/v1/notifications/read-all", headers=sh)
    assert await again.json() == {"marked": 0}
    me = await (await student.get("/api/v1/users/me")).json()
    assert me["unread_notifications"] == 0
    assert all(n["read_at"] is not None for n in await listed())
    teacher_me = await (await teacher.get("/api/v1/users/me")).json()
    assert teacher_me["unread_notifications"] == 1
