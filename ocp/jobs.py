"""Background jobs by name: arq in production, an in-process runner when embedded.

Both run the same job functions (``async def job(ctx, *args)``, kept in ``workers/``).
Recalculations are *coalesced* (docs/architecture.md, "Background jobs"): the writer sets a
marker and enqueues only when the marker was not already set, with a job id unique per
enqueue; the job clears the marker as its first step, before it reads anything. A change is
then either seen by a job that has not started reading yet, or it enqueues a new one; none is
lost and none piles up.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from arq.connections import ArqRedis
from redis.asyncio import Redis

from ocp import metrics, redis_keys

log = logging.getLogger("ocp.jobs")

JobFunction = Callable[..., Awaitable[Any]]
MARKER_TTL = 600  # a marker whose job was lost stops blocking new runs after this long
MAX_TRIES = 5

_registry: dict[str, JobFunction] = {}


def register(name: str, function: JobFunction) -> None:
    """Make a job function known to the in-process runner (``workers.jobs`` registers all)."""
    _registry[name] = function


def registered() -> dict[str, JobFunction]:
    return dict(_registry)


def _log_run(
    name: str, job_id: str | None, attempt: int, outcome: str, started: float, *, failed: bool
) -> None:
    """The same line per run as the arq worker writes (``workers/observed.py``)."""
    seconds = time.perf_counter() - started
    fields = {
        "job_id": job_id,
        "job": name,
        "try": attempt,
        "outcome": outcome,
        "duration_ms": round(seconds * 1000, 2),
    }
    level = logging.WARNING if failed else logging.INFO
    log.log(level, "job %s %s %s", name, job_id, outcome, exc_info=failed, extra={"fields": fields})


class JobQueue(Protocol):
    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        """Run ``name(*args)`` in the background (once per ``job_id`` while it is queued)."""

    async def enqueue_coalesced(self, name: str, key: str, *args: Any) -> bool:
        """Enqueue unless a run for ``key`` is queued and has not started; True if enqueued."""

    async def started(self, key: str) -> None:
        """A coalesced job's first step: later changes must enqueue another run."""

    async def close(self) -> None: ...


class ArqJobQueue:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        if await self._redis.enqueue_job(name, *args, _job_id=job_id) is not None:
            metrics.job_enqueued(name)  # None: a job with this id is already queued

    async def enqueue_coalesced(self, name: str, key: str, *args: Any) -> bool:
        marker = redis_keys.JOB_MARKER_PREFIX + key
        if not await self._redis.set(marker, 1, nx=True, ex=MARKER_TTL):
            return False
        try:
            sequence = redis_keys.JOB_SEQUENCE_PREFIX + key
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incr(sequence)
                pipe.expire(sequence, 7 * 24 * 3600)
                number, _ = await pipe.execute()
            await self._redis.enqueue_job(name, *args, _job_id=f"{key}:{number}")
        except BaseException:
            await self._redis.delete(marker)  # or the next change could not enqueue a run
            raise
        metrics.job_enqueued(name)
        return True

    async def started(self, key: str) -> None:
        await self._redis.delete(redis_keys.JOB_MARKER_PREFIX + key)

    async def close(self) -> None:
        await self._redis.aclose()


def arq_queue(redis: Redis) -> ArqJobQueue:
    """An arq queue sharing the connection pool of ``redis``."""
    return ArqJobQueue(ArqRedis(connection_pool=redis.connection_pool))


class InProcessJobQueue:
    """Embedded mode: the same job functions as tasks of this process, with retries."""

    def __init__(self, functions: Mapping[str, JobFunction], ctx: dict[str, Any]) -> None:
        self._functions = dict(functions)
        self._ctx = {**ctx, "jobs": self}
        self._markers: set[str] = set()
        self._sequences: dict[str, int] = {}  # key -> runs enqueued: ids as arq's queue makes
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        if job_id is not None and job_id in self._running:
            return
        if name not in self._functions:
            raise LookupError(f"no job function named {name!r}")
        task = asyncio.create_task(self._run(name, args, job_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        metrics.job_enqueued(name)

    @property
    def pending(self) -> int:
        """Jobs enqueued and not finished (waiting, running or between tries)."""
        return len(self._tasks)

    async def enqueue_coalesced(self, name: str, key: str, *args: Any) -> bool:
        if key in self._markers:
            return False
        self._markers.add(key)
        number = self._sequences[key] = self._sequences.get(key, 0) + 1
        try:
            await self.enqueue(name, *args, job_id=f"{key}:{number}")
        except BaseException:
            self._markers.discard(key)  # or the next change could not enqueue a run
            raise
        return True

    async def started(self, key: str) -> None:
        self._markers.discard(key)

    async def _run(self, name: str, args: tuple[Any, ...], job_id: str | None) -> None:
        if job_id is not None:
            self._running.add(job_id)
        try:
            for attempt in range(1, MAX_TRIES + 1):
                started = time.perf_counter()
                try:
                    ctx = {**self._ctx, "job_id": job_id, "job_try": attempt}
                    await self._functions[name](ctx, *args)
                except Exception:
                    outcome = "failed" if attempt == MAX_TRIES else "retried"
                    metrics.job_finished_locally(name, outcome)
                    _log_run(name, job_id, attempt, outcome, started, failed=True)
                    if attempt == MAX_TRIES:
                        return
                    await asyncio.sleep(min(30.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.5))  # noqa: S311
                else:
                    metrics.job_finished_locally(name, "succeeded")
                    _log_run(name, job_id, attempt, "succeeded", started, failed=False)
                    return
        finally:
            if job_id is not None:
                self._running.discard(job_id)

    async def drain(self) -> None:
        """Wait until every queued job has run (tests, and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
