"""HTTP handlers for analytics: parse, call the analytics service, serialize."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from ocp.analytics import csv_export, service
from ocp.analytics.schemas import (
    DEFAULT_DAYS,
    MAX_DAYS,
    CourseReportSchema,
    PlatformReportSchema,
    RangeQuerySchema,
    WatchableCourseSchema,
)
from ocp.errors import ValidationFailed
from ocp.web.auth import caller_of
from ocp.web.endpoint import Endpoint, only
from ocp.web.parsing import path_id, read_query
from ocp.web.responses import json_body

ANALYTICS = "Analytics"
WATCHERS = only("instructor", "admin")


def _range(query: dict[str, Any]) -> tuple[date, date]:
    """The range asked, defaults filled in: 422 when it runs backwards or is too long."""
    end = query.get("to") or service.today()
    start = query.get("from_")
    if start is None:
        start = date.fromordinal(max(1, end.toordinal() - (DEFAULT_DAYS - 1)))
    if start > end:
        raise ValidationFailed(errors={"from": ["Must not be after `to` (default: today)."]})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(errors={"from": [f"At most {MAX_DAYS} days."]})
    return start, end


def _answer(query: dict[str, Any], report: dict[str, Any], name: str) -> web.Response:
    if query.get("format") == "csv":
        return web.Response(
            text=csv_export.daily_csv(report["daily"]),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return json_body(report)


async def course_analytics(request: web.Request) -> web.Response:
    query = read_query(request, RangeQuerySchema())
    start, end = _range(query)
    course_id = path_id(request)
    report = await service.course_report(
        actor=caller_of(request).user, course_id=course_id, start=start, end=end
    )
    return _answer(query, report, f"course-{course_id}-{start}-{end}")


async def platform_analytics(request: web.Request) -> web.Response:
    query = read_query(request, RangeQuerySchema())
    start, end = _range(query)
    report = await service.platform_report(start=start, end=end)
    return _answer(query, report, f"platform-{start}-{end}")


async def watchable_courses(request: web.Request) -> web.Response:
    return json_body(await service.watchable_courses(actor=caller_of(request).user))


CSV = ("text/csv",)
RANGE = (
    "`from` and `to` are UTC days (default: the last 30 days; at most 366; 422 otherwise). "
    "Figures are kept from domain events by the worker, a second or two behind. "
)

routes = [
    Endpoint(
        "GET", "/api/v1/courses/{id}/analytics", course_analytics, WATCHERS,
        "A course's figures", ANALYTICS, query=RangeQuerySchema, response=CourseReportSchema,
        also_media_types=CSV, errors=(403, 404, 422),
        description=(
            f"The course's instructor and admins. {RANGE}`totals` are since the course "
            "began; `daily` is each day of the range; `lessons` the funnel in lesson order. "
            "The totals also arrive live as `analytics.updated` on `course:<id>`, at most "
            "once a second."
        ),
    ),
    Endpoint(
        "GET", "/api/v1/admin/analytics", platform_analytics, only("admin"),
        "The platform's figures", ANALYTICS, query=RangeQuerySchema,
        response=PlatformReportSchema, also_media_types=CSV, errors=(403, 422),
        description=(
            f"Admins. {RANGE}Every course together, and the top 10 courses of the range by "
            "enrollments and, per currency, by revenue. Live on `admin` as `analytics.updated`."
        ),
    ),
    Endpoint(
        "GET", "/api/v1/analytics/courses", watchable_courses, WATCHERS,
        "Courses whose figures I may see", ANALYTICS, response=WatchableCourseSchema,
        response_many=True, errors=(403,),
        description="An instructor's own courses; every course for admins (newest first, 500).",
    ),
]  # fmt: skip
