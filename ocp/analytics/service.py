"""Reading the rollups: a course's figures, the platform's, and who may see them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.functions import Count, Sum

from ocp.analytics.models import (
    CourseDay,
    CourseDayRevenue,
    CourseTotals,
    EnrollmentFigure,
    LessonFigure,
    PlatformDay,
)
from ocp.analytics.rollups import DAY_FIELDS, TOTAL_FIELDS
from ocp.courses.models import Course, Lesson
from ocp.courses.service import get_for_write
from ocp.errors import Forbidden
from ocp.payments import money
from ocp.users.models import Role, User

ACTIVE_DAYS = 7
TOP = 10


def today() -> date:
    return datetime.now(UTC).date()


def _money(amounts: dict[str, int]) -> dict[str, str]:
    return {
        currency: money.format_minor(amount, currency)
        for currency, amount in sorted(amounts.items())
    }


def _totals(raw: dict[str, int], revenue: dict[str, int], active_7d: int) -> dict[str, Any]:
    enrollments, active = raw["enrollments"], raw["active_enrollments"]
    return {
        "enrollments": enrollments,
        "active_enrollments": active,
        "completions": raw["completions"],
        "completion_rate": round(min(1.0, raw["completions"] / enrollments), 4)
        if enrollments
        else 0.0,
        "average_progress": round(raw["progress_sum"] / active, 1) if active else 0.0,
        "active_learners_7d": active_7d,
        "revenue": _money(revenue),
        "forum_posts": raw["forum_posts"],
    }


async def _revenue(course_id: int | None) -> dict[str, int]:
    query = (
        CourseDayRevenue.all()
        if course_id is None
        else CourseDayRevenue.filter(course_id=course_id)
    )
    rows = (
        await query.annotate(amount=Sum("amount_minor"))
        .group_by("currency")
        .values("currency", "amount")
    )
    return {str(row["currency"]): int(row["amount"] or 0) for row in rows}


async def course_totals(course_id: int) -> dict[str, Any]:
    """A course's figures since it began."""
    row = await CourseTotals.get_or_none(course_id=course_id)
    raw = {name: int(getattr(row, name)) if row else 0 for name in TOTAL_FIELDS}
    since = today() - timedelta(days=ACTIVE_DAYS - 1)
    active_7d = await EnrollmentFigure.filter(
        course_id=course_id, last_active_day__gte=since
    ).count()
    return _totals(raw, await _revenue(course_id), active_7d)


async def platform_totals() -> dict[str, Any]:
    """The figures of every course together; active learners counted once across courses."""
    sums = (
        await CourseTotals.all()
        .annotate(**{name: Sum(name) for name in TOTAL_FIELDS})
        .values(*TOTAL_FIELDS)
    )
    raw = {name: int(sums[0][name] or 0) if sums else 0 for name in TOTAL_FIELDS}
    since = today() - timedelta(days=ACTIVE_DAYS - 1)
    learners = (
        await EnrollmentFigure.filter(last_active_day__gte=since)
        .annotate(n=Count("user_id", distinct=True))
        .values("n")
    )
    active_7d = int(learners[0]["n"] or 0) if learners else 0
    return _totals(raw, await _revenue(None), active_7d)


async def daily(course_id: int | None, start: date, end: date) -> list[dict[str, Any]]:
    """Each day of the range, zeros where nothing happened; one course's, or every course's."""
    days = CourseDay.filter(day__gte=start, day__lte=end)
    revenue = CourseDayRevenue.filter(day__gte=start, day__lte=end)
    if course_id is not None:
        days, revenue = days.filter(course_id=course_id), revenue.filter(course_id=course_id)
    counts = {
        row["day"]: row
        for row in await days.annotate(**{f"n_{f}": Sum(f) for f in DAY_FIELDS})
        .group_by("day")
        .values("day", *(f"n_{f}" for f in DAY_FIELDS))
    }
    if course_id is None:  # a student active in two courses is one learner of the platform
        for row in await PlatformDay.filter(day__gte=start, day__lte=end).values(
            "day", "active_learners"
        ):
            counts.setdefault(row["day"], {})["n_active_learners"] = row["active_learners"]
    money_by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for row in (
        await revenue.annotate(amount=Sum("amount_minor"))
        .group_by("day", "currency")
        .values("day", "currency", "amount")
    ):
        money_by_day[row["day"]][str(row["currency"])] = int(row["amount"] or 0)
    series = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        found = counts.get(day, {})
        series.append(
            {
                "date": day.isoformat(),
                **{f: int(found.get(f"n_{f}") or 0) for f in DAY_FIELDS},
                "revenue": _money(money_by_day.get(day, {})),
            }
        )
    return series


async def lessons(course_id: int, enrollments: int) -> list[dict[str, Any]]:
    """Each lesson in order: how many enrollments opened it, have it completed, and the share
    of the course's enrollments that have it completed."""
    found = (
        await Lesson.filter(course_id=course_id)
        .order_by("position", "id")
        .values("id", "title", "position")
    )
    figures = {
        figure.lesson_id: figure
        for figure in await LessonFigure.filter(lesson_id__in=[row["id"] for row in found])
    }
    funnel = []
    for row in found:
        figure = figures.get(row["id"])
        started = figure.started if figure else 0
        completed = figure.completed if figure else 0
        funnel.append(
            {
                "lesson_id": row["id"],
                "title": row["title"],
                "position": row["position"],
                "started": started,
                "completed": completed,
                "completion_share": round(completed / enrollments, 4) if enrollments else 0.0,
            }
        )
    return funnel


async def course_report(*, actor: User, course_id: int, start: date, end: date) -> dict[str, Any]:
    """A course's figures for its instructor and admins (others: 404 or 403)."""
    course = await get_for_write(course_id=course_id, actor=actor)
    totals = await course_totals(course.id)
    return {
        "course_id": course.id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "totals": totals,
        "daily": await daily(course.id, start, end),
        "lessons": await lessons(course.id, totals["enrollments"]),
    }


async def _titles(ids: list[int]) -> dict[int, str]:
    return dict(await Course.filter(id__in=ids).values_list("id", "title"))


async def platform_report(*, start: date, end: date) -> dict[str, Any]:
    """Every course together, and the top courses of the range."""
    by_enrollments = (
        await CourseDay.filter(day__gte=start, day__lte=end)
        .annotate(n=Sum("enrollments"))
        .group_by("course_id")
        .order_by("-n", "course_id")
        .limit(TOP)
        .values("course_id", "n")
    )
    by_revenue = (
        await CourseDayRevenue.filter(day__gte=start, day__lte=end)
        .annotate(amount=Sum("amount_minor"))
        .group_by("course_id", "currency")
        .values("course_id", "currency", "amount")
    )
    per_currency: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in by_revenue:
        per_currency[str(row["currency"])].append((int(row["course_id"]), int(row["amount"] or 0)))
    ids = [int(row["course_id"]) for row in by_enrollments] + [
        course for rows in per_currency.values() for course, _ in rows
    ]
    titles = await _titles(ids)
    top_revenue = {
        currency: [
            {
                "course_id": course,
                "title": titles.get(course, ""),
                "revenue": money.format_minor(amount, currency),
            }
            for course, amount in sorted(rows, key=lambda item: (-item[1], item[0]))[:TOP]
        ]
        for currency, rows in sorted(per_currency.items())
    }
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "totals": await platform_totals(),
        "daily": await daily(None, start, end),
        "top_courses": {
            "by_enrollments": [
                {
                    "course_id": int(row["course_id"]),
                    "title": titles.get(int(row["course_id"]), ""),
                    "enrollments": int(row["n"] or 0),
                }
                for row in by_enrollments
            ],
            "by_revenue": top_revenue,
        },
    }


async def watchable_courses(*, actor: User) -> list[dict[str, Any]]:
    """The courses whose figures the caller may see: their own, or every one for admins."""
    if actor.role == Role.ADMIN:
        query = Course.all()
    elif actor.role == Role.INSTRUCTOR:
        query = Course.filter(instructor_id=actor.id)
    else:
        raise Forbidden("Only instructors and admins see analytics")
    return list(
        await query.order_by("-created_at", "-id").limit(500).values("id", "title", "status")
    )
