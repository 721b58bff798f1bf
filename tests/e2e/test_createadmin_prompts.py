"""``createadmin`` without flags asks for what it needs, on a real terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.e2e.processes import REPO, clean_env
from tests.helpers import PASSWORD


def _read_until(fd: int, marker: str, timeout: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} in {seen!r}")
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk.decode(errors="replace")
    return seen


def _make_controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_createadmin_prompts_for_email_and_password(tmp_path: Path) -> None:
    main, replica = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "ocp", "createadmin"],
        env=clean_env(PYTHONPATH=str(REPO)),
        cwd=tmp_path,
        stdin=replica,
        stdout=replica,
        stderr=replica,
        preexec_fn=_make_controlling_tty,
    )
    os.close(replica)
    try:
        _read_until(main, "Email:")
        os.write(main, b"root@example.com\n")
        _read_until(main, "Password")
        os.write(main, PASSWORD.encode() + b"\n")
        _read_until(main, "Again:")
        os.write(main, PASSWORD.encode() + b"\n")
        output = _read_until(main, "admin root@example.com")
        assert "created admin root@example.com" in output
        assert PASSWORD not in output
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
