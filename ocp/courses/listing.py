"""The public catalog's answers from plain rows: one statement per list page or course,
turned into the JSON of ``CourseSummarySchema`` / ``CourseSchema`` (same fields, same values,
same order) without ORM objects or a schema pass. ``tests/courses/test_listing.py`` compares
both for a varied set of courses on both dialects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise import connections

from ocp.courses import search
from ocp.media.service import media_url, thumbnail_url

_SUMMARY = (
    "c.id, c.slug, c.title, c.subtitle, c.category, c.tags, c.level, c.language, "
    "c.price_cents, c.currency, c.duration_minutes, c.cover_id, c.cover_image_url, "
    "c.lesson_count, c.enrollment_count, c.instructor_id, u.full_name, c.status, "
    "c.published_at, up.status AS cover_status, up.sha256 AS cover_sha256, "
    "up.has_thumbnail AS cover_has_thumbnail"
)
_DETAIL = _SUMMARY + ", c.description, c.created_at, c.updated_at"
_JOINS = 'JOIN "user" u ON u.id = c.instructor_id LEFT JOIN upload up ON up.id = c.cover_id'


def page_sql(
    filters: Mapping[str, Any], *, dialect: str, offset: int, limit: int
) -> tuple[str, list[Any]]:
    """One statement for a page of the catalog: its ids (``search.catalog_page``), then the
    rows with instructor and cover, in the page's order (``rank`` is the page's column)."""
    ids, params = search.catalog_page(dict(filters), dialect=dialect, offset=offset, limit=limit)
    order = search.ORDER_BY[filters.get("sort", "newest")]
    sql = f"SELECT {_SUMMARY} FROM ({ids}) p JOIN course c ON c.id = p.id {_JOINS} ORDER BY {order}"
    return sql, params


def detail_sql(course_id: int, *, dialect: str) -> tuple[str, list[Any]]:
    """One statement for a published course with its instructor and cover."""
    sql = search.SqlBuilder(dialect)
    where = f"c.id = {sql.bind(course_id)} AND c.status = 'published'"
    return f"SELECT {_DETAIL} FROM course c {_JOINS} WHERE {where}", sql.params


def _datetime(value: Any) -> datetime | None:
    """A timestamp as the ORM gives it: aware, in UTC (SQLite hands back text)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _tags(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """A course as the catalog lists it (``CourseSummarySchema``), from a ``page_sql`` row."""
    cents = row["price_cents"]
    ready = row["cover_status"] == "ready"
    sha256 = row["cover_sha256"]
    return {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "subtitle": row["subtitle"],
        "category": row["category"],
        "tags": _tags(row["tags"]),
        "level": row["level"],
        "language": row["language"],
        "price": f"{cents // 100}.{cents % 100:02d}",  # prices are never negative
        "currency": row["currency"],
        "is_free": cents == 0,
        "duration_minutes": row["duration_minutes"],
        "cover_id": row["cover_id"],
        "cover_image_url": media_url(sha256) if ready else row["cover_image_url"],
        "cover_thumbnail_url": (
            thumbnail_url(sha256) if ready and row["cover_has_thumbnail"] else None
        ),
        "lesson_count": row["lesson_count"],
        "enrollment_count": row["enrollment_count"],
        "instructor": {"id": row["instructor_id"], "full_name": row["full_name"]},
        "status": row["status"],
        "published_at": _datetime(row["published_at"]),
    }


def detail(row: Mapping[str, Any]) -> dict[str, Any]:
    """A course in full (``CourseSchema``), from a ``detail_sql`` row."""
    item = summary(row)
    item["description"] = row["description"]
    item["created_at"] = _datetime(row["created_at"])
    item["updated_at"] = _datetime(row["updated_at"])
    return item


def _dialect() -> str:
    return next(iter(connections.db_config))  # named after their dialect (ocp/db.py)


async def page(filters: Mapping[str, Any], *, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of published courses matching ``filters``, as the catalog lists them."""
    dialect = _dialect()
    sql, params = page_sql(filters, dialect=dialect, offset=offset, limit=limit)
    rows = await connections.get(dialect).execute_query_dict(sql, params)
    return [summary(row) for row in rows]


async def published(course_id: int) -> dict[str, Any] | None:
    """A published course in full, or None."""
    dialect = _dialect()
    sql, params = detail_sql(course_id, dialect=dialect)
    rows = await connections.get(dialect).execute_query_dict(sql, params)
    return detail(rows[0]) if rows else None
