"""The notifications API over HTTP on PostgreSQL + Redis + a real arq worker: listing,
reading, preferences and the profile's time zone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ocp.notifications.models import NotificationPreference
from ocp.notifications.types import DEFAULTS
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course

RunJobs = Callable[[], Awaitable[int]]
NOTIFICATIONS = "/api/v1/notifications"
PREFERENCES = "/api/v1/notifications/preferences"
FIELDS = {"id", "type", "title", "body", "url", "data", "created_at", "read_at"}
DEFAULT_PREFERENCES = {
    type: {"in_app": choice.in_app, "email": choice.email} for type, choice in DEFAULTS.items()
}


async def settle(run_jobs: RunJobs) -> None:
    """Run the worker until the reactions, and the jobs they enqueue, are done."""
    await run_jobs()
    await run_jobs()


async def enroll(student: Account, course_id: int) -> None:
    answer = await student.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
    )
    assert answer.status == 201, await answer.text()


async def listing(account: Account, query: str = "") -> dict[str, Any]:
    answer = await account.client.get(f"{NOTIFICATIONS}{query}")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def unread(account: Account) -> int:
    answer = await account.client.get("/api/v1/users/me")
    assert answer.status == 200, await answer.text()
    return int((await answer.json())["unread_notifications"])


async def read(account: Account, notification_id: object) -> Any:
    return await account.client.post(
        f"{NOTIFICATIONS}/{notification_id}/read", headers=account.csrf_headers()
    )


async def read_all(account: Account) -> Any:
    return await account.client.post(f"{NOTIFICATIONS}/read-all", headers=account.csrf_headers())


async def put_preferences(account: Account, body: Any) -> Any:
    """PUT ``body`` as JSON (``None`` too: the body ``null``)."""
    return await account.client.put(
        PREFERENCES,
        data=json.dumps(body).encode(),
        headers={**account.csrf_headers(), "Content-Type": "application/json"},
    )


async def three_enrollments(users: Users, run_jobs: RunJobs) -> tuple[Account, Account, list[int]]:
    """A student enrolled in three courses one after the other (the jobs run between), so
    their three ``enrollment.confirmed`` have a known order; returns teacher, student and
    the course ids, oldest first."""
    teacher = await users.signed_in("instructor")
    student = await users.signed_in()
    courses = []
    for _ in range(3):
        course_id, _ = await make_course(teacher, lessons=1)
        await enroll(student, course_id)
        await settle(run_jobs)
        courses.append(course_id)
    return teacher, student, courses


async def test_the_list_holds_only_my_notifications_newest_first_in_pages(
    users: Users, run_jobs: RunJobs
) -> None:
    """Three enrollments: three notifications newest first, 2 a page with a Link header,
    and none of another student's."""
    teacher, student, courses = await three_enrollments(users, run_jobs)
    other = await users.signed_in()
    await enroll(other, courses[0])
    await settle(run_jobs)

    body = await listing(student)
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    items = body["items"]
    assert all(set(item) == FIELDS for item in items), items
    assert [item["type"] for item in items] == ["enrollment.confirmed"] * 3
    assert [item["data"]["course_id"] for item in items] == courses[::-1]
    stamps = [item["created_at"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    assert all(item["read_at"] is None for item in items)

    first = await student.client.get(f"{NOTIFICATIONS}?per_page=2")
    assert first.status == 200
    page_one = await first.json()
    assert [item["id"] for item in page_one["items"]] == [item["id"] for item in items[:2]]
    assert page_one["total"] == 3 and page_one["per_page"] == 2
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    page_two = await listing(student, "?per_page=2&page=2")
    assert [item["id"] for item in page_two["items"]] == [items[2]["id"]]
    beyond = await listing(student, "?page=50")
    assert beyond["items"] == [] and beyond["total"] == 3

    theirs = await listing(other)
    assert [item["data"]["course_id"] for item in theirs["items"]] == [courses[0]]
    assert not {item["id"] for item in theirs["items"]} & {item["id"] for item in items}
    instructor = await listing(teacher)
    assert [item["type"] for item in instructor["items"]] == ["course.enrolled"] * 4
    assert not {item["id"] for item in instructor["items"]} & {item["id"] for item in items}


async def test_unread_true_lists_only_the_unread(users: Users, run_jobs: RunJobs) -> None:
    """`?unread=true` leaves out what was read; `?unread=false` lists everything."""
    _, student, _ = await three_enrollments(users, run_jobs)
    items = (await listing(student))["items"]
    assert (await read(student, items[1]["id"])).status == 200
    only_unread = await listing(student, "?unread=true")
    assert [item["id"] for item in only_unread["items"]] == [items[0]["id"], items[2]["id"]]
    assert only_unread["total"] == 2
    everything = await listing(student, "?unread=false")
    assert everything["total"] == 3


async def test_a_malformed_query_is_422_and_no_session_is_401(users: Users) -> None:
    """Bad values, unknown or repeated parameters: 422; an anonymous caller: 401."""
    student = await users.signed_in()
    for query in (
        "unread=yes",
        "unread=1",
        "unread=",
        "per_page=0",
        "per_page=-1",
        "per_page=x",
        "page=0",
        "page=abc",
        "colour=red",
        "page=1&page=2",
    ):
        answer = await student.client.get(f"{NOTIFICATIONS}?{query}")
        await expect_problem(answer, 422)
    anonymous = await users.make_client()
    await expect_problem(await anonymous.get(NOTIFICATIONS), 401)
    await expect_problem(await anonymous.post(f"{NOTIFICATIONS}/1/read"), 401)
    await expect_problem(await anonymous.post(f"{NOTIFICATIONS}/read-all"), 401)
    await expect_problem(await anonymous.get(PREFERENCES), 401)
    await expect_problem(await anonymous.put(PREFERENCES, json={}), 401)


async def test_reading_one_sets_read_at_once_and_only_for_its_owner(
    users: Users, run_jobs: RunJobs
) -> None:
    """Read: 200 with read_at; again: the same read_at; another user's or an unknown id: 404
    (and the owner's stays unread)."""
    _, student, _ = await three_enrollments(users, run_jobs)
    items = (await listing(student))["items"]
    target = items[0]
    other = await users.signed_in()
    await expect_problem(await read(other, target["id"]), 404)
    assert await unread(student) == 3

    first = await read(student, target["id"])
    assert first.status == 200, await first.text()
    body = await first.json()
    assert set(body) == FIELDS
    assert body["id"] == target["id"] and body["read_at"] is not None
    assert {k: v for k, v in body.items() if k != "read_at"} == {
        k: v for k, v in target.items() if k != "read_at"
    }
    again = await read(student, target["id"])
    assert again.status == 200
    assert (await again.json())["read_at"] == body["read_at"]
    listed = {item["id"]: item for item in (await listing(student))["items"]}
    assert listed[target["id"]]["read_at"] == body["read_at"]
    assert await unread(student) == 2

    for unknown in (items[0]["id"] + 1000, 2**63, "99999999999999999999", "0", "-1", "abc"):
        await expect_problem(await read(student, unknown), 404)
    await expect_problem(await student.client.post(f"{NOTIFICATIONS}/{items[1]['id']}/read"), 403)
    assert await unread(student) == 2


async def test_read_all_marks_mine_once_and_the_count_follows(
    users: Users, run_jobs: RunJobs
) -> None:
    """read-all answers how many were unread, then 0; `unread_notifications` follows, and
    another user's notifications stay unread."""
    teacher, student, _ = await three_enrollments(users, run_jobs)
    assert await unread(student) == 3
    assert await unread(teacher) == 3
    items = (await listing(student))["items"]
    assert (await read(student, items[2]["id"])).status == 200
    assert await unread(student) == 2

    marked = await read_all(student)
    assert marked.status == 200, await marked.text()
    assert await marked.json() == {"marked": 2}
    assert await unread(student) == 0
    again = await read_all(student)
    assert await again.json() == {"marked": 0}
    after = (await listing(student))["items"]
    assert all(item["read_at"] is not None for item in after)
    assert {item["id"]: item["read_at"] for item in after}[items[2]["id"]] == (
        await (await read(student, items[2]["id"])).json()
    )["read_at"]
    assert await unread(teacher) == 3

    nobody = await users.signed_in()
    assert await (await read_all(nobody)).json() == {"marked": 0}
    assert await unread(nobody) == 0


async def test_preferences_answer_every_type_with_its_default(users: Users) -> None:
    """A new account's preferences are every type with the default of types.py."""
    student = await users.signed_in()
    answer = await student.client.get(PREFERENCES)
    assert answer.status == 200
    body = await answer.json()
    assert body == DEFAULT_PREFERENCES
    assert body["course.enrolled"] == {"in_app": True, "email": "daily"}


async def test_a_put_of_a_subset_answers_the_whole_set_and_repeats_alike(users: Users) -> None:
    """PUT changes the named types (each field optional), answers every type, keeps the
    change for GET, and the same PUT again answers the same."""
    student = await users.signed_in()
    other = await users.signed_in()
    change = {
        "course.enrolled": {"email": "weekly"},
        "lesson.added": {"in_app": False},
        "order.receipt": {"in_app": True, "email": "never"},
    }
    expected = {
        **DEFAULT_PREFERENCES,
        "course.enrolled": {"in_app": True, "email": "weekly"},
        "lesson.added": {"in_app": False, "email": "immediately"},
        "order.receipt": {"in_app": True, "email": "never"},
    }
    first = await put_preferences(student, change)
    assert first.status == 200, await first.text()
    assert await first.json() == expected
    assert await (await student.client.get(PREFERENCES)).json() == expected
    again = await put_preferences(student, change)
    assert again.status == 200
    assert await again.json() == expected
    unchanged = await put_preferences(student, {})
    assert unchanged.status == 200 and await unchanged.json() == expected
    back = await put_preferences(student, {"lesson.added": {"in_app": True}})
    assert (await back.json())["lesson.added"] == {"in_app": True, "email": "immediately"}
    assert await (await other.client.get(PREFERENCES)).json() == DEFAULT_PREFERENCES


async def test_a_bad_preferences_put_is_refused_and_changes_nothing(users: Users) -> None:
    """Unknown types, values or fields: 422; a body that is no object: 400 or 422; in every
    case the preferences stay as they were."""
    student = await users.signed_in()
    for body in (
        {"forum.post": {"email": "never"}},
        {"course.enrolled": {"email": "hourly"}},
        {"course.enrolled": {"email": "Never"}},
        {"course.enrolled": {"email": None}},
        {"course.enrolled": {"in_app": "yes"}},
        {"course.enrolled": {"in_app": 1}},
        {"course.enrolled": {"in_app": None}},
        {"course.enrolled": {"sms": "never"}},
        {"course.enrolled": "never"},
        {"course.enrolled": None},
        {"course.enrolled": {"email": "never"}, "lesson.addded": {"email": "never"}},
    ):
        await expect_problem(await put_preferences(student, body), 422)
    for shape in ([], ["course.enrolled"], "daily", 3, None):
        answer = await put_preferences(student, shape)
        assert answer.status in (400, 422), await answer.text()
        await expect_problem(answer, answer.status)
    raw = await student.client.put(
        PREFERENCES,
        data=b"{not json",
        headers={**student.csrf_headers(), "Content-Type": "application/json"},
    )
    await expect_problem(raw, 400)
    assert await (await student.client.get(PREFERENCES)).json() == DEFAULT_PREFERENCES


async def test_the_profile_takes_an_iana_time_zone(users: Users) -> None:
    """PATCH /users/me sets `timezone` (UTC by default) to an IANA name; anything else: 422."""
    student = await users.signed_in()
    me = await (await student.client.get("/api/v1/users/me")).json()
    assert me["timezone"] == "UTC" and me["unread_notifications"] == 0
    answer = await student.client.patch(
        "/api/v1/users/me", json={"timezone": "Europe/Paris"}, headers=student.csrf_headers()
    )
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["timezone"] == "Europe/Paris"
    me = await (await student.client.get("/api/v1/users/me")).json()
    assert me["timezone"] == "Europe/Paris"
    for bad in ("Mars/Olympus", "", "Europe/" + "x" * 93, 100, None, ["UTC"], "europe/paris"):
        refused = await student.client.patch(
            "/api/v1/users/me", json={"timezone": bad}, headers=student.csrf_headers()
        )
        await expect_problem(refused, 422)
    me = await (await student.client.get("/api/v1/users/me")).json()
    assert me["timezone"] == "Europe/Paris"


async def test_parallel_preference_changes_leave_one_choice_per_type(users: Users) -> None:
    """Ten parallel PUTs of a type nobody chose before: all 200, one row for it."""
    account = await users.signed_in()
    body = {"lesson.added": {"email": "weekly"}}
    answers = await asyncio.gather(
        *(
            account.client.put(
                "/api/v1/notifications/preferences", json=body, headers=account.csrf_headers()
            )
            for _ in range(10)
        )
    )
    assert [a.status for a in answers] == [200] * 10
    assert await NotificationPreference.filter(user_id=account.id).count() == 1
