"""The bare ceiling of ``bench/progress.py``: aiohttp + asyncpg doing a progress update's work.

    python bench/progress_bare.py --port P --dsn postgres://...

The same route and answer as ``PUT /api/v1/courses/{id}/lessons/{lesson_id}/progress``: the
Bearer token to its active owner (SHA-256, one indexed lookup), then one statement that
checks the current enrollment and the lesson, upserts the progress row (the completion flag
and its time, the position, the last visit) and counts the course's figures; the answer is
the same JSON shape, encoded with orjson. No framework, no ORM, no schema objects, no
events: what any handler doing this must at least do.
"""

from __future__ import annotations

import argparse
import hashlib
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from aiohttp import web

from ocp.server import event_loop  # uvloop when installed, as serve uses

POOL = web.AppKey("pool", asyncpg.Pool)

CALLER = """
SELECT u.id FROM api_token t JOIN "user" u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active
"""

UPSERT = """
WITH e AS (
    SELECT id, status FROM enrollment
    WHERE user_id = $1 AND course_id = $2 AND status IN ('active', 'completed')
), l AS (
    SELECT id FROM lesson WHERE id = $3 AND course_id = $2
), p AS (
    INSERT INTO lesson_progress
        (enrollment_id, lesson_id, completed, completed_at, position_seconds, last_seen_at)
    SELECT e.id, l.id, coalesce($4, false), CASE WHEN $4::boolean THEN $6::timestamptz END,
        coalesce($5::int, 0), $6
    FROM e, l
    ON CONFLICT (enrollment_id, lesson_id) DO UPDATE SET
        completed = coalesce($4, lesson_progress.completed),
        completed_at = CASE
            WHEN $4 IS NULL OR $4 = lesson_progress.completed THEN lesson_progress.completed_at
            WHEN $4 THEN $6::timestamptz END,
        position_seconds = coalesce($5, lesson_progress.position_seconds),
        last_seen_at = $6
    RETURNING enrollment_id, lesson_id, completed, completed_at, position_seconds, last_seen_at
)
SELECT p.*, e.status,
    (SELECT count(*) FROM lesson WHERE course_id = $2) AS total,
    (SELECT count(*) FROM lesson_progress o JOIN lesson ON lesson.id = o.lesson_id
     WHERE o.enrollment_id = e.id AND o.completed AND o.lesson_id <> $3
       AND lesson.course_id = $2) + p.completed::int AS done
FROM p JOIN e ON e.id = p.enrollment_id
"""


def _problem(status: int, detail: str) -> web.Response:
    return web.Response(
        body=orjson.dumps({"status": status, "detail": detail}),
        status=status,
        content_type="application/problem+json",
    )


async def set_progress(request: web.Request) -> web.Response:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return _problem(401, "no token")
    try:
        course_id = int(request.match_info["id"])
        lesson_id = int(request.match_info["lesson_id"])
        body: Any = orjson.loads(await request.read())
    except ValueError:
        return _problem(400, "bad request")
    completed = body.get("completed") if isinstance(body, dict) else None
    position = body.get("position_seconds") if isinstance(body, dict) else None
    if completed is not None and not isinstance(completed, bool):
        return _problem(422, "completed")
    if position is not None and (type(position) is not int or not 0 <= position <= 604800):
        return _problem(422, "position_seconds")
    async with request.app[POOL].acquire() as conn:
        user_id = await conn.fetchval(CALLER, hashlib.sha256(secret.encode()).hexdigest())
        if user_id is None:
            return _problem(401, "unknown token")
        row = await conn.fetchrow(
            UPSERT, user_id, course_id, lesson_id, completed, position, datetime.now(UTC)
        )
    if row is None:
        return _problem(403, "not enrolled, or no such lesson")
    done, total = int(row["done"]), int(row["total"])
    completed_at = row["completed_at"]
    answer = {
        "lesson": {
            "lesson_id": row["lesson_id"],
            "completed": row["completed"],
            "completed_at": completed_at,
            "position_seconds": row["position_seconds"],
            "last_seen_at": row["last_seen_at"],
        },
        "course": {
            "percent": (100 * done) // total if total else 0,
            "completed_lessons": done,
            "total_lessons": total,
            "status": row["status"],
        },
    }
    return web.Response(body=orjson.dumps(answer), content_type="application/json")


async def _pool(app: web.Application) -> Any:
    app[POOL] = await asyncpg.create_pool(app["dsn"], min_size=1, max_size=5)
    yield
    await app[POOL].close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    args = parser.parse_args()
    app = web.Application()
    app["dsn"] = args.dsn
    app.cleanup_ctx.append(_pool)
    app.router.add_put("/api/v1/courses/{id}/lessons/{lesson_id}/progress", set_progress)
    app.router.add_get("/readyz", lambda _: web.Response(text="ok"))
    web.run_app(
        app, host="127.0.0.1", port=args.port, print=None, access_log=None, loop=event_loop()
    )


if __name__ == "__main__":
    main()
