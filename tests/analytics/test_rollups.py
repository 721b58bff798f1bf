"""The rollups equal a direct count over the live tables after a seeded random workload
(PostgreSQL + Redis, a real arq worker): enrollments, cancellations and re-enrollments, lesson
completions and reopenings, position-only heartbeats, forum threads and replies, purchases
through the sandbox and admins' refunds, over two free courses and a paid one.

What the live tables cannot tell (how many enrollments were ever made, how often a course
was completed or a lesson flipped: the tables keep only the current state) the workload
counts as it goes, and the test checks that count against the event log first, so that a
wrong expectation shows as such and not as a wrong rollup."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.courses.models import Lesson
from ocp.events.models import LoggedEvent
from ocp.forum.models import Post, Thread
from ocp.learning.models import Enrollment, LessonProgress
from ocp.payments import money
from ocp.payments.models import Order, OrderStatus
from tests.analytics.helpers import catch_up, report
from tests.helpers import Account, Users
from tests.learning.test_flow import make_course
from tests.payments.helpers import checkout, press

RunJobs = Callable[[], Awaitable[int]]
STUDYING = ("active", "completed")
ROUNDED = 4  # completion_rate and completion_share are rounded to 4 places
FORUM_BUDGET = 10  # threads and posts a minute per user (Settings.forum_posts_per_minute)
CHANGES_BUDGET = 30  # enroll and cancel a minute per user
COUNTED = ("enrollment.created", "enrollment.cancelled", "course.completed", "progress.updated")


# --- the direct count over the live tables ------------------------------------------------


def day_start(days_ago: int = 0) -> datetime:
    today = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime.combine(today, time(), UTC)


async def lesson_ids(course_id: int) -> list[int]:
    rows = await Lesson.filter(course_id=course_id).order_by("position", "id").values("id")
    return [int(row["id"]) for row in rows]


async def revenue_of(course_ids: list[int]) -> dict[str, int]:
    """Paid minus refunded per currency: a refunded order was paid, then refunded (0)."""
    amounts: dict[str, int] = {}
    for order in await Order.filter(
        course_id__in=course_ids, status__in=[OrderStatus.PAID, OrderStatus.REFUNDED]
    ):
        paid = order.amount_minor if order.status == OrderStatus.PAID else 0
        amounts[order.currency] = amounts.get(order.currency, 0) + paid
    return amounts


def formatted(amounts: dict[str, int]) -> dict[str, str]:
    return {currency: money.format_minor(n, currency) for currency, n in sorted(amounts.items())}


async def logged(course_ids: list[int]) -> dict[int, Counter[str]]:
    """The event log's count of each type per course."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for row in await LoggedEvent.filter(type__in=COUNTED).values("type", "data"):
        if int(row["data"].get("course_id", 0)) in course_ids:
            counts[int(row["data"]["course_id"])][row["type"]] += 1
    return counts


@dataclass
class Direct:
    """One course's figures counted from the live tables."""

    studying: int
    percents: list[int]
    active_today: set[int]  # enrollment ids
    active_7d: set[int]
    learners_7d: set[int]  # user ids
    revenue: dict[str, int]
    forum_posts: int
    funnel: list[tuple[int, int, int]]  # (lesson id, started, completed)

    @property
    def average_progress(self) -> float:
        return round(sum(self.percents) / self.studying, 1) if self.studying else 0.0


async def direct(course_id: int) -> Direct:
    lessons = await lesson_ids(course_id)
    studying = await Enrollment.filter(course_id=course_id, status__in=STUDYING).values_list(
        "id", flat=True
    )
    rows = await LessonProgress.filter(
        enrollment__course_id=course_id, lesson_id__in=lessons
    ).values("enrollment_id", "enrollment__user_id", "lesson_id", "completed", "last_seen_at")
    done = Counter(row["enrollment_id"] for row in rows if row["completed"])
    percents = [100 * done[e] // len(lessons) if lessons else 0 for e in studying]
    every = await LessonProgress.filter(enrollment__course_id=course_id).values(
        "enrollment_id", "enrollment__user_id", "last_seen_at"
    )
    recent = [row for row in every if row["last_seen_at"] >= day_start(6)]
    threads = await Thread.filter(course_id=course_id).count()
    posts = await Post.filter(thread__course_id=course_id).count()
    funnel = [
        (
            lesson,
            sum(1 for row in rows if row["lesson_id"] == lesson),
            sum(1 for row in rows if row["lesson_id"] == lesson and row["completed"]),
        )
        for lesson in lessons
    ]
    return Direct(
        studying=len(studying),
        percents=percents,
        active_today={r["enrollment_id"] for r in every if r["last_seen_at"] >= day_start()},
        active_7d={row["enrollment_id"] for row in recent},
        learners_7d={row["enrollment__user_id"] for row in recent},
        revenue=await revenue_of([course_id]),
        forum_posts=threads + posts,
        funnel=funnel,
    )


# --- the workload --------------------------------------------------------------------------


@dataclass
class Seat:
    """What the workload knows of one student in one course."""

    status: str | None = None  # None (never enrolled), "studying" or "cancelled"
    done: set[int] = field(default_factory=set)
    completed: bool = False  # the enrollment stands completed (completed_at set)
    order_id: int | None = None  # the order that granted the enrollment


@dataclass
class Expected:
    """Events the workload caused, per course: what the tables forget."""

    counts: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


class Workload:
    def __init__(
        self,
        rng: random.Random,
        run_jobs: RunJobs,
        teacher: Account,
        admin: Account,
        students: list[Account],
        courses: dict[int, list[int]],
        paid: int,
    ) -> None:
        self.rng = rng
        self.run_jobs = run_jobs
        self.teacher = teacher
        self.admin = admin
        self.students = students
        self.courses = courses
        self.paid = paid
        self.seats: dict[tuple[int, int], Seat] = defaultdict(Seat)
        self.expected = Expected()
        self.threads: dict[int, list[int]] = defaultdict(list)
        self.forum_used: Counter[int] = Counter()
        self.changes_used: Counter[int] = Counter()
        self.paid_orders: list[tuple[int, int]] = []  # (order id, student id) not refunded
        self.refunds = 0
        self.log: list[str] = []

    def count(self, course_id: int, type: str) -> None:
        self.expected.counts[course_id][type] += 1

    async def step(self) -> None:
        student = self.rng.choice(self.students)
        course_id = self.rng.choice(list(self.courses))
        seat = self.seats[(student.id, course_id)]
        roll = self.rng.random()
        if seat.status != "studying":
            if course_id != self.paid and roll < 0.8:
                await self.enroll(student, course_id, seat)
            elif course_id == self.paid and roll < 0.5:
                await self.buy(student, course_id, seat)
        elif roll < 0.08:
            await self.cancel(student, course_id, seat)
        elif roll < 0.12 and course_id == self.paid and self.paid_orders:
            await self.refund()
        elif roll < 0.55:
            await self.complete(student, course_id, seat, self.rng.random() < 0.8)
        elif roll < 0.8:
            await self.heartbeat(student, course_id)
        else:
            await self.post(student, course_id)

    async def enroll(self, student: Account, course_id: int, seat: Seat) -> None:
        if self.changes_used[student.id] >= CHANGES_BUDGET:
            return
        self.changes_used[student.id] += 1
        answer = await student.client.post(
            f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
        )
        assert answer.status == 201, f"enrolling {student.id} in {course_id}: {await answer.text()}"
        seat.status = "studying"
        self.count(course_id, "enrollment.created")
        self.log.append(f"enroll {student.id} {course_id}")

    async def cancel(self, student: Account, course_id: int, seat: Seat) -> None:
        if self.changes_used[student.id] >= CHANGES_BUDGET:
            return
        self.changes_used[student.id] += 1
        answer = await student.client.delete(
            f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
        )
        assert answer.status == 204, (
            f"cancelling {student.id} in {course_id}: {await answer.text()}"
        )
        seat.status = "cancelled"
        self.count(course_id, "enrollment.cancelled")
        self.log.append(f"cancel {student.id} {course_id}")

    async def buy(self, student: Account, course_id: int, seat: Seat) -> None:
        order = (await checkout(student, course_id))["order"]
        assert await press(student, order["id"]) == 303
        _ = await self.run_jobs()  # the payment's reaction enrolls the buyer
        enrollment = await Enrollment.get(user_id=student.id, course_id=course_id)
        assert enrollment.status.value in STUDYING, f"bought {order}: {enrollment.status}"
        seat.status, seat.order_id = "studying", int(order["id"])
        self.paid_orders.append((int(order["id"]), student.id))
        self.count(course_id, "enrollment.created")
        self.log.append(f"buy {student.id} {course_id} order {order['id']}")

    async def refund(self) -> None:
        order_id, student_id = self.paid_orders.pop(self.rng.randrange(len(self.paid_orders)))
        answer = await self.admin.client.post(
            f"/api/v1/orders/{order_id}/refund",
            json={"reason": "Refunded by the workload"},
            headers=self.admin.csrf_headers(),
        )
        assert answer.status == 200, f"refunding {order_id}: {await answer.text()}"
        _ = await self.run_jobs()  # the refund's reaction cancels the enrollment it granted
        seat = self.seats[(student_id, self.paid)]
        if seat.status == "studying" and seat.order_id == order_id:
            seat.status = "cancelled"
            self.count(self.paid, "enrollment.cancelled")
        self.refunds += 1
        self.log.append(f"refund {order_id} of {student_id}")

    async def complete(self, student: Account, course_id: int, seat: Seat, done: bool) -> None:
        lessons = self.courses[course_id]
        lesson = self.rng.choice(lessons)
        answer = await student.client.put(
            f"/api/v1/courses/{course_id}/lessons/{lesson}/progress",
            json={"completed": done},
            headers=student.csrf_headers(),
        )
        assert answer.status == 200, f"progress of {student.id}: {await answer.text()}"
        flipped = (lesson in seat.done) != done
        if flipped:
            self.count(course_id, "progress.updated")
            (seat.done.add if done else seat.done.discard)(lesson)
            every = len(seat.done) == len(lessons)
            if every and not seat.completed:
                self.count(course_id, "course.completed")
            seat.completed = every
        self.log.append(f"{'complete' if done else 'reopen'} {student.id} {lesson}")

    async def heartbeat(self, student: Account, course_id: int) -> None:
        lesson = self.rng.choice(self.courses[course_id])
        answer = await student.client.put(
            f"/api/v1/courses/{course_id}/lessons/{lesson}/progress",
            json={"position_seconds": self.rng.randrange(1, 900)},
            headers=student.csrf_headers(),
        )
        assert answer.status == 200, f"heartbeat of {student.id}: {await answer.text()}"
        self.log.append(f"heartbeat {student.id} {lesson}")

    async def post(self, student: Account, course_id: int) -> None:
        author = self.teacher if self.rng.random() < 0.15 else student
        if self.forum_used[author.id] >= FORUM_BUDGET:
            return
        self.forum_used[author.id] += 1
        threads = self.threads[course_id]
        if threads and self.rng.random() < 0.6:
            path, body = f"/api/v1/threads/{self.rng.choice(threads)}/posts", {"body": "<p>Yes</p>"}
        else:
            path, body = f"/api/v1/courses/{course_id}/threads", {"title": "Q", "body": "<p>?</p>"}
        answer = await author.client.post(path, json=body, headers=author.csrf_headers())
        assert answer.status == 201, f"{author.id} posting at {path}: {await answer.text()}"
        if path.endswith("/threads"):
            threads.append(int((await answer.json())["id"]))
        self.log.append(f"post {author.id} {path}")


async def coupon(teacher: Account, course_id: int) -> None:
    answer = await teacher.client.post(
        f"/api/v1/courses/{course_id}/coupons",
        json={"code": "HALF", "percent_off": 50},
        headers=teacher.csrf_headers(),
    )
    assert answer.status == 201, await answer.text()


# --- the comparison --------------------------------------------------------------------------


def check_course(body: dict[str, Any], found: Direct, made: Counter[str], course: str) -> None:
    totals, today = body["totals"], body["daily"][-1]
    enrollments = made["enrollment.created"]
    expected_totals = {
        "enrollments": enrollments,
        "active_enrollments": found.studying,
        "completions": made["course.completed"],
        "completion_rate": round(min(1.0, made["course.completed"] / enrollments), ROUNDED)
        if enrollments
        else 0.0,
        "average_progress": found.average_progress,
        "active_learners_7d": len(found.active_7d),
        "revenue": formatted(found.revenue),
        "forum_posts": found.forum_posts,
    }
    assert totals == expected_totals, f"{course}: the totals (left) differ from the tables"
    expected_today = {
        "date": datetime.now(UTC).date().isoformat(),
        "enrollments": enrollments,
        "cancellations": made["enrollment.cancelled"],
        "completions": made["course.completed"],
        "progress_updates": made["progress.updated"],
        "active_learners": len(found.active_today),
        "revenue": formatted(found.revenue),
        "forum_posts": found.forum_posts,
    }
    assert today == expected_today, f"{course}: today's row (left) differs from the tables"
    quiet = [day for day in body["daily"][:-1] if any(day[k] for k in day if k != "date")]
    assert quiet == [], f"{course}: everything happened today, yet earlier days have figures"
    funnel = [(row["lesson_id"], row["started"], row["completed"]) for row in body["lessons"]]
    assert funnel == found.funnel, f"{course}: the funnel (left) differs from lesson_progress"
    shares = [row["completion_share"] for row in body["lessons"]]
    wanted = [round(done / enrollments, ROUNDED) if enrollments else 0.0 for *_, done in funnel]
    assert shares == wanted, f"{course}: completion_share is completed / totals.enrollments"


async def check_against_the_log(expected: Expected, course_ids: list[int]) -> None:
    """The workload's own count of events equals the event log's (else the test is wrong)."""
    counted = await logged(course_ids)
    for course_id in course_ids:
        mine = {k: v for k, v in expected.counts[course_id].items() if v}
        theirs = {k: v for k, v in counted[course_id].items() if v}
        assert mine == theirs, f"course {course_id}: the workload expected {mine}, the log has"


@pytest.mark.parametrize("seed", [7, 1818, 424242])
async def test_a_random_workload_leaves_rollups_equal_to_a_direct_count(
    client: TestClient, users: Users, run_jobs: RunJobs, seed: int
) -> None:
    rng = random.Random(seed)
    teacher = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    courses: dict[int, list[int]] = {}
    for lessons in (4, 3):
        course_id, ids = await make_course(teacher, lessons=lessons)
        courses[course_id] = ids
    paid, paid_lessons = await make_course(teacher, lessons=3, price="19.99")
    courses[paid] = paid_lessons
    await coupon(teacher, paid)
    students = [await users.signed_in() for _ in range(8)]
    work = Workload(rng, run_jobs, teacher, admin, students, courses, paid)
    for _ in range(260):
        await work.step()
    # A few buyers use the coupon: revenue sums orders of different amounts.
    for student in students[:2]:
        seat = work.seats[(student.id, paid)]
        if seat.status != "studying":
            order = (await checkout(student, paid, coupon="HALF"))["order"]
            assert order["amount"] == "9.99", (
                f"half of 19.99, the discount rounded half up: {order}"
            )
            assert await press(student, order["id"]) == 303
            _ = await run_jobs()
            seat.status, seat.order_id = "studying", int(order["id"])
            work.count(paid, "enrollment.created")
            work.paid_orders.append((int(order["id"]), student.id))
    if not work.refunds:
        await work.refund()
    _ = await run_jobs()
    _ = await catch_up(client.server.app)
    ids = list(courses)
    await check_against_the_log(work.expected, ids)
    for course_id in ids:
        body = await report(teacher, course_id)
        found = await direct(course_id)
        check_course(body, found, work.expected.counts[course_id], f"seed {seed} {course_id}")
    await check_platform(admin, ids, work.expected)


async def check_platform(admin: Account, course_ids: list[int], expected: Expected) -> None:
    answer = await admin.client.get("/api/v1/admin/analytics")
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    found = {course_id: await direct(course_id) for course_id in course_ids}
    made: Counter[str] = Counter()
    for course_id in course_ids:
        made.update(expected.counts[course_id])
    studying = sum(f.studying for f in found.values())
    progress = sum(sum(f.percents) for f in found.values())
    enrollments = made["enrollment.created"]
    assert body["totals"] == {
        "enrollments": enrollments,
        "active_enrollments": studying,
        "completions": made["course.completed"],
        "completion_rate": round(min(1.0, made["course.completed"] / enrollments), ROUNDED),
        "average_progress": round(progress / studying, 1) if studying else 0.0,
        "active_learners_7d": len(set().union(*(f.learners_7d for f in found.values()))),
        "revenue": formatted(await revenue_of(course_ids)),
        "forum_posts": sum(f.forum_posts for f in found.values()),
    }, "the platform's totals (left) differ from the tables"
    today = body["daily"][-1]
    assert (today["enrollments"], today["cancellations"], today["progress_updates"]) == (
        enrollments,
        made["enrollment.cancelled"],
        made["progress.updated"],
    ), today
    # today["active_learners"] of the platform: tests/analytics/test_api.py (two courses).
    top = [(row["course_id"], row["enrollments"]) for row in body["top_courses"]["by_enrollments"]]
    ranked = sorted(
        ((c, expected.counts[c]["enrollment.created"]) for c in course_ids),
        key=lambda item: (-item[1], item[0]),
    )
    assert all(n for _, n in ranked), f"every course should have had enrollments: {ranked}"
    assert top == ranked, f"top courses by enrollments {top} should be {ranked}"


# --- lessons added and removed ------------------------------------------------------------


async def put_progress(student: Account, course_id: int, lesson: int, body: dict[str, Any]) -> None:
    answer = await student.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lesson}/progress",
        json=body,
        headers=student.csrf_headers(),
    )
    assert answer.status == 200, await answer.text()


async def enrollment_change(student: Account, course_id: int, method: str, status: int) -> None:
    answer = await student.client.request(
        method, f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
    )
    assert answer.status == status, await answer.text()


async def test_lessons_added_and_removed_move_average_progress_once_recalculated(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    """A lesson added after students progressed lowers their percents once learning's
    reaction recounted them (``enrollment.recalculated``) and the consumer caught up; one
    re-enrolling later is recounted then; removing the lesson restores them, and the student
    who had every other lesson done completes the course a second time."""
    app = client.server.app
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2)
    full, half, idle, leaver = [await users.signed_in() for _ in range(4)]
    for student in (full, half, idle, leaver):
        await enrollment_change(student, course_id, "POST", 201)
    for lesson in lessons:
        await put_progress(full, course_id, lesson, {"completed": True})
    await put_progress(half, course_id, lessons[0], {"completed": True})
    await put_progress(idle, course_id, lessons[1], {"position_seconds": 40})
    await put_progress(leaver, course_id, lessons[0], {"completed": True})
    await enrollment_change(leaver, course_id, "DELETE", 204)
    _ = await run_jobs()
    _ = await catch_up(app)
    before = (await report(teacher, course_id))["totals"]
    assert before["average_progress"] == 50.0 == (await direct(course_id)).average_progress, (
        f"100, 50 and 0 percent average 50: {before}"
    )

    added = await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"title": "A late lesson"},
        headers=teacher.csrf_headers(),
    )
    assert added.status == 201, await added.text()
    late = int((await added.json())["id"])
    _ = await catch_up(app)
    stale = (await report(teacher, course_id))["totals"]
    assert stale["average_progress"] == 50.0, (
        f"before learning's reaction ran, nothing recounted the percents: {stale}"
    )
    _ = await run_jobs()
    _ = await catch_up(app)
    found = await direct(course_id)
    assert sorted(found.percents) == [0, 33, 66], found.percents
    totals = (await report(teacher, course_id))["totals"]
    assert totals["average_progress"] == found.average_progress == 33.0, totals
    assert (totals["active_enrollments"], totals["completions"]) == (3, 1), totals

    await enrollment_change(leaver, course_id, "POST", 201)
    _ = await run_jobs()
    _ = await catch_up(app)
    found = await direct(course_id)
    assert sorted(found.percents) == [0, 33, 33, 66], found.percents
    totals = (await report(teacher, course_id))["totals"]
    assert totals["average_progress"] == found.average_progress, totals
    assert totals["active_enrollments"] == 4 and totals["enrollments"] == 5, totals

    removed = await teacher.client.delete(
        f"/api/v1/courses/{course_id}/lessons/{late}", headers=teacher.csrf_headers()
    )
    assert removed.status == 204, await removed.text()
    _ = await run_jobs()
    _ = await catch_up(app)
    found = await direct(course_id)
    assert sorted(found.percents) == [0, 50, 50, 100], found.percents
    body = await report(teacher, course_id)
    totals = body["totals"]
    assert totals["average_progress"] == found.average_progress == 50.0, totals
    completed = (await logged([course_id]))[course_id]["course.completed"]
    assert totals["completions"] == completed == 2, (
        f"{full.id} completed, the late lesson reopened it, its removal completed it again: "
        f"{totals}, {completed} in the log"
    )
    funnel = [(row["lesson_id"], row["started"], row["completed"]) for row in body["lessons"]]
    assert funnel == found.funnel, funnel


async def test_parallel_progress_counts_each_flip_and_first_visit_once(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    """Five students complete six lessons all at once, each completion sent twice at once;
    then heartbeats on every lesson and reopenings of two lessons, all at once: every flip
    counted once, every lesson started once per student, the percents those the tables
    hold."""
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=6)
    students = [await users.signed_in() for _ in range(5)]
    for student in students:
        await enrollment_change(student, course_id, "POST", 201)
    await asyncio.gather(
        *(
            put_progress(student, course_id, lesson, body)
            for student in students
            for lesson in lessons
            for body in ({"completed": True}, {"completed": True})
        )
    )
    await asyncio.gather(
        *(
            put_progress(student, course_id, lesson, {"position_seconds": 12})
            for student in students
            for lesson in lessons
        ),
        *(
            put_progress(student, course_id, lesson, {"completed": False})
            for student in students[:3]
            for lesson in lessons[:2]
        ),
    )
    _ = await run_jobs()
    _ = await catch_up(client.server.app)
    made: Counter[str] = Counter(
        {
            "enrollment.created": 5,
            "course.completed": 5,
            "progress.updated": 5 * 6 + 3 * 2,
        }
    )
    expected = Expected()
    expected.counts[course_id] = made
    await check_against_the_log(expected, [course_id])
    found = await direct(course_id)
    assert sorted(found.percents) == [66, 66, 66, 100, 100], found.percents
    check_course(await report(teacher, course_id), found, made, "parallel progress")


async def test_the_consumer_running_alongside_the_workload_counts_the_same(
    client: TestClient, users: Users, run_jobs: RunJobs
) -> None:
    """Ten students enroll, complete a lesson, cancel, re-enroll and complete another, all at
    once, while consumer passes run all along: the passes see commits in their order, not
    the order of ids, and the figures end equal to the tables."""
    app = client.server.app
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=3)
    students = [await users.signed_in() for _ in range(10)]
    stop = asyncio.Event()

    async def passes() -> int:
        count = 0
        while not stop.is_set():
            count += 1 if await catch_up(app) else 0
            await asyncio.sleep(0)
        return count

    async def student_path(student: Account) -> None:
        await enrollment_change(student, course_id, "POST", 201)
        await put_progress(student, course_id, lessons[0], {"completed": True})
        await enrollment_change(student, course_id, "DELETE", 204)
        await enrollment_change(student, course_id, "POST", 201)
        await put_progress(student, course_id, lessons[1], {"completed": True})

    consumer = asyncio.ensure_future(passes())
    await asyncio.gather(*(student_path(student) for student in students))
    stop.set()
    assert await consumer > 1, "the consumer should have read events while students acted"
    _ = await run_jobs()
    _ = await catch_up(app)
    made: Counter[str] = Counter(
        {"enrollment.created": 20, "enrollment.cancelled": 10, "progress.updated": 20}
    )
    expected = Expected()
    expected.counts[course_id] = made
    await check_against_the_log(expected, [course_id])
    found = await direct(course_id)
    assert found.percents == [66] * 10, found.percents
    check_course(await report(teacher, course_id), found, made, "alongside the consumer")


async def test_first_visits_racing_completions_never_answer_500(
    client: TestClient, users: Users
) -> None:
    """Five students each send, at once, a completion and a heartbeat for each of six new
    lessons, in up to 30 fresh courses: every answer is 200."""
    teacher = await users.signed_in("instructor")
    students = [await users.signed_in() for _ in range(5)]
    for _ in range(30):
        course_id, lessons = await make_course(teacher, lessons=6)
        for student in students:
            await enrollment_change(student, course_id, "POST", 201)
        answers = await asyncio.gather(
            *(
                student.client.put(
                    f"/api/v1/courses/{course_id}/lessons/{lesson}/progress",
                    json=body,
                    headers=student.csrf_headers(),
                )
                for student in students
                for lesson in lessons
                for body in ({"completed": True}, {"position_seconds": 12})
            )
        )
        failed = [await answer.text() for answer in answers if answer.status != 200]
        assert not failed, f"parallel first visits answered: {failed[:2]}"
