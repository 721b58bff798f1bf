"""An arq worker that rides out a Redis outage instead of exiting.

arq 0.28's ``Worker`` (pinned in pyproject.toml) ends its main loop, and so the process, at
the first Redis error in a queue poll. This one logs one warning per outage, polls again
with a growing pause (up to ``MAX_PAUSE``) meanwhile, and carries on when Redis answers:
jobs already running go on, jobs enqueued after the outage run. A job whose final write to
Redis failed stays queued and runs again once arq's claim on it lapses (jobs are idempotent).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from arq.typing import WorkerSettingsType
from arq.worker import Worker, get_kwargs
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("ocp.worker")

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
FIRST_PAUSE = 0.5  # seconds between polls once Redis failed, doubled each time...
MAX_PAUSE = 5.0  # ...up to this


class ResilientWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outage_started: float | None = None  # monotonic time of the first failed poll
        self._pause = FIRST_PAUSE

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_DOWN as error:
            await self._redis_failed(error)
            return
        if self.outage_started is not None:
            self._redis_back()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq's, one job at a time, giving back the slot it took for a job whose claim
        failed on the way (arq would keep it, and run fewer jobs after each outage)."""
        for job_id in job_ids:
            before = self.tasks.get(job_id.decode())
            try:
                await super().start_jobs([job_id])
            except REDIS_DOWN:
                if self.tasks.get(job_id.decode()) is before:  # no task took the slot over
                    self._release_sem_dec_counter_on_complete()
                raise

    async def _redis_failed(self, error: BaseException) -> None:
        if self.outage_started is None:
            self.outage_started = time.monotonic()
            log.warning(
                "Redis unavailable; polling again until it is back (running jobs go on): %r",
                error,
            )
        await asyncio.sleep(self._pause)
        self._pause = min(self._pause * 2, MAX_PAUSE)

    def _redis_back(self) -> None:
        assert self.outage_started is not None
        log.info("Redis is back after %.1f s", time.monotonic() - self.outage_started)
        self.outage_started = None
        self._pause = FIRST_PAUSE
        self._last_health_check = 0  # write the health key (``arq --check``) at the next poll


def create_worker(settings_cls: WorkerSettingsType, **kwargs: Any) -> ResilientWorker:
    """arq's ``create_worker``, making a :class:`ResilientWorker`."""
    return ResilientWorker(**{**get_kwargs(settings_cls), **kwargs})


def run_worker(settings_cls: WorkerSettingsType, **kwargs: Any) -> ResilientWorker:
    """arq's ``run_worker`` (what its command line calls), with a :class:`ResilientWorker`."""
    worker = create_worker(settings_cls, **kwargs)
    worker.run()
    return worker
