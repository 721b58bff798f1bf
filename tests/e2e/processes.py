"""Starting real OCP processes for end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment a newcomer has: nothing of ours set, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_") and k != "PORT"}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_ocp(
    *args: str, env: Mapping[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocp", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class Server:
    """``python -m ocp serve`` in a child process, stopped when the test ends."""

    def __init__(self, *args: str, env: Mapping[str, str], cwd: Path) -> None:
        self.log = cwd / f"serve-{time.monotonic_ns()}.log"
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ocp", "serve", *args],
            env=dict(env),
            cwd=cwd,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text()

    async def wait_healthy(self, base: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise AssertionError(f"serve exited early:\n{self.output()}")
                try:
                    async with session.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"serve did not answer within {timeout}s:\n{self.output()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()
        return int(self.process.returncode)
