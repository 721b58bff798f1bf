"""CORS only for the origins in OCP_ALLOWED_ORIGINS."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from tests.helpers import expect_problem

FRONT = "https://app.example.com"
ClientFactory = Callable[..., Awaitable[TestClient]]


async def _client(aiohttp_client: ClientFactory, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(replace(settings, allowed_origins=(FRONT,))))


async def test_preflight_from_an_allowed_origin(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await _client(aiohttp_client, settings)
    response = await client.options(
        "/api/v1/users/me",
        headers={"Origin": FRONT, "Access-Control-Request-Method": "PATCH"},
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == FRONT
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-CSRF-Token" in response.headers["Access-Control-Allow-Headers"]


async def test_no_cors_for_other_origins(aiohttp_client: ClientFactory, settings: Settings) -> None:
    client = await _client(aiohttp_client, settings)
    preflight = await client.options(
        "/api/v1/users/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
    )
    await expect_problem(preflight, 405)
    assert "Access-Control-Allow-Origin" not in preflight.headers
    plain = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in plain.headers


async def test_allowed_origin_may_read_and_post_with_cookie(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await _client(aiohttp_client, settings)
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "f@example.com", "password": "long enough pw", "full_name": "F"},
        headers={"Origin": FRONT},
    )
    assert registered.status == 201
    assert registered.headers["Access-Control-Allow-Origin"] == FRONT
    assert "X-Request-ID" in registered.headers["Access-Control-Expose-Headers"]
