"""Fixed-window attempt counters: Redis in production (shared by every process), memory embedded."""

from __future__ import annotations

import hashlib
import time
from typing import Protocol

from redis.asyncio import Redis

from ocp import redis_keys

KEY_PREFIX = redis_keys.RATE_LIMIT_PREFIX

# INCR the key; start its window on the first hit; return the count and the seconds left.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


def key(kind: str, value: str) -> str:
    """A counter key that does not keep the raw value (emails, addresses) in Redis."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}{kind}:{digest}"


class Limiter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one attempt; return (attempts in the window, seconds until it resets)."""

    async def undo(self, key: str) -> None:
        """Take back one attempt (it turned out to be a success that should not count)."""

    async def reset(self, key: str) -> None:
        """Forget every attempt under ``key``."""

    async def remember(self, key: str, seconds: int) -> None:
        """Note a fact (such as a past success) under ``key`` for ``seconds``."""

    async def remembered(self, key: str) -> bool:
        """Whether a fact noted under ``key`` is still kept."""


class RedisLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._hit = redis.register_script(_HIT)

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        count, ttl = await self._hit(keys=[key], args=[window])
        return int(count), int(ttl)

    async def undo(self, key: str) -> None:
        await self._redis.decr(key)

    async def reset(self, key: str) -> None:
        await self._redis.delete(key)

    async def remember(self, key: str, seconds: int) -> None:
        await self._redis.set(key, 1, ex=seconds)

    async def remembered(self, key: str) -> bool:
        return bool(await self._redis.exists(key))


class MemoryLimiter:
    """One process's counters, for the embedded mode."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + window
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
        self._windows[key] = (count + 1, ends)
        return count + 1, max(1, int(ends - now + 0.999))

    async def undo(self, key: str) -> None:
        if key in self._windows:
            count, ends = self._windows[key]
            self._windows[key] = (max(0, count - 1), ends)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def remember(self, key: str, seconds: int) -> None:
        self._windows[key] = (1, time.monotonic() + seconds)

    async def remembered(self, key: str) -> bool:
        _, ends = self._windows.get(key, (0, 0.0))
        return ends > time.monotonic()
