"""A per-process cache of public catalog answers, invalidated through one shared version.

Every committed catalog change bumps a version number (in Redis, so every process sees it;
in memory when embedded). Each cached answer is filed under the version it was computed at,
and each request reads the current version first: once a change's request has answered, no
process serves an answer computed before it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis

from ocp import redis_keys

VERSION_KEY = redis_keys.CATALOG_VERSION
T = TypeVar("T")


class CatalogCache:
    def __init__(self, redis: Redis | None, *, enabled: bool = True, max_entries: int = 4096):
        self._redis = redis
        self._enabled = enabled
        self._max_entries = max_entries
        self._local_version = 0
        self._seen_version: bytes | None = None
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._waiting: list[asyncio.Future[bytes]] = []
        self._reader: asyncio.Task[None] | None = None

    async def _version(self) -> bytes:
        """The current version. Requests that arrive while a read is in flight share the next
        read, which starts after they arrived: one GET per round, never an older answer."""
        if self._redis is None:
            return str(self._local_version).encode()
        waiter: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_versions(self._redis))
        return await waiter

    async def _read_versions(self, redis: Redis) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                version = await redis.get(VERSION_KEY) or b"0"
            except Exception as error:  # each waiter sees the failure (503 upstream)
                for waiter in batch:
                    if not waiter.done():
                        waiter.set_exception(error)
            else:
                for waiter in batch:
                    if not waiter.done():
                        waiter.set_result(version)

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
