"""Analytics' main path on PostgreSQL + Redis: events become rollups, the API reads them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from tests.analytics.helpers import catch_up, report
from tests.forum.helpers import enroll, reply, start_thread
from tests.helpers import Users
from tests.learning.test_flow import make_course

RunJobs = Callable[[], Awaitable[int]]


async def test_enrollments_progress_and_posts_become_figures(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    app = client.server.app
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2)
    alice, bob = await users.signed_in(), await users.signed_in()
    for student in (alice, bob):
        await enroll(student, course_id)
    for lesson in lessons:
        answer = await alice.client.put(
            f"/api/v1/courses/{course_id}/lessons/{lesson}/progress",
            json={"completed": True},
            headers=alice.csrf_headers(),
        )
        assert answer.status == 200, await answer.text()
    answer = await bob.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress",
        json={"position_seconds": 30},
        headers=bob.csrf_headers(),
    )
    assert answer.status == 200, await answer.text()
    thread = await start_thread(bob, course_id)
    await reply(alice, thread["id"])
    await run_jobs()
    await catch_up(app)
    body = await report(teacher, course_id)
    totals = body["totals"]
    assert totals["enrollments"] == 2 and totals["active_enrollments"] == 2, totals
    assert totals["completions"] == 1 and totals["completion_rate"] == 0.5, totals
    assert totals["average_progress"] == 50.0, totals
    assert totals["active_learners_7d"] == 2, totals
    assert totals["forum_posts"] == 2, totals
    today = body["daily"][-1]
    assert today["enrollments"] == 2 and today["completions"] == 1, today
    assert today["progress_updates"] == 2 and today["active_learners"] == 2, today
    assert len(body["daily"]) == 30
    funnel = [(row["started"], row["completed"]) for row in body["lessons"]]
    assert funnel == [(2, 1), (1, 1)], body["lessons"]
    csv = await teacher.client.get(f"/api/v1/courses/{course_id}/analytics?format=csv")
    assert csv.status == 200 and csv.content_type == "text/csv"
    lines = (await csv.text()).splitlines()
    assert lines[0].startswith("date,enrollments,cancellations"), lines[0]
    assert len(lines) == 31
    denied = await alice.client.get(f"/api/v1/courses/{course_id}/analytics")
    assert denied.status == 403


async def test_the_platform_report_adds_every_course_up(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    first, _ = await make_course(teacher, lessons=1)
    second, _ = await make_course(teacher, lessons=1)
    alice = await users.signed_in()
    for course_id in (first, second):
        await enroll(alice, course_id)
    await run_jobs()
    await catch_up(client.server.app)
    admin = await users.signed_in("admin")
    answer = await admin.client.get("/api/v1/admin/analytics")
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert body["totals"]["enrollments"] == 2 and body["totals"]["active_enrollments"] == 2
    assert body["daily"][-1]["enrollments"] == 2
    top = body["top_courses"]["by_enrollments"]
    assert sorted(row["course_id"] for row in top) == sorted([first, second]), top
    courses = await (await teacher.client.get("/api/v1/analytics/courses")).json()
    assert sorted(row["id"] for row in courses) == sorted([first, second]), courses
