"""The per-process cache of Bearer tokens to their owners (``ocp/web/identities.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS, IDENTITIES
from ocp.users.models import User
from ocp.web.identities import TTL
from tests.helpers import Account, Users, expect_problem

ME = "/api/v1/users/me"


async def me(api: TestClient, account: Account) -> Any:
    response = await api.get(ME, headers=account.headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_an_owner_is_read_again_once_the_ttl_has_passed(users: Users) -> None:
    account = await users.with_token()
    api = await users.make_client()
    assert (await me(api, account))["role"] == "student"

    await User.filter(id=account.id).update(role="instructor")  # no control message
    assert (await me(api, account))["role"] == "student"  # the owner read a moment ago
    await asyncio.sleep(TTL)
    assert (await me(api, account))["role"] == "instructor"


async def test_a_rights_change_drops_the_cached_owner_at_once(
    users: Users, client: TestClient
) -> None:
    client.server.app[IDENTITIES].ttl = 3600  # only the control message can end it now
    account = await users.with_token()
    api = await users.make_client()
    assert (await me(api, account))["role"] == "student"

    await User.filter(id=account.id).update(is_active=False)
    assert (await me(api, account))["role"] == "student"
    await client.server.app[BUS].publish_control({"user_id": account.id})
    await expect_problem(await api.get(ME, headers=account.headers), 401)


async def test_revoking_through_the_api_refuses_a_cached_token_at_once(
    users: Users, client: TestClient
) -> None:
    client.server.app[IDENTITIES].ttl = 3600
    account = await users.with_token()
    api = await users.make_client()
    tokens = await (await api.get("/api/v1/auth/tokens", headers=account.headers)).json()
    response = await api.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}", headers=account.headers)
    assert response.status == 204, await response.text()
    await expect_problem(await api.get(ME, headers=account.headers), 401)
