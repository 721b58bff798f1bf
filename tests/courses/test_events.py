"""Catalog changes leave as events on the course's channel."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from tests.helpers import Users


async def test_publishing_and_lesson_changes_are_announced(
    users: Users, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    course = await (
        await teacher.client.post("/api/v1/courses", json={"title": "Evented"}, headers=h)
    ).json()
    cid = course["id"]
    bus = client.server.app[BUS]
    lesson = await (
        await teacher.client.post(f"/api/v1/courses/{cid}/lessons", json={"title": "A"}, headers=h)
    ).json()
    await teacher.client.patch(
        f"/api/v1/courses/{cid}/lessons/{lesson['id']}", json={"title": "B"}, headers=h
    )
    await teacher.client.patch(f"/api/v1/courses/{cid}", json={"status": "published"}, headers=h)
    await teacher.client.patch(f"/api/v1/courses/{cid}", json={"status": "published"}, headers=h)
    extra = await (
        await teacher.client.post(f"/api/v1/courses/{cid}/lessons", json={"title": "C"}, headers=h)
    ).json()
    await teacher.client.delete(f"/api/v1/courses/{cid}/lessons/{extra['id']}", headers=h)

    history = await bus.history(f"course:{cid}", since=None)
    assert [(e.type, e.data.get("lesson_id")) for e in history] == [
        ("lesson.created", lesson["id"]),
        ("lesson.updated", lesson["id"]),
        ("course.published", None),
        ("lesson.created", extra["id"]),
        ("lesson.deleted", extra["id"]),
    ]
    assert all(e.data["course_id"] == cid for e in history)
