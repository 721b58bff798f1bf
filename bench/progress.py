"""Progress writes under load, next to a bare ceiling, and the completion lag.

    flock /tmp/ocp-bench.lock .venv/bin/python bench/progress.py   # about 3 minutes
    .venv/bin/python bench/progress.py --maxsize 20     # the same with a pool of 20 per process
    .venv/bin/python bench/progress.py --profile /tmp/beat.txt   # py-spy of the heartbeats
    .venv/bin/python bench/progress.py --profile-worker /tmp/w.txt   # py-spy of the worker

Run by hand, not in CI. It drops and recreates the database ``ocp_bench_progress`` on the
server in ``OCP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it with
``python -m ocp migrate``, flushes Redis db 13, and starts one ``python -m ocp serve`` (which
reaches PostgreSQL through a counting proxy, ``bench/pg_roundtrips.py``) and one arq worker
(``python -m arq workers.main.WorkerSettings``) on them. Then:

1. set-up (not timed): an admin made with ``createadmin`` builds 5 published free courses of
   10 lessons through the API; 1,000 students and one API token each are inserted straight
   into the database (one precomputed argon2 hash: registering through the API costs ~50 ms
   of argon2 each and is limited to 20 per address per hour); each student enrolls in one
   course (round robin) through the API, and the completion jobs of the enrollments drain;
2. the bare ceiling, ``bench/progress_bare.py`` (aiohttp + asyncpg, its own counting proxy),
   on the same data: the completion workload, then the heartbeat workload; its progress
   rows are truncated afterwards;
3. OCP, completion workload: 64 client tasks (one aiohttp session, connector limit 64) take
   students one at a time and complete each lesson of the student's course in order with
   ``PUT /api/v1/courses/{cid}/lessons/{lid}/progress {"completed": true}`` (10,000 updates);
4. completion lag: from the answer to the last update, the database is polled every 50 ms
   until every enrollment is ``completed``;
5. OCP, heartbeat workload: the same walk with ``{"position_seconds": n}`` (no completion
   change).

It prints throughput, latencies, errors, the lag, the jobs the worker ran, what the database
did per update (from ``pg_stat_database`` and ``pg_stat_user_tables`` of this database only),
each workload's figures (serve and PostgreSQL CPU from /proc, round trips and statements from
the proxies) and each goal of issue 14 with the bare figure beside it, met or NOT MET; then it
stops the processes and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import asyncpg
from redis.asyncio import Redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import pg_roundtrips  # noqa: E402 (after the path is set, for a plain run)
from ocp import redis_keys  # noqa: E402
from ocp.users.passwords import context  # noqa: E402

DB_NAME = "ocp_bench_progress"
REDIS_URL = "redis://127.0.0.1:6379/13"
SECRET = "bench-progress-secret-key-0123456789-abcdefghijklmnop"
ADMIN_EMAIL = "bench-admin@example.com"
PASSWORD = "bench-password-0123"  # a throwaway account in a throwaway database
ARQ_QUEUE = "arq:queue"
STATS_SETTLE = 11.0  # PostgreSQL 15 backends flush their statistics within 10 s of going idle
TABLES = ("api_token", "user", "course", "lesson", "enrollment", "lesson_progress")


@dataclass(frozen=True)
class Course:
    id: int
    lesson_ids: list[int]


@dataclass(frozen=True)
class Student:
    user_id: int
    token: str
    course: Course


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)  # seconds, successful updates only
    errors: dict[str, int] = field(default_factory=dict)
    last_answer: dict[int, float] = field(default_factory=dict)  # user id -> wall clock

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


# Processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    )
    if done.returncode != 0:
        shown = args[:1]  # never echo the password given to createadmin
        sys.exit(f"bench: `python -m ocp {shown[0]}` failed:\n{done.stdout}{done.stderr}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, name: str, command: list[str], env: Mapping[str, str], folder: Path) -> Process:
        log = folder / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                command,
                env=dict(env),
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return cls(name, popen, log)

    def output(self, tail: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            sys.exit(f"bench: {self.name} exited ({self.popen.returncode}):\n{self.output()}")

    def stop(self) -> int:
        """SIGTERM, as a process manager would stop it; SIGKILL after 20 s."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return int(self.popen.returncode)


async def wait_healthy(server: Process, base: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            server.check_alive()
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    sys.exit(f"bench: {server.name} did not answer within {within} s:\n{server.output()}")


async def wait_worker(worker: Process, redis: Redis, within: float = 30) -> None:
    """Until the worker has written its health key (it does so as it starts polling)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        worker.check_alive()
        if await redis.exists(redis_keys.WORKER_HEALTH_KEY):
            return
        await asyncio.sleep(0.2)
    sys.exit(f"bench: the worker did not start within {within} s:\n{worker.output()}")


# The database and Redis ----------------------------------------------------------------------


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


async def insert_students(database_url: str, count: int) -> list[tuple[int, str]]:
    """``count`` students sharing one argon2 hash, each with one API token: (user id, secret).

    The rows are what ``users.service`` writes: the token's SHA-256, its 12-character prefix.
    """
    password_hash = await asyncio.to_thread(context.hash, PASSWORD)
    emails = [f"student{n:05d}@example.com" for n in range(count)]
    secrets_ = ["ocp_" + secrets.token_urlsafe(32) for _ in range(count)]
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            rows = await conn.fetch(
                """
                INSERT INTO "user" (email, password_hash, full_name, bio, role, is_active,
                                    auth_epoch, created_at, updated_at)
                SELECT e, $2, 'Student ' || n, '', 'student', true, 0, now(), now()
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
                [hashlib.sha256(s.encode()).hexdigest() for s in secrets_],
                [s[:12] for s in secrets_],
            )
    finally:
        await conn.close()
    return list(zip(user_ids, secrets_, strict=True))


async def completed_count(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM enrollment WHERE status = 'completed'"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass(frozen=True)
class CpuSnapshot:
    serve: float
    worker: float
    backends: dict[int, float]  # PostgreSQL backend pid -> CPU seconds
    client: float

    @classmethod
    async def take(cls, server: Process, worker: Process, database_url: str) -> CpuSnapshot:
        conn = await asyncpg.connect(database_url)
        try:
            pids = await conn.fetch(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await conn.close()
        return cls(
            serve=cpu_seconds(server.popen.pid),
            worker=cpu_seconds(worker.popen.pid),
            backends={int(row["pid"]): cpu_seconds(int(row["pid"])) for row in pids},
            client=time.process_time(),
        )

    def since(self, before: CpuSnapshot) -> dict[str, float]:
        """CPU seconds spent between ``before`` and this snapshot, by process kind."""
        backends = sum(cpu - before.backends.get(pid, 0.0) for pid, cpu in self.backends.items())
        return {
            "serve": self.serve - before.serve,
            "PostgreSQL backends": backends,
            "worker": self.worker - before.worker,
            "bench client": self.client - before.client,
        }


async def database_stats(database_url: str) -> dict[str, int]:
    """Cumulative counters of this database: transactions, tuples, scans per table."""
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, "
            "tup_updated, blks_hit, blks_read FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        stats = {k: int(v) for k, v in dict(row).items()}
        for table in await conn.fetch(
            "SELECT relname, coalesce(seq_scan, 0) AS seq, coalesce(idx_scan, 0) AS idx, "
            "n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables"
        ):
            for column in ("seq", "idx", "ins", "upd"):
                stats[f"{table['relname']}.{column}"] = int(table[column])
    finally:
        await conn.close()
    return stats


async def wait_idle(database_url: str, redis: Redis, limit_seconds: float = 120) -> None:
    """Until the arq queue is empty and no query has run on the database for a second."""
    conn = await asyncpg.connect(database_url)
    quiet_since = time.monotonic()
    deadline = quiet_since + limit_seconds
    try:
        while time.monotonic() - quiet_since < 1 and time.monotonic() < deadline:
            busy = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state <> 'idle' AND pid <> pg_backend_pid()"
            )
            if busy or await redis.zcard(ARQ_QUEUE):
                quiet_since = time.monotonic()
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def jobs_enqueued(redis: Redis) -> int:
    """Jobs the worker has finished so far (succeeded or given up), from the outcomes the
    job runner counts in Redis for ``/metrics``."""
    counts = await redis.hgetall(redis_keys.METRICS_JOBS)
    return sum(
        int(value)
        for field, value in counts.items()
        if field.decode().rsplit(":", 1)[-1] in {"succeeded", "failed"}
    )


# The API -------------------------------------------------------------------------------------


async def expect(response: aiohttp.ClientResponse, status: int) -> Any:
    if response.status != status:
        sys.exit(
            f"bench: {response.method} {response.url} -> {response.status}: {await response.text()}"
        )
    return await response.json() if response.content_length != 0 else None


async def build_courses(base: str, count: int, lessons: int) -> list[Course]:
    """Published free courses of ``lessons`` lessons, built by the admin through the API."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        login = await expect(
            await http.post(
                f"{base}/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD}
            ),
            200,
        )
        headers = {"X-CSRF-Token": login["csrf_token"]}
        courses = []
        for c in range(count):
            course = await expect(
                await http.post(
                    f"{base}/courses",
                    json={"title": f"Progress bench course {c + 1}", "price": 0},
                    headers=headers,
                ),
                201,
            )
            lesson_ids = []
            for n in range(lessons):
                lesson = await expect(
                    await http.post(
                        f"{base}/courses/{course['id']}/lessons",
                        json={"title": f"Lesson {n + 1}", "body": f"<p>Lesson {n + 1}</p>"},
                        headers=headers,
                    ),
                    201,
                )
                lesson_ids.append(int(lesson["id"]))
            await expect(
                await http.patch(
                    f"{base}/courses/{course['id']}",
                    json={"status": "published"},
                    headers=headers,
                ),
                200,
            )
            courses.append(Course(int(course["id"]), lesson_ids))
    return courses


@contextlib.asynccontextmanager
async def client(concurrency: int) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        yield http


def bearer(student: Student) -> dict[str, str]:
    return {"Authorization": f"Bearer {student.token}"}


async def enroll_all(base: str, students: Sequence[Student], concurrency: int) -> None:
    queue: asyncio.Queue[Student] = asyncio.Queue()
    for student in students:
        queue.put_nowait(student)

    async def work(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            student = queue.get_nowait()
            url = f"{base}/courses/{student.course.id}/enrollment"
            await expect(await http.post(url, headers=bearer(student)), 201)

    async with client(concurrency) as http:
        await asyncio.gather(*(work(http) for _ in range(concurrency)))


def completion(_: int) -> dict[str, Any]:
    return {"completed": True}


def heartbeat(n: int) -> dict[str, Any]:
    """A video heartbeat: the position only, on a lesson already seen (no completion change)."""
    return {"position_seconds": 30 * (n + 1)}


async def update_all(
    base: str,
    students: Sequence[Student],
    concurrency: int,
    timings: Timings,
    body_of: Callable[[int], dict[str, Any]],
) -> None:
    """Each task takes the next student and sends one update per lesson of the course, in
    order, with the body ``body_of(lesson index)``."""
    queue: asyncio.Queue[Student] = asyncio.Queue()
    for student in students:
        queue.put_nowait(student)

    async def work(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            student = queue.get_nowait()
            headers = bearer(student)
            for n, lesson_id in enumerate(student.course.lesson_ids):
                url = f"{base}/courses/{student.course.id}/lessons/{lesson_id}/progress"
                started = time.perf_counter()
                try:
                    async with http.put(url, json=body_of(n), headers=headers) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as error:
                    timings.error(type(error).__name__)
                    continue
                if status == 200:
                    timings.latencies.append(time.perf_counter() - started)
                else:
                    timings.error(f"HTTP {status}")
            timings.last_answer[student.user_id] = time.time()

    async with client(concurrency) as http:
        await asyncio.gather(*(work(http) for _ in range(concurrency)))


# Figures -------------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile of sorted ``values``."""
    if not values:
        return float("nan")
    index = max(0, min(len(values) - 1, round(q * len(values) + 0.5) - 1))
    return values[index]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return f"nproc {nproc}; CPU {cpu}; memory {memory}; Python {sys.version.split()[0]}"


def code_version() -> str:
    """The commit, and whether the files on this path differ from it (others edit in place)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "ocp", "workers"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    digest = hashlib.sha256((REPO / "ocp/learning/service.py").read_bytes()).hexdigest()[:12]
    state = "with uncommitted changes in ocp/ or workers/" if dirty else "clean"
    return f"code: {head or '?'} {state}; ocp/learning/service.py sha256 {digest}"


def per_update(before: Mapping[str, int], after: Mapping[str, int], updates: int) -> list[str]:
    def delta(key: str) -> int:
        return after.get(key, 0) - before.get(key, 0)

    lines = [
        f"  transactions (commits) {delta('xact_commit'):,} = {delta('xact_commit') / updates:.1f}"
        f" per update; rollbacks {delta('xact_rollback'):,}",
        f"  rows: fetched {delta('tup_fetched'):,}, returned {delta('tup_returned'):,}, "
        f"inserted {delta('tup_inserted'):,}, updated {delta('tup_updated'):,}",
        f"  buffers: hit {delta('blks_hit'):,}, read {delta('blks_read'):,}",
    ]
    for table in TABLES:
        seq, idx = delta(f"{table}.seq"), delta(f"{table}.idx")
        ins, upd = delta(f"{table}.ins"), delta(f"{table}.upd")
        lines.append(
            f"  {table:16} index scans {idx:7,} ({idx / updates:.2f}/update), seq scans {seq:5,},"
            f" inserts {ins:6,}, updates {upd:6,}"
        )
    return lines


def worker_totals(log: str) -> str:
    """arq's own count, from the line it logs when it stops."""
    found = re.findall(r"shutdown on \w+ ◆ (\d+) jobs complete ◆ (\d+) failed ◆ (\d+) retries", log)
    if not found:
        return "no shutdown line in the worker log"
    complete, failed, retries = found[-1]
    return f"{complete} jobs complete, {failed} failed, {retries} retries (whole run)"


# The run -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    elapsed: float  # first update sent -> last answer, seconds
    timings: Timings
    done_at_last: int  # enrollments completed when the last answer arrived
    lag: float | None  # last answer -> all completed, seconds (None: not within the limit)
    final: int
    completed_at: dict[int, dt.datetime]  # user id -> the enrollment's completed_at
    jobs_enqueued: int
    health: str
    cpu: dict[str, float]
    load: tuple[str, str]
    stats: tuple[dict[str, int], dict[str, int]]
    workloads: dict[str, Workload] = field(default_factory=dict)  # "ocp completion", ...
    worker_log: str = ""


@dataclass
class Workload:
    """One timed batch of updates against one server: its figures."""

    updates: int
    elapsed: float
    latencies: list[float]  # sorted, seconds
    errors: dict[str, int]
    server_cpu: float  # seconds
    postgres_cpu: float  # seconds, every backend of the database (the server's, mostly)
    round_trips: int  # to PostgreSQL, from the server's counting proxy
    statements: int

    def per_update(self, value: float) -> float:
        return value / self.updates

    @property
    def rate(self) -> float:
        return self.updates / self.elapsed

    def p(self, q: float) -> float:
        return quantile(self.latencies, q)


async def run_workload(
    api: str,
    students: Sequence[Student],
    args: argparse.Namespace,
    body_of: Callable[[int], dict[str, Any]],
    server_pid: int,
    proxy: pg_roundtrips.CountingProxy,
    database_url: str,
    timings: Timings | None = None,
) -> Workload:
    """The updates of every student's lessons with ``body_of``; the server's CPU, the
    database's and the server's round trips to PostgreSQL around them."""
    timings = timings or Timings()
    trips, statements = proxy.counters.read()
    backends = await backend_cpu(database_url)
    cpu = cpu_seconds(server_pid)
    started = time.perf_counter()
    await update_all(api, students, args.concurrency, timings, body_of)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(server_pid) - cpu
    after = await backend_cpu(database_url)
    postgres = sum(seconds - backends.get(pid, 0.0) for pid, seconds in after.items())
    trips_after, statements_after = proxy.counters.read()
    return Workload(
        updates=len(students) * args.lessons,
        elapsed=elapsed,
        latencies=sorted(timings.latencies),
        errors=timings.errors,
        server_cpu=cpu,
        postgres_cpu=postgres,
        round_trips=trips_after - trips,
        statements=statements_after - statements,
    )


async def backend_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend of the database (but the asking one)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return {int(row["pid"]): cpu_seconds(int(row["pid"])) for row in rows}


async def set_up(api: str, database_url: str, args: argparse.Namespace) -> list[Student]:
    """Courses through the API, students and tokens in the database, enrollments through the API."""
    started = time.perf_counter()
    courses = await build_courses(api, args.courses, args.lessons)
    print(
        f"set-up: {args.courses} courses x {args.lessons} lessons through the API "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    rows = await insert_students(database_url, args.students)
    students = [
        Student(user_id, token, courses[n % len(courses)])
        for n, (user_id, token) in enumerate(rows)
    ]
    print(
        f"set-up: {len(students):,} students and tokens inserted "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    await enroll_all(api, students, args.concurrency)
    print(
        f"set-up: {len(students):,} enrollments through the API "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return students


async def timed_run(
    api: str,
    database_url: str,
    students: Sequence[Student],
    args: argparse.Namespace,
    processes: tuple[Process, Process],
    redis: Redis,
    proxy: pg_roundtrips.CountingProxy,
) -> Outcome:
    """The updates, then the wait for the last completion; the counters around both."""
    await wait_idle(database_url, redis)  # the enrollments' completion jobs, among others
    await asyncio.sleep(STATS_SETTLE)
    jobs_before = await jobs_enqueued(redis)
    stats_before = await database_stats(database_url)
    load_before = load_average()
    cpu_before = await CpuSnapshot.take(*processes, database_url)
    timings = Timings()
    watcher = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        work = await run_workload(
            api, students, args, completion, processes[0].popen.pid, proxy, database_url, timings
        )
        last = time.perf_counter()
        done_at_last = await completed_count(watcher)
        lag: float | None = None
        while time.perf_counter() < last + args.lag_timeout:
            if await completed_count(watcher) >= len(students):
                lag = time.perf_counter() - last
                break
            await asyncio.sleep(0.05)
        final = await completed_count(watcher)
        rows = await watcher.fetch(
            "SELECT user_id, completed_at FROM enrollment WHERE completed_at IS NOT NULL"
        )
    finally:
        await watcher.close()
    cpu = (await CpuSnapshot.take(*processes, database_url)).since(cpu_before)
    load_after = load_average()
    enqueued = await jobs_enqueued(redis) - jobs_before
    health = await redis.get(redis_keys.WORKER_HEALTH_KEY)
    await wait_idle(database_url, redis)
    await asyncio.sleep(STATS_SETTLE)
    return Outcome(
        elapsed=last - started,
        timings=timings,
        done_at_last=done_at_last,
        lag=lag,
        final=final,
        completed_at={int(row["user_id"]): row["completed_at"] for row in rows},
        jobs_enqueued=enqueued,
        health=health.decode() if health else "absent",
        cpu=cpu,
        load=(load_before, load_after),
        stats=(stats_before, await database_stats(database_url)),
        workloads={"ocp completion": work},
    )


async def bare_workloads(
    api_path: str,
    database_url: str,
    students: Sequence[Student],
    args: argparse.Namespace,
    folder: Path,
    target: tuple[str, int],
) -> dict[str, Workload]:
    """The bare ceiling (``bench/progress_bare.py``) on the same data: completions, then
    heartbeats; then its progress rows are deleted so that OCP starts from the same state."""
    proxy = pg_roundtrips.start(target)
    port = free_port()
    dsn = database_url.replace(f"{target[0]}:{target[1]}", f"127.0.0.1:{proxy.port}")
    bare = Process.start(
        "bare",
        [sys.executable, str(REPO / "bench/progress_bare.py"), "--port", str(port), "--dsn", dsn],
        {**os.environ, "PYTHONPATH": str(REPO)},
        folder,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_healthy(bare, base)
        api = f"{base}{api_path}"
        found = {
            "bare completion": await run_workload(
                api, students, args, completion, bare.popen.pid, proxy, database_url
            ),
            "bare heartbeat": await run_workload(
                api, students, args, heartbeat, bare.popen.pid, proxy, database_url
            ),
        }
        bare.check_alive()
        if any(w.errors for w in found.values()):
            print(f"bench: the bare server failed:\n{bare.output()}", flush=True)
    finally:
        bare.stop()
        proxy.stop()
    conn = await asyncpg.connect(database_url)
    try:
        # TRUNCATE, not DELETE + ANALYZE: the table's statistics go back to "never analyzed",
        # as in a fresh database; an analyzed empty table has the planner scan it sequentially.
        await conn.execute("TRUNCATE lesson_progress")
    finally:
        await conn.close()
    return found


async def measure(args: argparse.Namespace, database_url: str, folder: Path) -> Outcome:
    """Start serve (through a counting proxy) and the worker, set up, run the bare ceiling,
    then OCP's completions and heartbeats; stop them (SIGTERM) whatever happens."""
    target = postgres_address(database_url)
    proxy = pg_roundtrips.start(target)
    proxied = database_url.replace(f"{target[0]}:{target[1]}", f"127.0.0.1:{proxy.port}")
    pool = f"?maxsize={args.maxsize}" if args.maxsize else ""
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process.start(
        "serve",
        [sys.executable, "-m", "ocp", "serve", "--port", str(port)],
        ocp_env(proxied + pool),
        folder,
    )
    worker = Process.start(
        "worker",
        [sys.executable, "-m", "arq", "workers.main.WorkerSettings"],
        ocp_env(database_url + pool),
        folder,
    )
    try:
        await wait_healthy(server, base)
        await wait_worker(worker, redis)
        students = await set_up(f"{base}/api/v1", database_url, args)
        await wait_idle(database_url, redis)
        bare = await bare_workloads("/api/v1", database_url, students, args, folder, target)
        with profiled(worker.popen.pid, args.profile_worker):
            outcome = await timed_run(
                f"{base}/api/v1", database_url, students, args, (server, worker), redis, proxy
            )
        outcome.workloads.update(bare)
        with profiled(server.popen.pid, args.profile):
            outcome.workloads["ocp heartbeat"] = await run_workload(
                f"{base}/api/v1", students, args, heartbeat, server.popen.pid, proxy, database_url
            )
        server.check_alive()
        worker.check_alive()
    finally:
        server.stop()
        worker.stop()
        proxy.stop()
        await redis.flushdb()
        await redis.aclose()
    outcome.worker_log = worker.log.read_text(errors="replace")
    return outcome


@contextlib.contextmanager
def profiled(pid: int, path: str | None) -> Any:
    """py-spy recording ``pid`` (raw format, 100 Hz) into ``path`` for the block's length;
    nothing without a path. The recording costs serve CPU: that run's figures don't count."""
    if path is None:
        yield
        return
    spy = subprocess.Popen(
        ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", "100", "-o", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)


def postgres_address(database_url: str) -> tuple[str, int]:
    """(host, port) of a ``postgres://user@host:port/db`` URL."""
    parts = urlsplit(database_url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if abs(seconds) < 10 else f"{seconds * 1000:,.0f} ms"


def report(args: argparse.Namespace, outcome: Outcome) -> str:
    students = args.students
    updates = students * args.lessons
    timings = outcome.timings
    latencies = sorted(timings.latencies)
    # completed_at (server clock) against the client's clock: the same machine
    lags = sorted(
        when.timestamp() - timings.last_answer[user_id]
        for user_id, when in outcome.completed_at.items()
        if user_id in timings.last_answer
    )
    early = sum(1 for lag in lags if lag < 0)
    pool = f"?maxsize={args.maxsize}" if args.maxsize else "default (1-5 connections)"
    lag = (
        ms(outcome.lag)
        if outcome.lag is not None
        else f"NOT reached in {args.lag_timeout:.0f} s ({outcome.final:,} completed)"
    )
    wall = outcome.elapsed + (outcome.lag or 0)
    before, after = outcome.stats
    return "\n".join(
        [
            "",
            f"progress updates: {updates:,} by {students:,} students in {args.courses} courses "
            f"x {args.lessons} lessons; {args.concurrency} client tasks; database pool {pool}; "
            "1 serve process, 1 arq worker",
            f"  throughput   {updates / outcome.elapsed:,.0f} updates/s ({outcome.elapsed:.2f} s)",
            f"  latency      p50 {ms(quantile(latencies, 0.50))}, "
            f"p90 {ms(quantile(latencies, 0.90))}, p99 {ms(quantile(latencies, 0.99))}, "
            f"max {ms(latencies[-1]) if latencies else '-'}",
            f"  errors       {sum(timings.errors.values())} {timings.errors or ''}".rstrip(),
            "completion:",
            f"  at the last answer {outcome.done_at_last:,} of {students:,} enrollments were "
            "completed",
            f"  completion lag (last answer -> all completed): {lag}",
            "  per enrollment (student's last answer -> completed_at): "
            f"p50 {ms(quantile(lags, 0.5))}, p99 {ms(quantile(lags, 0.99))}, "
            f"max {ms(lags[-1]) if lags else '-'}; {early:,} completed before their last "
            "answer arrived (negative lag)",
            f"  jobs run during the timed part: {outcome.jobs_enqueued:,} "
            f"({outcome.jobs_enqueued / updates:.2f} per update; an update settles its "
            "enrollment itself)",
            f"  worker health key at the end: {outcome.health}",
            f"  worker: {worker_totals(outcome.worker_log)}",
            f"CPU from the first update until all completed ({wall:.1f} s wall clock; load "
            f"average {outcome.load[0]} before, {outcome.load[1]} after):",
            *(
                f"  {name:20} {seconds:6.2f} s = {seconds * 1000 / updates:.2f} ms per update"
                for name, seconds in outcome.cpu.items()
            ),
            "database, per update (timed part + completion; this database only):",
            *per_update(before, after, updates),
            "",
            *workload_lines(outcome.workloads),
            "",
            *goal_lines(outcome),
        ]
    )


def workload_lines(workloads: Mapping[str, Workload]) -> list[str]:
    lines = [
        "each workload, 64 client tasks (round trips and statements counted by a proxy in "
        "front of PostgreSQL for that server only):"
    ]
    for name, w in workloads.items():
        lines.append(
            f"  {name:16} {w.rate:7,.0f} updates/s, p50 {ms(w.p(0.5))}, p99 {ms(w.p(0.99))}, "
            f"serve CPU {w.per_update(w.server_cpu) * 1000:.2f} ms/update, "
            f"PostgreSQL CPU {w.per_update(w.postgres_cpu) * 1000:.2f} ms/update, "
            f"round trips {w.per_update(w.round_trips):.2f}/update, "
            f"statements {w.per_update(w.statements):.2f}/update, "
            f"errors {sum(w.errors.values())} {w.errors or ''}".rstrip()
        )
    return lines


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def goal_lines(outcome: Outcome) -> list[str]:
    """Each goal of issue 14, OCP's figure, the bare ceiling's beside it, met or not."""
    w = outcome.workloads
    ocp, bare = w["ocp completion"], w["bare completion"]
    beat, bare_beat = w["ocp heartbeat"], w["bare heartbeat"]
    cpu = ocp.per_update(ocp.server_cpu) * 1000
    beat_cpu = beat.per_update(beat.server_cpu) * 1000
    cost = ocp.per_update(ocp.server_cpu + ocp.postgres_cpu) * 1000
    beat_cost = beat.per_update(beat.server_cpu + beat.postgres_cpu) * 1000
    bare_beat_cost = bare_beat.per_update(bare_beat.server_cpu + bare_beat.postgres_cpu) * 1000
    ratio = ocp.rate / bare.rate
    trips = ocp.per_update(ocp.round_trips)
    lag = outcome.lag
    rows = [
        (
            "throughput >= 0.5x bare (completions)",
            f"{ocp.rate:,.0f}/s = {ratio:.2f}x",
            f"{bare.rate:,.0f}/s",
            ratio >= 0.5,
        ),
        (
            "round trips to PostgreSQL <= 2 per update",
            f"{trips:.2f}",
            f"{bare.per_update(bare.round_trips):.2f}",
            trips <= 2,
        ),
        (
            "serve CPU <= 1.5 ms per update",
            f"{cpu:.2f} ms",
            f"{bare.per_update(bare.server_cpu) * 1000:.2f} ms",
            cpu <= 1.5,
        ),
        (
            "p99 < 150 ms at 64 clients (completions)",
            ms(ocp.p(0.99)),
            ms(bare.p(0.99)),
            ocp.p(0.99) < 0.150,
        ),
        (
            "heartbeat serve CPU <= 0.5x completion",
            f"{beat_cpu:.2f} ms = {beat_cpu / cpu:.2f}x",
            f"{bare_beat.per_update(bare_beat.server_cpu) * 1000:.2f} ms",
            beat_cpu <= 0.5 * cpu,
        ),
        (
            "heartbeat serve+PG CPU <= 0.5x completion",
            f"{beat_cost:.2f} ms = {beat_cost / cost:.2f}x",
            f"{bare_beat_cost:.2f} ms",
            beat_cost <= 0.5 * cost,
        ),
        (
            "p99 < 150 ms at 64 clients (heartbeats)",
            ms(beat.p(0.99)),
            ms(bare_beat.p(0.99)),
            beat.p(0.99) < 0.150,
        ),
        (
            "completion lag < 1 s",
            ms(lag) if lag is not None else "not reached",
            "-",
            lag is not None and lag < 1.0,
        ),
        (
            "no errors",
            str(sum(sum(x.errors.values()) for x in w.values())),
            "-",
            not any(x.errors for x in w.values()),
        ),
    ]
    lines = [f"goals (issue 14)                            {'OCP':>22} {'bare':>12}"]
    for goal, mine, ceiling, ok in rows:
        lines.append(f"  {goal:42} {mine:>22} {ceiling:>12}  {verdict(ok)}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--courses", type=int, default=5)
    parser.add_argument("--lessons", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--maxsize", type=int, help="database pool size of each process")
    parser.add_argument("--lag-timeout", type=float, default=120.0)
    parser.add_argument(
        "--profile", metavar="PATH", help="py-spy (raw) of serve during OCP's heartbeats"
    )
    parser.add_argument(
        "--profile-worker",
        metavar="PATH",
        help="py-spy (raw) of the worker during OCP's completions (the reactions they cause)",
    )
    args = parser.parse_args(argv)

    pg = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    database_url = f"{pg}/{DB_NAME}"
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}", flush=True)
    print(code_version(), flush=True)
    asyncio.run(recreate_database(pg))
    try:
        env = ocp_env(database_url)
        run_ocp("migrate", env=env)
        run_ocp("createadmin", "--email", ADMIN_EMAIL, "--password", PASSWORD, env=env)
        with tempfile.TemporaryDirectory(prefix="ocp-bench-progress-") as tmp:
            outcome = asyncio.run(measure(args, database_url, Path(tmp)))
        print(report(args, outcome), flush=True)
    finally:
        asyncio.run(drop_database(pg))


if __name__ == "__main__":
    main()
