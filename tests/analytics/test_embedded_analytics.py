"""Analytics' main path on the embedded default: SQLite (the consumer's hand-written upserts
in its dialect), the in-memory bus, jobs and the consumer in the process. The same seeded
workload as on PostgreSQL (``test_rollups``), and the same exact comparison."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from ocp.analytics.models import CourseDay, CourseTotals, EnrollmentFigure, LessonFigure
from ocp.app import create_app
from ocp.appkeys import BUS, JOBS
from ocp.config import Settings
from ocp.jobs import InProcessJobQueue
from ocp.learning.models import Enrollment
from tests.analytics.helpers import catch_up, report
from tests.analytics.test_rollups import (
    Workload,
    check_against_the_log,
    check_course,
    coupon,
    direct,
    put_progress,
)
from tests.helpers import Users
from tests.learning.test_flow import make_course

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]
DEADLINE = 10.0  # seconds for the in-process jobs to finish


async def embedded(
    aiohttp_client: ClientFactory, settings: Settings
) -> tuple[TestClient, Users, Callable[[], Awaitable[int]]]:
    """The embedded app, a maker of signed-in accounts, and a wait for its jobs to finish
    (what ``run_jobs`` is on PostgreSQL)."""
    settings = dataclasses.replace(settings, register_max_per_address=100)
    client = await aiohttp_client(create_app(settings))

    async def browser() -> TestClient:
        return await aiohttp_client(client.server)

    queue = client.server.app[JOBS]
    assert isinstance(queue, InProcessJobQueue), "embedded jobs run in the process"

    async def settle() -> int:
        loop = asyncio.get_running_loop()
        until = loop.time() + DEADLINE
        while queue.pending and loop.time() < until:
            await asyncio.sleep(0.02)
        assert not queue.pending, f"{queue.pending} in-process jobs still running"
        return 0

    return client, Users(client, browser), settle


@pytest.mark.parametrize("seed", [7, 2026])
async def test_a_random_workload_on_sqlite_leaves_rollups_equal_to_a_direct_count(
    aiohttp_client: ClientFactory, embedded_settings: Settings, seed: int
) -> None:
    client, users, settle = await embedded(aiohttp_client, embedded_settings)
    app = client.server.app
    teacher = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    courses: dict[int, list[int]] = {}
    for lessons in (3, 2):
        course_id, ids = await make_course(teacher, lessons=lessons)
        courses[course_id] = ids
    paid, paid_lessons = await make_course(teacher, lessons=2, price="19.99")
    courses[paid] = paid_lessons
    await coupon(teacher, paid)
    students = [await users.signed_in() for _ in range(6)]
    work = Workload(random.Random(seed), settle, teacher, admin, students, courses, paid)
    for _ in range(160):
        await work.step()
    if not work.refunds and work.paid_orders:
        await work.refund()
    _ = await settle()
    _ = await catch_up(app)
    ids = list(courses)
    await check_against_the_log(work.expected, ids)
    for course_id in ids:
        body = await report(teacher, course_id)
        found = await direct(course_id)
        made = work.expected.counts[course_id]
        check_course(body, found, made, f"embedded seed {seed} course {course_id}")

    # The upserts merged: one row per course and day, per lesson, per enrollment seen.
    days = await CourseDay.filter(course_id__in=ids).values_list("course_id", "day")
    assert len(days) == len(set(days)) == len(ids), f"one row per course today: {days}"
    assert await CourseTotals.filter(course_id__in=ids).count() == len(ids)
    seen = await EnrollmentFigure.all().values_list("enrollment_id", flat=True)
    enrollments = await Enrollment.all().values_list("id", flat=True)
    assert sorted(seen) == sorted(enrollments), "every enrollment has its analytics figure"
    funnels = [row["lesson_id"] for row in await LessonFigure.all().values("lesson_id")]
    assert len(funnels) == len(set(funnels)), funnels

    before = await report(teacher, ids[0])
    assert await catch_up(app) == 0, "nothing new: the consumer reads nothing"
    assert await report(teacher, ids[0]) == before, "a second pass changes nothing"


async def test_embedded_figures_follow_an_added_lesson_and_push_live(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    """A lesson added after progress lowers average_progress once learning's in-process
    reaction recounted and the consumer caught up; ``analytics.updated`` goes out on the
    in-memory bus with the final totals."""
    client, users, settle = await embedded(aiohttp_client, embedded_settings)
    app = client.server.app
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2)
    full, half = await users.signed_in(), await users.signed_in()
    for student in (full, half):
        answer = await student.client.post(
            f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
        )
        assert answer.status == 201, await answer.text()
    for lesson in lessons:
        await put_progress(full, course_id, lesson, {"completed": True})
    await put_progress(half, course_id, lessons[0], {"completed": True})
    _ = await settle()
    _ = await catch_up(app)
    assert (await report(teacher, course_id))["totals"]["average_progress"] == 75.0

    live = app[BUS].subscribe({f"course:{course_id}"})
    added = await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"title": "Late"},
        headers=teacher.csrf_headers(),
    )
    assert added.status == 201, await added.text()
    _ = await settle()
    await asyncio.sleep(1.1)  # past the throttle's second since the last push
    _ = await catch_up(app)
    found = await direct(course_id)
    assert sorted(found.percents) == [33, 66], found.percents
    body = await report(teacher, course_id)
    assert body["totals"]["average_progress"] == found.average_progress == 49.5, body["totals"]
    assert body["totals"]["completions"] == 1, body["totals"]
    assert [row["started"] for row in body["lessons"]] == [2, 1, 0], body["lessons"]

    pushed = []
    loop = asyncio.get_running_loop()
    until = loop.time() + DEADLINE
    while loop.time() < until:
        event = await asyncio.wait_for(live.get(), until - loop.time())
        if event.type == "analytics.updated":
            pushed.append(event.data)
            if event.data["totals"] == body["totals"]:
                break
    assert pushed and pushed[-1] == {"course_id": course_id, "totals": body["totals"]}, pushed
