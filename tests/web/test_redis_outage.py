"""Redis down: what needs it before changing anything (sessions, sign-in, rate limits) answers
503 problem+json, never 500; bearer tokens and catalog reads go on from the database; and
everything works again once Redis is back. Redis is a server of the test's own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from tests.e2e.processes import free_port
from tests.helpers import PASSWORD, Users, expect_problem
from tests.outages import RedisServer

ClientFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    await server.wait_ready()
    yield server
    server.stop()


async def until_ready(client: TestClient) -> None:
    for _ in range(200):
        if (await client.get("/readyz")).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the app did not recover from the Redis outage")


async def published_course(users: Users) -> int:
    teacher = await users.with_token("instructor")
    h = teacher.headers
    course = await (
        await users.client.post("/api/v1/courses", json={"title": "Outage proof"}, headers=h)
    ).json()
    lessons = f"/api/v1/courses/{course['id']}/lessons"
    assert (await users.client.post(lessons, json={"title": "One"}, headers=h)).status == 201
    published = await users.client.patch(
        f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=h
    )
    assert published.status == 200, await published.text()
    return int(course["id"])


async def test_what_needs_redis_is_503_while_it_is_down_then_works_again(
    aiohttp_client: ClientFactory, settings: Settings, own_redis: RedisServer
) -> None:
    client = await aiohttp_client(create_app(replace(settings, redis_url=own_redis.url)))

    async def make() -> TestClient:
        return await aiohttp_client(client.server)

    users = Users(client, make)
    course_id = await published_course(users)
    student = await users.with_token()
    anonymous = await make()
    listed = await (await anonymous.get("/api/v1/courses")).json()
    detail = await (await anonymous.get(f"/api/v1/courses/{course_id}")).json()
    assert (await student.client.get("/api/v1/users/me")).status == 200

    own_redis.stop()
    me = await student.client.get("/api/v1/users/me")  # the session lives in Redis
    body = await expect_problem(me, 503)
    assert body["type"] == "urn:ocp:problem:service-unavailable", body
    assert "redis" in body["detail"] and me.headers["Retry-After"] == "5"
    login = await anonymous.post(  # rate-limited, and makes a session
        "/api/v1/auth/login", json={"email": student.email, "password": PASSWORD}
    )
    await expect_problem(login, 503)
    by_token = await anonymous.get("/api/v1/users/me", headers=student.headers)
    assert by_token.status == 200, await by_token.text()  # needs only the database
    catalog = await anonymous.get("/api/v1/courses")
    assert catalog.status == 200, await catalog.text()
    assert await catalog.json() == listed
    one = await anonymous.get(f"/api/v1/courses/{course_id}")
    assert one.status == 200 and await one.json() == detail
    ready = await expect_problem(await client.get("/readyz"), 503)
    assert "redis" in ready["detail"] and "database" not in ready["detail"]

    own_redis.start()  # empty: it kept nothing on disk, so the sessions are gone
    await own_redis.wait_ready()
    await until_ready(client)
    again = await anonymous.post(
        "/api/v1/auth/login", json={"email": student.email, "password": PASSWORD}
    )
    assert again.status == 200, await again.text()
    assert (await anonymous.get("/api/v1/users/me")).status == 200
    assert await (await anonymous.get("/api/v1/courses")).json() == listed
