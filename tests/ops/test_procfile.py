"""The Procfile, run as a PaaS runs it: each process type exactly as written, through a shell,
with ``PORT`` and the production environment."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from PIL import Image

from tests.conftest import SECRET, new_database
from tests.e2e.processes import REPO, clean_env, free_port
from tests.helpers import PASSWORD

PROCFILE = REPO / "Procfile"
ADMIN = "ops@example.com"


def procfile() -> dict[str, str]:
    """``name: command`` lines, in order."""
    entries = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def test_the_procfile_names_the_three_process_types() -> None:
    assert procfile() == {
        "release": "python -m ocp migrate",
        "web": "python -m ocp serve --host 0.0.0.0 --port $PORT --workers ${OCP_WEB_WORKERS:-2}",
        "worker": "arq workers.main.WorkerSettings",
    }


class Process:
    """A Procfile command started with ``sh -c``, its output kept in a file."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("w")
        self.process = subprocess.Popen(
            ["sh", "-c", f"exec {command}"],
            env=env,
            cwd=REPO,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text()

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._out.close()
        return int(self.process.returncode)


@pytest.fixture
async def production_env(redis_url: str) -> AsyncIterator[dict[str, str]]:
    async with new_database() as url:
        env = clean_env(
            OCP_DATABASE_URL=url,
            OCP_REDIS_URL=redis_url,
            OCP_SECRET_KEY=SECRET,
            OCP_LOG_FORMAT="json",
        )
        yield env


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "navy").save(out, "PNG")
    return out.getvalue()


async def test_each_process_type_runs_as_written(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    commands = procfile()
    env = {**production_env, "PORT": str(free_port()), "OCP_MEDIA_DIR": str(tmp_path / "media")}
    # As on a PaaS, the Python with OCP installed is the one on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"

    release = subprocess.run(
        ["sh", "-c", commands["release"]], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert release.returncode == 0, release.stderr
    made = subprocess.run(
        ["python", "-m", "ocp", "createadmin", "--email", ADMIN, "--password", PASSWORD],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr

    web = Process(commands["web"], env, tmp_path / "web.log")
    worker = Process(commands["worker"], env, tmp_path / "worker.log")
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            deadline = time.monotonic() + 30
            while True:
                assert web.process.poll() is None, web.output()
                try:
                    async with http.get(f"{base}/readyz") as ready:
                        if ready.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                assert time.monotonic() < deadline, web.output()
                await asyncio.sleep(0.2)
            login = await http.post(
                f"{base}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
            )
            csrf = {"X-CSRF-Token": (await login.json())["csrf_token"]}
            form = aiohttp.FormData(quote_fields=False)
            form.add_field("file", io.BytesIO(png()), filename="p.png", content_type="image/png")
            created = await http.post(f"{base}/api/v1/uploads", data=form, headers=csrf)
            assert created.status == 202, await created.text()
            upload_id = (await created.json())["id"]
            deadline = time.monotonic() + 30
            while True:  # the worker process is the only one that can make it ready
                state = await (await http.get(f"{base}/api/v1/uploads/{upload_id}")).json()
                if state["status"] != "processing":
                    break
                assert worker.process.poll() is None, worker.output()
                assert time.monotonic() < deadline, worker.output()
                await asyncio.sleep(0.2)
            assert state["status"] == "ready", state
    finally:
        web_status, worker_status = web.stop(), worker.stop()
    assert web_status == 0, web.output()
    assert worker_status == 0, worker.output()
    jobs = [json.loads(line) for line in worker.output().splitlines() if '"ocp.jobs"' in line]
    done = [j for j in jobs if j.get("job") == "process_upload"]
    assert done and done[-1]["outcome"] == "succeeded" and done[-1]["try"] == 1, jobs
    assert done[-1]["job_id"] == f"upload:{upload_id}"
