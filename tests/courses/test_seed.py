"""``python -m ocp seed --demo``: demo data into an empty database, on PostgreSQL and embedded."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from ocp.app import create_app
from ocp.config import Settings
from ocp.courses.cache import VERSION_KEY
from ocp.courses.seed import CATEGORIES, DEMO_PASSWORD
from tests.conftest import SECRET, new_database
from tests.e2e.processes import clean_env, run_ocp

COURSES = 40
SNAPSHOT = {
    "courses": "SELECT id, slug, title, status, category, level, language, tags, price_cents,"
    " lesson_count, duration_minutes, published_at, description FROM course ORDER BY id",
    "lessons": "SELECT course_id, position, is_preview, duration_minutes FROM lesson",
    "tags": "SELECT course_id, tag FROM course_tag",
    "roles": 'SELECT role, count(*) AS n FROM "user" GROUP BY role',
}
Snapshot = dict[str, list[dict[str, Any]]]


def _seed(env: dict[str, str], cwd: Path) -> Any:
    return run_ocp("seed", "--demo", "--courses", str(COURSES), env=env, cwd=cwd)


async def _pg_snapshot(url: str) -> Snapshot:
    conn = await asyncpg.connect(url)
    try:
        return {
            name: [dict(row) for row in await conn.fetch(sql)] for name, sql in SNAPSHOT.items()
        }
    finally:
        await conn.close()


def _sqlite_snapshot(path: Path) -> Snapshot:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {name: [dict(row) for row in conn.execute(sql)] for name, sql in SNAPSHOT.items()}
    finally:
        conn.close()


def _check(snapshot: Snapshot) -> None:
    """What every seeded catalog must satisfy, whatever the dialect."""
    courses = snapshot["courses"]
    assert len(courses) == COURSES
    assert {row["role"]: row["n"] for row in snapshot["roles"]} == {"instructor": 20, "student": 1}
    lessons: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for lesson in snapshot["lessons"]:
        lessons[lesson["course_id"]].append(lesson)
    tag_rows: dict[int, list[str]] = defaultdict(list)
    for row in snapshot["tags"]:
        tag_rows[row["course_id"]].append(row["tag"])
    for course in courses:
        own = sorted(lessons[course["id"]], key=lambda lesson: lesson["position"])
        assert 3 <= course["lesson_count"] <= 15, course
        assert [x["position"] for x in own] == list(range(1, course["lesson_count"] + 1)), course
        assert [bool(x["is_preview"]) for x in own] == [True] + [False] * (len(own) - 1)
        assert course["duration_minutes"] == sum(x["duration_minutes"] for x in own)
        tags = json.loads(course["tags"])
        assert (
            tags and len(tags) == len(set(tags)) and sorted(tag_rows[course["id"]]) == sorted(tags)
        )
        assert (course["published_at"] is None) == (course["status"] == "draft"), course
        assert course["description"].startswith("<p>") and "<script" not in course["description"]
    assert {c["status"] for c in courses} == {"published", "draft"}
    assert {c["category"] for c in courses} <= {c.slug for c in CATEGORIES}
    assert any(c["price_cents"] == 0 for c in courses) and any(c["price_cents"] for c in courses)
    assert len({c["level"] for c in courses}) > 1 and len({c["language"] for c in courses}) > 1
    assert len({c["slug"] for c in courses}) == COURSES
    assert sum(c["lesson_count"] for c in courses) == len(snapshot["lessons"])


def _same_catalog(one: Snapshot, other: Snapshot) -> None:
    def key(snapshot: Snapshot) -> list[tuple[Any, ...]]:
        return [
            (c["slug"], c["price_cents"], c["lesson_count"], json.loads(c["tags"]))
            for c in snapshot["courses"]
        ]

    assert key(one) == key(other)


def _seed_embedded(data_dir: Path, cwd: Path) -> Snapshot:
    done = _seed(clean_env(OCP_DATA_DIR=str(data_dir)), cwd)
    assert done.returncode == 0, done.stderr
    assert "database ready" in done.stdout and f"{COURSES}/{COURSES} courses" in done.stderr
    return _sqlite_snapshot(data_dir / "ocp.sqlite3")


async def test_seed_fills_an_empty_postgresql_database_once(tmp_path: Path, redis_url: str) -> None:
    async with new_database() as url:
        env = clean_env(OCP_DATABASE_URL=url, OCP_REDIS_URL=redis_url)
        pending = _seed(env, tmp_path)
        assert pending.returncode == 1 and "pending" in pending.stderr, pending.stderr
        migrated = run_ocp("migrate", env=env, cwd=tmp_path)
        assert migrated.returncode == 0, migrated.stderr

        done = _seed(env, tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"seeded {COURSES} courses" in done.stdout and DEMO_PASSWORD in done.stdout
        snapshot = await _pg_snapshot(url)
        _check(snapshot)
        published = [c for c in snapshot["courses"] if c["status"] == "published"]
        now = datetime.now(UTC)
        assert all(now - timedelta(days=366) < c["published_at"] < now for c in published)
        redis = Redis.from_url(redis_url)
        try:
            assert await redis.get(VERSION_KEY) == b"1"  # running servers drop cached pages
        finally:
            await redis.aclose()

        again = _seed(env, tmp_path)
        assert again.returncode == 1, again.stdout
        assert again.stderr.startswith("ocp: refusing to seed") and again.stderr.count("\n") == 1
        assert len((await _pg_snapshot(url))["courses"]) == COURSES

        settings = Settings(database_url=url, redis_url=redis_url, secret_key=SECRET)
        async with TestClient(TestServer(create_app(settings))) as client:
            target = published[0]
            found = await client.get("/api/v1/courses", params={"q": target["title"]})
            assert found.status == 200, await found.text()
            assert target["id"] in [c["id"] for c in (await found.json())["items"]]
            subject = json.loads(target["tags"])[0]
            by_tag = await client.get("/api/v1/courses", params={"tag": subject})
            assert (await by_tag.json())["total"] >= 1
            draft = next(c for c in snapshot["courses"] if c["status"] == "draft")
            assert (await client.get(f"/api/v1/courses/{draft['id']}")).status == 404
            login = await client.post(
                "/api/v1/auth/login",
                json={"email": "instructor1@demo.ocp", "password": DEMO_PASSWORD},
            )
            assert login.status == 200, await login.text()
            assert (await login.json())["user"]["role"] == "instructor"

    # The same seed gives the same catalog in the other dialect.
    _same_catalog(snapshot, _seed_embedded(tmp_path / "var", tmp_path))


def test_seed_embedded_migrates_fills_and_then_refuses(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    snapshot = _seed_embedded(data_dir, tmp_path)
    _check(snapshot)
    assert Counter(c["status"] for c in snapshot["courses"])["published"] >= COURSES * 0.8

    again = run_ocp("seed", "--demo", env=clean_env(OCP_DATA_DIR=str(data_dir)), cwd=tmp_path)
    assert again.returncode == 1 and "refusing to seed" in again.stderr, again.stderr
    assert len(_sqlite_snapshot(data_dir / "ocp.sqlite3")["courses"]) == COURSES
