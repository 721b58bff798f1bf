"""WebSocket fan-out: memory per idle socket and delivery latency at 20,000 deliveries/s.

    .venv/bin/python bench/realtime.py                 # about 3 minutes; prints the figures
    .venv/bin/python bench/realtime.py --clients 1     # all sockets in one client process
    .venv/bin/python bench/realtime.py --workers 1     # one serve process only (half the time)
    .venv/bin/python bench/realtime.py --seconds 8 --workers 1 --profile /tmp/prof  # iterate

Run by hand, not in CI; for figures you report, under the machine's bench lock:
``flock /tmp/ocp-bench.lock .venv/bin/python bench/realtime.py``.

It drops and recreates the database ``ocp_bench_realtime`` on the
server in ``OCP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it with
``python -m ocp migrate`` and inserts, with asyncpg, 50 instructors, one API token and one
draft course each. Then it measures twice in the same run, first one ``python -m ocp serve``
process, then ``python -m ocp serve --workers 2`` (two processes on one port through
``SO_REUSEPORT``; same database, Redis and environment, only the metrics folder of
prometheus-client's multiprocess mode is set, inside the bench's temporary folder). Each
time it flushes Redis db 12, starts the server (its open-files limit raised to the hard
limit) and:

1. waits until it answers ``/readyz`` and each of its processes listens on the port;
2. idle sockets: 5,000 WebSockets to ``/api/v1/ws`` (100 per instructor, split over
   ``--clients`` client processes), each subscribing to its instructor's ``course:<id>``; once
   every ``subscribed`` frame is in (each client process then stops its cyclic garbage
   collector, so that its pauses do not count as latency) and the sockets have been idle a
   few seconds, the VmRSS of
   the serve processes (summed over the supervisor and its children with ``--workers``)
   against their VmRSS before the first socket gives the memory per idle socket. With
   ``--workers 2`` the kernel spreads the sockets over both processes (counted per process
   from ``/proc``), so the 100 sockets of a channel sit in both, and every event reaches the
   two processes through their Redis subscriptions;
3. fan-out: 200 events/s for 20 s, round robin over the 50 channels, published from this
   process with ``RedisBus.publish`` (the same Lua script as the server's own events) on db 12;
   every event reaches 100 sockets (20,000 deliveries/s). Each client records receive time -
   ``sent_at`` and counts events per socket; lost = expected - received;
4. at the same time and rate, raw Redis: ``PUBLISH`` on a plain channel to one redis-py
   subscriber in this process, the floor the WebSocket latency is compared with.

It prints the figures of each server, the CPU of serve (each process and in all), of the
clients, of Redis and of everything else on the machine (a run where that is well above 0
is not clean), and whether each aim is met (p99 within 25 ms of raw Redis, at most 15 us
of serve CPU per delivery, under 30 KiB per idle socket, nothing lost); then all side by side,
and drops the database.

The bare ceiling, measured third in the same run with the same clients, data, rate and
Redis channels: a minimal aiohttp WebSocket server (this file run with ``--bare-hub``, on
uvloop like serve) that answers ``subscribe`` with ``subscribed`` without any check, holds
one pattern subscription to the same Redis pub/sub channels, and for each message encodes
the ``event`` frame once and awaits ``send_str`` of it to each socket of the channel in
turn. No database, rights, replay, queues or slow-consumer handling: what fan-out costs
with nothing else, the figure serve is compared with.

``--profile DIR`` runs ``py-spy record --format raw`` on each serve process (not on the bare
hub) for the fan-out and writes ``DIR/serve-<processes>-<pid>.txt`` (collapsed stacks).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import hashlib
import json
import multiprocessing
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web
from redis.asyncio import Redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ocp import redis_keys  # noqa: E402 (after the path is set, for a plain run)
from ocp.realtime.bus import RedisBus  # noqa: E402
from ocp.users.passwords import context  # noqa: E402

DB_NAME = "ocp_bench_realtime"
REDIS_URL = "redis://127.0.0.1:6379/12"
SECRET = "bench-realtime-secret-key-0123456789-abcdefghijklmnop"
PASSWORD = "bench-password-0123"  # throwaway accounts in a throwaway database
RAW_CHANNEL = "ocp-bench-realtime-raw"  # pub/sub channels are server-wide: a distinct name
EVENT_TYPE = "bench.tick"
AIM_P99_OVER_RAW = 0.025  # seconds
AIM_KIB_PER_SOCKET = 30.0
AIM_CPU_PER_DELIVERY = 15e-6  # seconds of serve CPU
BARE = 0  # ``processes`` of the bare hub's Outcome
CONNECTS_IN_FLIGHT = 50  # per client process
WINDOW = 5.0  # seconds: latency is also reported by window of publishing time
IDLE_SETTLE = 3.0  # seconds between the last `subscribed` frame and the idle VmRSS


# Machine and processes -----------------------------------------------------------------------


def raise_nofile() -> int:
    """Open-files soft limit up to the hard limit (for this process); returns the new limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model}); Python {platform.python_version()}; "
        f"aiohttp {aiohttp.__version__}; open files {resource.getrlimit(resource.RLIMIT_NOFILE)}"
    )


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now (``serve --workers N``: the supervisor and
    its N web processes), from ``/proc/<pid>/task/*/children``."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in children.read_text().split())
    return found


def tcp_sockets(port: int) -> tuple[int, set[int]]:
    """On 127.0.0.1:``port``: the number of listening sockets (one per process with
    SO_REUSEPORT) and the inodes of the established server-side connections."""
    local = f"0100007F:{port:04X}"
    listening, established = 0, set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] != local:
            continue
        if fields[3] == "0A":
            listening += 1
        elif fields[3] == "01":
            established.add(int(fields[9]))
    return listening, established


def sockets_held(pid: int, inodes: set[int]) -> int:
    """How many of the socket ``inodes`` process ``pid`` holds open."""
    held = 0
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:[") and int(target[8:-1]) in inodes:
                    held += 1
    return held


def ocp_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_") and k != "PORT"}
    env.update(
        PYTHONPATH=str(REPO),
        OCP_DATABASE_URL=database_url,
        OCP_REDIS_URL=REDIS_URL,
        OCP_SECRET_KEY=SECRET,
        OCP_LOG_LEVEL="WARNING",
    )
    return env


def run_ocp(*args: str, env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ocp", *args],
        env=dict(env),
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    if done.returncode != 0:
        sys.exit(f"bench: `python -m ocp {args[0]}` failed:\n{done.stdout}{done.stderr}")


@dataclass
class Server:
    popen: subprocess.Popen[bytes]
    log: Path
    port: int
    processes: int

    @classmethod
    def start(cls, port: int, env: Mapping[str, str], folder: Path, processes: int) -> Server:
        """``processes`` web processes of ``ocp serve``, or the bare hub when ``BARE``."""
        log = folder / f"serve-{processes}.log"
        command = [sys.executable, "-m", "ocp", "serve", "--port", str(port)]
        if processes == BARE:
            command = [sys.executable, str(Path(__file__).resolve()), "--bare-hub", str(port)]
        env = dict(env)
        if processes > 1:
            command += ["--workers", str(processes)]
            # where multiprocess prometheus-client keeps its files (else a new /tmp folder)
            metrics = folder / f"metrics-{processes}"
            metrics.mkdir(exist_ok=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        with log.open("wb") as out:
            popen = subprocess.Popen(
                command,
                env=env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=raise_nofile,
            )
        return cls(popen, log, port, max(processes, 1))

    def pids(self) -> list[int]:
        """The serve process, or the supervisor and its web processes."""
        return process_tree(self.popen.pid)

    def workers(self) -> list[int]:
        """The processes that serve: the children of the supervisor, or the one process."""
        tree = self.pids()
        return tree[1:] if self.processes > 1 else tree[:1]

    def output(self, tail: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            sys.exit(f"bench: serve exited ({self.popen.returncode}):\n{self.output()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def rss_kib(pids: Sequence[int]) -> int:
    """VmRSS summed over ``pids`` (the pages the forked processes share count once each)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
                break
        else:
            raise RuntimeError(f"no VmRSS for {pid}")
    return total


def cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_healthy(server: Server, base: str, within: float = 30) -> None:
    """Until it answers and every one of its web processes listens on the port."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            server.check_alive()
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{base}/readyz") as response:
                    listening = tcp_sockets(server.port)[0]
                    if response.status == 200 and listening >= server.processes:
                        return
            await asyncio.sleep(0.2)
    sys.exit(f"bench: serve did not answer within {within} s:\n{server.output()}")


# The database --------------------------------------------------------------------------------


async def recreate_database(server: str) -> None:
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await admin.close()


async def drop_database(server: str) -> None:
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    finally:
        await admin.close()


async def insert_instructors(database_url: str, count: int) -> list[tuple[str, int]]:
    """``count`` instructors, each with an API token and one draft course: (secret, course id).

    The token rows are what ``users.service`` writes: SHA-256 of the secret, its 12-character
    prefix."""
    password_hash = await asyncio.to_thread(context.hash, PASSWORD)
    emails = [f"instructor{n:03d}@example.com" for n in range(count)]
    tokens = ["ocp_" + secrets.token_urlsafe(32) for _ in range(count)]
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            rows = await conn.fetch(
                """
                INSERT INTO "user" (email, password_hash, full_name, bio, role, is_active,
                                    auth_epoch, created_at, updated_at)
                SELECT e, $2, 'Instructor ' || n, '', 'instructor', true, 0, now(), now()
                FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n)
                RETURNING id, email
                """,
                emails,
                password_hash,
            )
            ids = {row["email"]: int(row["id"]) for row in rows}
            user_ids = [ids[email] for email in emails]
            await conn.execute(
                """
                INSERT INTO api_token (user_id, name, token_hash, prefix, created_at)
                SELECT u, 'bench', h, p, now()
                FROM unnest($1::int[], $2::text[], $3::text[]) AS t(u, h, p)
                """,
                user_ids,
                [hashlib.sha256(s.encode()).hexdigest() for s in tokens],
                [s[:12] for s in tokens],
            )
            courses = await conn.fetch(
                """
                INSERT INTO course (title, slug, subtitle, description, category, tags, level,
                                    language, price_cents, currency, duration_minutes, status,
                                    lesson_count, enrollment_count, created_at, updated_at,
                                    instructor_id)
                SELECT 'Bench course ' || u, 'bench-course-' || u, '', '', 'bench',
                       '[]'::jsonb, 'beginner', 'en', 0, 'EUR', 60, 'draft', 0, 0,
                       now(), now(), u
                FROM unnest($1::int[]) AS t(u)
                RETURNING id, instructor_id
                """,
                user_ids,
            )
            course_of = {int(row["instructor_id"]): int(row["id"]) for row in courses}
    finally:
        await conn.close()
    return [(token, course_of[user]) for token, user in zip(tokens, user_ids, strict=True)]


# Client processes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientPlan:
    url: str
    sockets: list[tuple[str, int]]  # (token, course id), one per socket
    connect_timeout: float


def client_main(plan: ClientPlan, pipe: Connection) -> None:
    """A client process: opens its sockets, then answers the parent's commands over ``pipe``."""
    raise_nofile()
    event_loop_runner()(Client(plan, pipe).run())


def event_loop_runner() -> Any:
    """``uvloop.run`` when installed (as ``ocp serve`` uses uvloop then), else ``asyncio.run``."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


class Client:
    def __init__(self, plan: ClientPlan, pipe: Connection) -> None:
        self.plan = plan
        self.pipe = pipe
        n = len(plan.sockets)
        self.received = [0] * n
        self.latencies = array("d")
        self.sent_at = array("d")
        self.closed_early: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.subscribed = 0
        self.all_subscribed = asyncio.Event()
        self.attempted = 0
        self.stopping = False

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        timeout = aiohttp.ClientTimeout(total=None, connect=self.plan.connect_timeout)
        gate = asyncio.Semaphore(CONNECTS_IN_FLIGHT)
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            started = time.monotonic()
            tasks = [
                asyncio.create_task(self.socket(session, gate, index, token, course))
                for index, (token, course) in enumerate(self.plan.sockets)
            ]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_subscribed.wait(), self.plan.connect_timeout * 4)
            # The clients are the instrument: a pause of their cyclic garbage collector (a full
            # one scans every object their thousands of sockets hold) must not count as
            # delivery latency. What they hold now is frozen and the collector stopped.
            gc.collect()
            gc.freeze()
            gc.disable()
            self.pipe.send(
                ("ready", self.subscribed, dict(self.failed), time.monotonic() - started)
            )
            mark_cpu, mark_wall = time.process_time(), time.monotonic()
            while True:
                command = await loop.run_in_executor(None, self.pipe.recv)
                if command == "mark":
                    mark_cpu, mark_wall = time.process_time(), time.monotonic()
                elif command == "count":
                    self.pipe.send(("count", sum(self.received)))
                elif command == "stop":
                    self.stopping = True
                    cpu, wall = time.process_time() - mark_cpu, time.monotonic() - mark_wall
                    courses = [course for _token, course in self.plan.sockets]
                    self.pipe.send(
                        (
                            "result",
                            {
                                "received": list(zip(courses, self.received, strict=True)),
                                "latencies": self.latencies,
                                "sent_at": self.sent_at,
                                "closed_early": dict(self.closed_early),
                                "cpu": cpu,
                                "wall": wall,
                            },
                        )
                    )
                    break
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _subscribed_one(self) -> None:
        self.subscribed += 1
        self._settled()

    def _failed_one(self, why: str) -> None:
        self.failed[why] = self.failed.get(why, 0) + 1
        self._settled()

    def _settled(self) -> None:
        if self.subscribed + sum(self.failed.values()) == len(self.plan.sockets):
            self.all_subscribed.set()

    async def socket(
        self, session: aiohttp.ClientSession, gate: asyncio.Semaphore, index: int, token: str,
        course: int,
    ) -> None:  # fmt: skip
        channel = f"course:{course}"
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with gate:
                ws = await session.ws_connect(
                    self.plan.url, headers=headers, autoping=True, heartbeat=None, compress=0
                )
                await ws.send_str(json.dumps({"op": "subscribe", "channel": channel}))
                first = await asyncio.wait_for(ws.receive(), self.plan.connect_timeout)
                if first.type != aiohttp.WSMsgType.TEXT or json.loads(first.data) != {
                    "op": "subscribed", "channel": channel, "reset": False,
                }:  # fmt: skip
                    self._failed_one(f"unexpected first frame {str(first.data)[:80]}")
                    await ws.close()
                    return
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            self._failed_one(type(error).__name__)
            return
        self._subscribed_one()
        received, latencies, sent_at, now = self.received, self.latencies, self.sent_at, time.time
        try:
            async for message in ws:
                at = now()
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                if frame.get("op") == "event" and frame.get("channel") == channel:
                    received[index] += 1
                    sent = frame["data"]["sent_at"]
                    latencies.append(at - sent)
                    sent_at.append(sent)
            if not self.stopping:
                code = f"close {ws.close_code}"
                self.closed_early[code] = self.closed_early.get(code, 0) + 1
        finally:
            await ws.close()


class ClientProcess:
    def __init__(self, plan: ClientPlan) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.pipe, child = spawn.Pipe()
        self.process = spawn.Process(target=client_main, args=(plan, child), daemon=True)
        self.process.start()
        child.close()

    async def ask(self, command: str | None, within: float) -> tuple[Any, ...]:
        """Send ``command`` (when not None) and wait for the answer, at most ``within`` s."""
        if command is not None:
            self.pipe.send(command)
        if not await asyncio.to_thread(self.pipe.poll, within):
            raise TimeoutError(f"client process {self.process.pid} did not answer {command}")
        answer: tuple[Any, ...] = self.pipe.recv()
        return answer

    def end(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()


# The run -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    processes: int
    sockets: int
    failed: dict[str, int]
    connect_seconds: float
    rss_before: int
    rss_idle: int
    rss_after: int
    latencies: list[float]
    windows: list[tuple[float, float, float]]  # (seconds into the run, p50, p99) by window
    raw: list[float]
    expected: int
    received: int
    lost: int
    closed_early: dict[str, int]
    published: int
    publish_seconds: float
    publish_late: float  # the publisher's worst lag behind its schedule
    drained_seconds: float  # from the first event until the last delivery was counted
    cpu: dict[str, float]
    worker_cpu: list[float]  # serve's CPU by web process, same period
    sockets_by_process: list[int]  # WebSocket connections each web process holds, when idle
    client_cpu: list[tuple[float, float]]
    load: str  # /proc/loadavg before the server started
    others: float  # CPU used during the fan-out by everything else on the machine, in cores


def profile(pid: int, args: argparse.Namespace, processes: int) -> subprocess.Popen[bytes]:
    """py-spy on ``pid`` for the publishing time, collapsed stacks into ``--profile``."""
    folder = Path(args.profile)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"serve-{processes}-{pid}.txt"
    return subprocess.Popen(
        ["py-spy", "record", "--nonblocking", "--format", "raw", "-o", str(out), "--pid",
         str(pid), "--duration", str(int(args.seconds) + 1)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def raw_subscriber(redis: Redis, latencies: list[float], ready: asyncio.Event) -> None:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(RAW_CHANNEL)
        ready.set()
        async for message in pubsub.listen():
            at = time.time()
            if message.get("type") == "message":
                latencies.append(at - float(message["data"]))
    finally:
        await pubsub.aclose()


async def redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


async def measure(
    args: argparse.Namespace,
    database_url: str,
    folder: Path,
    pairs: Sequence[tuple[str, int]],
    processes: int,
) -> Outcome:
    """One server (``processes`` web processes) through idle sockets and fan-out."""
    env = ocp_env(database_url)
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    port = free_port()
    load = loadavg()
    server = Server.start(port, env, folder, processes)
    clients: list[ClientProcess] = []
    raw_task: asyncio.Task[None] | None = None
    profilers: list[subprocess.Popen[bytes]] = []
    try:
        await wait_healthy(server, f"http://127.0.0.1:{port}")
        courses = [course for _token, course in pairs]
        everyone = [pair for pair in pairs for _ in range(args.per_instructor)]
        await asyncio.sleep(1)
        serving = server.workers()
        rss_before = rss_kib(server.pids())

        # Idle sockets: split instructor by instructor over the client processes.
        url = f"ws://127.0.0.1:{port}/api/v1/ws"
        for n in range(args.clients):
            plan = ClientPlan(url, everyone[n :: args.clients], args.connect_timeout)
            clients.append(ClientProcess(plan))
        readies = await asyncio.gather(
            *(c.ask(None, args.connect_timeout * 4 + 30) for c in clients)
        )
        sockets = sum(int(r[1]) for r in readies)
        failed: dict[str, int] = {}
        for ready in readies:
            for why, count in ready[2].items():
                failed[why] = failed.get(why, 0) + count
        connect_seconds = max(float(r[3]) for r in readies)
        print(f"  {sockets:,} sockets subscribed in {connect_seconds:.1f} s", flush=True)
        server.check_alive()
        await asyncio.sleep(IDLE_SETTLE)
        rss_idle = rss_kib(server.pids())
        connections = tcp_sockets(port)[1]
        sockets_by_process = [sockets_held(pid, connections) for pid in serving]
        print(
            "  WebSockets by serve process: "
            + ", ".join(f"{count:,}" for count in sockets_by_process),
            flush=True,
        )

        # Fan-out, with raw Redis alongside.
        raw: list[float] = []
        raw_ready = asyncio.Event()
        raw_task = asyncio.create_task(raw_subscriber(redis, raw, raw_ready))
        await asyncio.wait_for(raw_ready.wait(), 5)
        bus = RedisBus(redis)
        sent = dict.fromkeys(courses, 0)
        total = int(args.rate * args.seconds)
        for client in clients:
            client.pipe.send("mark")
        watched = server.pids()
        cpu_before = (
            [cpu_seconds(pid) for pid in watched],
            await redis_cpu(redis),
            time.process_time(),
        )
        busy_before = machine_busy_seconds()
        if args.profile is not None and processes != BARE:
            profilers = [profile(pid, args, processes) for pid in serving]
        started, first_sent = time.monotonic(), time.time()
        late = 0.0
        for n in range(total):
            due = started + n / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                late = max(late, -delay)
            course = courses[n % len(courses)]
            await bus.publish(f"course:{course}", EVENT_TYPE, {"sent_at": time.time(), "n": n})
            await redis.publish(RAW_CHANNEL, repr(time.time()))
            sent[course] += 1
        publish_seconds = time.monotonic() - started

        # Drain: until every delivery is counted, or nothing more arrives for 5 s.
        expected = sum(sent[course] for _token, course in everyone)
        last, still_since = -1, time.monotonic()
        drain_deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < drain_deadline:
            counts = await asyncio.gather(*(c.ask("count", 30) for c in clients))
            got = sum(int(answer[1]) for answer in counts)
            if got >= expected:
                break
            if got != last:
                last, still_since = got, time.monotonic()
            elif time.monotonic() - still_since > 5:
                break
            await asyncio.sleep(0.25)
        drained_seconds = time.monotonic() - started
        cpu_after = (
            [cpu_seconds(pid) for pid in watched],
            await redis_cpu(redis),
            time.process_time(),
        )
        busy = machine_busy_seconds() - busy_before
        rss_after = rss_kib(server.pids())
        server.check_alive()
        results = [
            answer[1] for answer in await asyncio.gather(*(c.ask("stop", 60) for c in clients))
        ]
    finally:
        for profiler in profilers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(timeout=args.seconds + 30)
        if raw_task is not None:
            raw_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await raw_task
        for client in clients:
            client.end()
        server.stop()
        await redis.flushdb()
        await redis.aclose()

    latencies: list[float] = []
    by_window: dict[int, list[float]] = {}
    received = 0
    lost = 0
    closed_early: dict[str, int] = {}
    for result in results:
        latencies.extend(result["latencies"])
        for latency, at in zip(result["latencies"], result["sent_at"], strict=True):
            by_window.setdefault(int((at - first_sent) // WINDOW), []).append(latency)
        for course, count in result["received"]:
            received += count
            lost += max(sent[course] - count, 0)
        for code, count in result["closed_early"].items():
            closed_early[code] = closed_early.get(code, 0) + count
    # Sockets that never subscribed count as losing everything of their channel.
    lost += max(len(everyone) - sockets, 0) * (total // len(courses))
    used = {
        pid: after - before
        for pid, before, after in zip(watched, cpu_before[0], cpu_after[0], strict=True)
    }
    ours = (
        sum(used.values())
        + (cpu_after[1] - cpu_before[1])
        + (cpu_after[2] - cpu_before[2])
        + sum(float(r["cpu"]) for r in results)
    )
    return Outcome(
        processes=processes,
        sockets=sockets,
        failed=failed,
        connect_seconds=connect_seconds,
        rss_before=rss_before,
        rss_idle=rss_idle,
        rss_after=rss_after,
        latencies=sorted(latencies),
        windows=[
            (w * WINDOW, quantile(v, 0.5), quantile(v, 0.99))
            for w, v in sorted((w, sorted(v)) for w, v in by_window.items())
        ],
        raw=sorted(raw),
        expected=expected,
        received=received,
        lost=lost,
        closed_early=closed_early,
        published=total,
        publish_seconds=publish_seconds,
        publish_late=late,
        drained_seconds=drained_seconds,
        cpu={
            "serve": sum(used.values()),
            "redis-server": cpu_after[1] - cpu_before[1],
            "bench (publisher + raw subscriber)": cpu_after[2] - cpu_before[2],
        },
        worker_cpu=[used.get(pid, 0.0) for pid in serving],
        sockets_by_process=sockets_by_process,
        client_cpu=[(float(r["cpu"]), float(r["wall"])) for r in results],
        load=load,
        others=max(0.0, busy - ours) / drained_seconds,
    )


# The bare hub --------------------------------------------------------------------------------


async def bare_hub(port: int) -> None:
    """The ceiling: WebSocket fan-out of the same Redis pub/sub messages, nothing else."""
    by_channel: dict[str, set[web.WebSocketResponse]] = {}
    redis = Redis.from_url(os.environ["OCP_REDIS_URL"])
    database = redis.connection_pool.connection_kwargs.get("db", 0)
    prefix = f"{redis_keys.EVENT_PUBSUB_PREFIX}{database}:"

    async def ready(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False, autoping=True)
        _ = await ws.prepare(request)
        channels: list[str] = []
        async for message in ws:
            frame = json.loads(message.data)
            if frame.get("op") == "subscribe":
                channel = frame["channel"]
                channels.append(channel)
                by_channel.setdefault(channel, set()).add(ws)
                await ws.send_str(json.dumps({"op": "subscribed", "channel": channel,
                                              "reset": False}))  # fmt: skip
        for channel in channels:
            by_channel[channel].discard(ws)
        return ws

    async def pump() -> None:
        pubsub = redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(prefix + "*")
        async for message in pubsub.listen():
            if message.get("type") != "pmessage":
                continue
            event = json.loads(message["data"])
            text = json.dumps({"op": "event", **event})
            for ws in list(by_channel.get(event["channel"], ())):
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.send_str(text)

    app = web.Application()
    app.router.add_get("/readyz", ready)
    app.router.add_get("/api/v1/ws", websocket)
    runner = web.AppRunner(app, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    pumping = asyncio.create_task(pump())
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    pumping.cancel()
    await runner.cleanup()
    await redis.aclose()


# Report --------------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def label(processes: int) -> str:
    if processes == BARE:
        return "bare hub"
    return "one process" if processes == 1 else f"--workers {processes}"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def aims(outcome: Outcome) -> dict[str, tuple[str, bool]]:
    """Each aim of the issue: the figure, and whether it is met."""
    per_socket = (outcome.rss_idle - outcome.rss_before) / max(outcome.sockets, 1)
    over = quantile(outcome.latencies, 0.99) - quantile(outcome.raw, 0.99)
    per_delivery = outcome.cpu["serve"] / max(outcome.expected, 1)
    return {
        "p99 within 25 ms of raw Redis": (f"{ms(over)} over", over <= AIM_P99_OVER_RAW),
        "at most 15 us of serve CPU per delivery": (
            f"{per_delivery * 1e6:.1f} us",
            per_delivery <= AIM_CPU_PER_DELIVERY,
        ),
        "under 30 KiB per idle socket": (f"{per_socket:.1f} KiB", per_socket < AIM_KIB_PER_SOCKET),
        "nothing lost": (f"{outcome.lost:,} lost", outcome.lost == 0),
    }


def report(args: argparse.Namespace, outcome: Outcome) -> str:
    per_socket = (outcome.rss_idle - outcome.rss_before) / max(outcome.sockets, 1)
    lat, raw = outcome.latencies, outcome.raw
    p99, raw_p99 = quantile(lat, 0.99), quantile(raw, 0.99)
    wall = outcome.publish_seconds
    deliveries = outcome.expected
    client_cpu = sum(cpu for cpu, _wall in outcome.client_cpu)
    return "\n".join(
        [
            "",
            f"== {'' if outcome.processes == BARE else 'python -m ocp serve, '}"
            f"{label(outcome.processes)} (load average before: "
            f"{outcome.load}) ==",
            f"sockets: {outcome.sockets:,} subscribed of {args.instructors * args.per_instructor:,}"
            f" ({args.instructors} channels x {args.per_instructor}; {args.clients} client "
            f"process(es)); failed {outcome.failed or 0}; opening took "
            f"{outcome.connect_seconds:.1f} s; by serve process: "
            + ", ".join(f"{count:,}" for count in outcome.sockets_by_process),
            f"serve VmRSS{' (all processes)' if outcome.processes > 1 else ''}: "
            f"{outcome.rss_before / 1024:,.1f} MiB before, "
            f"{outcome.rss_idle / 1024:,.1f} MiB idle with the sockets, "
            f"{outcome.rss_after / 1024:,.1f} MiB after the fan-out",
            f"  memory per idle socket: {per_socket:.1f} KiB",
            f"fan-out: {outcome.published:,} events in {wall:.1f} s "
            f"({outcome.published / wall:,.0f}/s; publisher at worst "
            f"{ms(outcome.publish_late)} behind schedule) -> {deliveries:,} deliveries expected "
            f"({deliveries / wall:,.0f}/s)",
            f"  received {outcome.received:,} in {outcome.drained_seconds:.1f} s from the first "
            f"event ({outcome.received / outcome.drained_seconds:,.0f} deliveries/s); events "
            f"lost {outcome.lost:,}; sockets closed during the run {outcome.closed_early or 0}",
            f"  delivery latency (publish -> client receive): p50 {ms(quantile(lat, 0.5))}, "
            f"p90 {ms(quantile(lat, 0.9))}, p99 {ms(p99)}, p99.9 {ms(quantile(lat, 0.999))}, "
            f"max {ms(lat[-1]) if lat else '-'}",
            "  by publishing time: "
            + "; ".join(
                f"{start:.0f}-{start + WINDOW:.0f} s p50 {ms(p50)} p99 {ms(p99w)}"
                for start, p50, p99w in outcome.windows
            ),
            f"  raw Redis PUBLISH -> receive ({len(raw):,} messages): "
            f"p50 {ms(quantile(raw, 0.5))}, p99 {ms(raw_p99)}, max {ms(raw[-1]) if raw else '-'}",
            f"CPU from the first event to the drained end ({wall:.1f} s of publishing; "
            f"{os.cpu_count()} cores):",
            *(f"  {name:36} {seconds:6.2f} s" for name, seconds in outcome.cpu.items()),
            f"  {'clients (' + str(len(outcome.client_cpu)) + ' processes)':36} "
            f"{client_cpu:6.2f} s ("
            + ", ".join(f"{cpu / w:.0%} of a core" for cpu, w in outcome.client_cpu)
            + ")",
            f"  everything else on the machine: {outcome.others:.2f} cores",
            "  serve by process: "
            + ", ".join(f"{cpu:.2f} s" for cpu in outcome.worker_cpu)
            + f"; {outcome.cpu['serve'] * 1e6 / max(deliveries, 1):.1f} us per delivery",
            "aim:",
            *(
                f"  {aim}: {figure} -> {verdict(met)}"
                for aim, (figure, met) in aims(outcome).items()
            ),
        ]
    )


def judged(o: Outcome, aim: str) -> str:
    figure, met = aims(o)[aim]
    return f"{figure} ({verdict(met)})"


def over_raw(o: Outcome) -> float:
    return quantile(o.latencies, 0.99) - quantile(o.raw, 0.99)


AIMS = (
    "p99 within 25 ms of raw Redis",
    "at most 15 us of serve CPU per delivery",
    "under 30 KiB per idle socket",
    "nothing lost",
)


def side_by_side(outcomes: Sequence[Outcome]) -> str:
    """The figures of each server, one column per server."""

    def row(name: str, value: Any) -> str:
        return f"| {name} | " + " | ".join(value(o) for o in outcomes) + " |"

    def lat(o: Outcome, q: float) -> str:
        return f"{quantile(o.latencies, q) * 1000:,.1f}"

    return "\n".join(
        [
            "| | " + " | ".join(label(o.processes) for o in outcomes) + " |",
            "|---|" + "---:|" * len(outcomes),
            row("p99 over raw Redis (ms)", lambda o: f"{over_raw(o) * 1000:,.1f}"),
            row("sockets subscribed (by process)", lambda o: f"{o.sockets:,} ("
                + " / ".join(f"{n:,}" for n in o.sockets_by_process) + ")"),
            row("opening the sockets (s)", lambda o: f"{o.connect_seconds:.1f}"),
            row("memory per idle socket (KiB)",
                lambda o: f"{(o.rss_idle - o.rss_before) / max(o.sockets, 1):.1f}"),
            row("deliveries offered per s",
                lambda o: f"{o.expected / o.publish_seconds:,.0f}"),
            row("deliveries per s (received / time to drain)",
                lambda o: f"{o.received / o.drained_seconds:,.0f}"),
            row("events lost", lambda o: f"{o.lost:,}"),
            row("latency p50 (ms)", lambda o: lat(o, 0.5)),
            row("latency p90 (ms)", lambda o: lat(o, 0.9)),
            row("latency p99 (ms)", lambda o: lat(o, 0.99)),
            row("latency p99.9 (ms)", lambda o: lat(o, 0.999)),
            row("latency max (ms)",
                lambda o: f"{o.latencies[-1] * 1000:,.1f}" if o.latencies else "-"),
            row("raw Redis p99 (ms)", lambda o: f"{quantile(o.raw, 0.99) * 1000:,.1f}"),
            row("serve CPU (s, by process)", lambda o: f"{o.cpu['serve']:.2f} ("
                + " / ".join(f"{c:.2f}" for c in o.worker_cpu) + ")"),
            row("serve CPU per delivery (us)",
                lambda o: f"{o.cpu['serve'] * 1e6 / max(o.expected, 1):.1f}"),
            row("redis-server CPU (s)", lambda o: f"{o.cpu['redis-server']:.2f}"),
            row("other work on the machine during the fan-out (cores)",
                lambda o: f"{o.others:.2f}"),
            row("load average before", lambda o: " ".join(o.load.split()[:3])),
            *(row(f"aim: {aim}", lambda o, aim=aim: judged(o, aim)) for aim in AIMS),
        ]
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--instructors", type=int, default=50, help="channels (default 50)")
    parser.add_argument("--per-instructor", type=int, default=100, help="sockets per channel")
    parser.add_argument("--clients", type=int, default=2, help="client processes (default 2)")
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="publishing time")
    parser.add_argument("--connect-timeout", type=float, default=30.0)
    parser.add_argument("--drain-timeout", type=float, default=30.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="web processes of the second server (default 2; 1 measures one server only)",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare hub ceiling")
    parser.add_argument("--profile", help="folder for py-spy's collapsed stacks of serve")
    parser.add_argument("--bare-hub", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_hub is not None:
        raise_nofile()
        event_loop_runner()(bare_hub(args.bare_hub))
        return

    limit = raise_nofile()
    pg = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    database_url = f"{pg}/{DB_NAME}"
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}", flush=True)
    if limit < args.instructors * args.per_instructor + 100:
        print(f"  warning: open-files hard limit {limit} is low for this many sockets")
    asyncio.run(recreate_database(pg))
    try:
        run_ocp("migrate", env=ocp_env(database_url))
        pairs = asyncio.run(insert_instructors(database_url, args.instructors))
        outcomes = []
        with tempfile.TemporaryDirectory(prefix="ocp-bench-realtime-") as tmp:
            runs = (
                [1]
                + ([args.workers] if args.workers > 1 else [])
                + ([] if args.no_bare else [BARE])
            )
            for processes in runs:
                print(f"{label(processes)}:", flush=True)
                outcome = event_loop_runner()(
                    measure(args, database_url, Path(tmp), pairs, processes)
                )
                outcomes.append(outcome)
                print(report(args, outcome) + "\n", flush=True)
        if len(outcomes) > 1:
            print(side_by_side(outcomes), flush=True)
        print(f"load average at the end: {loadavg()}")
    finally:
        asyncio.run(drop_database(pg))


if __name__ == "__main__":
    main()
