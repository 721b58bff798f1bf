"""Liveness and readiness, with the real dependencies up and down."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from tests.helpers import expect_problem

ClientFactory = Callable[..., Awaitable[TestClient]]


async def test_healthz_answers(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_readyz_checks_database_and_redis(client: TestClient) -> None:
    response = await client.get("/readyz")
    assert response.status == 200
    assert (await response.json())["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_is_503_naming_redis_when_redis_is_down(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    down = replace(settings, redis_url="redis://127.0.0.1:1/0")
    client = await aiohttp_client(create_app(down))
    body = await expect_problem(await client.get("/readyz"), 503)
    assert "redis" in body["detail"] and "database" not in body["detail"]
    assert (await client.get("/healthz")).status == 200


async def test_readyz_is_503_naming_the_database_when_it_is_unreachable(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    down = replace(settings, database_url="postgres://postgres@127.0.0.1:1/none")
    client = await aiohttp_client(create_app(down))
    body = await expect_problem(await client.get("/readyz"), 503)
    assert "database" in body["detail"] and "redis" not in body["detail"]
