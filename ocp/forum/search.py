"""Full-text search in a course's forum: threads whose title or body, or one of whose posts,
holds the words. PostgreSQL matches ``websearch_to_tsquery`` (as the catalog does) against
expression GIN indexes (migration 11); SQLite matches every word as a substring. Either way
the words must all be in the thread (title and body) or all in one of its posts."""

from __future__ import annotations

import re
from typing import Any

from tortoise import connections

from ocp.courses.search import SqlBuilder, like_pattern, postgres_tsquery

_WORD = re.compile(r"\w+")
MAX_WORDS = 20


def matching_sql(course_id: int, q: str, *, dialect: str) -> tuple[str, list[Any]]:
    """The ids of the course's threads (not deleted) that match ``q``."""
    sql = SqlBuilder(dialect)
    course = sql.bind(course_id)
    live = f"t.course_id = {course} AND t.deleted_at IS NULL"
    if dialect == "postgres":
        return (
            f"SELECT t.id FROM forum_thread t CROSS JOIN (SELECT {postgres_tsquery(q, sql.bind)} "
            f"AS tsq) query WHERE {live} AND ("
            "to_tsvector('english', t.title || ' ' || t.body_text) @@ query.tsq "
            "OR EXISTS (SELECT 1 FROM forum_post p WHERE p.thread_id = t.id "
            "AND p.deleted_at IS NULL AND to_tsvector('english', p.body_text) @@ query.tsq))",
            sql.params,
        )
    # As on PostgreSQL: every word in the thread's title and body, or every word in one post.
    in_thread, in_post = [], []
    for word in _WORD.findall(q.lower())[:MAX_WORDS]:
        pattern = sql.bind(like_pattern(word))
        in_thread.append(
            f"(lower(t.title) LIKE {pattern} ESCAPE '\\' "
            f"OR lower(t.body_text) LIKE {pattern} ESCAPE '\\')"
        )
        in_post.append(f"lower(p.body_text) LIKE {pattern} ESCAPE '\\'")
    if not in_thread:
        return f"SELECT t.id FROM forum_thread t WHERE {live} AND 1 = 0", sql.params
    return (
        f"SELECT t.id FROM forum_thread t WHERE {live} AND (({' AND '.join(in_thread)}) "
        "OR EXISTS (SELECT 1 FROM forum_post p WHERE p.thread_id = t.id "
        f"AND p.deleted_at IS NULL AND {' AND '.join(in_post)}))",
        sql.params,
    )


async def matching_ids(course_id: int, q: str) -> list[int]:
    dialect = next(iter(connections.db_config))  # named after their dialect (ocp/db.py)
    text, params = matching_sql(course_id, q, dialect=dialect)
    rows = await connections.get(dialect).execute_query_dict(text, params)
    return [int(row["id"]) for row in rows]
