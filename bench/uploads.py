"""A 1 GiB upload streamed through one web process, next to ``sha256sum`` of the same file.

    .venv/bin/python bench/uploads.py              # about a minute; prints the figures
    .venv/bin/python bench/uploads.py --size-mib 256 --runs 5

Run by hand, not in CI. In a fresh folder under ``var/`` (the disk the media go to) it writes
a file of random bytes, times ``sha256sum`` on it (once to warm the page cache, then
``--runs`` times), and starts ``python -m ocp serve`` embedded with its media in that folder.
An admin made with ``createadmin`` takes an API token, then ``curl`` sends the file as
``multipart/form-data`` to ``POST /api/v1/uploads`` ``--runs`` times (curl is C, so the client
is not what is measured). Each answer is checked: 202, the right size and SHA-256.

Memory: before each upload the web process's peak RSS is reset (``/proc/<pid>/clear_refs``);
after it, the peak (``VmHWM``) minus the RSS before is the growth the upload caused. The
processing job that follows runs in a child process of its own, which is not counted (and
random bytes are refused by the first bytes it reads).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench-uploads-password"
EMAIL = "bench@example.com"
MIB = 2**20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_file(path: Path, size_mib: int) -> str:
    """Random bytes (nothing compresses or dedupes them); returns their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(size_mib // 16):
            chunk = os.urandom(16 * MIB)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def time_sha256sum(path: Path, runs: int) -> list[float]:
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)  # warm the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit("serve exited early")
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("serve did not start")


async def api_token(base: str) -> str:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        login = await http.post(
            f"{base}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
        )
        csrf = (await login.json())["csrf_token"]
        made = await http.post(
            f"{base}/api/v1/auth/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf}
        )
        return str((await made.json())["token"])


def curl_upload(base: str, token: str, path: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    done = subprocess.run(
        [
            "curl", "-sS", "--fail-with-body", "-H", f"Authorization: Bearer {token}",
            "-H", "Expect:", "-F", f"file=@{path};type=application/octet-stream",
            f"{base}/api/v1/uploads",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("curl") is None or shutil.which("sha256sum") is None:
        raise SystemExit("needs curl and sha256sum")
    (REPO / "var").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-uploads-", dir=REPO / "var"))
    server = None
    try:
        source = folder / "source.bin"
        sha = make_file(source, args.size_mib)
        size = source.stat().st_size
        sums = time_sha256sum(source, args.runs)

        env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_")}
        env.update(OCP_DATA_DIR=str(folder / "data"), OCP_LOG_LEVEL="WARNING")
        subprocess.run(
            [sys.executable, "-m", "ocp", "createadmin", "--email", EMAIL, "--password", PASSWORD],
            env=env, cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "ocp", "serve", "--port", str(port)],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        asyncio.run(wait_ready(base, server))
        token = asyncio.run(api_token(base))

        uploads, growths = [], []
        for _ in range(args.runs):
            rss_before = memory_kib(server.pid, "VmRSS")
            reset_peak(server.pid)
            seconds, answer = curl_upload(base, token, source)
            growths.append((memory_kib(server.pid, "VmHWM") - rss_before) / 1024)
            assert answer["size"] == size and answer["sha256"] == sha, answer
            uploads.append(seconds)
            time.sleep(1)  # let the processing job of this upload finish

        mib = size / MIB
        sum_rate = mib / statistics.median(sums)
        up_rate = mib / statistics.median(uploads)
        print(f"file: {mib:.0f} MiB of random bytes in {folder}")
        print(f"cpu: {os.cpu_count()} cores; runs: {args.runs} (medians below)")
        print(f"sha256sum:        {sum_rate:7.0f} MiB/s  ({statistics.median(sums):.2f} s)")
        print(
            f"upload (curl):    {up_rate:7.0f} MiB/s  ({statistics.median(uploads):.2f} s)"
            f"  = {up_rate / sum_rate:.2f} x sha256sum"
        )
        print(
            "web process peak memory growth per upload: "
            + ", ".join(f"{g:.1f}" for g in growths)
            + " MiB"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
