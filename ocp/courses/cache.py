"""A per-process cache of public catalog answers, invalidated through one shared version.

Every committed catalog change bumps a version number (in Redis, so every process sees it;
in memory when embedded). Each cached answer is filed under the version it was computed at,
and each request reads the current version first: once a change's request has answered, no
process serves an answer computed before it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis

VERSION_KEY = "ocp:catalog:version"
T = TypeVar("T")


class CatalogCache:
    def __init__(self, redis: Redis | None, *, enabled: bool = True, max_entries: int = 4096):
        self._redis = redis
        self._enabled = enabled
        self._max_entries = max_entries
        self._local_version = 0
        self._seen_version: bytes | None = None
        self._entries: OrderedDict[str, Any] = OrderedDict()

    async def _version(self) -> bytes:
        if self._redis is None:
            return str(self._local_version).encode()
        return await self._redis.get(VERSION_KEY) or b"0"

    async def get_or_compute(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        """The cached answer for ``key`` at the current version, computing it on a miss."""
        if not self._enabled:
            return await compute()
        version = await self._version()
        if version != self._seen_version:
            self._entries.clear()
            self._seen_version = version
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        body = await compute()
        if self._seen_version == version:
            self._entries[key] = body
            if len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return body

    async def bump(self) -> None:
        """Call after a catalog change commits: every process drops what it cached before."""
        self._entries.clear()
        if self._redis is None:
            self._local_version += 1
        else:
            await self._redis.incr(VERSION_KEY)
