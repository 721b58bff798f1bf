"""A year of a big course's figures: the analytics report against a bare ceiling.

    .venv/bin/python bench/analytics.py                      # 100,000 enrollments, 366 days
    .venv/bin/python bench/analytics.py --enrollments 20000 --requests 100

Run by hand, not in CI. It creates the database ``ocp_bench_analytics`` on the server in
``OCP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it, and writes by
plain SQL the rollups a course with that many enrollments would have after a year: its
totals, one enrollment figure per enrollment (a random last active day in the last 30
days), 366 days of daily figures and revenue in two currencies, and a 20-lesson funnel.
Then it starts ``python -m ocp serve`` on it and times, one request after the other:

- OCP: ``GET /api/v1/courses/{id}/analytics?from=<a year ago>&to=<today>`` as the course's
  instructor (an API token), over HTTP;
- the bare ceiling: the same reads in one asyncpg connection (the totals row, the 7-day
  active count, revenue per currency, the daily sums, the daily revenue, the lessons and
  their funnel), turned into JSON with orjson, in this process: no HTTP, no framework.

It prints p50, p99 and the mean of each, and the goal of issue 18 (a year under 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson

SERVER = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "ocp_bench_analytics"
URL = f"{SERVER}/{DATABASE}"
REDIS = "redis://127.0.0.1:6379/12"
PASSWORD = "bench-password-1"
GOAL_MS = 100.0


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OCP_") and k != "PORT"}
    return {
        **base,
        "OCP_DATABASE_URL": URL,
        "OCP_REDIS_URL": REDIS,
        "OCP_SECRET_KEY": "b" * 40,
        "OCP_REGISTER_MAX_PER_ADDRESS": "1000",
    }


async def fresh_database() -> None:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()
    migrate = [sys.executable, "-m", "ocp", "migrate"]
    await asyncio.to_thread(subprocess.run, migrate, env=env(), check=True)


async def seed(db: asyncpg.Connection, course_id: int, enrollments: int) -> None:
    """The rollups of a year of a course with ``enrollments`` enrollments."""
    rng = random.Random(18)
    today = datetime.now(UTC).date()
    figures = [
        (n, course_id, n, rng.randint(0, 100), True, today - timedelta(days=rng.randint(0, 29)))
        for n in range(1, enrollments + 1)
    ]
    await db.copy_records_to_table(
        "analytics_enrollment",
        records=figures,
        columns=["enrollment_id", "course_id", "user_id", "percent", "studying", "last_active_day"],
    )
    days = [today - timedelta(days=n) for n in range(366)]
    await db.copy_records_to_table(
        "analytics_course_day",
        records=[
            (
                course_id,
                day,
                rng.randint(50, 400),
                rng.randint(0, 30),
                rng.randint(0, 100),
                rng.randint(500, 5000),
                rng.randint(100, 3000),
                rng.randint(0, 80),
            )
            for day in days
        ],
        columns=[
            "course_id",
            "day",
            "enrollments",
            "cancellations",
            "completions",
            "progress_updates",
            "active_learners",
            "forum_posts",
        ],
    )
    await db.copy_records_to_table(
        "analytics_course_day_revenue",
        records=[
            (course_id, day, cur, rng.randint(0, 500_000)) for day in days for cur in ("EUR", "USD")
        ],
        columns=["course_id", "day", "currency", "amount_minor"],
    )
    await db.execute(
        "INSERT INTO analytics_course_totals (course_id, enrollments, active_enrollments, "
        "completions, progress_sum, forum_posts) VALUES ($1, $2, $2, $3, $4, $5)",
        course_id, enrollments, enrollments // 3, sum(f[3] for f in figures), 9000,
    )  # fmt: skip
    lessons = await db.fetch("SELECT id FROM lesson WHERE course_id = $1", course_id)
    await db.copy_records_to_table(
        "analytics_lesson",
        records=[
            (row["id"], course_id, enrollments - n * 1000, enrollments - n * 1500)
            for n, row in enumerate(lessons)
        ],
        columns=["lesson_id", "course_id", "started", "completed"],
    )
    await db.execute("VACUUM ANALYZE")


async def bare_report(db: asyncpg.Connection, course_id: int, start: date, end: date) -> bytes:
    """The reads the report makes, in plain SQL, as JSON."""
    totals = await db.fetchrow(
        "SELECT * FROM analytics_course_totals WHERE course_id = $1", course_id
    )
    active = await db.fetchval(
        "SELECT count(*) FROM analytics_enrollment WHERE course_id = $1 AND last_active_day >= $2",
        course_id, end - timedelta(days=6),
    )  # fmt: skip
    revenue = await db.fetch(
        "SELECT currency, sum(amount_minor) AS amount FROM analytics_course_day_revenue "
        "WHERE course_id = $1 GROUP BY currency",
        course_id,
    )
    daily = await db.fetch(
        "SELECT day, sum(enrollments) e, sum(cancellations) c, sum(completions) d, "
        "sum(progress_updates) p, sum(active_learners) a, sum(forum_posts) f "
        "FROM analytics_course_day WHERE course_id = $1 AND day BETWEEN $2 AND $3 GROUP BY day",
        course_id, start, end,
    )  # fmt: skip
    money = await db.fetch(
        "SELECT day, currency, sum(amount_minor) AS amount FROM analytics_course_day_revenue "
        "WHERE course_id = $1 AND day BETWEEN $2 AND $3 GROUP BY day, currency",
        course_id, start, end,
    )  # fmt: skip
    lessons = await db.fetch(
        "SELECT l.id, l.title, l.position, f.started, f.completed FROM lesson l "
        "LEFT JOIN analytics_lesson f ON f.lesson_id = l.id WHERE l.course_id = $1 "
        "ORDER BY l.position",
        course_id,
    )
    return orjson.dumps(
        {
            "totals": dict(totals or {}),
            "active": active,
            "revenue": [dict(r) for r in revenue],
            "daily": [dict(r) for r in daily],
            "money": [dict(r) for r in money],
            "lessons": [dict(r) for r in lessons],
        },
        default=str,
    )


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"| {name} | {statistics.median(ordered) * 1000:.1f} | {p99 * 1000:.1f} | "
        f"{statistics.mean(ordered) * 1000:.1f} |"
    )


async def wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{base}/readyz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("serve did not become ready")


async def instructor_token(base: str, db: asyncpg.Connection) -> tuple[str, int]:
    """A new instructor with a published course of 20 lessons, and their API token."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        email = f"teacher{time.time_ns()}@example.com"
        body = {"email": email, "password": PASSWORD, "full_name": "Bench Teacher"}
        async with http.post(f"{base}/api/v1/auth/register", json=body) as answer:
            user = await answer.json()
        await db.execute("UPDATE \"user\" SET role = 'instructor' WHERE id = $1", user["id"])
        async with http.post(
            f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ) as answer:
            csrf = (await answer.json())["csrf_token"]
        headers = {"X-CSRF-Token": csrf}
        async with http.post(
            f"{base}/api/v1/auth/tokens", json={"name": "bench"}, headers=headers
        ) as answer:
            token = (await answer.json())["token"]
        auth = {"Authorization": f"Bearer {token}"}
        async with http.post(
            f"{base}/api/v1/courses", json={"title": "A big course"}, headers=auth
        ) as answer:
            course_id = int((await answer.json())["id"])
        for n in range(20):
            url = f"{base}/api/v1/courses/{course_id}/lessons"
            async with http.post(url, json={"title": f"Lesson {n + 1}"}, headers=auth) as answer:
                assert answer.status == 201, await answer.text()
    return token, course_id


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    await fresh_database()
    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    log = Path("/tmp") / f"ocp-bench-analytics-{os.getpid()}.log"
    with log.open("w") as out:
        serve = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "ocp", "serve", "--port", str(port)],
            env=env(), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    db = await asyncpg.connect(URL)
    try:
        await wait_healthy(base)
        token, course_id = await instructor_token(base, db)
        started = time.perf_counter()
        await seed(db, course_id, args.enrollments)
        took = time.perf_counter() - started
        print(f"seeded {args.enrollments:,} enrollment figures and 366 days in {took:.1f} s")
        end = datetime.now(UTC).date()
        start = end - timedelta(days=365)
        url = f"{base}/api/v1/courses/{course_id}/analytics?from={start}&to={end}"
        ocp: list[float] = []
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
            for n in range(args.requests + 10):
                began = time.perf_counter()
                async with http.get(url) as answer:
                    body = await answer.read()
                    assert answer.status == 200, body[:300]
                if n >= 10:  # the first ones warm the caches
                    ocp.append(time.perf_counter() - began)
        report: dict[str, Any] = orjson.loads(body)
        assert len(report["daily"]) == 366, len(report["daily"])
        bare: list[float] = []
        for n in range(args.requests + 10):
            began = time.perf_counter()
            _ = await bare_report(db, course_id, start, end)
            if n >= 10:
                bare.append(time.perf_counter() - began)
    finally:
        await db.close()
        serve.terminate()
        serve.wait(10)
    print(
        f"\n{args.enrollments:,} enrollments, a 366-day range, {args.requests} requests in turn\n"
    )
    print("| | p50 ms | p99 ms | mean ms |\n|---|---:|---:|---:|")
    print(summary("OCP over HTTP", ocp))
    print(summary("bare asyncpg, same reads, no HTTP", bare))
    p99 = sorted(ocp)[min(len(ocp) - 1, int(len(ocp) * 0.99))] * 1000
    verdict = "met" if p99 < GOAL_MS else "NOT met"
    print(f"\ngoal (issue 18): a year under {GOAL_MS:.0f} ms (p99): {p99:.1f} ms -> {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
