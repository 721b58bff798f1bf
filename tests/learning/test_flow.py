"""Enroll, study, complete: on PostgreSQL + Redis with a real arq worker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from ocp.learning.models import Enrollment
from tests.helpers import Account, Users

RunJobs = Callable[[], Awaitable[int]]


async def make_course(
    teacher: Account, lessons: int = 3, price: str = "0"
) -> tuple[int, list[int]]:
    h = teacher.csrf_headers()
    created = await teacher.client.post(
        "/api/v1/courses", json={"title": "Gardening Basics", "price": price}, headers=h
    )
    course_id = (await created.json())["id"]
    ids = []
    for n in range(lessons):
        made = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons", json={"title": f"Lesson {n + 1}"}, headers=h
        )
        ids.append((await made.json())["id"])
    published = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": "published"}, headers=h
    )
    assert published.status == 200
    return course_id, ids


async def test_fifty_parallel_enrollments_leave_one(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    answers = await asyncio.gather(
        *(
            student.client.post(
                f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
            )
            for _ in range(50)
        )
    )
    statuses = sorted(a.status for a in answers)
    # One enrollment; past the per-user budget of 30 changes a minute, 429 (counted atomically).
    assert statuses == [201] + [409] * 29 + [429] * 20, statuses
    assert await Enrollment.filter(user_id=student.id, course_id=course_id).count() == 1
    detail = await users.client.get(f"/api/v1/courses/{course_id}")
    assert (await detail.json())["enrollment_count"] == 1


async def test_progress_completion_and_events(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=3)
    student = await users.signed_in()
    h = student.csrf_headers()
    bus = client.server.app[BUS]
    course_events = bus.subscribe({f"course:{course_id}"})
    enrolled = await student.client.post(f"/api/v1/courses/{course_id}/enrollment", headers=h)
    assert enrolled.status == 201
    enrollment_id = (await enrolled.json())["id"]

    for done, lesson_id in enumerate(lessons, start=1):
        answer = await student.client.put(
            f"/api/v1/courses/{course_id}/lessons/{lesson_id}/progress",
            json={"completed": True},
            headers=h,
        )
        assert answer.status == 200, await answer.text()
        body = await answer.json()
        assert body["course"]["percent"] == 100 * done // 3
        assert body["course"]["completed_lessons"] == done
    # Settled in the last update's own transaction: no job to wait for.
    assert body["course"]["status"] == "completed"
    enrollment = await Enrollment.get(id=enrollment_id)
    assert enrollment.status == "completed" and enrollment.progress_percent == 100
    await run_jobs()
    enrollment = await Enrollment.get(id=enrollment_id)
    assert enrollment.status == "completed" and enrollment.progress_percent == 100

    # Running the job again announces nothing new.
    await run_jobs()
    seen = []
    while not course_events.queue.empty():
        seen.append(course_events.queue.get_nowait())
    types = [e.type for e in seen]
    assert types.count("course.completed") == 1, types
    assert types.count("progress.updated") == 3
    assert all("email" not in e.data for e in seen)

    # A new lesson reopens the course; removing it completes it again.
    made = await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"title": "Bonus"},
        headers=teacher.csrf_headers(),
    )
    bonus = (await made.json())["id"]
    await run_jobs()
    enrollment = await Enrollment.get(id=enrollment_id)
    assert enrollment.status == "active" and enrollment.progress_percent == 75
    await teacher.client.delete(
        f"/api/v1/courses/{course_id}/lessons/{bonus}", headers=teacher.csrf_headers()
    )
    await run_jobs()
    enrollment = await Enrollment.get(id=enrollment_id)
    assert enrollment.status == "completed" and enrollment.progress_percent == 100
