"""Small factories for tests: accounts made through the real API."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from ocp.users.models import User

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def problem(body: dict[str, Any], status: int) -> None:
    """Assert ``body`` is a problem+json body with ``status``."""
    assert body["status"] == status, body
    assert body["type"].startswith("urn:ocp:problem:"), body
    assert body["title"] and body["detail"], body
    assert "request_id" in body, body


async def expect_problem(response: Any, status: int) -> dict[str, Any]:
    """Check the status, the problem+json media type and body; return the body."""
    text = await response.text()
    assert response.status == status, f"{response.status} != {status}: {text}"
    assert response.content_type == "application/problem+json", response.content_type
    body = await response.json(content_type=None)
    problem(body, status)
    return body


@dataclass
class Account:
    """A signed-in account: its user JSON, its own client (cookie jar) and CSRF token."""

    client: TestClient
    user: dict[str, Any]
    password: str
    csrf: str
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def email(self) -> str:
        return str(self.user["email"])

    def csrf_headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


class Users:
    """Makes accounts on one server; each signed-in account gets its own client."""

    def __init__(
        self, client: TestClient, make_client: Callable[[], Awaitable[TestClient]]
    ) -> None:
        self.client = client
        self.make_client = make_client

    def new_email(self, stem: str = "user") -> str:
        return f"{stem}{next(_numbers)}@example.com"

    async def register(
        self, email: str | None = None, password: str = PASSWORD, full_name: str = "Test User"
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email or self.new_email(), "password": password, "full_name": full_name},
        )
        assert response.status == 201, await response.text()
        return dict(await response.json())

    async def signed_in(self, role: str = "student", email: str | None = None) -> Account:
        """A new account with ``role``, signed in on a client of its own."""
        user = await self.register(email=email)
        if role != "student":
            await User.filter(id=user["id"]).update(role=role)
        own = await self.make_client()
        response = await own.post(
            "/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD}
        )
        assert response.status == 200, await response.text()
        body = await response.json()
        return Account(client=own, user=body["user"], password=PASSWORD, csrf=body["csrf_token"])

    async def with_token(self, role: str = "student") -> Account:
        """A signed-in account that also holds an API token (``account.headers`` use it)."""
        account = await self.signed_in(role)
        response = await account.client.post(
            "/api/v1/auth/tokens", json={"name": "tests"}, headers=account.csrf_headers()
        )
        assert response.status == 201, await response.text()
        account.token = (await response.json())["token"]
        account.headers = {"Authorization": f"Bearer {account.token}"}
        return account
