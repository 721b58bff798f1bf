"""The same learning path on the embedded default: SQLite, in-memory bus, in-process jobs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS, JOBS
from ocp.config import Settings
from ocp.jobs import InProcessJobQueue
from ocp.learning.models import Enrollment
from ocp.users.models import User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]


async def _signed_in(
    aiohttp_client: ClientFactory, server: object, email: str, role: str = "student"
) -> tuple[TestClient, dict[str, str], int]:
    browser = await aiohttp_client(server)
    registered = await browser.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": email}
    )
    user_id = (await registered.json())["id"]
    await User.filter(id=user_id).update(role=role)
    login = await browser.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return browser, {"X-CSRF-Token": (await login.json())["csrf_token"]}, user_id


async def test_enroll_study_complete_in_one_process(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    app = create_app(embedded_settings)
    anonymous = await aiohttp_client(app)
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    course = await (
        await teacher.post("/api/v1/courses", json={"title": "Embedded Course"}, headers=th)
    ).json()
    lessons = []
    for title in ("One", "Two"):
        made = await teacher.post(
            f"/api/v1/courses/{course['id']}/lessons", json={"title": title}, headers=th
        )
        lessons.append((await made.json())["id"])
    await teacher.patch(f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=th)

    student, sh, student_id = await _signed_in(aiohttp_client, anonymous.server, "s@example.com")
    events = app[BUS].subscribe({f"user:{student_id}"})
    assert (
        await student.post(f"/api/v1/courses/{course['id']}/enrollment", headers=sh)
    ).status == 201
    again = await student.post(f"/api/v1/courses/{course['id']}/enrollment", headers=sh)
    assert again.status == 409
    for lesson_id in lessons:
        answer = await student.put(
            f"/api/v1/courses/{course['id']}/lessons/{lesson_id}/progress",
            json={"completed": True, "position_seconds": 30},
            headers=sh,
        )
        assert answer.status == 200, await answer.text()
    jobs = app[JOBS]
    assert isinstance(jobs, InProcessJobQueue)
    await jobs.drain()
    enrollment = await Enrollment.get(user_id=student_id, course_id=course["id"])
    assert enrollment.status == "completed" and enrollment.progress_percent == 100
    assert enrollment.completed_lessons == len(lessons)  # kept on SQLite too
    types = []
    while not events.queue.empty():
        types.append(events.queue.get_nowait().type)
    told = [t for t in types if t == "notification.created"]  # made by reactions, in between
    assert [t for t in types if t != "notification.created"] == [
        "enrollment.created",
        "progress.updated",
        "progress.updated",
        "course.completed",
    ]
    assert len(told) == 2  # enrolled, completed
    listing = await (await student.get("/api/v1/users/me/enrollments")).json()
    assert listing["items"][0]["status"] == "completed"
    assert listing["items"][0]["next_lesson"] is None


async def test_embedded_completion_runs_log_their_job_ids(
    aiohttp_client: ClientFactory, embedded_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Each run's log line names its job, ``react:<reaction>:<event_id>``, as arq's do."""
    caplog.set_level(logging.INFO, logger="ocp.jobs")
    app = create_app(embedded_settings)
    anonymous = await aiohttp_client(app)
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    course = await (
        await teacher.post("/api/v1/courses", json={"title": "Logged Course"}, headers=th)
    ).json()
    lessons = []
    for title in ("One", "Two"):
        made = await teacher.post(
            f"/api/v1/courses/{course['id']}/lessons", json={"title": title}, headers=th
        )
        lessons.append((await made.json())["id"])
    await teacher.patch(f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=th)
    student, sh, _ = await _signed_in(aiohttp_client, anonymous.server, "s@example.com")
    enrolled = await student.post(f"/api/v1/courses/{course['id']}/enrollment", headers=sh)
    assert enrolled.status == 201
    jobs = app[JOBS]
    assert isinstance(jobs, InProcessJobQueue)
    await jobs.drain()
    for lesson_id in lessons:
        answer = await student.put(
            f"/api/v1/courses/{course['id']}/lessons/{lesson_id}/progress",
            json={"completed": True},
            headers=sh,
        )
        assert answer.status == 200
        await jobs.drain()

    runs = [
        r
        for r in caplog.records
        if r.name == "ocp.jobs" and str(getattr(r, "fields", {}).get("job_id")).startswith("react:")
    ]
    runs = [r for r in runs if r.fields["job_id"].startswith("react:learning.")]  # type: ignore[attr-defined]
    ids = [r.fields["job_id"] for r in runs]  # type: ignore[attr-defined]
    reactions = sorted(job_id.split(":")[1] for job_id in ids)
    # Each lesson added (every enrollment's figures), then the enrollment; progress settles
    # its enrollment in its own transaction, with no job.
    assert reactions == [
        "learning.handlers.recalculate_completion",
        "learning.handlers.recalculate_course",
        "learning.handlers.recalculate_course",
    ], ids
    assert len(set(ids)) == 3
    assert (await (await student.get(f"/api/v1/courses/{course['id']}/progress")).json())[
        "status"
    ] == "completed"
    for record, job_id in zip(runs, ids, strict=True):
        assert job_id in record.getMessage()
        assert record.fields["outcome"] == "succeeded"  # type: ignore[attr-defined]
