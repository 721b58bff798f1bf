"""A per-process cache of public catalog answers, invalidated through shared versions.

Every committed catalog change bumps a version number (in Redis, so every process sees it;
in memory when embedded). Each cached answer is filed under the version it was computed at,
and each request reads the current version first: once a change's request has answered, no
process serves an answer computed before it.

Enrollment counts change far more often than the catalog and must not flush it. They bump
only their course's own counter, which the answers about that one course (its detail) are
checked against, read in the same round trip as the version; answers about many courses
(lists, and the ``popular`` order) are reused for at most ``max_age`` seconds, so a count
there is at most that old.

Concurrent misses of one key in one process are computed once: the first starts the
computation (a task of its own, so that one caller going away cancels it for nobody) and the
others that read the same version wait for it. Each process computes its own misses.

When Redis cannot be reached the version is unknown, so the catalog stays readable from the
database: answers are computed and not kept, and what this process kept is dropped (a change
committed meanwhile bumps the version only once Redis is back).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ocp import redis_keys

VERSION_KEY = redis_keys.CATALOG_VERSION
COUNTS_PREFIX = redis_keys.CATALOG_COUNTS_PREFIX
# A course's counter may expire once no answer filed under it can still be served (each is
# at most max_age old): a missing counter then differs from every value it had before.
COUNTS_TTL = 24 * 3600
MAX_AGE_LIMIT = 3600
T = TypeVar("T")

Versions = tuple[bytes, bytes | None]  # (catalog version, the course's counter or None)
Flight = tuple[bytes, bytes | None, str]  # (version, counter, key) of a computation under way


@dataclass(frozen=True)
class _Entry:
    value: Any
    stamp: float  # monotonic time of the version read it was computed after
    counts: bytes | None


class CatalogCache:
    def __init__(
        self,
        redis: Redis | None,
        *,
        enabled: bool = True,
        max_entries: int = 4096,
        max_age: float = 30.0,
    ):
        if not 0 < max_age <= MAX_AGE_LIMIT:
            raise ValueError(f"max_age must be within (0, {MAX_AGE_LIMIT}] seconds")
        self._redis = redis
        self._enabled = enabled
        self._max_entries = max_entries
        self._max_age = max_age
        self._local_version = 0
        self._local_counts: dict[int, int] = {}
        self._seen_version: bytes | None = None
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._waiting: list[tuple[asyncio.Future[Versions], int | None]] = []
        self._reader: asyncio.Task[None] | None = None
        self._flights: dict[Flight, asyncio.Task[Any]] = {}

    async def _versions(self, course_id: int | None) -> Versions:
        """The current version (and the course's counter). Requests that arrive while a read
        is in flight share the next read, which starts after they arrived: one MGET per round,
        never an older answer."""
        if self._redis is None:
            counts = None if course_id is None else self._local_counts.get(course_id)
            return str(self._local_version).encode(), None if counts is None else b"%d" % counts
        waiter: asyncio.Future[Versions] = asyncio.get_running_loop().create_future()
        self._waiting.append((waiter, course_id))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_versions(self._redis))
        return await waiter

    async def _read_versions(self, redis: Redis) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            courses = sorted({course_id for _, course_id in batch if course_id is not None})
            keys = [VERSION_KEY, *(f"{COUNTS_PREFIX}{course_id}" for course_id in courses)]
            try:
                values = await redis.mget(keys)
            except Exception as error:  # each waiter sees the failure
                for waiter, _ in batch:
                    if not waiter.done():
                        waiter.set_exception(error)
                continue
            version = values[0] or b"0"
            counts = dict(zip(courses, values[1:], strict=True))
            for waiter, course_id in batch:
                if not waiter.done():
                    waiter.set_result((version, None if course_id is None else counts[course_id]))

    async def get_or_compute(
        self, key: str, compute: Callable[[], Awaitable[T]], *, course_id: int | None = None
    ) -> T:
        """The cached answer for ``key`` at the current version, computing it on a miss.

        ``course_id``: the answer is about that one course, exact about its counts too.
        Otherwise it is reused for at most ``max_age`` seconds.
        """
        if not self._enabled:
            return await compute()
        started = time.monotonic()
        try:
            version, counts = await self._versions(course_id)
        except (RedisConnectionError, RedisTimeoutError):
            self._entries.clear()
            self._seen_version = None
            return await compute()
        if version != self._seen_version:
            self._entries.clear()
            self._seen_version = version
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.counts == counts
            and (course_id is not None or started - entry.stamp < self._max_age)
        ):
            self._entries.move_to_end(key)
            return entry.value
        flight = (version, counts, key)
        task = self._flights.get(flight)
        if task is None:
            task = asyncio.ensure_future(self._compute_and_keep(flight, started, compute))
            self._flights[flight] = task
            task.add_done_callback(lambda done: self._landed(flight, done))
        return cast(T, await asyncio.shield(task))

    async def _compute_and_keep(
        self, flight: Flight, started: float, compute: Callable[[], Awaitable[T]]
    ) -> T:
        """One computation of a missed answer, which every caller missing it meanwhile at the
        same version awaits; kept if the version has not moved since."""
        version, counts, key = flight
        value = await compute()
        if self._seen_version == version:
            self._entries[key] = _Entry(value, started, counts)
            self._entries.move_to_end(key)
            if len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return value

    def _landed(self, flight: Flight, task: asyncio.Task[Any]) -> None:
        if self._flights.get(flight) is task:
            del self._flights[flight]
        if not task.cancelled():
            _ = task.exception()  # retrieved here too, when every caller has gone away

    async def bump(self) -> None:
        """Call after a catalog change commits: every process drops what it cached before."""
        self._entries.clear()
        if self._redis is None:
            self._local_version += 1
        else:
            await self._redis.incr(VERSION_KEY)

    async def counts_changed(self, course_id: int) -> None:
        """Call after a course's enrollment count changed: its own answers are recomputed,
        lists follow within ``max_age``; nothing else is dropped."""
        if self._redis is None:
            self._local_counts[course_id] = self._local_counts.get(course_id, 0) + 1
            return
        key = f"{COUNTS_PREFIX}{course_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, COUNTS_TTL)
            await pipe.execute()
