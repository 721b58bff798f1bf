"""Enrollment counts move without flushing every process's catalog cache.

The catalog version (Redis) is read before and after: enrolling and cancelling leave it
alone. A course's own detail shows its count at once, in every process; lists show it
within ``OCP_CATALOG_CACHE_MAX_AGE`` seconds (2 here).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from ocp.config import Settings
from ocp.courses.cache import VERSION_KEY, CatalogCache
from tests.e2e.processes import free_port
from tests.helpers import Users
from tests.learning.test_rights import cancel, enroll, make_course
from tests.outages import RedisServer

MAX_AGE = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, catalog_cache_max_age=MAX_AGE)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _json(client: TestClient, url: str) -> Any:
    answer = await client.get(url)
    assert answer.status == 200, await answer.text()
    return await answer.json()


async def _listed_count(client: TestClient, course_id: int) -> int:
    page = await _json(client, "/api/v1/courses?per_page=100")
    return int(next(c for c in page["items"] if c["id"] == course_id)["enrollment_count"])


async def test_enrollment_changes_do_not_bump_the_catalog_version(
    users: Users, client: TestClient, redis: Redis
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, 1)
    student = await users.signed_in()
    detail = f"/api/v1/courses/{course_id}"
    assert (await _json(client, detail))["enrollment_count"] == 0
    version = await redis.get(VERSION_KEY)
    assert version is not None  # the course's creation and publication bumped it

    for n in range(28):  # within the per-user budget; ends cancelled
        answer = await (enroll if n % 2 == 0 else cancel)(student, course_id)
        assert answer.status in {201, 204}, await answer.text()
        expected = 1 if n % 2 == 0 else 0
        assert (await _json(client, detail))["enrollment_count"] == expected  # exact, at once
    assert await redis.get(VERSION_KEY) == version  # 28 changes, no catalog flush

    await asyncio.sleep(MAX_AGE)
    primed = time.monotonic()
    assert await _listed_count(client, course_id) == 0  # computed now, then cached
    assert (await enroll(student, course_id)).status == 201
    assert (await _json(client, detail))["enrollment_count"] == 1
    listed = await _listed_count(client, course_id)
    assert time.monotonic() - primed < MAX_AGE, "too slow to see the cached page"
    assert listed == 0  # the list page was kept, not flushed
    await asyncio.sleep(MAX_AGE)
    assert await _listed_count(client, course_id) == 1  # and it follows within max_age
    assert await redis.get(VERSION_KEY) == version


async def test_other_processes_see_a_courses_count_at_once(redis: Redis) -> None:
    """Two caches on one Redis are two processes: one's count change reaches the other's
    answers about that course, and leaves its other answers in place."""
    here, there = CatalogCache(redis, max_age=60), CatalogCache(redis, max_age=60)
    computed: list[str] = []

    def computing(key: str, value: int) -> Any:
        async def compute() -> int:
            computed.append(key)
            return value

        return compute

    assert await there.get_or_compute("course:7", computing("course:7", 1), course_id=7) == 1
    assert await there.get_or_compute("course:8", computing("course:8", 1), course_id=8) == 1
    assert await there.get_or_compute("list", computing("list", 1)) == 1
    assert await there.get_or_compute("course:7", computing("course:7", 2), course_id=7) == 1
    version = await redis.get(VERSION_KEY)

    await here.counts_changed(7)
    assert await there.get_or_compute("course:7", computing("course:7", 2), course_id=7) == 2
    assert await there.get_or_compute("course:8", computing("course:8", 2), course_id=8) == 1
    assert await there.get_or_compute("list", computing("list", 2)) == 1
    assert computed == ["course:7", "course:8", "list", "course:7"]
    assert await redis.get(VERSION_KEY) == version
    assert 0 < await redis.ttl("ocp:catalog:counts:7") <= 24 * 3600

    await here.bump()  # a catalog change still drops everything everywhere
    assert await there.get_or_compute("list", computing("list", 3)) == 3


async def test_lists_expire_after_max_age_without_redis() -> None:
    """Embedded (no Redis): the same rules in one process."""
    cache = CatalogCache(None, max_age=0.2)
    values = iter(range(10))

    async def compute() -> int:
        return next(values)

    assert await cache.get_or_compute("list", compute) == 0
    assert await cache.get_or_compute("list", compute) == 0
    assert await cache.get_or_compute("course:1", compute, course_id=1) == 1
    await cache.counts_changed(1)
    assert await cache.get_or_compute("course:1", compute, course_id=1) == 2
    assert await cache.get_or_compute("list", compute) == 0
    await asyncio.sleep(0.25)
    assert await cache.get_or_compute("list", compute) == 3


async def test_while_redis_is_down_answers_come_from_the_database_and_old_ones_go(
    tmp_path: Path,
) -> None:
    """No version to check against: compute and keep nothing; and serve nothing kept from
    before the outage once Redis is back (a change meanwhile bumps the version late)."""
    server = RedisServer(free_port(), tmp_path)
    server.start()
    await server.wait_ready()
    redis = Redis.from_url(server.url)
    cache = CatalogCache(redis)
    values = iter(range(10))

    async def compute() -> int:
        return next(values)

    try:
        assert await cache.get_or_compute("list", compute) == 0
        assert await cache.get_or_compute("list", compute) == 0
        server.stop()
        assert await cache.get_or_compute("list", compute) == 1
        assert await cache.get_or_compute("course:1", compute, course_id=1) == 2
        assert await cache.get_or_compute("list", compute) == 3
        server.start()  # the same version as before the outage: nothing was bumped
        await server.wait_ready()
        assert await cache.get_or_compute("list", compute) == 4
        assert await cache.get_or_compute("list", compute) == 4
    finally:
        server.stop()
        await redis.aclose()
