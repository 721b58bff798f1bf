"""Concurrent misses of one catalog answer are computed once per process.

The cache (``ocp/courses/cache.py``) shares one computation between the callers that miss
the same key at the same version; one caller going away cancels it for nobody, and a caller
that read a newer version does not get the older computation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from ocp.courses import listing
from ocp.courses.cache import CatalogCache
from tests.helpers import Users
from tests.learning.test_rights import make_course

PARALLEL = 20


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(params=["redis", "embedded"])
def cache(request: pytest.FixtureRequest) -> CatalogCache:
    """The cache on Redis (production) and in memory (embedded)."""
    if request.param == "redis":
        return CatalogCache(request.getfixturevalue("redis"))
    return CatalogCache(None)


def slow(calls: list[int], value: Any, gate: asyncio.Event) -> Callable[[], Awaitable[Any]]:
    async def compute() -> Any:
        calls.append(1)
        await gate.wait()
        return value

    return compute


async def test_parallel_misses_of_one_key_compute_once(cache: CatalogCache) -> None:
    calls: list[int] = []
    gate = asyncio.Event()
    waiting = [
        asyncio.create_task(cache.get_or_compute("list:1", slow(calls, "page", gate)))
        for _ in range(PARALLEL)
    ]
    await asyncio.sleep(0.1)  # every caller has read the version and is waiting
    gate.set()
    assert await asyncio.gather(*waiting) == ["page"] * PARALLEL
    assert len(calls) == 1
    assert await cache.get_or_compute("list:1", slow(calls, "again", gate)) == "page"
    assert len(calls) == 1


async def test_a_caller_that_goes_away_cancels_it_for_nobody(cache: CatalogCache) -> None:
    calls: list[int] = []
    gate = asyncio.Event()
    first = asyncio.create_task(cache.get_or_compute("course:1", slow(calls, "c", gate)))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(cache.get_or_compute("course:1", slow(calls, "d", gate)))
    await asyncio.sleep(0.05)
    first.cancel()
    gate.set()
    assert await second == "c"
    assert len(calls) == 1
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_failure_reaches_every_waiter_and_the_next_miss_computes_again(
    cache: CatalogCache,
) -> None:
    calls: list[int] = []
    gate = asyncio.Event()

    async def failing() -> str:
        calls.append(1)
        await gate.wait()
        raise RuntimeError("database went away")

    waiting = [
        asyncio.create_task(cache.get_or_compute("list:2", failing)) for _ in range(PARALLEL)
    ]
    await asyncio.sleep(0.1)
    gate.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    assert len(calls) == 1
    assert await cache.get_or_compute("list:2", slow(calls, "fine", gate)) == "fine"


async def test_a_newer_version_does_not_join_an_older_computation(cache: CatalogCache) -> None:
    calls: list[int] = []
    old_gate, new_gate = asyncio.Event(), asyncio.Event()
    old = asyncio.create_task(cache.get_or_compute("list:3", slow(calls, "old", old_gate)))
    await asyncio.sleep(0.05)
    await cache.bump()  # a catalog change committed meanwhile
    new = asyncio.create_task(cache.get_or_compute("list:3", slow(calls, "new", new_gate)))
    await asyncio.sleep(0.05)
    old_gate.set()
    new_gate.set()
    assert (await old, await new) == ("old", "new")
    assert len(calls) == 2
    assert await cache.get_or_compute("list:3", slow(calls, "later", new_gate)) == "new"


async def test_parallel_requests_for_one_page_and_one_course_query_once(
    users: Users, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the API on PostgreSQL + Redis: one database read for each."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, 1)
    pages: list[int] = []
    details: list[int] = []
    page, published = listing.page, listing.published

    async def counted_page(*args: Any, **kwargs: Any) -> Any:
        pages.append(1)
        await asyncio.sleep(0.05)
        return await page(*args, **kwargs)

    async def counted_published(course_id: int) -> Any:
        details.append(1)
        await asyncio.sleep(0.05)
        return await published(course_id)

    monkeypatch.setattr(listing, "page", counted_page)
    monkeypatch.setattr(listing, "published", counted_published)
    urls = ["/api/v1/courses?per_page=7", f"/api/v1/courses/{course_id}"] * PARALLEL
    answers = await asyncio.gather(*(client.get(url) for url in urls))
    bodies = [await answer.json() for answer in answers]
    assert all(answer.status == 200 for answer in answers)
    assert len({str(body) for body in bodies[::2]}) == 1
    assert len({str(body) for body in bodies[1::2]}) == 1
    assert (len(pages), len(details)) == (1, 1)
