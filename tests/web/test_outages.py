"""A backing service that is down answers 503 problem+json (never 500), and requests succeed
again once it is back: PostgreSQL made unreachable for real, Redis a server of the test's own."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
import redis.exceptions
import tortoise.exceptions
from aiohttp.test_utils import TestClient

from ocp.config import Settings
from ocp.web.identities import TTL as IDENTITY_TTL
from ocp.web.outages import unavailable
from tests.helpers import Users, expect_problem
from tests.outages import database_down

ClientFactory = Callable[..., Awaitable[TestClient]]


async def until_ready(client: TestClient) -> None:
    """Wait until ``/readyz`` is 200 again: the app's pool is whole after an outage."""
    for _ in range(100):
        if (await client.get("/readyz")).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the app did not recover from the outage")


async def test_requests_are_503_while_postgresql_is_down_then_succeed(
    users: Users, settings: Settings
) -> None:
    student = await users.with_token()
    client = users.client
    assert (await client.get("/api/v1/users/me", headers=student.headers)).status == 200
    async with database_down(settings.database_url or ""):
        await asyncio.sleep(IDENTITY_TTL)  # the token's owner, read just now, is cached
        for path in ("/api/v1/users/me", "/api/v1/users/me/enrollments"):
            response = await client.get(path, headers=student.headers)
            body = await expect_problem(response, 503)
            assert body["type"] == "urn:ocp:problem:service-unavailable", body
            assert response.headers["Retry-After"] == "5"
        login = await client.post(
            "/api/v1/auth/login", json={"email": student.email, "password": student.password}
        )
        await expect_problem(login, 503)
        ready = await expect_problem(await client.get("/readyz"), 503)
        assert "database" in ready["detail"] and "redis" not in ready["detail"], ready
    await until_ready(client)
    assert (await client.get("/api/v1/users/me", headers=student.headers)).status == 200


def raised_from(error: BaseException, cause: BaseException) -> BaseException:
    """``error`` as ``raise error from cause`` leaves it."""
    try:
        raise error from cause
    except BaseException as chained:
        return chained


def sqlite_cannot_open(tmp_path: Path) -> sqlite3.OperationalError:
    try:
        sqlite3.connect(tmp_path / "missing" / "ocp.sqlite3")
    except sqlite3.OperationalError as error:
        return error
    raise AssertionError("sqlite3 opened a file in a folder that does not exist")


@pytest.mark.parametrize(
    ("error", "service"),
    [
        (redis.exceptions.ConnectionError("Error 111 connecting"), "redis"),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), "redis"),
        (redis.exceptions.BusyLoadingError("Redis is loading the dataset"), "redis"),
        (tortoise.exceptions.DBConnectionError("Can't establish connection"), "database"),
        (asyncpg.CannotConnectNowError("the database system is starting up"), "database"),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), "database"),
        (asyncpg.AdminShutdownError("terminating connection"), "database"),
        (
            asyncpg.ObjectNotInPrerequisiteStateError(
                'database "x" is not currently accepting connections'
            ),
            "database",
        ),
        (asyncpg.InterfaceError("cannot perform operation: pool is closed"), "database"),
        (
            raised_from(tortoise.exceptions.OperationalError("x"), asyncpg.CannotConnectNowError()),
            "database",
        ),
        (raised_from(ConnectionError("gone"), redis.exceptions.ConnectionError()), "redis"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"), "a backing service"),
        (
            OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 1)"),
            "a backing service",
        ),
        (ValueError("a bug"), None),
        (KeyError("uid"), None),
        (OSError(errno.ENOENT, "No such file"), None),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            None,
        ),
        (asyncpg.ObjectNotInPrerequisiteStateError("currval is not yet defined"), None),
        (asyncpg.UniqueViolationError("duplicate key"), None),
        (sqlite3.OperationalError("no such table: users"), None),
        (redis.exceptions.ResponseError("WRONGTYPE"), None),
    ],
)
def test_outages_are_told_from_bugs(error: BaseException, service: str | None) -> None:
    assert unavailable(error) == service


def test_a_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    cause = sqlite_cannot_open(tmp_path)
    assert unavailable(cause) == "database"
    wrapped = raised_from(tortoise.exceptions.OperationalError(cause), cause)
    assert unavailable(wrapped) == "database"
