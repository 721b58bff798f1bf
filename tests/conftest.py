"""Fixtures: a real PostgreSQL database and Redis db per test, and the real app factory.

PostgreSQL: one template database is migrated per session with our aerich migrations; each
test gets ``CREATE DATABASE ... TEMPLATE`` of it and drops it afterwards. Redis: a db number
claimed for the pytest process (so two runs on one machine never collide), flushed before
each test. Point them elsewhere with ``OCP_TEST_PG`` and
``OCP_TEST_REDIS`` (server URLs without a database part).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker
from redis.asyncio import Redis

from ocp.app import create_app
from ocp.config import Settings
from tests import helpers
from workers import main as worker_main

PG_SERVER = os.environ.get("OCP_TEST_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_SERVER = os.environ.get("OCP_TEST_REDIS", "redis://127.0.0.1:6379").rstrip("/")
SECRET = "test-secret-key-that-is-long-enough-0123456789"


async def _admin_connection() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(f"{PG_SERVER}/postgres")
    except (OSError, asyncpg.PostgresError) as error:
        pytest.exit(
            f"PostgreSQL is not reachable at {PG_SERVER} ({error}); start it as README says",
            returncode=3,
        )


def _migrate_in_subprocess(database_url: str | None, data_dir: Path | None = None) -> None:
    """``python -m ocp migrate`` as an operator runs it. A process of its own also keeps
    aerich's per-dialect globals out of this one, where both dialects are used."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_")}
    if database_url:
        env["OCP_DATABASE_URL"] = database_url
    if data_dir:
        env["OCP_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "ocp", "migrate"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded database file migrated to head, copied for each embedded test."""
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    _migrate_in_subprocess(None, data_dir)
    return data_dir / "ocp.sqlite3"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database migrated to head with our migrations, used as the template for each test."""
    name = f"ocp_test_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        admin = await _admin_connection()
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()

    asyncio.run(create())
    _migrate_in_subprocess(f"{PG_SERVER}/{name}")

    async def drop() -> None:
        admin = await _admin_connection()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    yield name
    asyncio.run(drop())


@contextlib.asynccontextmanager
async def new_database(template: str | None = None) -> AsyncIterator[str]:
    """A new PostgreSQL database (a copy of ``template``, or empty); its URL; dropped after."""
    name = f"ocp_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = await _admin_connection()
    copy = f' TEMPLATE "{template}"' if template else ""
    await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def database_url(pg_template: str) -> AsyncIterator[str]:
    async with new_database(pg_template) as url:
        yield url


@pytest.fixture(scope="session")
def redis_db() -> Iterator[int]:
    """A Redis db number (1-15) claimed for this pytest process, so parallel runs never share."""
    claim_key = "ocp:test:redis-db:{}"
    owner = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"

    async def claim() -> int:
        client = Redis.from_url(f"{REDIS_SERVER}/0")
        try:
            for number in range(1, 16):
                if await client.set(claim_key.format(number), owner, nx=True, ex=3 * 3600):
                    return number
        except OSError as error:
            pytest.exit(f"Redis is not reachable at {REDIS_SERVER} ({error})", returncode=3)
        finally:
            await client.aclose()
        pytest.exit("all Redis dbs 1-15 are claimed by other test runs", returncode=3)

    async def release(number: int) -> None:
        client = Redis.from_url(f"{REDIS_SERVER}/0")
        if await client.get(claim_key.format(number)) == owner.encode():
            await client.delete(claim_key.format(number))
        await client.aclose()

    number = asyncio.run(claim())
    yield number
    asyncio.run(release(number))


@pytest.fixture
async def redis_url(redis_db: int) -> AsyncIterator[str]:
    """The claimed Redis db, empty at the start of each test."""
    url = f"{REDIS_SERVER}/{redis_db}"
    client = Redis.from_url(url)
    await client.flushdb()
    yield url
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def run_jobs(
    redis_url: str, settings: Settings
) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """Run a real arq worker in this process until the queue is empty; returns jobs done.

    It shares the app's ORM (``ctx["orm"]`` preset), and runs the real job functions.
    """
    pool = await create_pool(RedisSettings.from_dsn(redis_url))

    async def run() -> int:
        worker = Worker(
            functions=worker_main.functions(),
            redis_pool=pool,
            burst=True,
            poll_delay=0,
            handle_signals=False,
            on_startup=worker_main.startup,
            on_shutdown=worker_main.shutdown,
            ctx={"orm": None, "settings": settings},
        )
        try:
            await worker.main()
            return worker.jobs_complete + worker.jobs_failed
        finally:
            await worker.close()

    yield run
    await pool.aclose()


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    """Production-mode settings: PostgreSQL + Redis."""
    return Settings(
        database_url=database_url, redis_url=redis_url, secret_key=SECRET, data_dir=tmp_path
    )


@pytest.fixture
def embedded_settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    """Embedded-mode settings: a migrated SQLite file in a temporary folder, no Redis."""
    settings = Settings(data_dir=tmp_path / "var")
    settings.data_dir.mkdir()
    shutil.copy(sqlite_template, settings.data_dir / "ocp.sqlite3")
    return settings


@pytest.fixture
async def client(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings
) -> TestClient:
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def make_client(
    aiohttp_client: Callable[..., Awaitable[TestClient]], client: TestClient
) -> Callable[[], Awaitable[TestClient]]:
    """Another browser on the same server (its own cookie jar)."""

    async def make() -> TestClient:
        return await aiohttp_client(client.server)

    return make


@pytest.fixture
def users(client: TestClient, make_client: Callable[[], Awaitable[TestClient]]) -> helpers.Users:
    return helpers.Users(client, make_client)


# Reasons a test may be skipped in CI (OCP_CI=1, set by .ci/run): each must hold on the CI
# machine. Today there are none: CI installs ffmpeg and starts every service, so any skip
# there means the run proves less than it seems, and fails.
CI_ACCEPTED_SKIPS: tuple[str, ...] = ()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if os.environ.get("OCP_CI") and report.skipped:
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if not any(accepted in reason for accepted in CI_ACCEPTED_SKIPS):
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, which must run every test: {reason}"
    return report


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
