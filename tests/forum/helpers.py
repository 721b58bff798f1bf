"""Shared steps of the forum tests: a course with a teacher and students, threads, posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.helpers import Account, Users
from tests.learning.test_flow import make_course


@dataclass
class Forum:
    """A published course: its instructor, two enrolled students and an outsider."""

    course_id: int
    teacher: Account
    alice: Account
    bob: Account
    outsider: Account


async def enroll(student: Account, course_id: int) -> None:
    answer = await student.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
    )
    assert answer.status == 201, await answer.text()


async def make_forum(users: Users) -> Forum:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    alice, bob, outsider = [await users.signed_in() for _ in range(3)]
    await enroll(alice, course_id)
    await enroll(bob, course_id)
    return Forum(course_id, teacher, alice, bob, outsider)


async def start_thread(
    account: Account,
    course_id: int,
    title: str = "How do I water cacti?",
    body: str = "<p>Help</p>",
) -> dict[str, Any]:
    answer = await account.client.post(
        f"/api/v1/courses/{course_id}/threads",
        json={"title": title, "body": body},
        headers=account.csrf_headers(),
    )
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())


async def reply(
    account: Account, thread_id: int, body: str = "<p>Rarely.</p>", parent_id: int | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"body": body}
    if parent_id is not None:
        payload["parent_id"] = parent_id
    answer = await account.client.post(
        f"/api/v1/threads/{thread_id}/posts", json=payload, headers=account.csrf_headers()
    )
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())
