"""Fan-out of one event to many notifications: the ``lesson.added`` reaction against a bare
ceiling that writes the same rows.

    .venv/bin/python bench/notifications.py                # 100, 1,000 and 5,000 students
    .venv/bin/python bench/notifications.py --students 2000

Run by hand, not in CI. It creates the database ``ocp_bench_notify`` on the server in
``OCP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it, and for each
size makes a published course with that many enrolled students (plain SQL), then adds a lesson
and times, in one transaction each:

- OCP: ``ocp.notifications.handlers.lesson_added`` as the worker runs it (each student's
  preference read, the hour's group checked, the notification and its ``notification.created``
  event written);
- the bare ceiling: two ``INSERT ... SELECT`` statements that write the same notifications and
  events for every student at once (no preferences, no group check).

It prints a markdown table: students, OCP seconds, milliseconds per student, bare seconds, and
OCP's time as a multiple of the bare one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from ocp.db import tortoise_config
from ocp.events.reactions import DomainEvent

SERVER = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "ocp_bench_notify"
URL = f"{SERVER}/{DATABASE}"


async def fresh_database() -> None:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()
    env = {**os.environ, "OCP_DATABASE_URL": URL, "OCP_REDIS_URL": "redis://127.0.0.1:6379/13"}
    env["OCP_SECRET_KEY"] = "x" * 40
    migrate = [sys.executable, "-m", "ocp", "migrate"]
    await asyncio.to_thread(subprocess.run, migrate, env=env, check=True)


async def course_with_students(db: asyncpg.Connection, students: int, tag: str) -> int:
    """A published course of a new instructor with ``students`` active enrollments."""
    teacher = await db.fetchval(
        'INSERT INTO "user" (email, password_hash, full_name, bio, role, is_active,'
        " auth_epoch, created_at, updated_at, timezone) VALUES ($1, 'x', 'T', '', 'instructor',"
        " true, 0, now(), now(), 'UTC') RETURNING id",
        f"teacher-{tag}@bench.example",
    )
    course = await db.fetchval(
        "INSERT INTO course (title, slug, subtitle, description, description_text, category,"
        " tags, level, language, price_cents, currency, duration_minutes, status,"
        " instructor_id, lesson_count, enrollment_count, created_at, updated_at, published_at)"
        " VALUES ('Bench', $1, '', '', '', 'general', '[]', 'all', 'en', 0, 'USD', 0,"
        " 'published', $2, 0, 0, now(), now(), now() - interval '1 day') RETURNING id",
        f"bench-{tag}",
        teacher,
    )
    await db.execute(
        'INSERT INTO "user" (email, password_hash, full_name, bio, role, is_active,'
        " auth_epoch, created_at, updated_at, timezone)"
        " SELECT 's' || $1 || '-' || n || '@bench.example', 'x', 'S', '', 'student', true, 0,"
        " now(), now(), 'UTC' FROM generate_series(1, $2) AS n",
        tag,
        students,
    )
    await db.execute(
        "INSERT INTO enrollment (user_id, course_id, status, source, progress_percent,"
        " completed_lessons, enrolled_at, updated_at)"
        " SELECT id, $1, 'active', 'free', 0, 0, now() - interval '1 hour', now()"
        " FROM \"user\" WHERE email LIKE 's' || $2 || '-%'",
        course,
        tag,
    )
    return int(course)


async def new_lesson(db: asyncpg.Connection, course: int) -> int:
    return int(
        await db.fetchval(
            "INSERT INTO lesson (course_id, title, description, content_type, body, position,"
            " is_preview, duration_minutes, created_at, updated_at) VALUES ($1, 'New', '',"
            " 'text', '', 1, false, 0, now(), now()) RETURNING id",
            course,
        )
    )


async def time_ocp(course: int, lesson: int) -> float:
    from ocp.notifications.handlers import lesson_added

    event = DomainEvent(
        event_id=str(uuid.uuid4()),
        type="lesson.created",
        data={"course_id": course, "lesson_id": lesson},
        occurred_at=datetime.now(UTC).isoformat(),
    )
    started = time.perf_counter()
    async with in_transaction() as conn:
        assert lesson_added.handler is not None
        await lesson_added.handler(cast(Any, None), event, conn)
    return time.perf_counter() - started


async def time_bare(db: asyncpg.Connection, course: int) -> float:
    started = time.perf_counter()
    async with db.transaction():
        await db.execute(
            "INSERT INTO notification (user_id, type, title, body, url, data, group_key, in_app,"
            " mail, created_at) SELECT user_id, 'lesson.added', 'New', 'New lesson', '/courses/'"
            " || $1::integer, jsonb_build_object('course_id', $1::integer), 'course:'"
            " || $1::integer, true, 'pending', now() FROM enrollment"
            " WHERE course_id = $1::integer AND status IN ('active', 'completed')",
            course,
        )
        await db.execute(
            "INSERT INTO event_log (event_id, type, data, channels, occurred_at)"
            " SELECT gen_random_uuid(), 'notification.created', jsonb_build_object('id', id),"
            " jsonb_build_array('user:' || user_id), now() FROM notification"
            " WHERE type = 'lesson.added' AND group_key = 'course:' || $1::integer",
            course,
        )
    return time.perf_counter() - started


async def main(sizes: list[int]) -> None:
    await fresh_database()
    await Tortoise.init(config=tortoise_config(URL))
    db = await asyncpg.connect(URL)
    print("| students | OCP s | OCP ms / student | bare s | OCP / bare |")
    print("|---:|---:|---:|---:|---:|")
    for size in sizes:
        ours = await course_with_students(db, size, f"o{size}")
        bare = await course_with_students(db, size, f"b{size}")
        ocp_seconds = await time_ocp(ours, await new_lesson(db, ours))
        bare_seconds = await time_bare(db, bare)
        made = await db.fetchval(
            "SELECT count(*) FROM notification WHERE group_key = $1", f"course:{ours}"
        )
        assert made == size, (made, size)
        print(
            f"| {size:,} | {ocp_seconds:.2f} | {1000 * ocp_seconds / size:.2f} |"
            f" {bare_seconds:.3f} | {ocp_seconds / bare_seconds:.0f}x |"
        )
    await db.close()
    await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, action="append")
    args = parser.parse_args()
    asyncio.run(main(args.students or [100, 1000, 5000]))
