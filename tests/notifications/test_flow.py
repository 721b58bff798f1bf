"""Notifications end to end on PostgreSQL + Redis + a real arq worker; mail to a Maildir."""

from __future__ import annotations

import mailbox
from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from ocp.appkeys import SETTINGS
from tests.helpers import Users
from tests.learning.test_flow import make_course

RunJobs = Callable[[], Awaitable[int]]


async def test_enrolling_notifies_the_student_in_the_app_and_by_mail(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """A free enrollment: the student's notification is listed, counted unread, and mailed."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    enrolled = await student.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
    )
    assert enrolled.status == 201
    await run_jobs()
    await run_jobs()
    listed = await (await student.client.get("/api/v1/notifications")).json()
    assert [n["type"] for n in listed["items"]] == ["enrollment.confirmed"]
    me = await (await student.client.get("/api/v1/users/me")).json()
    assert me["unread_notifications"] == 1
    box = mailbox.Maildir(client.server.app[SETTINGS].effective_mail_dir, create=False)
    messages = list(box)
    assert len(messages) == 1
    assert messages[0]["To"] == student.email
    assert "List-Unsubscribe" in messages[0]
