"""``serve --workers 2`` on PostgreSQL + Redis: both processes serve, events cross between
them, and SIGTERM lets a slow request finish before the exit."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SECRET, new_database
from tests.e2e.processes import REPO, clean_env, free_port
from tests.helpers import PASSWORD

ADMIN = "workers@example.com"


class Serve:
    """``python -m ocp serve --workers N`` with JSON logs kept in a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        self._out = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ocp", "serve", *args],
            env=env,
            cwd=REPO,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def lines(self) -> list[dict[str, Any]]:
        if not self._out.closed:
            self._out.flush()
        out = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def access(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == "ocp.access"]

    async def ready(self, base: str) -> None:
        deadline = time.monotonic() + 40
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, self.log.read_text()
                try:
                    async with http.get(f"{base}/readyz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(self.log.read_text())

    def stop(self, timeout: float = 40) -> int:
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
async def env(redis_url: str, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    async with new_database() as url:
        values = clean_env(
            OCP_DATABASE_URL=url,
            OCP_REDIS_URL=redis_url,
            OCP_SECRET_KEY=SECRET,
            OCP_LOG_FORMAT="json",
            OCP_MEDIA_DIR=str(tmp_path / "media"),
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        )
        for command in (
            ["migrate"],
            ["createadmin", "--email", ADMIN, "--password", PASSWORD],
        ):
            done = subprocess.run(
                [sys.executable, "-m", "ocp", *command],
                env=values,
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
        yield values


async def _token(base: str) -> str:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        login = await http.post(
            f"{base}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
        )
        csrf = {"X-CSRF-Token": (await login.json())["csrf_token"]}
        made = await http.post(f"{base}/api/v1/auth/tokens", json={"name": "ops"}, headers=csrf)
        return str((await made.json())["token"])


def _fresh_connection_session(headers: dict[str, str]) -> aiohttp.ClientSession:
    """Every request on a new TCP connection, so the kernel picks a process each time."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True), headers=headers)


async def test_two_processes_serve_and_share_events(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = Serve(env, tmp_path / "serve.log", "--port", str(port), "--workers", "2")
    try:
        await serve.ready(base)
        auth = {"Authorization": f"Bearer {await _token(base)}"}
        async with _fresh_connection_session(auth) as http:
            for _ in range(40):
                async with http.get(f"{base}/api/v1/users/me") as answer:
                    assert answer.status == 200
            me = await (await http.get(f"{base}/api/v1/users/me")).json()
            sockets = [await http.ws_connect(f"{base}/api/v1/ws") for _ in range(8)]
            for ws in sockets:
                await ws.send_json({"op": "subscribe", "channel": f"user:{me['id']}"})
                assert (await ws.receive_json(timeout=10))["op"] == "subscribed"
            course = await (
                await http.post(f"{base}/api/v1/courses", json={"title": "Two processes"})
            ).json()
            await http.post(f"{base}/api/v1/courses/{course['id']}/lessons", json={"title": "1"})
            await http.patch(f"{base}/api/v1/courses/{course['id']}", json={"status": "published"})
            enrolled = await http.post(f"{base}/api/v1/courses/{course['id']}/enrollment")
            assert enrolled.status == 201, await enrolled.text()
            for ws in sockets:
                frame = await ws.receive_json(timeout=10)
                assert frame["op"] == "event" and frame["type"] == "enrollment.created", frame
                await ws.close()
        await asyncio.sleep(0.5)
        access = serve.access()
        served_me = {line["pid"] for line in access if line["route"] == "/api/v1/users/me"}
        assert len(served_me) == 2, served_me
        socket_pids = {line["pid"] for line in access if line["route"] == "/api/v1/ws"}
        # Sockets lived in both processes, and every one got the event that one process
        # published: at least one delivery crossed processes through Redis.
        assert len(socket_pids) == 2, socket_pids
        with_token = [
            line for line in access if line["route"] in {"/api/v1/users/me", "/api/v1/ws"}
        ]
        assert all(line["user_id"] == me["id"] for line in with_token)
    finally:
        assert serve.stop() == 0, serve.log.read_text()


async def test_sigterm_finishes_a_slow_request_then_exits_0(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = Serve(env, tmp_path / "serve.log", "--port", str(port), "--workers", "2")
    await serve.ready(base)
    token = await _token(base)
    body_start = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )
    payload, body_end = b"slow words\n" * 1000, b"\r\n--b--\r\n"
    length = len(body_start) + len(payload) + len(body_end)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body_start
        + payload[:5000]
    )
    await writer.drain()
    await asyncio.sleep(0.5)  # the request is in flight: half its body has arrived
    serve.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(1.0)
    assert serve.process.poll() is None  # still finishing the request
    with pytest.raises(OSError):  # ... and no longer accepting new connections
        _, late = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
        late.close()
    writer.write(payload[5000:] + body_end)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 20)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 202"), answer[:300]
    assert serve.process.wait(timeout=30) == 0, serve.log.read_text()
    assert serve.stop() == 0


async def test_a_second_sigterm_exits_at_once(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = Serve(env, tmp_path / "serve.log", "--port", str(port), "--workers", "2")
    await serve.ready(base)
    token = await _token(base)
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b".encode()
    )
    await writer.drain()
    await asyncio.sleep(0.5)
    serve.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.5)
    assert serve.process.poll() is None
    started = time.monotonic()
    serve.process.send_signal(signal.SIGTERM)
    code = serve.process.wait(timeout=10)
    assert time.monotonic() - started < 5 and code != 0
    writer.close()
    serve.stop()
