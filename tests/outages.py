"""Real outages for tests: a PostgreSQL database that refuses connections for a while, and a
redis-server of the test's own that it stops and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from tests.conftest import PG_SERVER


@contextlib.asynccontextmanager
async def database_down(database_url: str) -> AsyncIterator[None]:
    """The database refuses connections (and loses those it had) until the block ends."""
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


class RedisServer:
    """A redis-server of our own, on a port of our own, which the test may stop and restart.
    ``persistent`` keeps its data across a restart (an append-only file, synced on every
    write), as a production Redis configured for it would."""

    def __init__(self, port: int, cwd: Path, *, persistent: bool = False) -> None:
        self.port = port
        self.cwd = cwd
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.cwd / f"redis-{time.monotonic_ns()}.log").open("w")
        appendonly = ("yes", "--appendfsync", "always") if self.persistent else ("no",)
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", *appendonly, "--daemonize", "no", "--dir", str(self.cwd)),
            ],
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    async def wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, "redis-server died"
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", self.port), 1
                )
                writer.write(b"PING\r\n")
                await writer.drain()
                answer = await asyncio.wait_for(reader.readline(), 1)
                writer.close()
                if answer.startswith(b"+PONG"):
                    return
            except (OSError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"redis-server on port {self.port} did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
