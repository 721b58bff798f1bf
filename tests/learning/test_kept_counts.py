"""The enrollment's kept count of completed lessons under parallel progress updates."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from ocp.learning.models import Enrollment, LessonProgress
from tests.helpers import Users
from tests.learning.test_rights import Recorder, enrolled, make_course, progress_ok, put_progress


async def recount(enrollment_id: int) -> int:
    return await LessonProgress.filter(enrollment_id=enrollment_id, completed=True).count()


async def test_parallel_flips_both_ways_keep_the_count(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 12)
    student = await users.signed_in()
    enrollment = await enrolled(student, course_id)
    for lesson_id in lessons[:6]:
        await progress_ok(student, course_id, lesson_id, {"completed": True})

    bodies = [{"completed": False}] * 2  # each change sent twice, all at once
    changes = [(lesson_id, body) for lesson_id in lessons[:3] for body in bodies]
    changes += [(lesson_id, {"completed": True}) for lesson_id in lessons[3:] for _ in "ab"]
    answers = await asyncio.gather(
        *(put_progress(student, course_id, lesson_id, body) for lesson_id, body in changes)
    )
    assert [a.status for a in answers] == [200] * len(changes)

    kept = await Enrollment.get(id=enrollment["id"])
    assert kept.completed_lessons == await recount(enrollment["id"]) == 9
    assert kept.progress_percent == 75 and kept.status == "active"
    last = await progress_ok(student, course_id, lessons[0], {"completed": True})
    assert last["course"] == {
        "percent": 83,
        "completed_lessons": 10,
        "total_lessons": 12,
        "status": "active",
    }


async def test_a_heartbeat_answers_the_kept_figures_and_announces_nothing(
    users: Users, client: TestClient
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 4)
    student = await users.signed_in()
    enrollment = await enrolled(student, course_id)
    await progress_ok(student, course_id, lessons[0], {"completed": True})
    recorder = Recorder(client.server.app[BUS], f"course:{course_id}")

    beats = await asyncio.gather(
        *(
            put_progress(student, course_id, lessons[0], {"position_seconds": 30 * n})
            for n in range(10)
        )
    )
    assert [b.status for b in beats] == [200] * 10
    answer = await progress_ok(student, course_id, lessons[0], {"position_seconds": 600})
    assert answer["lesson"]["position_seconds"] == 600 and answer["lesson"]["completed"]
    assert answer["course"]["completed_lessons"] == 1 and answer["course"]["percent"] == 25
    assert await recorder.types() == []
    assert (await Enrollment.get(id=enrollment["id"])).completed_lessons == 1


async def test_every_answer_to_parallel_identical_completions_counts_the_flip(
    users: Users, client: TestClient
) -> None:
    """The requests that did not flip answer after the one that did, with its count: they
    wait on its row lock, and must not answer from the count as it was before it."""
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, 8)
    student = await users.signed_in()
    await enrolled(student, course_id)
    for done, lesson_id in enumerate(lessons, start=1):
        await progress_ok(student, course_id, lesson_id, {})  # seen: the row exists
        answers = await asyncio.gather(
            *(put_progress(student, course_id, lesson_id, {"completed": True}) for _ in range(12))
        )
        bodies = [await a.json() for a in answers]
        assert [b["course"]["completed_lessons"] for b in bodies] == [done] * 12, bodies
