"""The worker process (the Procfile's ``arq workers.main.WorkerSettings``) rides out a Redis
outage: it stays up, says so once in its log, and runs jobs again once Redis is back."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from arq import func
from arq.connections import RedisSettings, create_pool
from redis.exceptions import ConnectionError as RedisConnectionError

from ocp import redis_keys
from ocp.events.reactions import REACT_JOB
from tests.conftest import SECRET
from tests.e2e.processes import REPO, clean_env, free_port
from tests.outages import RedisServer
from workers.resilient import ResilientWorker

OUTAGE = 5.0  # seconds Redis stays down
HARMLESS = (REACT_JOB, "no-such-reaction")  # a job that succeeds doing nothing


async def job_counted(redis_url: str, field: str, timeout: float) -> bool:
    """Whether the workers' job count ``field`` turns up in Redis within ``timeout``."""
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await pool.hget(redis_keys.METRICS_JOBS, field):
                return True
            await asyncio.sleep(0.1)
        return False
    finally:
        await pool.aclose()


async def enqueue(redis_url: str, job: str, *args: object, job_id: str) -> None:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        assert await pool.enqueue_job(job, *args, _job_id=job_id) is not None
    finally:
        await pool.aclose()


async def test_the_worker_survives_a_redis_outage_and_runs_jobs_after_it(
    tmp_path: Path, database_url: str
) -> None:
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    await redis.wait_ready()
    env = clean_env(
        OCP_DATABASE_URL=database_url,
        OCP_REDIS_URL=redis.url,
        OCP_SECRET_KEY=SECRET,
        OCP_LOG_FORMAT="json",
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "arq", "workers.main.WorkerSettings"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    done = f"{REACT_JOB}:succeeded"
    try:
        await enqueue(redis.url, *HARMLESS, {"event_id": "before"}, job_id="before")
        assert await job_counted(redis.url, done, 30), log_path.read_text()

        redis.stop()
        await asyncio.sleep(OUTAGE)
        assert worker.poll() is None, f"the worker died with Redis:\n{log_path.read_text()}"
        redis.start()  # empty: it kept nothing on disk
        await redis.wait_ready()

        await enqueue(redis.url, *HARMLESS, {"event_id": "after"}, job_id="after")
        assert await job_counted(redis.url, done, 30), log_path.read_text()
        assert worker.poll() is None, log_path.read_text()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        redis.stop()
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    outage = [line for line in lines if "Redis unavailable" in line.get("message", "")]
    assert len(outage) == 1, lines  # one warning for the outage, not one per poll
    assert any("Redis is back" in line.get("message", "") for line in lines), lines
    assert worker.returncode == 0, log_path.read_text()


async def test_a_claim_that_fails_with_redis_gives_its_slot_back(tmp_path: Path) -> None:
    """arq counts a job slot taken before it claims the job in Redis; a claim lost to an
    outage must give it back, or each outage leaves the worker running fewer jobs."""
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    await redis.wait_ready()
    pool = await create_pool(RedisSettings.from_dsn(redis.url))

    async def nothing(ctx: dict[str, object]) -> None:
        return None

    worker = ResilientWorker(
        functions=[func(nothing, name="nothing")],
        redis_pool=pool,
        max_jobs=2,
        handle_signals=False,
    )
    free = worker.sem._value
    try:
        redis.stop()
        with pytest.raises(RedisConnectionError):
            await worker.start_jobs([b"one"])
        assert worker.job_counter == 0
        assert worker.sem._value == free
    finally:
        redis.stop()
        await pool.aclose()
