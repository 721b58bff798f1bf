"""A worker killed in the middle of processing an upload: the next run finishes it."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from redis.asyncio import Redis

from ocp.config import Settings
from ocp.media.models import Upload
from ocp.media.storage import LocalStorage, thumbnail_key
from tests.conftest import SECRET
from tests.e2e.processes import REPO, clean_env
from tests.helpers import Users
from tests.media.test_uploads import get, png_bytes, upload

RunJobs = Callable[[], Awaitable[int]]


async def test_a_worker_killed_mid_job_leaves_it_for_the_next_run(
    users: Users, run_jobs: RunJobs, settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, png_bytes(300, 200), "killed.png")
    marker = tmp_path / "stalled"
    env = clean_env(
        OCP_DATABASE_URL=str(settings.database_url),
        OCP_REDIS_URL=redis_url,
        OCP_SECRET_KEY=SECRET,
        OCP_MEDIA_DIR=str(settings.effective_media_dir),
        OCP_TEST_STALL_MARKER=str(marker),
    )
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "arq", "tests.media.stalling_worker.WorkerSettings"],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            await asyncio.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    half_done = await Upload.get(id=created["id"])
    assert half_done.status == "processing" and half_done.attempts == 1
    # The dead worker's claim on the job lapses after its timeout; make that moment now.
    redis = Redis.from_url(redis_url)
    assert await redis.delete(f"arq:in-progress:upload:{created['id']}") == 1
    await redis.aclose()

    assert await run_jobs() == 2  # the processing, then the uploader's notification
    finished = await get(teacher, created["id"])
    assert finished["status"] == "ready", finished
    assert finished["attempts"] == 2 and (finished["width"], finished["height"]) == (300, 200)
    thumbnail = await teacher.client.get(finished["thumbnail_url"])
    assert thumbnail.status == 200
    assert LocalStorage(settings.effective_media_dir).exists(thumbnail_key(finished["sha256"]))
