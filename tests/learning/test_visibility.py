"""Progress and enrollment lists follow the course's visibility and the enrollment's status.

Every combination of enrollment (active, completed, cancelled) and course (published,
archived, back to draft) is tried on every read and write of progress and on the lists.
"""

from __future__ import annotations

from typing import Any

import pytest

from ocp.learning.models import LessonProgress
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_rights import (
    RunJobs,
    cancel,
    enrolled,
    make_course,
    my_enrollments,
    progress_ok,
    put_progress,
)

ENROLLMENTS = ("active", "completed", "cancelled")
COURSES = ("published", "archived", "draft")
SECRET_TITLE = "Secret lesson title"


def studying(enrollment: str) -> bool:
    return enrollment in {"active", "completed"}


def sees_course(enrollment: str, course: str) -> bool:
    """The catalog rule: published for all, archived for current students, drafts for none."""
    return course == "published" or (course == "archived" and studying(enrollment))


async def _course_in_state(teacher: Account, state: str) -> tuple[int, list[int]]:
    """A course with a preview and a lesson whose titles must not leak once it is hidden."""
    course_id, lessons = await make_course(teacher, 0, publish=False)
    h = teacher.csrf_headers()
    for title, preview in (("Welcome", True), (f"{SECRET_TITLE} {state}", False)):
        made = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons",
            json={"title": title, "is_preview": preview},
            headers=h,
        )
        assert made.status == 201, await made.text()
        lessons.append(int((await made.json())["id"]))
    published = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": "published"}, headers=h
    )
    assert published.status == 200, await published.text()
    return course_id, lessons


async def _set_state(teacher: Account, course_id: int, state: str) -> None:
    if state == "published":
        return
    changed = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": state}, headers=teacher.csrf_headers()
    )
    assert changed.status == 200, await changed.text()


@pytest.fixture
async def world(users: Users, run_jobs: RunJobs) -> dict[str, Any]:
    """One student per enrollment status, each enrolled in a course of each state."""
    teacher = await users.signed_in("instructor")
    courses = {state: await _course_in_state(teacher, state) for state in COURSES}
    students = {status: await users.signed_in() for status in ENROLLMENTS}
    for status, student in students.items():
        for course_id, lessons in courses.values():
            await enrolled(student, course_id)
            await progress_ok(student, course_id, lessons[0], {"completed": True})
            if status == "completed":
                await progress_ok(student, course_id, lessons[1], {"completed": True})
            if status == "cancelled":
                assert (await cancel(student, course_id)).status == 204
    await run_jobs()
    for course_id, _ in courses.values():
        listing = await my_enrollments(students["completed"], "?status=completed")
        assert course_id in {item["course"]["id"] for item in listing["items"]}
    for state, (course_id, _) in courses.items():
        await _set_state(teacher, course_id, state)
    return {"teacher": teacher, "courses": courses, "students": students}


@pytest.mark.parametrize("course", COURSES)
@pytest.mark.parametrize("enrollment", ENROLLMENTS)
async def test_course_progress_needs_a_current_enrollment_in_a_visible_course(
    world: dict[str, Any], enrollment: str, course: str
) -> None:
    student = world["students"][enrollment]
    course_id, lessons = world["courses"][course]
    answer = await student.client.get(f"/api/v1/courses/{course_id}/progress")
    if studying(enrollment) and sees_course(enrollment, course):
        assert answer.status == 200, await answer.text()
        body = await answer.json()
        assert body["status"] == enrollment
        assert [lesson["lesson_id"] for lesson in body["lessons"]] == lessons
    else:
        problem = await expect_problem(answer, 404)
        assert SECRET_TITLE not in str(problem)


@pytest.mark.parametrize("course", COURSES)
@pytest.mark.parametrize("enrollment", ENROLLMENTS)
async def test_progress_writes_need_a_current_enrollment_in_a_visible_course(
    world: dict[str, Any], enrollment: str, course: str
) -> None:
    student = world["students"][enrollment]
    course_id, lessons = world["courses"][course]
    before = await LessonProgress.filter(lesson_id__in=lessons).order_by("id").values()
    answer = await put_progress(student, course_id, lessons[1], {"position_seconds": 7})
    if studying(enrollment) and sees_course(enrollment, course):
        assert answer.status == 200, await answer.text()
        assert (await answer.json())["lesson"]["position_seconds"] == 7
        return
    # The course is visible but the enrollment is not current: "enroll first" (403);
    # a course the student cannot see is not there at all (404), whatever the lesson.
    await expect_problem(answer, 403 if sees_course(enrollment, course) else 404)
    if not sees_course(enrollment, course):
        await expect_problem(await put_progress(student, course_id, 2_000_000_000, {}), 404)
    after = await LessonProgress.filter(lesson_id__in=lessons).order_by("id").values()
    assert after == before  # nothing written


@pytest.mark.parametrize("course", COURSES)
@pytest.mark.parametrize("enrollment", ENROLLMENTS)
async def test_lesson_progress_follows_the_same_rule(
    world: dict[str, Any], enrollment: str, course: str
) -> None:
    student = world["students"][enrollment]
    course_id, (preview, lesson) = world["courses"][course]
    full = await student.client.get(f"/api/v1/courses/{course_id}/lessons/{lesson}")
    open_ = await student.client.get(f"/api/v1/courses/{course_id}/lessons/{preview}")
    outline = await student.client.get(f"/api/v1/courses/{course_id}/lessons")
    if not sees_course(enrollment, course):
        for answer in (full, open_, outline):
            assert SECRET_TITLE not in str(await expect_problem(answer, 404))
        return
    assert outline.status == 200
    if studying(enrollment):
        assert full.status == 200, await full.text()
        assert (await full.json())["progress"]["completed"] is (enrollment == "completed")
        assert (await open_.json())["progress"]["completed"] is True
    else:  # cancelled, published: the preview without progress; the rest locked
        await expect_problem(full, 403)
        assert open_.status == 200
        assert (await open_.json())["progress"] is None


async def test_enrollment_lists_hide_what_the_student_can_no_longer_see(
    world: dict[str, Any], users: Users
) -> None:
    admin = await users.signed_in("admin")
    for enrollment, student in world["students"].items():
        listing = await student.client.get("/api/v1/users/me/enrollments?per_page=100")
        assert listing.status == 200
        text = await listing.text()
        body = await listing.json()
        assert body["total"] == len(COURSES)  # every enrollment stays listed
        items = {item["course_id"]: item for item in body["items"]}
        for course, (course_id, lessons) in world["courses"].items():
            item = items[course_id]
            assert item["status"] == enrollment
            assert item["progress_percent"] == (100 if enrollment == "completed" else 50)
            if sees_course(enrollment, course):
                assert item["course_visible"] is True
                assert item["course"]["id"] == course_id
                expected_next = None if enrollment == "completed" else lessons[1]
                assert (item["next_lesson"] or {}).get("id") == expected_next
            else:
                assert item["course_visible"] is False
                assert item["course"] is None and item["next_lesson"] is None
                assert f"{SECRET_TITLE} {course}" not in text
        # An admin sees every course, so every item in full.
        theirs = await admin.client.get(f"/api/v1/users/{student.id}/enrollments?per_page=100")
        assert theirs.status == 200
        for item in (await theirs.json())["items"]:
            assert item["course_visible"] is True and item["course"]["id"] == item["course_id"]
