"""The periodic re-check, the safety net under control messages: it sees ended and expired
sessions, survives a database that is briefly down, and gives up (1011) when it stays down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from ocp.app import create_app
from ocp.config import Settings
from ocp.users.models import User
from tests.helpers import Users
from tests.outages import database_down

WS = "/api/v1/ws"


@pytest.fixture
def quick_rechecks(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocp.realtime import views

    monkeypatch.setattr(views, "RECHECK_EVERY", 0.3)
    monkeypatch.setattr(views, "RECHECK_RETRY", 0.1)


@contextlib.asynccontextmanager
async def outage(client: TestClient, settings: Settings) -> AsyncIterator[None]:
    """The database is down inside the block; after it, wait until the app's pool is whole
    again, so no half-made connection outlives the test."""
    async with database_down(settings.database_url or ""):
        yield
    for _ in range(100):
        if (await client.get("/readyz")).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the app did not recover from the outage")


async def close_code(ws: aiohttp.ClientWebSocketResponse, timeout: float) -> int:
    message = await asyncio.wait_for(ws.receive(), timeout)
    assert message.type == aiohttp.WSMsgType.CLOSE, (message.type, message.data)
    return int(message.data)


async def course_socket(users: Users) -> tuple[aiohttp.ClientWebSocketResponse, int, int]:
    teacher = await users.with_token("instructor")
    course = await (
        await users.client.post("/api/v1/courses", json={"title": "Kept"}, headers=teacher.headers)
    ).json()
    ws = await users.client.ws_connect(WS, headers=teacher.headers)
    await ws.send_json({"op": "subscribe", "channel": f"course:{course['id']}"})
    assert (await ws.receive_json(timeout=5))["op"] == "subscribed"
    return ws, teacher.id, course["id"]


async def test_a_failed_recheck_is_retried_and_rechecks_go_on(
    users: Users, settings: Settings, quick_rechecks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocp.realtime import views

    monkeypatch.setattr(views, "MAX_RECHECK_FAILURES", 1000)
    ws, teacher_id, course_id = await course_socket(users)
    async with outage(users.client, settings):
        await asyncio.sleep(1.0)  # several re-checks fail meanwhile
    await User.filter(id=teacher_id).update(role="student")  # no control message: the net
    dropped = await ws.receive_json(timeout=10)
    assert dropped["code"] == "forbidden" and dropped["channel"] == f"course:{course_id}"
    await ws.close()


async def test_rechecks_failing_again_and_again_close_with_1011(
    users: Users, settings: Settings, quick_rechecks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocp.realtime import views

    monkeypatch.setattr(views, "MAX_RECHECK_FAILURES", 3)
    ws, _, _ = await course_socket(users)
    async with outage(users.client, settings):
        assert await close_code(ws, 10) == aiohttp.WSCloseCode.INTERNAL_ERROR


async def test_a_session_gone_from_redis_closes_its_socket(
    users: Users, redis_url: str, quick_rechecks: None
) -> None:
    student = await users.signed_in()
    ws = await student.client.ws_connect(WS)
    redis = Redis.from_url(redis_url)
    sessions = [key async for key in redis.scan_iter("ocp_session_*")]
    assert sessions
    await redis.delete(*sessions)  # as when it expires
    await redis.aclose()
    assert await close_code(ws, 5) == aiohttp.WSCloseCode.POLICY_VIOLATION


async def test_an_idle_expired_session_closes_its_socket(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    settings: Settings,
    quick_rechecks: None,
) -> None:
    app = create_app(replace(settings, session_idle_timeout=1))
    client = await aiohttp_client(app)

    async def browser() -> TestClient:
        return await aiohttp_client(client.server)

    student = await Users(client, browser).signed_in()
    ws = await student.client.ws_connect(WS)
    assert await close_code(ws, 5) == aiohttp.WSCloseCode.POLICY_VIOLATION
    assert (await student.client.get("/api/v1/users/me")).status == 401  # REST agrees
