"""Both limiters, memory (embedded) and Redis, keep counts and remembered facts alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from ocp.ratelimit import Limiter, MemoryLimiter, RedisLimiter, key


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Limiter]:
    if request.param == "memory":
        yield MemoryLimiter()
        return
    redis = Redis.from_url(redis_url)
    yield RedisLimiter(redis)
    await redis.aclose()


async def test_counts_undo_and_reset(limiter: Limiter) -> None:
    k = key("test", "a")
    assert (await limiter.hit(k, 60))[0] == 1
    count, retry = await limiter.hit(k, 60)
    assert count == 2 and 0 < retry <= 60
    await limiter.undo(k)
    assert (await limiter.hit(k, 60))[0] == 2
    await limiter.reset(k)
    assert (await limiter.hit(k, 60))[0] == 1


async def test_remembered_facts_expire(limiter: Limiter) -> None:
    k = key("test-known", "a")
    assert not await limiter.remembered(k)
    await limiter.remember(k, 1)
    assert await limiter.remembered(k)
    assert not await limiter.remembered(key("test-known", "b"))
    await asyncio.sleep(1.1)
    assert not await limiter.remembered(k)
