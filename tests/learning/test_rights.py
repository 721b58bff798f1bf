"""Adversarial HTTP tests of learning: enrollment, progress, completion and who may see what.

PostgreSQL + Redis with a real arq worker (``run_jobs``); events are read from the app's bus.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from ocp.learning.models import Enrollment, LessonProgress
from ocp.realtime.bus import Bus
from ocp.realtime.events import Event
from tests.helpers import Account, Users, expect_problem

RunJobs = Callable[[], Awaitable[int]]
MISSING = 2_000_000_000  # a well-formed id no row has


# Helpers -----------------------------------------------------------------------------------


async def make_course(
    teacher: Account,
    lessons: int = 3,
    *,
    price: str = "0",
    publish: bool = True,
    previews: tuple[int, ...] = (),
) -> tuple[int, list[int]]:
    """A course of ``teacher`` with ``lessons`` lessons (indexes in ``previews`` are previews)."""
    h = teacher.csrf_headers()
    created = await teacher.client.post(
        "/api/v1/courses", json={"title": "Gardening Basics", "price": price}, headers=h
    )
    assert created.status == 201, await created.text()
    course_id = int((await created.json())["id"])
    ids = []
    for n in range(lessons):
        made = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons",
            json={"title": f"Lesson {n + 1}", "is_preview": n in previews},
            headers=h,
        )
        assert made.status == 201, await made.text()
        ids.append(int((await made.json())["id"]))
    if publish:
        published = await teacher.client.patch(
            f"/api/v1/courses/{course_id}", json={"status": "published"}, headers=h
        )
        assert published.status == 200, await published.text()
    return course_id, ids


async def add_lesson(teacher: Account, course_id: int, title: str = "Bonus") -> int:
    made = await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"title": title},
        headers=teacher.csrf_headers(),
    )
    assert made.status == 201, await made.text()
    return int((await made.json())["id"])


async def delete_lesson(teacher: Account, course_id: int, lesson_id: int) -> None:
    gone = await teacher.client.delete(
        f"/api/v1/courses/{course_id}/lessons/{lesson_id}", headers=teacher.csrf_headers()
    )
    assert gone.status == 204, await gone.text()


async def enroll(account: Account, course_id: int | str) -> Any:
    return await account.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=account.csrf_headers()
    )


async def enrolled(account: Account, course_id: int) -> dict[str, Any]:
    answer = await enroll(account, course_id)
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())


async def cancel(account: Account, course_id: int | str) -> Any:
    return await account.client.delete(
        f"/api/v1/courses/{course_id}/enrollment", headers=account.csrf_headers()
    )


async def put_progress(
    account: Account, course_id: int | str, lesson_id: int | str, body: Any
) -> Any:
    return await account.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lesson_id}/progress",
        json=body,
        headers=account.csrf_headers(),
    )


async def progress_ok(
    account: Account, course_id: int, lesson_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    answer = await put_progress(account, course_id, lesson_id, body)
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def course_progress(account: Account, course_id: int) -> dict[str, Any]:
    answer = await account.client.get(f"/api/v1/courses/{course_id}/progress")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def enrollment_count(client: TestClient, course_id: int) -> int:
    detail = await client.get(f"/api/v1/courses/{course_id}")
    assert detail.status == 200, await detail.text()
    return int((await detail.json())["enrollment_count"])


async def my_enrollments(account: Account, query: str = "") -> dict[str, Any]:
    answer = await account.client.get(f"/api/v1/users/me/enrollments{query}")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def my_enrollment(account: Account, course_id: int) -> dict[str, Any]:
    items = (await my_enrollments(account, "?per_page=100"))["items"]
    found = [item for item in items if item["course"]["id"] == course_id]
    assert len(found) == 1, items
    return dict(found[0])


class Recorder:
    """The events of one channel: its stored history, each also delivered live.

    Redis pub/sub is server-wide (not per db), so other test runs on the same server may
    deliver their own ``course:1`` events here; the history (a stream in our db) is the
    truth, and the live subscription must have carried every event of it.
    """

    def __init__(self, bus: Bus, channel: str) -> None:
        self.bus = bus
        self.channel = channel
        self.subscription = bus.subscribe({channel})
        self.live: set[str] = set()
        # Stream ids start with the millisecond: only what came after subscribing counts.
        self.since_ms = int(time.time() * 1000)

    async def events(self) -> list[Event]:
        """Every event since subscribing, once live delivery has caught up with the history."""
        history = [
            event
            for event in await self.bus.history(self.channel, since=None)
            if int(event.id.split("-")[0]) > self.since_ms
        ]
        deadline = time.monotonic() + 5
        while True:
            while not self.subscription.queue.empty():
                self.live.add(self.subscription.queue.get_nowait().id)
            missing = [e.type for e in history if e.id not in self.live]
            if not missing or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
        assert not missing, f"not delivered live: {missing}"
        return history

    async def types(self, *, skip: tuple[str, ...] = ("enrollment.created",)) -> list[str]:
        """The event types so far, without those in ``skip``."""
        return [event.type for event in await self.events() if event.type not in skip]


def no_emails(events: list[Event], *accounts: Account) -> None:
    for event in events:
        text = repr(event.data)
        assert "@" not in text, event
        assert "email" not in event.data, event
        for account in accounts:
            assert account.email not in text, event


# Enrolling ---------------------------------------------------------------------------------


async def test_enroll_cancel_reenroll_and_the_count(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    assert await enrollment_count(users.client, course_id) == 0

    body = await enrolled(student, course_id)
    assert body["user_id"] == student.id and body["course_id"] == course_id
    assert body["status"] == "active" and body["source"] == "free"
    assert body["progress_percent"] == 0 and body["completed_at"] is None
    assert await enrollment_count(users.client, course_id) == 1

    again = await enroll(student, course_id)
    await expect_problem(again, 409)
    assert await Enrollment.filter(user_id=student.id, course_id=course_id).count() == 1
    assert await enrollment_count(users.client, course_id) == 1

    gone = await cancel(student, course_id)
    assert gone.status == 204, await gone.text()
    assert await enrollment_count(users.client, course_id) == 0
    assert (await my_enrollment(student, course_id))["status"] == "cancelled"

    back = await enrolled(student, course_id)
    assert back["id"] == body["id"] and back["status"] == "active"
    assert await enrollment_count(users.client, course_id) == 1
    assert await Enrollment.filter(user_id=student.id, course_id=course_id).count() == 1


async def test_enroll_refuses_closed_unknown_and_paid_courses(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    student = await users.signed_in()
    draft_id, _ = await make_course(teacher, 1, publish=False)
    archived_id, _ = await make_course(teacher, 1)
    gone = await teacher.client.delete(
        f"/api/v1/courses/{archived_id}", headers=teacher.csrf_headers()
    )
    assert gone.status == 204, await gone.text()
    paid_id, _ = await make_course(teacher, 1, price="10")

    for course_id in (draft_id, archived_id, MISSING, "abc", "0", "-1", "99999999999"):
        await expect_problem(await enroll(student, course_id), 404)
    await expect_problem(await enroll(student, paid_id), 402)
    assert await Enrollment.filter(user_id=student.id).count() == 0
    assert await enrollment_count(users.client, paid_id) == 0


async def test_enroll_needs_a_caller_and_csrf_but_a_token_needs_none(
    users: Users, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()

    await expect_problem(await client.post(f"/api/v1/courses/{course_id}/enrollment"), 401)
    no_csrf = await student.client.post(f"/api/v1/courses/{course_id}/enrollment")
    await expect_problem(no_csrf, 403)
    wrong = await student.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers={"X-CSRF-Token": "nope"}
    )
    await expect_problem(wrong, 403)
    assert await Enrollment.filter(course_id=course_id).count() == 0

    holder = await users.with_token()
    with_token = await client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=holder.headers
    )
    assert with_token.status == 201, await with_token.text()
    assert (await with_token.json())["user_id"] == holder.id
    bad_token = await client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers={"Authorization": "Bearer nope"}
    )
    await expect_problem(bad_token, 401)

    # Cancelling is guarded the same way.
    assert (await enroll(student, course_id)).status == 201
    await expect_problem(await client.delete(f"/api/v1/courses/{course_id}/enrollment"), 401)
    sneaky = await student.client.delete(f"/api/v1/courses/{course_id}/enrollment")
    await expect_problem(sneaky, 403)
    assert (await my_enrollment(student, course_id))["status"] == "active"
    assert await enrollment_count(users.client, course_id) == 2


async def test_parallel_reenrollment_and_cancellation_count_once(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    first = await enrolled(student, course_id)
    assert (await cancel(student, course_id)).status == 204

    answers = await asyncio.gather(*(enroll(student, course_id) for _ in range(10)))
    statuses = sorted(a.status for a in answers)
    assert statuses == [201] + [409] * 9, statuses
    winner = next(a for a in answers if a.status == 201)
    assert (await winner.json())["id"] == first["id"]
    assert await Enrollment.filter(user_id=student.id, course_id=course_id).count() == 1
    assert await enrollment_count(users.client, course_id) == 1

    answers = await asyncio.gather(*(cancel(student, course_id) for _ in range(10)))
    assert [a.status for a in answers] == [204] * 10
    assert await enrollment_count(users.client, course_id) == 0


async def test_cancelling_ends_lesson_access(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3, previews=(0,))
    student = await users.signed_in()
    lesson_url = f"/api/v1/courses/{course_id}/lessons/{lessons[1]}"
    outline_url = f"/api/v1/courses/{course_id}/lessons"

    await expect_problem(await student.client.get(lesson_url), 403)
    await enrolled(student, course_id)
    assert (await student.client.get(lesson_url)).status == 200
    outline = await (await student.client.get(outline_url)).json()
    assert [item["locked"] for item in outline] == [False, False, False]

    assert (await cancel(student, course_id)).status == 204
    assert (await my_enrollment(student, course_id))["status"] == "cancelled"
    await expect_problem(await student.client.get(lesson_url), 403)
    outline = await (await student.client.get(outline_url)).json()
    assert [item["locked"] for item in outline] == [False, True, True]
    assert all(item["body"] is None for item in outline[1:])
    await expect_problem(await put_progress(student, course_id, lessons[1], {}), 403)

    # Cancelling again is fine and counts nothing.
    assert (await cancel(student, course_id)).status == 204
    assert await enrollment_count(users.client, course_id) == 0
    assert (await my_enrollment(student, course_id))["status"] == "cancelled"


async def test_cancelling_without_an_enrollment_is_404(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    other = await users.signed_in()
    await enrolled(other, course_id)

    await expect_problem(await cancel(student, course_id), 404)
    await expect_problem(await cancel(student, MISSING), 404)
    await expect_problem(await cancel(student, "abc"), 404)
    # Someone else's enrollment is untouched.
    assert (await my_enrollment(other, course_id))["status"] == "active"
    assert await enrollment_count(client, course_id) == 1


async def test_reenrolling_keeps_the_same_enrollment_and_its_progress(
    users: Users, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    first = await enrolled(student, course_id)
    await progress_ok(student, course_id, lessons[0], {"completed": True})
    await progress_ok(student, course_id, lessons[1], {"position_seconds": 95})
    await run_jobs()

    assert (await cancel(student, course_id)).status == 204
    back = await enrolled(student, course_id)
    assert back["id"] == first["id"]
    await run_jobs()

    progress = await course_progress(student, course_id)
    assert progress["status"] == "active"
    assert progress["completed_lessons"] == 1 and progress["total_lessons"] == 3
    assert progress["percent"] == 33
    states = {state["lesson_id"]: state for state in progress["lessons"]}
    assert states[lessons[0]]["completed"] is True
    assert states[lessons[0]]["completed_at"] is not None
    assert states[lessons[1]]["completed"] is False
    assert states[lessons[1]]["position_seconds"] == 95
    assert (await my_enrollment(student, course_id))["progress_percent"] == 33


# My enrollments ----------------------------------------------------------------------------


async def test_my_enrollments_pages_filters_and_next_lessons(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_a, lessons_a = await make_course(teacher, 3)
    course_b, lessons_b = await make_course(teacher, 1)
    course_c, lessons_c = await make_course(teacher, 2)
    student = await users.signed_in()
    other = await users.signed_in()
    for course_id in (course_a, course_b, course_c):
        await enrolled(student, course_id)
    await enrolled(other, course_a)
    await progress_ok(other, course_a, lessons_a[0], {"completed": True})
    await progress_ok(other, course_a, lessons_a[1], {"completed": True})
    await progress_ok(student, course_a, lessons_a[0], {"completed": True})
    await progress_ok(student, course_b, lessons_b[0], {"completed": True})
    assert (await cancel(student, course_c)).status == 204
    await run_jobs()

    listing = await my_enrollments(student)
    assert listing["page"] == 1 and listing["per_page"] == 20 and listing["total"] == 3
    items = {item["course"]["id"]: item for item in listing["items"]}
    assert set(items) == {course_a, course_b, course_c}  # never the other student's
    assert [item["course"]["id"] for item in listing["items"]] == [course_c, course_b, course_a]

    a = items[course_a]
    assert a["status"] == "active" and a["progress_percent"] == 33
    assert a["completed_at"] is None and a["enrolled_at"]
    assert a["next_lesson"]["id"] == lessons_a[1]  # not the other student's progress
    assert a["next_lesson"]["position"] == 2 and a["next_lesson"]["title"] == "Lesson 2"
    assert a["course"]["title"] == "Gardening Basics"
    assert a["course"]["instructor"]["id"] == teacher.id
    b = items[course_b]
    assert b["status"] == "completed" and b["progress_percent"] == 100
    assert b["completed_at"] is not None and b["next_lesson"] is None
    c = items[course_c]
    assert c["status"] == "cancelled" and c["next_lesson"]["id"] == lessons_c[0]

    for status, expected in (
        ("active", {course_a}),
        ("completed", {course_b}),
        ("cancelled", {course_c}),
    ):
        page = await my_enrollments(student, f"?status={status}")
        assert {item["course"]["id"] for item in page["items"]} == expected, status
        assert page["total"] == 1
    second = await my_enrollments(student, "?per_page=2&page=2")
    assert second["total"] == 3 and second["per_page"] == 2
    assert [item["course"]["id"] for item in second["items"]] == [course_a]
    assert "@" not in await (await student.client.get("/api/v1/users/me/enrollments")).text()

    for bad in ("?status=done", "?status=ACTIVE", "?status=", "?page=0", "?status=active&status=x"):
        await expect_problem(await student.client.get(f"/api/v1/users/me/enrollments{bad}"), 422)
    await expect_problem(await client.get("/api/v1/users/me/enrollments"), 401)

    mine = await my_enrollments(other)
    assert [item["course"]["id"] for item in mine["items"]] == [course_a]
    assert mine["items"][0]["next_lesson"]["id"] == lessons_a[2]


async def test_next_lesson_follows_the_lesson_order(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    await enrolled(student, course_id)
    await progress_ok(student, course_id, lessons[0], {"completed": True})
    assert (await my_enrollment(student, course_id))["next_lesson"]["id"] == lessons[1]

    moved = await teacher.client.put(
        f"/api/v1/courses/{course_id}/lessons/order",
        json={"lesson_ids": [lessons[2], lessons[0], lessons[1]]},
        headers=teacher.csrf_headers(),
    )
    assert moved.status == 200, await moved.text()
    next_lesson = (await my_enrollment(student, course_id))["next_lesson"]
    assert next_lesson == {"id": lessons[2], "title": "Lesson 3", "position": 1}

    await progress_ok(student, course_id, lessons[2], {"completed": True})
    await progress_ok(student, course_id, lessons[1], {"completed": True})
    assert (await my_enrollment(student, course_id))["next_lesson"] is None
    progress = await course_progress(student, course_id)
    assert [state["lesson_id"] for state in progress["lessons"]] == [
        lessons[2],
        lessons[0],
        lessons[1],
    ]
    assert [state["position"] for state in progress["lessons"]] == [1, 2, 3]


# Progress ----------------------------------------------------------------------------------


async def test_progress_answer_is_idempotent_and_announced_once(
    users: Users, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    recorder = Recorder(client.server.app[BUS], f"course:{course_id}")
    enrollment = await enrolled(student, course_id)

    first = await progress_ok(student, course_id, lessons[0], {"completed": True})
    assert first["lesson"]["lesson_id"] == lessons[0]
    assert first["lesson"]["completed"] is True
    assert first["lesson"]["completed_at"] is not None
    assert first["lesson"]["position_seconds"] == 0
    assert first["course"] == {
        "percent": 33,
        "completed_lessons": 1,
        "total_lessons": 3,
        "status": "active",
    }
    second = await progress_ok(student, course_id, lessons[0], {"completed": True})
    assert second["course"] == first["course"]
    for name in ("lesson_id", "completed", "completed_at", "position_seconds"):
        assert second["lesson"][name] == first["lesson"][name], name
    assert await LessonProgress.filter(enrollment_id=enrollment["id"]).count() == 1

    events = await recorder.events()
    updates = [e for e in events if e.type == "progress.updated"]
    assert len(updates) == 1, [e.type for e in events]
    assert updates[0].data["lesson_id"] == lessons[0]
    assert updates[0].data["user_id"] == student.id
    assert updates[0].data["course_id"] == course_id
    assert updates[0].data["enrollment_id"] == enrollment["id"]
    assert updates[0].data["percent"] == 33 and updates[0].data["completed_lessons"] == 1
    no_emails(events, student, teacher)

    # Position and a bare touch change no figures and announce nothing.
    moved = await progress_ok(student, course_id, lessons[0], {"position_seconds": 604800})
    assert moved["lesson"]["position_seconds"] == 604800
    assert moved["lesson"]["completed"] is True
    assert moved["lesson"]["completed_at"] == first["lesson"]["completed_at"]
    touched = await progress_ok(student, course_id, lessons[0], {})
    assert touched["lesson"]["position_seconds"] == 604800
    assert touched["lesson"]["completed"] is True
    assert touched["lesson"]["last_seen_at"] >= first["lesson"]["last_seen_at"]
    assert touched["course"] == first["course"]
    fresh = await progress_ok(student, course_id, lessons[1], {})
    assert fresh["lesson"]["completed"] is False and fresh["lesson"]["completed_at"] is None
    assert fresh["course"]["completed_lessons"] == 1
    assert await recorder.types() == ["progress.updated"]

    # Un-completing is a change: announced, figures back.
    undone = await progress_ok(student, course_id, lessons[0], {"completed": False})
    assert undone["lesson"]["completed"] is False
    assert undone["lesson"]["completed_at"] is None
    assert undone["lesson"]["position_seconds"] == 604800
    assert undone["course"]["percent"] == 0 and undone["course"]["completed_lessons"] == 0
    again = await progress_ok(student, course_id, lessons[0], {"completed": False})
    assert again["course"] == undone["course"]
    events = await recorder.events()
    updates = [e for e in events if e.type == "progress.updated"]
    assert len(updates) == 2, [e.type for e in events]
    assert updates[1].data["percent"] == 0 and updates[1].data["completed_lessons"] == 0


async def test_parallel_identical_puts_record_and_announce_once(
    users: Users, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    recorder = Recorder(client.server.app[BUS], f"course:{course_id}")
    enrollment = await enrolled(student, course_id)
    await progress_ok(student, course_id, lessons[0], {})  # seen, not completed

    answers = await asyncio.gather(
        *(put_progress(student, course_id, lessons[0], {"completed": True}) for _ in range(10))
    )
    assert [a.status for a in answers] == [200] * 10
    bodies = [await a.json() for a in answers]
    assert all(b["course"]["completed_lessons"] == 1 for b in bodies), bodies
    assert len({b["lesson"]["completed_at"] for b in bodies}) == 1, bodies
    assert await LessonProgress.filter(enrollment_id=enrollment["id"]).count() == 1
    assert await recorder.types() == ["progress.updated"]


async def test_progress_needs_an_active_enrollment(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 2, previews=(0,))
    student = await users.signed_in()

    for lesson_id in lessons:  # a preview lesson is no exception
        await expect_problem(
            await put_progress(student, course_id, lesson_id, {"completed": True}), 403
        )
    await expect_problem(await put_progress(teacher, course_id, lessons[0], {}), 403)
    assert await LessonProgress.all().count() == 0

    await enrolled(student, course_id)
    assert (await cancel(student, course_id)).status == 204
    await expect_problem(
        await put_progress(student, course_id, lessons[0], {"completed": True}), 403
    )
    assert await LessonProgress.all().count() == 0

    anonymous = await client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress", json={}
    )
    await expect_problem(anonymous, 401)
    await enrolled(student, course_id)
    no_csrf = await student.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress", json={"completed": True}
    )
    await expect_problem(no_csrf, 403)
    assert await LessonProgress.all().count() == 0

    # Course progress is for enrolled callers only.
    stranger = await users.signed_in()
    await expect_problem(await stranger.client.get(f"/api/v1/courses/{course_id}/progress"), 404)
    await expect_problem(await teacher.client.get(f"/api/v1/courses/{course_id}/progress"), 404)
    await expect_problem(await client.get(f"/api/v1/courses/{course_id}/progress"), 401)
    await expect_problem(await student.client.get(f"/api/v1/courses/{MISSING}/progress"), 404)


async def test_progress_on_unknown_or_foreign_lessons_is_404(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_a, lessons_a = await make_course(teacher, 2)
    course_b, lessons_b = await make_course(teacher, 2)
    student = await users.signed_in()
    await enrolled(student, course_a)
    await enrolled(student, course_b)

    for course_id, lesson_id in (
        (course_a, lessons_b[0]),  # another course's lesson, though enrolled there too
        (course_b, lessons_a[0]),
        (course_a, MISSING),
        (MISSING, lessons_a[0]),
        ("abc", lessons_a[0]),
        (course_a, "abc"),
        (course_a, "0"),
    ):
        answer = await put_progress(student, course_id, lesson_id, {"completed": True})
        await expect_problem(answer, 404)
    assert await LessonProgress.all().count() == 0
    for course_id in (course_a, course_b):
        assert (await course_progress(student, course_id))["completed_lessons"] == 0


async def test_progress_validation(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 2)
    student = await users.signed_in()
    await enrolled(student, course_id)

    for body, field in (
        ({"completed": "yes"}, "completed"),
        ({"completed": 1}, "completed"),
        ({"completed": "true"}, "completed"),
        ({"completed": None}, "completed"),
        ({"position_seconds": -1}, "position_seconds"),
        ({"position_seconds": "10"}, "position_seconds"),
        ({"position_seconds": 1.5}, "position_seconds"),
        ({"position_seconds": 604801}, "position_seconds"),
        ({"position_seconds": True}, "position_seconds"),
        ({"position_seconds": None}, "position_seconds"),
        ({"position_seconds": 10**30}, "position_seconds"),
        ({"completed": True, "lesson_id": lessons[1]}, "lesson_id"),
        ({"completed_at": "2020-01-01T00:00:00Z"}, "completed_at"),
    ):
        answer = await put_progress(student, course_id, lessons[0], body)
        problem = await expect_problem(answer, 422)
        assert field in problem.get("errors", {}), (body, problem)
    for body in ([], [{"completed": True}], "completed", 1):
        answer = await put_progress(student, course_id, lessons[0], body)
        await expect_problem(answer, 422)
    raw = await student.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress",
        data=b'{"completed": tru',
        headers={**student.csrf_headers(), "Content-Type": "application/json"},
    )
    await expect_problem(raw, 400)
    assert await LessonProgress.all().count() == 0

    edge = await progress_ok(student, course_id, lessons[0], {"position_seconds": 604800})
    assert edge["lesson"]["position_seconds"] == 604800
    assert edge["lesson"]["completed"] is False
    zero = await progress_ok(student, course_id, lessons[0], {"position_seconds": 0})
    assert zero["lesson"]["position_seconds"] == 0


async def test_lesson_detail_carries_the_callers_progress(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 2, previews=(0,))
    student = await users.signed_in()
    other = await users.signed_in()
    preview_url = f"/api/v1/courses/{course_id}/lessons/{lessons[0]}"
    lesson_url = f"/api/v1/courses/{course_id}/lessons/{lessons[1]}"

    for viewer in (client, student.client, teacher.client):
        answer = await viewer.get(preview_url)
        assert answer.status == 200, await answer.text()
        assert (await answer.json())["progress"] is None
    teacher_view = await (await teacher.client.get(lesson_url)).json()
    assert teacher_view["progress"] is None

    await enrolled(student, course_id)
    await enrolled(other, course_id)
    untouched = await (await student.client.get(lesson_url)).json()
    assert untouched["progress"]["completed"] is False
    assert untouched["progress"]["position_seconds"] == 0
    assert untouched["progress"]["last_seen_at"] is None

    await progress_ok(student, course_id, lessons[1], {"completed": True, "position_seconds": 42})
    mine = await (await student.client.get(lesson_url)).json()
    assert mine["progress"]["completed"] is True
    assert mine["progress"]["position_seconds"] == 42
    assert mine["progress"]["completed_at"] is not None
    theirs = await (await other.client.get(lesson_url)).json()
    assert theirs["progress"]["completed"] is False
    assert theirs["progress"]["position_seconds"] == 0
    assert (await (await teacher.client.get(lesson_url)).json())["progress"] is None

    assert (await cancel(student, course_id)).status == 204
    after = await student.client.get(preview_url)
    assert after.status == 200
    assert (await after.json())["progress"] is None


# Completion --------------------------------------------------------------------------------


async def test_course_completes_once_with_events_on_both_channels(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    bus = client.server.app[BUS]
    on_user = Recorder(bus, f"user:{student.id}")
    on_course = Recorder(bus, f"course:{course_id}")
    enrollment = await enrolled(student, course_id)

    for lesson_id in lessons:
        await progress_ok(student, course_id, lesson_id, {"completed": True})
    await run_jobs()
    progress = await course_progress(student, course_id)
    assert progress["status"] == "completed" and progress["percent"] == 100
    assert progress["completed_at"] is not None
    item = await my_enrollment(student, course_id)
    assert item["status"] == "completed" and item["progress_percent"] == 100
    assert item["completed_at"] == progress["completed_at"]
    # The answer to a PUT now tells the status the job set.
    touched = await progress_ok(student, course_id, lessons[0], {"completed": True})
    assert touched["course"]["status"] == "completed"

    assert await run_jobs() == 0
    await progress_ok(student, course_id, lessons[0], {"position_seconds": 3})
    await run_jobs()
    for recorder in (on_user, on_course):
        events = await recorder.events()
        types = [e.type for e in events]
        assert types.count("course.completed") == 1, types
        assert types.count("progress.updated") == 3, types
        assert types.count("enrollment.created") == 1, types
        done = next(e for e in events if e.type == "course.completed")
        assert done.data["user_id"] == student.id and done.data["course_id"] == course_id
        assert done.data["enrollment_id"] == enrollment["id"]
        assert done.data["percent"] == 100 and done.data["completed_at"]
        no_emails(events, student, teacher)
    assert (await course_progress(student, course_id))["completed_at"] == progress["completed_at"]


async def test_percent_follows_lessons_completed_added_and_removed(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    recorder = Recorder(client.server.app[BUS], f"course:{course_id}")
    await enrolled(student, course_id)

    async def check(percent: int, status: str) -> None:
        await run_jobs()
        item = await my_enrollment(student, course_id)
        assert (item["progress_percent"], item["status"]) == (percent, status)
        assert (item["completed_at"] is not None) == (status == "completed")
        progress = await course_progress(student, course_id)
        assert (progress["percent"], progress["status"]) == (percent, status)

    await check(0, "active")
    for lesson_id, expected in zip(lessons, (33, 66, 100), strict=True):
        answer = await progress_ok(student, course_id, lesson_id, {"completed": True})
        assert answer["course"]["percent"] == expected
        await check(expected, "completed" if expected == 100 else "active")

    bonus = await add_lesson(teacher, course_id)
    await check(75, "active")
    extra = await add_lesson(teacher, course_id, "Extra")
    await check(60, "active")
    await delete_lesson(teacher, course_id, extra)
    await check(75, "active")
    await progress_ok(student, course_id, bonus, {"completed": True})
    await check(100, "completed")
    await delete_lesson(teacher, course_id, lessons[0])  # a completed one
    await check(100, "completed")
    await add_lesson(teacher, course_id, "Six")
    await add_lesson(teacher, course_id, "Seven")
    await add_lesson(teacher, course_id, "Eight")
    await check(50, "active")
    progress = await course_progress(student, course_id)
    assert (progress["completed_lessons"], progress["total_lessons"]) == (3, 6)
    assert progress["completed_at"] is None

    types = await recorder.types()
    assert types.count("course.completed") == 2, types


async def test_updates_around_job_runs_are_not_lost(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 4)
    student = await users.signed_in()
    recorder = Recorder(client.server.app[BUS], f"user:{student.id}")
    await enrolled(student, course_id)

    await progress_ok(student, course_id, lessons[0], {"completed": True})
    await run_jobs()
    assert (await my_enrollment(student, course_id))["progress_percent"] == 25
    await progress_ok(student, course_id, lessons[1], {"completed": True})
    await run_jobs()
    assert (await my_enrollment(student, course_id))["progress_percent"] == 50
    await progress_ok(student, course_id, lessons[0], {"completed": False})
    await run_jobs()
    assert (await my_enrollment(student, course_id))["progress_percent"] == 25

    # Updates racing a running worker: whatever it missed, a later run catches up.
    await asyncio.gather(
        run_jobs(),
        *(
            progress_ok(student, course_id, lesson_id, {"completed": True})
            for lesson_id in (lessons[0], lessons[2], lessons[3])
        ),
    )
    await run_jobs()
    item = await my_enrollment(student, course_id)
    assert item["progress_percent"] == 100 and item["status"] == "completed"
    assert (await recorder.types()).count("course.completed") == 1


async def test_uncompleting_reopens_a_completed_enrollment(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    await enrolled(student, course_id)
    for lesson_id in lessons:
        await progress_ok(student, course_id, lesson_id, {"completed": True})
    await run_jobs()
    assert (await course_progress(student, course_id))["status"] == "completed"

    undone = await progress_ok(student, course_id, lessons[1], {"completed": False})
    assert undone["course"]["percent"] == 66 and undone["course"]["completed_lessons"] == 2
    await run_jobs()
    progress = await course_progress(student, course_id)
    assert progress["status"] == "active" and progress["percent"] == 66
    assert progress["completed_at"] is None
    item = await my_enrollment(student, course_id)
    assert item["status"] == "active" and item["completed_at"] is None
    assert item["next_lesson"]["id"] == lessons[1]


async def test_reenrolling_after_the_course_grew_is_not_completed(
    users: Users, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 3)
    student = await users.signed_in()
    await enrolled(student, course_id)
    for lesson_id in lessons:
        await progress_ok(student, course_id, lesson_id, {"completed": True})
    await run_jobs()
    assert (await my_enrollment(student, course_id))["status"] == "completed"

    assert (await cancel(student, course_id)).status == 204
    await add_lesson(teacher, course_id)
    await run_jobs()
    await enrolled(student, course_id)
    await run_jobs()
    item = await my_enrollment(student, course_id)
    assert item["status"] == "active" and item["progress_percent"] == 75
    assert item["completed_at"] is None, item
    progress = await course_progress(student, course_id)
    assert progress["status"] == "active" and progress["completed_at"] is None, progress


# Who sees enrollments ----------------------------------------------------------------------


async def test_course_enrollments_for_its_owner_and_admins_only(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 2)
    other_course, _ = await make_course(teacher, 1)
    admin = await users.signed_in("admin")
    rival = await users.signed_in("instructor")
    first = await users.signed_in()
    second = await users.signed_in()
    outsider = await users.signed_in()
    await enrolled(first, course_id)
    await enrolled(second, course_id)
    await enrolled(outsider, other_course)
    await progress_ok(first, course_id, lessons[0], {"completed": True})
    assert (await cancel(second, course_id)).status == 204
    await run_jobs()
    url = f"/api/v1/courses/{course_id}/enrollments"

    for viewer in (teacher, admin):
        answer = await viewer.client.get(url)
        assert answer.status == 200, await answer.text()
        text = await answer.text()
        assert "@" not in text and "email" not in text
        listing = await answer.json()
        assert listing["total"] == 2 and listing["page"] == 1
        by_user = {item["user"]["id"]: item for item in listing["items"]}
        assert set(by_user) == {first.id, second.id}
        assert set(by_user[first.id]["user"]) == {"id", "full_name"}
        assert by_user[first.id]["user"]["full_name"] == first.user["full_name"]
        assert by_user[first.id]["progress_percent"] == 50
        assert by_user[first.id]["status"] == "active"
        assert by_user[second.id]["status"] == "cancelled"
        assert all(item["course_id"] == course_id for item in listing["items"])

    cancelled = await (await teacher.client.get(f"{url}?status=cancelled")).json()
    assert [item["user"]["id"] for item in cancelled["items"]] == [second.id]
    paged = await (await teacher.client.get(f"{url}?per_page=1&page=2")).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1
    await expect_problem(await teacher.client.get(f"{url}?status=gone"), 422)

    await expect_problem(await rival.client.get(url), 403)
    await expect_problem(await first.client.get(url), 403)
    await expect_problem(await outsider.client.get(url), 403)
    await expect_problem(await client.get(url), 401)
    await expect_problem(await teacher.client.get(f"/api/v1/courses/{MISSING}/enrollments"), 404)
    await expect_problem(await admin.client.get(f"/api/v1/courses/{MISSING}/enrollments"), 404)
    await expect_problem(await admin.client.get("/api/v1/courses/abc/enrollments"), 404)


async def test_a_users_enrollments_are_for_admins_only(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    course_a, _ = await make_course(teacher, 1)
    course_b, _ = await make_course(teacher, 1)
    admin = await users.signed_in("admin")
    student = await users.signed_in()
    other = await users.signed_in()
    await enrolled(student, course_a)
    await enrolled(student, course_b)
    await enrolled(other, course_a)
    assert (await cancel(student, course_b)).status == 204
    url = f"/api/v1/users/{student.id}/enrollments"

    answer = await admin.client.get(url)
    assert answer.status == 200, await answer.text()
    listing = await answer.json()
    assert listing["total"] == 2
    assert {item["course"]["id"] for item in listing["items"]} == {course_a, course_b}
    assert "@" not in await answer.text()
    filtered = await (await admin.client.get(f"{url}?status=cancelled")).json()
    assert [item["course"]["id"] for item in filtered["items"]] == [course_b]
    await expect_problem(await admin.client.get(f"{url}?status=nope"), 422)

    for caller in (teacher, student, other):
        await expect_problem(await caller.client.get(url), 403)
    await expect_problem(await client.get(url), 401)


# Parallel progress -------------------------------------------------------------------------


async def test_twenty_parallel_progress_puts(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 21)
    student = await users.signed_in()
    recorder = Recorder(client.server.app[BUS], f"course:{course_id}")
    enrollment = await enrolled(student, course_id)

    answers = await asyncio.gather(
        *(
            put_progress(student, course_id, lesson_id, {"completed": True})
            for lesson_id in lessons[:20]
        )
    )
    assert [a.status for a in answers] == [200] * 20, [await a.text() for a in answers]
    bodies = [await a.json() for a in answers]
    assert max(b["course"]["completed_lessons"] for b in bodies) == 20
    rows = await LessonProgress.filter(enrollment_id=enrollment["id"]).values_list(
        "lesson_id", flat=True
    )
    assert sorted(rows) == sorted(lessons[:20])
    await run_jobs()
    item = await my_enrollment(student, course_id)
    assert item["progress_percent"] == 95 and item["status"] == "active"  # 20 of 21
    assert item["next_lesson"]["id"] == lessons[20]

    await progress_ok(student, course_id, lessons[20], {"completed": True})
    await run_jobs()
    item = await my_enrollment(student, course_id)
    assert item["progress_percent"] == 100 and item["status"] == "completed"
    types = await recorder.types()
    assert types.count("progress.updated") == 21 and types.count("course.completed") == 1
