"""The analytics API (PostgreSQL + Redis): who may read which report, the range, CSV, the
platform's top courses, and ``analytics.updated`` over the real WebSocket with its
once-a-second throttle."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS, EVENTS
from ocp.config import Settings
from ocp.events.models import LoggedEvent
from tests.analytics.helpers import catch_up, report
from tests.forum.helpers import enroll, start_thread
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course
from tests.payments.helpers import checkout, press

RunJobs = Callable[[], Awaitable[int]]
WS = "/api/v1/ws"
COUNTS = [
    "enrollments",
    "cancellations",
    "completions",
    "progress_updates",
    "active_learners",
    "forum_posts",
]
# The throttle lets a course's push through once a second (a Redis key living 1000 ms, set
# before the totals are read and sent): two frames' stream ids (the Redis server's
# milliseconds at publishing) are at least a second apart, less the time one push took to
# read its totals. 200 ms is far more than that read, far less than a second.
EVERY_MS = 1000
READ_SLACK_MS = 200


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """More accounts from one address than the default 20 an hour: one test has 22."""
    return dataclasses.replace(settings, register_max_per_address=100)


def today() -> datetime:
    return datetime.now(UTC)


def day(days_ago: int) -> str:
    return (today().date() - timedelta(days=days_ago)).isoformat()


async def priced_course(teacher: Account, price: str, currency: str) -> int:
    """A published paid course in ``currency`` with one lesson."""
    h = teacher.csrf_headers()
    made = await teacher.client.post(
        "/api/v1/courses",
        json={"title": f"Paid in {currency}", "price": price, "currency": currency},
        headers=h,
    )
    assert made.status == 201, await made.text()
    course_id = int((await made.json())["id"])
    lesson = await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons", json={"title": "One"}, headers=h
    )
    assert lesson.status == 201, await lesson.text()
    published = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": "published"}, headers=h
    )
    assert published.status == 200, await published.text()
    return course_id


async def buy(buyer: Account, course_id: int) -> int:
    order = (await checkout(buyer, course_id))["order"]
    assert await press(buyer, order["id"]) == 303
    return int(order["id"])


async def refund(admin: Account, order_id: int) -> None:
    answer = await admin.client.post(
        f"/api/v1/orders/{order_id}/refund",
        json={"reason": "Refunded by the test"},
        headers=admin.csrf_headers(),
    )
    assert answer.status == 200, await answer.text()


async def backdate(course_id: int, days: int) -> int:
    """Move the course's logged events ``days`` back, before the consumer reads them: as if
    they had happened then. How many were moved."""
    moved = 0
    for row in await LoggedEvent.all().values("id", "data", "occurred_at"):
        if row["data"].get("course_id") == course_id:
            when = row["occurred_at"] - timedelta(days=days)
            moved += await LoggedEvent.filter(id=row["id"]).update(occurred_at=when)
    return moved


# --- rights ------------------------------------------------------------------------------


async def test_a_course_report_is_for_its_instructor_and_admins(
    client: TestClient, users: Users
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    path = f"/api/v1/courses/{course_id}/analytics"
    await expect_problem(await client.get(path), 401)
    student = await users.signed_in()
    await enroll(student, course_id)
    await expect_problem(await student.client.get(path), 403)
    stranger = await users.signed_in("instructor")
    await expect_problem(await stranger.client.get(path), 403)
    admin = await users.signed_in("admin")
    for account, who in ((teacher, "its instructor"), (admin, "an admin")):
        answer = await account.client.get(path)
        assert answer.status == 200, f"{who}: {await answer.text()}"
        assert (await answer.json())["course_id"] == course_id
    for unknown in (course_id + 1000, 2**31 - 1):
        await expect_problem(await admin.client.get(f"/api/v1/courses/{unknown}/analytics"), 404)
        await expect_problem(await teacher.client.get(f"/api/v1/courses/{unknown}/analytics"), 404)


async def test_the_platform_report_is_for_admins_only(client: TestClient, users: Users) -> None:
    path = "/api/v1/admin/analytics"
    await expect_problem(await client.get(path), 401)
    for role in ("student", "instructor"):
        account = await users.signed_in(role)
        await expect_problem(await account.client.get(path), 403)
    admin = await users.signed_in("admin")
    assert (await admin.client.get(path)).status == 200


async def test_watchable_courses_are_an_instructors_own_and_every_one_for_admins(
    client: TestClient, users: Users
) -> None:
    path = "/api/v1/analytics/courses"
    teacher = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    mine = [(await make_course(teacher, lessons=1))[0] for _ in range(2)]
    draft = await teacher.client.post(
        "/api/v1/courses", json={"title": "Draft"}, headers=teacher.csrf_headers()
    )
    mine.append(int((await draft.json())["id"]))
    theirs, _ = await make_course(other, lessons=1)
    listed = await (await teacher.client.get(path)).json()
    assert [row["id"] for row in listed] == sorted(mine, reverse=True), (
        f"the instructor's own courses, drafts too, newest first: {listed}"
    )
    assert {row["status"] for row in listed} == {"published", "draft"}, listed
    admin = await users.signed_in("admin")
    every = [row["id"] for row in await (await admin.client.get(path)).json()]
    assert sorted(every) == sorted([*mine, theirs]), every
    await expect_problem(await client.get(path), 401)
    student = await users.signed_in()
    await expect_problem(await student.client.get(path), 403)


# --- the range ------------------------------------------------------------------------------


async def test_the_range_defaults_to_30_days_and_follows_from_and_to(
    client: TestClient, users: Users
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    body = await report(teacher, course_id)
    dates = [row["date"] for row in body["daily"]]
    assert dates == [day(n) for n in range(29, -1, -1)], dates
    assert (body["from"], body["to"]) == (day(29), day(0)), body
    body = await report(teacher, course_id, f"?from={day(9)}&to={day(3)}")
    assert [row["date"] for row in body["daily"]] == [day(n) for n in range(9, 2, -1)]
    body = await report(teacher, course_id, f"?to={day(100)}")
    assert [row["date"] for row in body["daily"]] == [day(n) for n in range(129, 99, -1)], (
        "`to` alone: the 30 days up to it"
    )
    body = await report(teacher, course_id, f"?from={day(365)}&to={day(0)}")
    assert len(body["daily"]) == 366, "366 days is the longest range"
    one = await report(teacher, course_id, f"?from={day(0)}&to={day(0)}&format=json")
    assert len(one["daily"]) == 1, one


async def test_bad_ranges_and_parameters_are_422(client: TestClient, users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    admin = await users.signed_in("admin")
    bad = [
        f"?from={day(3)}&to={day(4)}",  # from after to
        f"?from={day(366)}&to={day(0)}",  # 367 days
        "?from=2026-13-01",
        "?to=2026-02-30",
        "?from=yesterday",
        "?from=03/12/2026",
        "?to=",
        "?from=2026-12-03T00:00:00",
        "?format=xml",
        "?format=CSV",
        "?days=7",
        "?course_id=1",
        f"?from={day(3)}&from={day(2)}",
    ]
    for query in bad:
        for account, path in (
            (teacher, f"/api/v1/courses/{course_id}/analytics"),
            (admin, "/api/v1/admin/analytics"),
        ):
            problem = await expect_problem(await account.client.get(path + query), 422)
            assert problem.get("errors"), f"{path}{query}: which field is wrong? {problem}"


async def test_from_alone_far_back_is_held_to_366_days(client: TestClient, users: Users) -> None:
    """`from` alone means up to today: a range of years must be refused like any other."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    answer = await teacher.client.get(f"/api/v1/courses/{course_id}/analytics?from={day(400)}")
    await expect_problem(answer, 422)
    answer = await teacher.client.get(f"/api/v1/courses/{course_id}/analytics?from=0001-01-01")
    await expect_problem(answer, 422)


async def test_from_alone_after_today_is_422(client: TestClient, users: Users) -> None:
    """`to` defaults to today, so a `from` in the future is after `to`."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    answer = await teacher.client.get(f"/api/v1/courses/{course_id}/analytics?from={day(-5)}")
    await expect_problem(answer, 422)


# --- CSV and the platform's top courses ------------------------------------------------------


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def csv_of(account: Account, path: str) -> tuple[list[str], list[dict[str, str]]]:
    answer = await account.client.get(path)
    assert answer.status == 200, await answer.text()
    assert answer.content_type == "text/csv", answer.content_type
    assert "attachment" in answer.headers.get("Content-Disposition", ""), answer.headers
    text = await answer.text()
    header = text.splitlines()[0].split(",")
    return header, rows_of(text)


async def test_csv_and_the_platform_report_count_what_happened_in_the_range(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    """Three students enrolled 40 days ago in a free course, a USD course bought 40 days ago
    and refunded today, a EUR course bought today: the ranges, the CSV rows and revenue
    columns, and the top courses follow the days the events happened."""
    app = client.server.app
    teacher = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    old, _ = await make_course(teacher, lessons=1)
    usd = await priced_course(teacher, "19.99", "USD")
    eur = await priced_course(teacher, "25.00", "EUR")
    for _ in range(3):
        await enroll(await users.signed_in(), old)
    early, late = await users.signed_in(), await users.signed_in()
    order = await buy(early, usd)
    assert await app[EVENTS].publish_pending() >= 0
    moved_old, moved_usd = await backdate(old, 40), await backdate(usd, 40)
    assert moved_old >= 3 and moved_usd >= 1, (moved_old, moved_usd)
    _ = await run_jobs()  # the purchase's enrollment: today
    await refund(admin, order)
    _ = await buy(late, eur)
    _ = await run_jobs()
    _ = await catch_up(app)

    header, rows = await csv_of(teacher, f"/api/v1/courses/{usd}/analytics?format=csv")
    assert header == ["date", *COUNTS, "revenue_USD"], header
    assert [row["date"] for row in rows] == [day(n) for n in range(29, -1, -1)]
    body = await report(teacher, usd)
    for row, json_day in zip(rows, body["daily"], strict=True):
        assert {k: int(row[k]) for k in COUNTS} == {k: json_day[k] for k in COUNTS}, row
    assert rows[-1]["revenue_USD"] == "-19.99", "refunded today, paid 40 days ago"
    assert {row["revenue_USD"] for row in rows[:-1]} == {"0.00"}, rows
    assert (rows[-1]["enrollments"], rows[-1]["cancellations"]) == ("1", "1"), rows[-1]
    assert body["totals"]["revenue"] == {"USD": "0.00"}, body["totals"]

    path = f"/api/v1/courses/{usd}/analytics?format=csv&from={day(45)}&to={day(0)}"
    header, rows = await csv_of(teacher, path)
    assert len(rows) == 46, "one row per day of the range"
    paid = {row["date"]: row["revenue_USD"] for row in rows if row["revenue_USD"] != "0.00"}
    assert paid == {day(40): "19.99", day(0): "-19.99"}, paid

    header, rows = await csv_of(admin, "/api/v1/admin/analytics?format=csv")
    assert header == ["date", *COUNTS, "revenue_EUR", "revenue_USD"], header
    assert (rows[-1]["revenue_EUR"], rows[-1]["revenue_USD"]) == ("25.00", "-19.99"), rows[-1]
    assert rows[-1]["enrollments"] == "2", "the two purchases' enrollments are today's"
    header, rows = await csv_of(admin, f"/api/v1/admin/analytics?format=csv&from={day(45)}")
    assert sum(int(row["enrollments"]) for row in rows) == 5, rows
    await expect_problem(await admin.client.get("/api/v1/admin/analytics?format=xml"), 422)

    platform = await (await admin.client.get("/api/v1/admin/analytics")).json()
    top = platform["top_courses"]
    assert [(r["course_id"], r["enrollments"]) for r in top["by_enrollments"]] == [
        (usd, 1),
        (eur, 1),
    ], f"the old course's enrollments are outside the last 30 days: {top}"
    revenue = {
        currency: [(r["course_id"], r["revenue"]) for r in rows]
        for currency, rows in top["by_revenue"].items()
    }
    assert revenue == {"EUR": [(eur, "25.00")], "USD": [(usd, "-19.99")]}, revenue
    assert platform["totals"]["revenue"] == {"EUR": "25.00", "USD": "0.00"}, platform["totals"]
    assert platform["totals"]["enrollments"] == 5, platform["totals"]

    wide = await (await admin.client.get(f"/api/v1/admin/analytics?from={day(45)}")).json()
    top = wide["top_courses"]
    assert [(r["course_id"], r["enrollments"]) for r in top["by_enrollments"]] == [
        (old, 3),
        (usd, 1),
        (eur, 1),
    ], top
    assert top["by_revenue"]["USD"] == [
        {"course_id": usd, "title": "Paid in USD", "revenue": "0.00"}
    ], top["by_revenue"]


async def test_top_courses_are_ten_by_enrollments_ties_by_id(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    """Twelve courses with 0 to 3 enrollments today: the ten with the most, ties by id."""
    teacher = await users.signed_in("instructor")
    students = [await users.signed_in() for _ in range(3)]
    counts: dict[int, int] = {}
    for n in range(12):
        course_id, _ = await make_course(teacher, lessons=1)
        counts[course_id] = n % 4
        for student in students[: n % 4]:
            await enroll(student, course_id)
    _ = await catch_up(client.server.app)
    admin = await users.signed_in("admin")
    body = await (await admin.client.get("/api/v1/admin/analytics")).json()
    top = [(r["course_id"], r["enrollments"]) for r in body["top_courses"]["by_enrollments"]]
    ranked = sorted(((c, n) for c, n in counts.items() if n), key=lambda i: (-i[1], i[0]))
    assert top == ranked[:10], f"{top} should be {ranked[:10]}"


async def test_a_student_active_in_two_courses_is_one_active_learner_of_the_platforms_day(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    student = await users.signed_in()
    for _ in range(2):
        course_id, lessons = await make_course(teacher, lessons=1)
        await enroll(student, course_id)
        answer = await student.client.put(
            f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress",
            json={"position_seconds": 5},
            headers=student.csrf_headers(),
        )
        assert answer.status == 200, await answer.text()
    _ = await run_jobs()
    _ = await catch_up(client.server.app)
    admin = await users.signed_in("admin")
    body = await (await admin.client.get("/api/v1/admin/analytics")).json()
    assert body["totals"]["active_learners_7d"] == 1, body["totals"]
    assert body["daily"][-1]["active_learners"] == 1, (
        f"one student was active today, in two courses: {body['daily'][-1]}"
    )


# --- analytics.updated -----------------------------------------------------------------------


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    return dict(await asyncio.wait_for(ws.receive_json(), 5))


async def listen(account: Account, channel: str) -> aiohttp.ClientWebSocketResponse:
    ws = await account.client.ws_connect(WS)
    for wanted in (f"user:{account.id}", channel):
        await ws.send_json({"op": "subscribe", "channel": wanted})
        answer = await frame(ws)
        assert answer == {"op": "subscribed", "channel": wanted, "reset": False}, answer
    return ws


async def updates(
    app: Any,
    ws: aiohttp.ClientWebSocketResponse,
    account: Account,
    until: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """The ``analytics.updated`` frames received: up to one that ``until`` accepts (5 s at
    most each), then any more that arrive before a marker published then on the account's
    own channel. (The marker alone could overtake a frame of another channel: each channel
    is a stream of its own.)"""
    got: list[dict[str, Any]] = []
    while until is not None and not (got and until(got[-1])):
        answer = await frame(ws)
        if answer.get("type") == "analytics.updated":
            got.append(answer)
    marker = await app[BUS].publish(f"user:{account.id}", "test.marker", {})
    while True:
        answer = await frame(ws)
        if answer.get("id") == marker.id:
            return got
        if answer.get("type") == "analytics.updated":
            got.append(answer)


def gaps_ms(frames: list[dict[str, Any]]) -> list[int]:
    stamps = [int(str(f["id"]).split("-")[0]) for f in frames]
    return [later - earlier for earlier, later in itertools.pairwise(stamps)]


async def test_analytics_updated_carries_the_final_totals_at_most_once_a_second(
    client: TestClient, users: Users
) -> None:
    """Twenty enrollments, each followed at once by a consumer pass, then a pass after a
    second: the course's and the platform's frames are over a second apart, fewer than the
    passes, and the last ones carry the final totals."""
    app = client.server.app
    teacher = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    course_id, _ = await make_course(teacher, lessons=1)
    students = [await users.signed_in() for _ in range(20)]
    watching = await listen(teacher, f"course:{course_id}")
    platform = await listen(admin, "admin")
    passes = 0
    for student in students:
        await enroll(student, course_id)
        passes += 1 if await catch_up(app) else 0
    await asyncio.sleep(1.1)  # the throttle's key expires: the held-back push goes now
    _ = await catch_up(app)
    assert passes == 20, "each enrollment's pass read its events"

    def twenty(got: dict[str, Any]) -> bool:
        return bool(got["data"]["totals"]["enrollments"] == 20)

    course_frames = await updates(app, watching, teacher, twenty)
    admin_frames = await updates(app, platform, admin, twenty)

    final = (await report(teacher, course_id))["totals"]
    assert final["enrollments"] == 20 == final["active_enrollments"], final
    assert course_frames, "no analytics.updated on the course's channel"
    assert {f["channel"] for f in course_frames} == {f"course:{course_id}"}, course_frames
    assert course_frames[-1]["data"] == {"course_id": course_id, "totals": final}, (
        f"the last frame should carry the final totals: {course_frames[-1]}"
    )
    assert len(course_frames) < passes, f"{len(course_frames)} pushes for {passes} passes"
    close = [gap for gap in gaps_ms(course_frames) if gap < EVERY_MS - READ_SLACK_MS]
    assert not close, f"frames for the course {close} ms apart: {gaps_ms(course_frames)}"

    assert admin_frames, "no analytics.updated on admin"
    platform_totals = (await (await admin.client.get("/api/v1/admin/analytics")).json())["totals"]
    assert admin_frames[-1]["data"] == {"totals": platform_totals}, admin_frames[-1]
    close = [gap for gap in gaps_ms(admin_frames) if gap < EVERY_MS - READ_SLACK_MS]
    assert not close, f"platform frames {close} ms apart: {gaps_ms(admin_frames)}"
    await watching.close()
    await platform.close()


async def test_a_quiet_course_gets_no_frames_and_a_student_may_not_listen(
    client: TestClient, users: Users
) -> None:
    """A pass that changes one course pushes nothing to another's channel; a student cannot
    subscribe to a course's channel, where the totals travel."""
    app = client.server.app
    teacher = await users.signed_in("instructor")
    busy, _ = await make_course(teacher, lessons=1)
    quiet, _ = await make_course(teacher, lessons=1)
    ws = await listen(teacher, f"course:{quiet}")
    student = await users.signed_in()
    await enroll(student, busy)
    await asyncio.sleep(1.1)  # past any earlier test's push of a course with this id
    _ = await catch_up(app)
    assert await updates(app, ws, teacher) == [], "the quiet course got analytics.updated"
    await start_thread(student, busy)
    own = await student.client.ws_connect(WS)
    await own.send_json({"op": "subscribe", "channel": f"course:{busy}"})
    answer = await frame(own)
    assert (answer["op"], answer.get("code")) == ("error", "forbidden"), answer
    await own.close()
    await ws.close()


async def test_ranges_at_the_ends_of_the_calendar_are_not_a_server_error(
    client: TestClient, users: Users
) -> None:
    """Schema-valid dates at the calendar's ends: an answer, or a 422, never a 500."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    path = f"/api/v1/courses/{course_id}/analytics"
    for query in ("?to=9999-12-31", "?to=0001-01-05", "?from=9999-12-30&to=9999-12-31"):
        answer = await teacher.client.get(path + query)
        assert answer.status in (200, 422), f"{query}: {answer.status} {await answer.text()}"
