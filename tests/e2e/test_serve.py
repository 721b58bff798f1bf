"""The CLI as people type it: serve (embedded and production), migrate, createadmin."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from ocp.__main__ import base_url
from tests.conftest import SECRET, new_database
from tests.e2e.processes import Server, clean_env, free_port, run_ocp
from tests.helpers import PASSWORD


@pytest.fixture
async def empty_database() -> AsyncIterator[str]:
    """A brand-new PostgreSQL database with no tables at all."""
    async with new_database() as url:
        yield url


def _jar_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_embedded_serve_with_no_environment(tmp_path: Path) -> None:
    port = free_port()
    server = Server(env=clean_env(PORT=str(port)), cwd=tmp_path)
    try:
        await server.wait_healthy(f"http://127.0.0.1:{port}")
        # The URL printed is one a client's cookie jar accepts cookies from (not a bare IP).
        printed = re.search(r"API docs: (\S+)/api/docs", server.output())
        assert printed, server.output()
        base = printed.group(1)
        assert base == f"http://localhost:{port}", base
        assert "127.0.0.1" not in server.output()
        assert "OCP_COOKIE_SECURE" not in server.output()  # embedded: plain http is fine
        assert (tmp_path / "var" / "ocp.sqlite3").exists()
        assert (tmp_path / "var" / "secret_key").exists()
        async with aiohttp.ClientSession() as http:  # a default, strict cookie jar
            async with http.get(f"{base}/api/docs") as docs:
                assert docs.status == 200
            registered = await http.post(
                f"{base}/api/v1/auth/register",
                json={"email": "new@example.com", "password": PASSWORD, "full_name": "New"},
            )
            assert registered.status == 201
            login = await http.post(
                f"{base}/api/v1/auth/login", json={"email": "new@example.com", "password": PASSWORD}
            )
            assert login.status == 200
            async with http.get(f"{base}/api/v1/users/me") as me:
                assert (await me.json())["email"] == "new@example.com"
    finally:
        assert server.stop() == 0, server.output()
    # A second start finds the schema and the secret in place.
    second = Server("--port", str(port), env=clean_env(), cwd=tmp_path)
    try:
        await second.wait_healthy(f"http://127.0.0.1:{port}")
    finally:
        second.stop()


async def test_production_serve_refuses_pending_migrations_then_runs(
    tmp_path: Path, empty_database: str, redis_url: str
) -> None:
    port = free_port()
    env = clean_env(OCP_DATABASE_URL=empty_database, OCP_REDIS_URL=redis_url)

    refused = run_ocp("serve", "--port", str(port), env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "OCP_SECRET_KEY" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    env["OCP_SECRET_KEY"] = SECRET
    refused = run_ocp("serve", "--port", str(port), env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "pending" in refused.stderr and "migrate" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    migrated = run_ocp("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    again = run_ocp("migrate", env=env, cwd=tmp_path)
    assert again.returncode == 0 and "applied 0" in again.stdout

    server = Server("--port", str(port), env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        await server.wait_healthy(base)
        async with aiohttp.ClientSession() as http, http.get(f"{base}/readyz") as ready:
            assert ready.status == 200
            assert (await ready.json())["checks"] == {"database": "ok", "redis": "ok"}
        assert not (tmp_path / "var").exists()
        warned = [line for line in server.output().splitlines() if "OCP_COOKIE_SECURE" in line]
        assert len(warned) == 1 and "WARNING" in warned[0], server.output()
    finally:
        assert server.stop() == 0, server.output()


async def test_createadmin_creates_then_promotes(
    tmp_path: Path, empty_database: str, redis_url: str
) -> None:
    env = clean_env(OCP_DATABASE_URL=empty_database, OCP_REDIS_URL=redis_url, OCP_SECRET_KEY=SECRET)
    assert run_ocp("migrate", env=env, cwd=tmp_path).returncode == 0
    created = run_ocp(
        "createadmin", "--email", "Boss@Example.com", "--password", PASSWORD, env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    assert "created admin boss@example.com" in created.stdout
    short = run_ocp(
        "createadmin", "--email", "x@example.com", "--password", "short", env=env, cwd=tmp_path
    )
    assert short.returncode == 1 and "10-128" in short.stderr

    port = free_port()
    server = Server("--port", str(port), env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        await server.wait_healthy(base)
        async with _jar_session() as http:
            await http.post(
                f"{base}/api/v1/auth/register",
                json={"email": "helper@example.com", "password": PASSWORD, "full_name": "H"},
            )
            promoted = run_ocp(
                "createadmin", "--email", "helper@example.com", env=env, cwd=tmp_path
            )
            assert promoted.returncode == 0, promoted.stderr
            assert "promoted admin helper@example.com" in promoted.stdout
            login = await http.post(
                f"{base}/api/v1/auth/login",
                json={"email": "helper@example.com", "password": PASSWORD},
            )
            assert login.status == 200
            async with http.get(f"{base}/api/v1/users?role=admin") as listing:
                assert listing.status == 200
                emails = {u["email"] for u in (await listing.json())["items"]}
                assert emails == {"boss@example.com", "helper@example.com"}
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://localhost:8080"),
        ("0.0.0.0", "http://localhost:8080"),
        ("::", "http://localhost:8080"),
        ("::1", "http://localhost:8080"),
        ("localhost", "http://localhost:8080"),
        ("10.1.2.3", "http://10.1.2.3:8080"),
        ("fd00::5", "http://[fd00::5]:8080"),
        ("api.example.org", "http://api.example.org:8080"),
    ],
)
def test_the_printed_url_names_localhost_for_local_and_wildcard_hosts(host: str, url: str) -> None:
    assert base_url(host, 8080) == url
