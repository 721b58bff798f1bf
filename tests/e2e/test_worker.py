"""The web process and the arq worker as separate real processes, cooperating via Redis."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.conftest import SECRET
from tests.e2e.processes import REPO, Server, clean_env, free_port, run_ocp
from tests.e2e.test_serve import empty_database  # noqa: F401  (fixture)
from tests.helpers import PASSWORD


async def test_worker_process_completes_what_the_web_process_records(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
) -> None:
    env = clean_env(OCP_DATABASE_URL=empty_database, OCP_REDIS_URL=redis_url, OCP_SECRET_KEY=SECRET)
    assert run_ocp("migrate", env=env, cwd=tmp_path).returncode == 0
    assert (
        run_ocp(
            "createadmin", "--email", "t@example.com", "--password", PASSWORD, env=env, cwd=tmp_path
        ).returncode
        == 0
    )
    worker_log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "arq", "workers.main.WorkerSettings"],
        env=env,
        cwd=REPO,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    port = free_port()
    server = Server("--port", str(port), env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        await server.wait_healthy(f"http://127.0.0.1:{port}")
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            login = await http.post(
                f"{base}/auth/login", json={"email": "t@example.com", "password": PASSWORD}
            )
            h = {"X-CSRF-Token": (await login.json())["csrf_token"]}
            course = await (
                await http.post(f"{base}/courses", json={"title": "Worker Course"}, headers=h)
            ).json()
            lesson = await (
                await http.post(
                    f"{base}/courses/{course['id']}/lessons", json={"title": "Only"}, headers=h
                )
            ).json()
            await http.patch(
                f"{base}/courses/{course['id']}", json={"status": "published"}, headers=h
            )
            assert (
                await http.post(f"{base}/courses/{course['id']}/enrollment", headers=h)
            ).status == 201
            done = await http.put(
                f"{base}/courses/{course['id']}/lessons/{lesson['id']}/progress",
                json={"completed": True},
                headers=h,
            )
            assert (await done.json())["course"]["percent"] == 100
            deadline = time.monotonic() + 30
            status = None
            while time.monotonic() < deadline:
                listing = await (await http.get(f"{base}/users/me/enrollments")).json()
                status = listing["items"][0]["status"]
                if status == "completed":
                    break
                await asyncio.sleep(0.2)
            assert status == "completed", (tmp_path / "worker.log").read_text()
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=15)
        worker_log.close()
