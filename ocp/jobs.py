"""Background jobs: one runner for arq and for the in-process queue of the embedded mode.

A job is ``async def job(ctx: JobContext, *args)``, declared by its domain (``ocp/domains.py``)
as a :class:`JobSpec`. :func:`run_try` runs one try of it: it writes the log line and counts
the outcome, and says whether and when to try again (exponential backoff, at most
``max_tries`` tries). arq's adapter (``workers/main.py``) turns "again" into arq's ``Retry``;
:class:`InProcessJobQueue` sleeps and calls again. A job that must do something when it gives
up (mark an upload failed) checks ``ctx.last_try`` itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from arq.connections import ArqRedis
from redis.asyncio import Redis

from ocp import metrics

if TYPE_CHECKING:
    from ocp.config import Settings
    from ocp.courses.cache import CatalogCache
    from ocp.events.log import EventLog
    from ocp.media.storage import Storage
    from ocp.realtime.bus import Bus

log = logging.getLogger("ocp.jobs")

MAX_TRIES = 5
BACKOFF_MAX = 60.0


@dataclass(frozen=True)
class JobContext:
    """What a job may use: the process's shared parts, and which try this is."""

    settings: Settings
    storage: Storage
    bus: Bus
    events: EventLog
    jobs: JobQueue
    cache: CatalogCache
    redis: Redis | None = None  # job outcomes are counted there when set (arq)
    job_id: str | None = None
    job_try: int = 1
    max_tries: int = MAX_TRIES

    @property
    def last_try(self) -> bool:
        return self.job_try >= self.max_tries

    def for_try(self, job_id: str | None, job_try: int, max_tries: int) -> JobContext:
        return dataclasses.replace(self, job_id=job_id, job_try=job_try, max_tries=max_tries)


JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    """A job as its domain declares it."""

    name: str
    function: JobFunction
    max_tries: int = MAX_TRIES
    # A scheduled job runs (with no arguments) at these minutes of every hour: by arq's
    # cron in production, by a timer of the in-process queue when embedded.
    minutes: frozenset[int] | None = None


def backoff(job_try: int) -> float:
    """Seconds before try ``job_try + 1``: 1, 2, 4, ... up to a minute, with 20% jitter."""
    base = min(BACKOFF_MAX, 2.0 ** max(0, job_try - 1))
    return base * random.uniform(0.9, 1.1)  # noqa: S311


async def run_try(spec: JobSpec, ctx: JobContext, args: tuple[Any, ...]) -> float | None:
    """Run one try of ``spec``; None when it is over (done, or given up), else the seconds
    to wait before the next try. Never raises an error of the job."""
    started = time.perf_counter()
    delay: float | None = None
    error: Exception | None = None
    try:
        await spec.function(ctx, *args)
        outcome = "succeeded"
    except asyncio.CancelledError:
        _log_run(spec.name, ctx, "cancelled", started, None)
        raise
    except Exception as failure:
        error = failure
        if ctx.last_try:
            outcome = "failed"
        else:
            outcome, delay = "retried", backoff(ctx.job_try)
    _log_run(spec.name, ctx, outcome, started, error)
    await metrics.job_finished(ctx.redis, spec.name, outcome)
    return delay


def _log_run(
    name: str, ctx: JobContext, outcome: str, started: float, error: Exception | None
) -> None:
    """One line per try: id, name, try, outcome, duration (the traceback when it failed)."""
    failed = outcome in {"failed", "retried", "cancelled"}
    fields = {
        "job_id": ctx.job_id,
        "job": name,
        "try": ctx.job_try,
        "outcome": outcome,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    log.log(
        logging.WARNING if failed else logging.INFO,
        "job %s %s %s",
        name,
        ctx.job_id,
        outcome,
        exc_info=error,
        extra={"fields": fields},
    )


class JobQueue(Protocol):
    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        """Run ``name(*args)`` in the background (once per ``job_id`` while it is queued)."""

    async def close(self) -> None: ...


class ArqJobQueue:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        if await self._redis.enqueue_job(name, *args, _job_id=job_id) is not None:
            metrics.job_enqueued(name)  # None: a job with this id is already queued

    async def close(self) -> None:
        await self._redis.aclose()


def arq_queue(redis: Redis) -> ArqJobQueue:
    """An arq queue sharing the connection pool of ``redis``."""
    return ArqJobQueue(ArqRedis(connection_pool=redis.connection_pool))


class InProcessJobQueue:
    """Embedded mode: the domains' jobs as tasks of this process, through the same runner."""

    def __init__(self, specs: Iterable[JobSpec]) -> None:
        self._specs = {spec.name: spec for spec in specs}
        self._context: JobContext | None = None
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.Task[None] | None = None

    def bind(self, context: JobContext) -> None:
        """The parts the jobs get (they include this queue, so they come after it)."""
        self._context = context

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        if job_id is not None and job_id in self._running:
            return
        if name not in self._specs:
            raise LookupError(f"no job named {name!r}")
        if job_id is not None:
            self._running.add(job_id)
        # A fresh context: a job enqueued inside a transaction must not run in it (the ORM
        # keeps the current transaction in a context variable, which tasks inherit).
        task = asyncio.create_task(
            self._run(self._specs[name], args, job_id), context=contextvars.Context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        metrics.job_enqueued(name)

    @property
    def pending(self) -> int:
        """Jobs enqueued and not finished (waiting, running or between tries)."""
        return len(self._tasks)

    async def _run(self, spec: JobSpec, args: tuple[Any, ...], job_id: str | None) -> None:
        if self._context is None:
            raise RuntimeError("the in-process queue runs jobs once bound to its context")
        try:
            job_try = 1
            while True:
                ctx = self._context.for_try(job_id, job_try, spec.max_tries)
                delay = await run_try(spec, ctx, args)
                if delay is None:
                    return
                await asyncio.sleep(delay)
                job_try += 1
        finally:
            if job_id is not None:
                self._running.discard(job_id)

    def start_schedule(self) -> None:
        """Run the scheduled jobs at their minutes (embedded mode's cron)."""
        if self._timer is None and any(spec.minutes for spec in self._specs.values()):
            self._timer = asyncio.create_task(self._tick(), name="ocp-job-schedule")

    async def _tick(self) -> None:
        while True:
            moment = datetime.now(UTC)
            await asyncio.sleep(60 - moment.second - moment.microsecond / 1_000_000)
            minute = datetime.now(UTC).minute
            for spec in self._specs.values():
                if spec.minutes and minute in spec.minutes:
                    await self.enqueue(spec.name, job_id=f"{spec.name}:scheduled")

    async def drain(self) -> None:
        """Wait until every queued job has run (tests, and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None
        await self.drain()
