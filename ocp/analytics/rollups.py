"""The analytics consumer: domain events, a batch at a time, into the rollup tables.

Each batch is applied in the transaction that moves the consumer's cursor
(``ocp/events/consumers.py``), so every event counts exactly once. Days are UTC days of
``occurred_at``. What each figure counts is in README's Analytics section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from ocp.analytics.models import EnrollmentFigure, LearnerFigure
from ocp.events.reactions import DomainEvent
from ocp.jobs import JobContext
from ocp.payments import money

ACTIVITY = ("progress.updated", "lesson.started", "learner.active")
EVENT_TYPES = (
    "enrollment.created",
    "enrollment.cancelled",
    "enrollment.recalculated",
    "course.completed",
    *ACTIVITY,
    "order.paid",
    "order.refunded",
    "thread.created",
    "post.created",
)
DAY_FIELDS = (
    "enrollments",
    "cancellations",
    "completions",
    "progress_updates",
    "active_learners",
    "forum_posts",
)
TOTAL_FIELDS = ("enrollments", "active_enrollments", "completions", "progress_sum", "forum_posts")


def day_of(event: DomainEvent) -> date:
    return datetime.fromisoformat(event.occurred_at).astimezone(UTC).date()


class Batch:
    """The changes one batch of events makes, gathered before they are written."""

    def __init__(self, figures: dict[int, EnrollmentFigure], learners: dict[int, date]) -> None:
        self.figures = figures
        self.learners = learners  # user id -> last active day, on the platform
        self.learners_changed: set[int] = set()
        self.platform_days: dict[date, int] = defaultdict(int)
        self.changed: set[int] = set()  # enrollment ids whose figure changed
        self.days: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.revenue: dict[tuple[int, date, str], int] = defaultdict(int)
        self.lessons: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def figure(self, event: DomainEvent, *, studying: bool = True) -> EnrollmentFigure:
        """The enrollment's figure; one it never saw (made before analytics counted) starts
        from this event, studying unless the event ends it."""
        data = event.data
        enrollment_id = int(data["enrollment_id"])
        found = self.figures.get(enrollment_id)
        if found is None:
            course_id = int(data["course_id"])
            found = EnrollmentFigure(
                enrollment_id=enrollment_id,
                course_id=course_id,
                user_id=int(data["user_id"]),
                percent=0,
                studying=studying,
            )
            self.figures[enrollment_id] = found
            if studying:
                self.totals[course_id]["active_enrollments"] += 1
        self.changed.add(enrollment_id)
        return found

    def set_studying(self, figure: EnrollmentFigure, studying: bool) -> None:
        if figure.studying == studying:
            return
        sign = 1 if studying else -1
        self.totals[figure.course_id]["active_enrollments"] += sign
        self.totals[figure.course_id]["progress_sum"] += sign * figure.percent
        figure.studying = studying

    def set_percent(self, figure: EnrollmentFigure, percent: int) -> None:
        if figure.studying:
            self.totals[figure.course_id]["progress_sum"] += percent - figure.percent
        figure.percent = percent

    def active(self, figure: EnrollmentFigure, day: date) -> None:
        """The student recorded progress on ``day``: counted once per course and day."""
        if figure.last_active_day is None or figure.last_active_day < day:
            self.days[(figure.course_id, day)]["active_learners"] += 1
            figure.last_active_day = day
        last = self.learners.get(figure.user_id)
        if last is None or last < day:
            self.platform_days[day] += 1
            self.learners[figure.user_id] = day
            self.learners_changed.add(figure.user_id)

    def apply(self, event: DomainEvent) -> None:
        data, day = event.data, day_of(event)
        course_id = int(data["course_id"])
        count = self.days[(course_id, day)]
        totals = self.totals[course_id]
        match event.type:
            case "enrollment.created":
                count["enrollments"] += 1
                totals["enrollments"] += 1
                self.set_studying(self.figure(event, studying=False), True)
            case "enrollment.cancelled":
                count["cancellations"] += 1
                self.set_studying(self.figure(event, studying=False), False)
            case "enrollment.recalculated":
                self.set_percent(self.figure(event), int(data["percent"]))
            case "course.completed":
                count["completions"] += 1
                totals["completions"] += 1
            case "progress.updated":
                count["progress_updates"] += 1
                figure = self.figure(event)
                self.set_percent(figure, int(data["percent"]))
                self.active(figure, day)
                if "completed" in data:  # recorded before the funnel existed: no direction
                    lesson = self.lessons[(course_id, int(data["lesson_id"]))]
                    lesson["completed"] += 1 if data["completed"] else -1
            case "lesson.started":
                self.lessons[(course_id, int(data["lesson_id"]))]["started"] += 1
                self.active(self.figure(event), day)
            case "learner.active":
                self.active(self.figure(event), day)
            case "order.paid" | "order.refunded":
                minor = _minor(data)
                if minor is not None:
                    sign = 1 if event.type == "order.paid" else -1
                    self.revenue[(course_id, day, str(data["currency"]))] += sign * minor
            case "thread.created" | "post.created":
                count["forum_posts"] += 1
                totals["forum_posts"] += 1


def _minor(data: dict[str, Any]) -> int | None:
    try:
        return money.to_minor(Decimal(str(data["amount"])), str(data["currency"]))
    except (InvalidOperation, KeyError, ValueError):
        return None


class Sql:
    """Statements for this connection's dialect: numbered placeholders in order."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.postgres = conn.capabilities.dialect == "postgres"

    def marks(self, start: int, count: int) -> str:
        sign = "$" if self.postgres else "?"
        return ", ".join(f"{sign}{n}" for n in range(start, start + count))


async def _add(
    conn: BaseDBAsyncClient,
    table: str,
    keys: Sequence[str],
    rows: Iterable[tuple[tuple[Any, ...], dict[str, int]]],
    *,
    counters: Sequence[str],
    unique: Sequence[str] | None = None,
) -> None:
    """Add the deltas to the rows of ``table`` keyed by ``keys`` (made when missing; found by
    ``unique``, else ``keys``)."""
    sql = Sql(conn)
    for key, deltas in rows:
        if not any(deltas.values()):
            continue
        # Every counter of the row, 0 where unchanged: the columns have no default in SQL.
        changes = {name: deltas.get(name, 0) for name in counters}
        columns = [*keys, *changes]
        quoted = ", ".join(f'"{column}"' for column in columns)
        adds = ", ".join(f'"{name}" = "{table}"."{name}" + excluded."{name}"' for name in changes)
        conflict = ", ".join(f'"{column}"' for column in (unique or keys))
        await conn.execute_query(
            f'INSERT INTO "{table}" ({quoted}) VALUES ({sql.marks(1, len(columns))}) '  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {adds}",
            [*key, *changes.values()],
        )


async def _save_figures(conn: BaseDBAsyncClient, figures: Iterable[EnrollmentFigure]) -> None:
    sql = Sql(conn)
    columns = ("enrollment_id", "course_id", "user_id", "percent", "studying", "last_active_day")
    quoted = ", ".join(f'"{column}"' for column in columns)
    sets = ", ".join(f'"{column}" = excluded."{column}"' for column in columns[1:])
    for figure in figures:
        await conn.execute_query(
            f'INSERT INTO "analytics_enrollment" ({quoted}) VALUES ({sql.marks(1, 6)}) '  # noqa: S608
            f'ON CONFLICT ("enrollment_id") DO UPDATE SET {sets}',
            [
                figure.enrollment_id,
                figure.course_id,
                figure.user_id,
                figure.percent,
                figure.studying,
                figure.last_active_day,
            ],
        )


async def apply_batch(ctx: JobContext, events: list[DomainEvent], conn: BaseDBAsyncClient) -> None:
    """Apply ``events`` to the rollups in the transaction ``conn``."""
    ids = {int(e.data["enrollment_id"]) for e in events if "enrollment_id" in e.data}
    figures = {
        figure.enrollment_id: figure
        for figure in await EnrollmentFigure.filter(enrollment_id__in=ids).using_db(conn)
    }
    users = {int(e.data["user_id"]) for e in events if "user_id" in e.data} | {
        figure.user_id for figure in figures.values()
    }
    learners = {
        row.user_id: row.last_active_day
        for row in await LearnerFigure.filter(user_id__in=users).using_db(conn)
    }
    batch = Batch(figures, learners)
    for event in events:
        batch.apply(event)
    await _add(
        conn,
        "analytics_course_day",
        ("course_id", "day"),
        ((key, dict(deltas)) for key, deltas in batch.days.items()),
        counters=DAY_FIELDS,
    )
    await _add(
        conn,
        "analytics_course_day_revenue",
        ("course_id", "day", "currency"),
        ((key, {"amount_minor": amount}) for key, amount in batch.revenue.items()),
        counters=("amount_minor",),
    )
    await _add(
        conn,
        "analytics_course_totals",
        ("course_id",),
        (((course_id,), dict(deltas)) for course_id, deltas in batch.totals.items()),
        counters=TOTAL_FIELDS,
    )
    await _add(
        conn,
        "analytics_lesson",
        ("lesson_id", "course_id"),
        (((lesson, course), dict(deltas)) for (course, lesson), deltas in batch.lessons.items()),
        counters=("started", "completed"),
        unique=("lesson_id",),
    )
    await _save_figures(conn, (batch.figures[i] for i in sorted(batch.changed)))
    await _add(
        conn,
        "analytics_platform_day",
        ("day",),
        (((day,), {"active_learners": n}) for day, n in batch.platform_days.items()),
        counters=("active_learners",),
    )
    sql = Sql(conn)
    for user_id in sorted(batch.learners_changed):
        await conn.execute_query(
            f'INSERT INTO "analytics_learner" ("user_id", "last_active_day") VALUES '  # noqa: S608
            f'({sql.marks(1, 2)}) ON CONFLICT ("user_id") DO UPDATE SET '
            '"last_active_day" = excluded."last_active_day"',
            [user_id, batch.learners[user_id]],
        )
