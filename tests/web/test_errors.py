"""Every error path answers problem+json, never a traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.web.endpoint import PUBLIC, Endpoint, add_endpoints
from tests.helpers import expect_problem

ClientFactory = Callable[..., Awaitable[TestClient]]


async def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    body = await expect_problem(await client.get("/api/v1/no-such-thing"), 404)
    assert body["type"] == "urn:ocp:problem:not-found"


async def test_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = await client.delete("/api/v1/auth/register")
    await expect_problem(response, 405)
    assert "POST" in response.headers["Allow"]


async def test_malformed_json_is_400(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", data=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    await expect_problem(response, 400)


async def test_invalid_utf8_is_400(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        data=b'{"email": "\xff"}',
        headers={"Content-Type": "application/json"},
    )
    await expect_problem(response, 400)


async def test_wrong_media_type_is_415(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", data="email=a", headers={"Content-Type": "text/plain"}
    )
    await expect_problem(response, 415)


async def test_oversized_body_is_413(client: TestClient) -> None:
    big = io.BytesIO(b'{"email": "' + b"a" * (5 * 1024 * 1024) + b'"}')
    response = await client.post(
        "/api/v1/auth/register", data=big, headers={"Content-Type": "application/json"}
    )
    await expect_problem(response, 413)


async def test_unknown_field_is_422_with_field_errors(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "x@example.com",
            "password": "0123456789",
            "full_name": "X",
            "role": "admin",
        },
    )
    body = await expect_problem(response, 422)
    assert "role" in body["errors"]


async def test_unhandled_exception_is_a_bare_500_and_logged(
    aiohttp_client: ClientFactory, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals")

    app = create_app(settings)
    add_endpoints(app, [Endpoint("GET", "/boom", boom, PUBLIC, "boom", "Test")])
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR, logger="ocp.web"):
        response = await client.get("/boom", headers={"X-Request-ID": "trace-12345678"})
    body = await expect_problem(response, 500)
    assert body["request_id"] == "trace-12345678"
    assert "secret internals" not in await response.text()
    assert "Traceback" not in await response.text()
    assert set(body) == {"type", "title", "status", "detail", "request_id"}
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


async def test_route_without_access_rule_is_refused(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    async def hidden(request: web.Request) -> web.Response:
        return web.json_response({"leaked": True})

    app = create_app(settings)
    app.router.add_get("/hidden", hidden)
    client = await aiohttp_client(app)
    await expect_problem(await client.get("/hidden"), 403)
