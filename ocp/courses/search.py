"""The catalog query: published courses filtered, searched and sorted, as parameterized SQL.

PostgreSQL searches the weighted ``search_vector`` with ``websearch_to_tsquery`` (plus a
prefix match on the last word) and ranks with ``ts_rank_cd``; SQLite matches every word as a
substring of the same fields, ranked by where the words appear. Both return one page of ids
and, separately (and cached apart from the pages), the total: a window count would make
PostgreSQL rank and buffer every match for every page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ORDER_BY = {
    "newest": "c.published_at DESC, c.id DESC",
    "price": "c.price_cents ASC, c.id ASC",
    "-price": "c.price_cents DESC, c.id DESC",
    "title": "lower(c.title) ASC, c.id ASC",
    "popular": "c.enrollment_count DESC, c.id DESC",
    "relevance": "rank DESC, c.published_at DESC, c.id DESC",
}
_LAST_WORD = re.compile(r"(?:^|\s)(\w+)$")
_WORD = re.compile(r"\w+")


@dataclass
class SqlBuilder:
    dialect: str
    params: list[Any] = field(default_factory=list)

    def bind(self, value: Any) -> str:
        """A numbered placeholder: each may be used several times, in any order."""
        self.params.append(value)
        return f"${len(self.params)}" if self.dialect == "postgres" else f"?{len(self.params)}"


def like_pattern(word: str) -> str:
    """A LIKE pattern matching ``word`` anywhere, its wildcards escaped (``ESCAPE '\\'``)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def postgres_tsquery(q: str, bind: Callable[[Any], str]) -> str:
    """``websearch_to_tsquery`` of the text, AND a prefix match of its last plain word."""
    match = _LAST_WORD.search(q)
    head = q[: match.start(1)] if match else q
    after_or = [word.lower() for word in head.split()[-1:]] == ["or"]
    if match is None or q.count('"') % 2 or after_or:
        # No plain last word to extend (or it is an alternative): web-search syntax alone.
        return f"websearch_to_tsquery('english', {bind(q)})"
    return (
        f"(websearch_to_tsquery('english', {bind(head)}) "
        f"&& to_tsquery('english', {bind(match.group(1))} || ':*'))"
    )


def _sqlite_search(q: str, sql: SqlBuilder) -> tuple[list[str], str]:
    """Every word must appear in one of the searched fields; the rank weighs where."""
    weighted = (
        ("lower(c.title)", 8),
        ("lower(c.category)", 4),
        ("lower(c.tags)", 4),
        ("lower(u.full_name)", 4),
        ("lower(c.subtitle)", 2),
        ("lower(c.description_text)", 1),
    )
    conditions, ranks = [], []
    for word in _WORD.findall(q.lower())[:20]:
        pattern = sql.bind(like_pattern(word))
        matches = [f"{column} LIKE {pattern} ESCAPE '\\'" for column, _ in weighted]
        conditions.append("(" + " OR ".join(matches) + ")")
        ranks += [
            f"(CASE WHEN {column} LIKE {pattern} ESCAPE '\\' THEN {weight} ELSE 0 END)"
            for column, weight in weighted
        ]
    return conditions or ["1 = 0"], " + ".join(ranks) or "0"


def catalog_page(
    filters: dict[str, Any], *, dialect: str, offset: int, limit: int
) -> tuple[str, list[Any]]:
    """SQL selecting ``id`` and ``rank`` for one page of the catalog, and its parameters.

    No window count: it would make PostgreSQL find every match for every page, where a
    page in an index's order stops after ``offset + limit`` rows (``catalog_count``)."""
    sql = SqlBuilder(dialect)
    where, rank, source = _conditions(filters, sql)
    order = ORDER_BY[filters.get("sort", "newest")]
    query = (
        f"SELECT c.id, {rank} AS rank FROM {source} "
        f"WHERE {' AND '.join(where)} ORDER BY {order} "
        f"LIMIT {sql.bind(limit)} OFFSET {sql.bind(offset)}"
    )
    return query, sql.params


def catalog_count(filters: dict[str, Any], *, dialect: str) -> tuple[str, list[Any]]:
    """SQL counting every match."""
    sql = SqlBuilder(dialect)
    where, _, source = _conditions(filters, sql)
    return f"SELECT count(*) AS total FROM {source} WHERE {' AND '.join(where)}", sql.params


def _conditions(filters: dict[str, Any], sql: SqlBuilder) -> tuple[list[str], str, str]:
    source = "course c"
    where = ["c.status = 'published'"]
    rank = "0"
    if q := filters.get("q"):
        if sql.dialect == "postgres":
            source += f" CROSS JOIN (SELECT {postgres_tsquery(q, sql.bind)} AS tsq) query"
            where.append("c.search_vector @@ query.tsq")
            rank = "ts_rank_cd(c.search_vector, query.tsq)"
        else:  # SQLite matches the instructor's name itself
            source += ' JOIN "user" u ON u.id = c.instructor_id'
            conditions, rank = _sqlite_search(q, sql)
            where += conditions
    simple = (
        ("category", "c.category = {}"),
        ("instructor", "c.instructor_id = {}"),
        ("level", "c.level = {}"),
        ("language", "c.language = {}"),
        ("price_min", "c.price_cents >= {}"),
        ("price_max", "c.price_cents <= {}"),
        ("duration_min", "c.duration_minutes >= {}"),
        ("duration_max", "c.duration_minutes <= {}"),
    )
    for name, template in simple:
        if name in filters:
            where.append(template.format(sql.bind(filters[name])))
    if "tag" in filters:
        where.append(
            "EXISTS (SELECT 1 FROM course_tag t WHERE t.course_id = c.id "
            f"AND t.tag = {sql.bind(filters['tag'])})"
        )
    if "is_free" in filters:
        where.append("c.price_cents = 0" if filters["is_free"] else "c.price_cents > 0")
    return where, rank, source
