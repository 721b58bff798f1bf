"""Catalog reads under load: OCP on PostgreSQL + Redis against a bare aiohttp ceiling, with wrk.

    .venv/bin/python bench/catalog.py            # about 5.5 minutes; prints markdown tables
    .venv/bin/python bench/catalog.py --fresh    # drop ocp_bench and seed it again first
    .venv/bin/python bench/catalog.py --multi cache-on   # --workers 2 with the cache on only
    # issue 14's goals only, one process (about 5 minutes); --duration 5 --warmup 1 to iterate
    .venv/bin/python bench/catalog.py --only "page 1-50" --only detail --only "q (900" \
        --only filters --workers 1

Run by hand, not in CI. It creates (or reuses) the database ``ocp_bench`` on the server in
``OCP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it, seeds 10,000
courses (about 100,000 lessons) with ``python -m ocp seed --demo`` when it is empty, then
starts, side by side: a bare aiohttp JSON endpoint (a static body of about 2 KB: the ceiling),
``python -m ocp serve`` with the catalog cache on, and another with it off
(``OCP_CATALOG_CACHE=false``), all on Redis db 14 (``OCP_BENCH_REDIS``), and the same two
again as ``python -m ocp serve --workers 2`` (two processes on one port through
``SO_REUSEPORT``; same database, Redis and environment, only the metrics folder of
prometheus-client's multiprocess mode is set, inside the bench's temporary folder). Each
scenario runs with wrk (64 connections, 2 threads, 10 s after a 2 s warm-up), one server at a
time, the ``--workers 2`` server right after the one-process server with the same cache
setting; a Lua script spreads the requests over a set of paths so that one cached page does
not stand for all of them. ``--workers 1`` leaves the several-process servers out, ``--multi
cache-on`` measures them only with the cache on (5 measurements fewer, about a minute). The
server CPU per request sums the supervisor and all its children (from ``/proc``). Needs
``wrk`` (``apt-get install -y wrk``).

A second ceiling, bare aiohttp + asyncpg (``serve_bare_sql``), answers the list (``?page=N``)
and the detail with the statements OCP runs for them (imported from ``ocp/courses/listing.py``
and ``search.py``), one pool like OCP's, and the same JSON and ``Link`` header (checked
against OCP's answers before measuring). The scenarios "list (random page 1-50)" and "detail
(1,000 ids)" also run against it, and the last table holds issue 14's goals: OCP with the
cache off at least 0.5x of it, and the long tail with the cache on (900 two-word queries, 300
filter combinations) at least 20% of the bare JSON ceiling with a p99 under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ocp.courses import listing, search  # noqa: E402 (after the path is set, for a plain run)
from ocp.courses.seed import CATEGORIES  # noqa: E402

DB_NAME = "ocp_bench"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
# ~5 per category, plus words that match less often (or nothing: kubernetes)
WORDS = (
    "python", "javascript", "rust", "react", "docker", "sql", "algorithms",
    "machine", "learning", "pandas", "statistics", "excel", "visualization",
    "figma", "typography", "logo", "color", "ux",
    "project", "scrum", "finance", "negotiation", "accounting",
    "seo", "social", "email", "copywriting", "brand",
    "portrait", "lightroom", "photoshop", "landscape", "street",
    "guitar", "piano", "theory", "singing", "drums",
    "spanish", "french", "japanese", "english", "grammar",
    "yoga", "nutrition", "running", "meditation",
    "productivity", "leadership", "kubernetes",
)  # fmt: skip
# words of the seeded titles ("Python for Beginners"), each paired with every word above
MODIFIERS = (
    "beginners", "complete", "bootcamp", "mastering", "practical", "projects", "fundamentals",
    "advanced", "days", "masterclass", "pro", "essentials", "intermediate", "step",
    "real-world", "crash", "modern", "dive",
)  # fmt: skip
LUA = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
    .. '"errors": %%d, "non_2xx": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    paths: Sequence[str]
    ceiling: bool = False
    bare_sql: bool = False  # also measured on the bare aiohttp + asyncpg server


@dataclass(frozen=True)
class Measure:
    scenario: str
    server: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx answers
    app_cpu_ms: float  # CPU time of the server process per request
    db_cpu_ms: float  # CPU time of the PostgreSQL backends serving it, per request
    others: float  # CPU used meanwhile by everything else on the machine, in cores


# The ceiling: a bare aiohttp app answering one static JSON body -----------------------------


def ceiling_body() -> bytes:
    """About 2 KB of JSON shaped like a catalog page."""
    item = {
        "id": 1, "slug": "python-for-beginners", "title": "Python for Beginners",
        "subtitle": "Learn Python with short lessons, exercises and real projects",
        "category": "programming", "tags": ["python", "programming", "coding"],
        "level": "beginner", "language": "en", "price": "19.99", "currency": "USD",
        "is_free": False, "duration_minutes": 131, "cover_image_url": None, "lesson_count": 10,
        "enrollment_count": 0, "instructor": {"id": 7, "full_name": "Maya Patel"},
        "status": "published", "published_at": "2026-05-10T20:23:43.277804+00:00",
    }  # fmt: skip
    page = {"items": [{**item, "id": n} for n in range(1, 5)], "page": 1, "per_page": 4}
    return json.dumps({**page, "total": 9500}).encode()


def serve_ceiling(port: int) -> None:
    from aiohttp import web

    body = ceiling_body()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/", handler)
    app.router.add_get("/healthz", handler)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# The SQL ceiling: bare aiohttp + asyncpg running OCP's catalog SQL -------------------------

# Same pool bounds as OCP's (Tortoise's asyncpg defaults: 1 to 5 connections).
BARE_POOL = {"min_size": 1, "max_size": 5}


def bare_price(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def bare_item(row: Any, *, full: bool) -> dict[str, Any]:
    """A course as OCP answers it, from one row of ``bare_rows_sql``."""
    ready = row["cover_status"] == "ready"
    item = {
        "id": row["id"], "slug": row["slug"], "title": row["title"],
        "subtitle": row["subtitle"], "category": row["category"],
        "tags": json.loads(row["tags"]), "level": row["level"], "language": row["language"],
        "price": bare_price(row["price_cents"]), "currency": row["currency"],
        "is_free": row["price_cents"] == 0, "duration_minutes": row["duration_minutes"],
        "cover_id": row["cover_id"],
        "cover_image_url": f"/media/{row['cover_sha256']}" if ready else row["cover_image_url"],
        "cover_thumbnail_url": (
            f"/media/{row['cover_sha256']}-thumb"
            if ready and row["cover_has_thumbnail"] else None
        ),
        "lesson_count": row["lesson_count"], "enrollment_count": row["enrollment_count"],
        "instructor": {"id": row["instructor_id"], "full_name": row["full_name"]},
        "status": row["status"], "published_at": row["published_at"],
    }  # fmt: skip
    if full:
        item.update(
            description=row["description"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
    return item


def bare_statements(filters: dict[str, Any], offset: int, limit: int) -> list[tuple[str, list]]:
    """The statements OCP runs for one list page with the cache off, in order: the page's
    rows (``ocp/courses/listing.py``), then the count (``ocp/courses/search.py``)."""
    page_sql, page_params = listing.page_sql(
        filters, dialect="postgres", offset=offset, limit=limit
    )
    count_sql, count_params = search.catalog_count(filters, dialect="postgres")
    return [(page_sql, page_params), (count_sql, count_params)]


def serve_bare_sql(port: int, database_url: str) -> None:
    """``GET /api/v1/courses?page=N`` and ``GET /api/v1/courses/{id}`` with OCP's SQL and JSON
    (the same rows, fields and Link header), and nothing else: no middlewares, no ORM."""
    import orjson
    from aiohttp import web

    pool_key = web.AppKey("pool", asyncpg.Pool)

    async def pool_ctx(app: web.Application) -> Any:
        app[pool_key] = await asyncpg.create_pool(database_url, **BARE_POOL)
        yield
        await app[pool_key].close()

    async def courses(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        per_page = min(int(request.query.get("per_page", "20")), 100)
        (page_sql, page_params), (count_sql, count_params) = bare_statements(
            {"sort": "newest"}, (page - 1) * per_page, per_page
        )
        async with request.app[pool_key].acquire() as conn:
            rows = await conn.fetch(page_sql, *page_params)
            total = await conn.fetchval(count_sql, *count_params)
        items = [bare_item(row, full=False) for row in rows]
        last = max(1, -(-total // per_page))
        links = [
            f'<{request.rel_url.update_query(page=number, per_page=per_page)}>; rel="{rel}"'
            for rel, number in (
                ("first", 1),
                ("prev", page - 1 if page > 1 else None),
                ("next", page + 1 if page < last else None),
                ("last", last),
            )
            if number is not None
        ]
        body = {"items": items, "page": page, "per_page": per_page, "total": total}
        return web.Response(
            body=orjson.dumps(body),
            content_type="application/json",
            headers={"Link": ", ".join(links)},
        )

    async def course(request: web.Request) -> web.Response:
        sql, params = listing.detail_sql(int(request.match_info["id"]), dialect="postgres")
        async with request.app[pool_key].acquire() as conn:
            row = await conn.fetchrow(sql, *params)
        if row is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=orjson.dumps(bare_item(row, full=True)), content_type="application/json"
        )

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.cleanup_ctx.append(pool_ctx)
    app.router.add_get("/api/v1/courses", courses)
    app.router.add_get("/api/v1/courses/{id}", course)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# Processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ocp_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_") and k != "PORT"}
    env.update(
        PYTHONPATH=str(REPO),
        OCP_DATABASE_URL=database_url,
        OCP_REDIS_URL=redis_url,
        OCP_SECRET_KEY=SECRET,
        OCP_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def run_ocp(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "ocp", *args], env=env, cwd=REPO, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: `python -m ocp {' '.join(args)}` failed ({done.returncode})")


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


def listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (one per process with SO_REUSEPORT)."""
    wanted = f"0100007F:{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1] == wanted and line.split()[3] == "0A")


@dataclass
class Server:
    name: str
    base: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    processes: int = 1  # web processes (``--workers``)

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def wait_healthy(self, timeout: float = 30) -> None:
        """Until it answers and every one of its web processes listens on the port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"bench: {self.name} exited:\n{self.log.read_text()[-2000:]}")
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response,
            ):
                if response.status == 200 and listening_sockets(self.port) >= self.processes:
                    return
            time.sleep(0.2)
        sys.exit(f"bench: {self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def variants(args: argparse.Namespace) -> list[tuple[str, int]]:
    """The OCP servers, in the order each scenario measures them: (cache, processes)."""
    several = args.workers > 1
    order = [("on", 1)] + ([("on", args.workers)] if several else []) + [("off", 1)]
    if several and args.multi == "all":
        order.append(("off", args.workers))
    return order


@contextlib.contextmanager
def servers(
    database_url: str, redis_url: str, folder: Path, wanted: Sequence[tuple[str, int]]
) -> Iterator[tuple[Server, Server, dict[tuple[str, int], Server]]]:
    """The ceiling, the bare SQL server, and OCP with the catalog cache on and off
    (``wanted``: with how many processes), each on a free port."""
    started: list[Server] = []

    def start(
        name: str, command: list[str], env: dict[str, str] | None = None, processes: int = 1
    ) -> Server:
        port = free_port()
        log = folder / f"server-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, str(port)], env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
            )
        server = Server(name, f"http://127.0.0.1:{port}", port, process, log, processes)
        started.append(server)
        return server

    def start_ocp(cache: str, processes: int) -> Server:
        env = ocp_env(database_url, redis_url)
        if cache == "off":
            env["OCP_CATALOG_CACHE"] = "false"
        serve = [sys.executable, "-m", "ocp", "serve"]
        name = f"ocp, cache {cache}"
        if processes > 1:
            serve += ["--workers", str(processes)]
            name = f"ocp --workers {processes}, cache {cache}"
            # where multiprocess prometheus-client keeps its files (else a new /tmp folder)
            metrics = folder / f"metrics-{len(started)}"
            metrics.mkdir()
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        return start(name, [*serve, "--port"], env, processes)

    try:
        ceiling = start("bare aiohttp", [sys.executable, __file__, "--serve-ceiling"])
        bare_sql = start(
            "bare aiohttp + asyncpg",
            [sys.executable, __file__, "--database-url", database_url, "--serve-bare-sql"],
        )
        ocp = {variant: start_ocp(*variant) for variant in wanted}
        for server in started:
            server.wait_healthy()
        yield ceiling, bare_sql, ocp
    finally:
        for server in started:
            server.stop()


# The database --------------------------------------------------------------------------------


async def ensure_database(server: str, *, fresh: bool) -> None:
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        if fresh:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DB_NAME):
            await admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await admin.close()


async def course_count(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM course"))
    finally:
        await conn.close()


async def published_ids(database_url: str, count: int) -> list[int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT id FROM course WHERE status = 'published' ORDER BY id")
    finally:
        await conn.close()
    return random.Random(3).sample([int(row["id"]) for row in rows], count)


async def wait_idle(database_url: str, limit_seconds: float = 120) -> None:
    """Until no query on the database has run for a second: a server keeps answering the
    requests it had accepted after wrk stops, and that must not load the next measurement."""
    conn = await asyncpg.connect(database_url)
    quiet_since = time.monotonic()
    deadline = quiet_since + limit_seconds
    try:
        while time.monotonic() - quiet_since < 1 and time.monotonic() < deadline:
            busy = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if busy:
                quiet_since = time.monotonic()
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def explain(database_url: str) -> list[str]:
    """EXPLAIN ANALYZE of the catalog SQL (ocp/courses/search.py) for typical requests."""
    cases: list[tuple[str, dict[str, Any]]] = [
        ("plain", {"sort": "newest"}),
        ("q=python", {"q": "python", "sort": "relevance"}),
        ("q=learning (common word)", {"q": "learning", "sort": "relevance"}),
        ("q=python beginners", {"q": "python beginners", "sort": "relevance"}),
        ("category+level", {"category": "design", "level": "beginner", "sort": "newest"}),
        ("tag+is_free", {"tag": "python", "is_free": True, "sort": "price"}),
    ]
    conn = await asyncpg.connect(database_url)
    lines = []
    try:
        await conn.execute("VACUUM ANALYZE")  # as a database in service would be
        for label, filters in cases:
            sql, params = search.catalog_page(filters, dialect="postgres", offset=0, limit=20)
            plan = [
                row[0] for row in await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *params)
            ]
            timing = " ".join(
                p.strip() for p in plan if p.startswith(("Planning Time", "Execution"))
            )
            top = plan[0].strip()[:110]
            lines.append(f"{label:26} {timing}\n{'':26} {top}")
    finally:
        await conn.close()
    return lines


# Load ----------------------------------------------------------------------------------------


def filter_paths(count: int) -> list[str]:
    """Varied combinations of the catalog's filters, as a browsing visitor would pick them."""
    rng = random.Random(5)
    paths = []
    for _ in range(count):
        category = rng.choice(CATEGORIES)
        options: dict[str, str] = {"category": category.slug}
        if rng.random() < 0.5:
            options["level"] = rng.choice(["beginner", "intermediate", "advanced", "all"])
        if rng.random() < 0.3:
            options["tag"] = rng.choice(category.tags)
            del options["category"]
        if rng.random() < 0.3:
            options["is_free"] = rng.choice(["true", "false"])
        elif rng.random() < 0.3:
            options["price_max"] = rng.choice(["20", "50", "100"])
        if rng.random() < 0.2:
            options["language"] = rng.choice(["en", "es", "fr"])
        if rng.random() < 0.4:
            options["sort"] = rng.choice(["newest", "price", "-price", "title"])
        if rng.random() < 0.3:
            options["page"] = str(rng.randint(2, 4))
        paths.append("/api/v1/courses?" + "&".join(f"{k}={v}" for k, v in options.items()))
    return paths


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU time of each process still alive."""
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            times[pid] = (int(fields[11]) + int(fields[12])) / tick
    return times


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


def redis_server_pids() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() == "redis-server":
                pids.append(int(comm.parent.name))
    return pids


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def backends(database_url: str) -> list[int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return [int(row["pid"]) for row in rows]


def wrk(
    server: Server, scenario: Scenario, args: argparse.Namespace, folder: Path, database_url: str
) -> Measure:
    """Warm up, wait for quiet, then one measured wrk run with the CPU it cost."""
    script = folder / "paths.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in scenario.paths))
    common = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-s", str(script)]
    if args.warmup:
        subprocess.run(
            [*common, "-d", f"{args.warmup}s", server.base], capture_output=True, check=True
        )
    asyncio.run(wait_idle(database_url))
    db_pids = [] if scenario.ceiling else asyncio.run(backends(database_url))
    app_pids = server.pids()  # serve --workers N: the supervisor and its N processes
    watched = [*app_pids, *db_pids, *redis_server_pids()]
    before = cpu_seconds(watched)
    busy_before, wrk_before, started = machine_busy_seconds(), children_cpu_seconds(), time.time()
    done = subprocess.run(
        [*common, "-d", f"{args.duration}s", "--timeout", "5s", server.base],
        capture_output=True,
        text=True,
        check=True,
    )
    wrk_used = children_cpu_seconds() - wrk_before
    asyncio.run(wait_idle(database_url))  # the requests accepted before wrk stopped are done
    after = cpu_seconds(watched)
    busy, elapsed = machine_busy_seconds() - busy_before, time.time() - started
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    requests = max(1, data["requests"])

    def used(pids: Sequence[int]) -> float:
        return sum(after[pid] - before[pid] for pid in pids if pid in after and pid in before)

    def spent(pids: Sequence[int]) -> float:
        return 1000 * used(pids) / requests

    return Measure(
        scenario=scenario.name,
        server=server.name,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"] + data["non_2xx"],
        app_cpu_ms=spent(app_pids),
        db_cpu_ms=spent(db_pids),
        others=max(0.0, busy - used(watched) - wrk_used) / elapsed,
    )


def same_answers(bare: str, ocp: str, paths: Sequence[str]) -> str:
    """Whether the bare SQL server gives OCP's JSON (and Link header) for a few paths."""
    for path in [*paths[:3], paths[-1]]:
        answers = []
        for base in (bare, ocp):
            with urllib.request.urlopen(base + path, timeout=5) as response:
                answers.append((json.loads(response.read()), response.headers.get("Link")))
        if answers[0] != answers[1]:
            return f"NO, they differ at {path}"
    return "yes"


def page_size(base: str, path: str) -> int:
    with urllib.request.urlopen(base + path, timeout=5) as response:
        return len(response.read())


def table(results: Sequence[Measure], ceiling: float) -> str:
    rows = [
        "| scenario | server | req/s | p50 ms | p99 ms | share of ceiling "
        "| app CPU ms/req | PG CPU ms/req | errors | other work (cores) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        rows.append(
            f"| {m.scenario} | {m.server} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} "
            f"| {m.rps / ceiling:.1%} | {m.app_cpu_ms:.2f} | {m.db_cpu_ms:.2f} "
            f"| {m.errors} | {m.others:.2f} |"
        )
    return "\n".join(rows)


def side_by_side(results: Sequence[Measure], processes: int) -> str:
    """One process next to ``--workers N``, for each scenario and cache setting measured so."""
    several = f"--workers {processes}"
    rows = [
        f"| scenario | cache | 1 process req/s | p50 ms | p99 ms | app / PG CPU ms/req "
        f"| {several} req/s | p50 ms | p99 ms | app / PG CPU ms/req | req/s ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_key = {(m.scenario, m.server): m for m in results}
    for m in results:
        if not m.server.startswith("ocp, cache "):
            continue
        cache = m.server.removeprefix("ocp, cache ")
        other = by_key.get((m.scenario, f"ocp {several}, cache {cache}"))
        if other is None:
            continue
        rows.append(
            f"| {m.scenario} | {cache} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} "
            f"| {m.app_cpu_ms:.2f} / {m.db_cpu_ms:.2f} | {other.rps:,.0f} | {other.p50_ms:.1f} "
            f"| {other.p99_ms:.1f} | {other.app_cpu_ms:.2f} / {other.db_cpu_ms:.2f} "
            f"| {other.rps / m.rps:.2f}x |"
        )
    return "\n".join(rows)


def report(m: Measure) -> None:
    print(
        f"{m.scenario}, {m.server}: {m.rps:,.0f} req/s, p99 {m.p99_ms:.1f} ms, "
        f"CPU per request: app {m.app_cpu_ms:.2f} ms, PostgreSQL {m.db_cpu_ms:.2f} ms; "
        f"other work on the machine: {m.others:.2f} cores",
        flush=True,
    )


def measure(
    scenarios: Sequence[Scenario],
    args: argparse.Namespace,
    database_url: str,
    redis_url: str,
    folder: Path,
) -> list[Measure]:
    """The ceiling first, then each scenario against OCP with the cache on (one process, then
    ``--workers N``), then off (likewise, unless ``--multi cache-on``)."""
    wanted = variants(args)
    with servers(database_url, redis_url, folder, wanted) as (ceiling_server, bare_sql, ocp):
        sizes = {s.name: page_size(ocp["on", 1].base, s.paths[0]) for s in scenarios}
        print(f"ceiling body {len(ceiling_body())} B; first page of each scenario: {sizes}")
        for scenario in scenarios:
            if scenario.bare_sql:
                same = same_answers(bare_sql.base, ocp["off", 1].base, scenario.paths)
                print(f"{scenario.name}: bare SQL server answers as OCP does: {same}")
        bare = Scenario("ceiling", ["/"], ceiling=True)
        results = [wrk(ceiling_server, bare, args, folder, database_url)]
        report(results[-1])
        for scenario in scenarios:
            if scenario.bare_sql:
                results.append(wrk(bare_sql, scenario, args, folder, database_url))
                report(results[-1])
            for variant in wanted:
                results.append(wrk(ocp[variant], scenario, args, folder, database_url))
                report(results[-1])
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve-ceiling", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare-sql", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help="drop and seed ocp_bench again")
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="web processes of the several-process servers (default 2; 1 leaves them out)",
    )
    parser.add_argument(
        "--multi",
        choices=["all", "cache-on"],
        default="all",
        help="measure --workers N with the cache on and off (all), or on only",
    )
    parser.add_argument(
        "--only", action="append", metavar="TEXT", help="run the scenarios whose name has TEXT"
    )
    args = parser.parse_args(argv)
    if args.serve_ceiling:
        serve_ceiling(args.serve_ceiling)
        return
    if args.serve_bare_sql:
        serve_bare_sql(args.serve_bare_sql, args.database_url)
        return
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is not installed; install it with `apt-get install -y wrk`")

    pg = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    redis_url = os.environ.get("OCP_BENCH_REDIS", "redis://127.0.0.1:6379/14")
    database_url = f"{pg}/{DB_NAME}"
    asyncio.run(ensure_database(pg, fresh=args.fresh))
    env = ocp_env(database_url, redis_url)
    run_ocp("migrate", env=env)
    have = asyncio.run(course_count(database_url))
    if have == 0:
        run_ocp("seed", "--demo", "--courses", str(args.courses), env=env)
    elif have != args.courses:
        sys.exit(f"bench: {DB_NAME} holds {have} courses, not {args.courses}; use --fresh")
    print("\n".join(asyncio.run(explain(database_url))), flush=True)
    print(f"load average at the start: {Path('/proc/loadavg').read_text().strip()}", flush=True)

    ids = asyncio.run(published_ids(database_url, 1000))
    pairs = [f"{word}+{modifier}" for word in WORDS for modifier in MODIFIERS]
    scenarios = [
        Scenario("plain list", ["/api/v1/courses"]),
        Scenario(
            "list (random page 1-50)",
            [f"/api/v1/courses?page={n}" for n in range(1, 51)],
            bare_sql=True,
        ),
        Scenario("q (50 words)", [f"/api/v1/courses?q={w}" for w in WORDS]),
        Scenario(f"q ({len(pairs)} two-word queries)", [f"/api/v1/courses?q={p}" for p in pairs]),
        Scenario("filters (300 combinations)", filter_paths(300)),
        Scenario("detail (1,000 ids)", [f"/api/v1/courses/{i}" for i in ids], bare_sql=True),
    ]
    if args.only:
        scenarios = [s for s in scenarios if any(text in s.name for text in args.only)]
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(scenarios, args, database_url, redis_url, Path(tmp))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"\n{args.courses:,} courses; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s; {os.cpu_count()} CPUs ({cpu}); load average at the end "
        f"{' '.join(load)}\n"
    )
    ceiling = results[0]
    print(table(results, ceiling.rps) + "\n")
    if args.workers > 1:
        print(side_by_side(results, args.workers) + "\n")
    print("\n".join(goals(results)))


def goals(results: Sequence[Measure]) -> list[str]:
    """Issue 14's catalog goals, each with the ceiling's figure from this run."""
    ceiling = results[0]
    by_key = {(m.scenario, m.server): m for m in results}
    lines = ["", "| goal | OCP | ceiling | ratio | p99 ms | |", "|---|---:|---:|---:|---:|---|"]
    for name in ("list (random page 1-50)", "detail (1,000 ids)"):
        ocp, bare = (
            by_key.get((name, "ocp, cache off")),
            by_key.get((name, "bare aiohttp + asyncpg")),
        )
        if ocp is None or bare is None:
            continue
        ratio = ocp.rps / bare.rps
        lines.append(
            f"| {name}, cache off, >= 0.5x bare asyncpg | {ocp.rps:,.0f} req/s "
            f"| {bare.rps:,.0f} req/s | {ratio:.2f}x | {ocp.p99_ms:.1f} "
            f"| {'met' if ratio >= 0.5 else 'NOT met'} |"
        )
    for m in results:
        if m.server == "ocp, cache on" and m.scenario.startswith(("q (900", "filters (300")):
            share = m.rps / ceiling.rps
            met = share >= 0.2 and m.p99_ms < 100
            lines.append(
                f"| {m.scenario}, cache on, >= 20% of bare JSON and p99 < 100 ms "
                f"| {m.rps:,.0f} req/s | {ceiling.rps:,.0f} req/s | {share:.1%} "
                f"| {m.p99_ms:.1f} | {'met' if met else 'NOT met'} |"
            )
    return lines


if __name__ == "__main__":
    main()
