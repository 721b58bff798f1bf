"""Smoke run on the embedded default: SQLite, cookie sessions, in-memory counters, no Redis."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.users.models import User
from tests.helpers import PASSWORD, expect_problem

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def embedded(aiohttp_client: ClientFactory, embedded_settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(embedded_settings))


async def test_embedded_needs_no_redis_and_keeps_its_secret(
    embedded: TestClient, embedded_settings: Settings
) -> None:
    ready = await embedded.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["checks"] == {"database": "ok"}
    key_file = embedded_settings.data_dir / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert embedded_settings.with_secret_key().secret_key == key_file.read_text().strip()


async def test_embedded_account_flow(embedded: TestClient) -> None:
    email = "Embedded@Example.com"
    response = await embedded.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "E"}
    )
    assert response.status == 201
    assert (await User.get(email="embedded@example.com")).password_hash.startswith("$argon2id$")
    await expect_problem(
        await embedded.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "E"}
        ),
        409,
    )
    login = await embedded.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status == 200
    csrf = (await login.json())["csrf_token"]
    await expect_problem(await embedded.patch("/api/v1/users/me", json={"bio": "x"}), 403)
    patched = await embedded.patch(
        "/api/v1/users/me", json={"bio": "hello"}, headers={"X-CSRF-Token": csrf}
    )
    assert patched.status == 200 and (await patched.json())["bio"] == "hello"
    token = await embedded.post(
        "/api/v1/auth/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": csrf}
    )
    secret = (await token.json())["token"]
    logout = await embedded.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert logout.status == 204
    await expect_problem(await embedded.get("/api/v1/users/me"), 401)
    me = await embedded.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200


async def test_embedded_login_throttle_counts_in_memory(embedded: TestClient) -> None:
    await embedded.post(
        "/api/v1/auth/register",
        json={"email": "t@example.com", "password": PASSWORD, "full_name": "T"},
    )
    for _ in range(5):
        wrong = await embedded.post(
            "/api/v1/auth/login", json={"email": "t@example.com", "password": "wrong password"}
        )
        assert wrong.status == 401
    blocked = await embedded.post(
        "/api/v1/auth/login", json={"email": "t@example.com", "password": PASSWORD}
    )
    await expect_problem(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0
