"""The sign-in limits stop guessing and credential stuffing, not an account's own owner.

Addresses come from ``X-Forwarded-For`` here (``OCP_TRUST_FORWARDED`` on), so one test can
play several machines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from ocp.config import Settings
from tests.helpers import PASSWORD, Users, expect_problem
from tests.users.test_auth import login

MakeClient = Callable[[], Awaitable[TestClient]]
CAMPUS = "198.51.100.7"  # one address shared by many people (NAT)
HOME = "192.0.2.10"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, trust_forwarded=True)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def sign_in(
    make_client: MakeClient, email: str, address: str, password: str = PASSWORD
) -> ClientResponse:
    """A sign-in from a fresh browser at ``address``."""
    return await login(await make_client(), email, password, headers={"X-Forwarded-For": address})


async def test_a_known_account_signs_in_through_an_exhausted_address(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    regular = await users.register()
    newcomer = await users.register()
    assert (await sign_in(make_client, regular["email"], CAMPUS)).status == 200

    # Someone on the campus network stuffs credentials: 30 failures exhaust the address.
    stuffed = await asyncio.gather(
        *(sign_in(make_client, f"victim{n}@example.com", CAMPUS, "leaked pw 1") for n in range(30))
    )
    assert [r.status for r in stuffed] == [401] * 30
    await expect_problem(await sign_in(make_client, "victim99@example.com", CAMPUS), 429)
    # A correct pair the attacker holds for an account never used from here: still refused.
    refused = await sign_in(make_client, newcomer["email"], CAMPUS)
    await expect_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0

    # The regular user, who signed in from the campus before, is not locked out ...
    again = await sign_in(make_client, regular["email"], CAMPUS)
    assert again.status == 200, await again.text()
    # ... and guesses at that account from the campus have a budget of their own (5).
    for _ in range(5):
        await expect_problem(await sign_in(make_client, regular["email"], CAMPUS, "nope!"), 401)
    await expect_problem(await sign_in(make_client, regular["email"], CAMPUS), 429)
    # Nothing kept in Redis names the address or the email.
    keys = [key.decode() async for key in redis.scan_iter(match="ocp:rl:*")]
    assert keys and not any(CAMPUS in k or regular["email"] in k for k in keys), keys
    known = [k async for k in redis.scan_iter(match="ocp:rl:login-known:*")]
    assert len(known) == 1  # only the one success made an address known
    assert 29 * 24 * 3600 < await redis.ttl(known[0]) <= 30 * 24 * 3600


async def test_guesses_from_elsewhere_do_not_lock_out_the_owner(
    users: Users, make_client: MakeClient
) -> None:
    owner = await users.register()
    assert (await sign_in(make_client, owner["email"], HOME)).status == 200

    # Someone guesses the owner's password from many addresses: 5 failures lock the account
    # for every address it never signed in from.
    for n in range(5):
        wrong = await sign_in(make_client, owner["email"], f"203.0.113.{n}", "guess!")
        await expect_problem(wrong, 401)
    await expect_problem(await sign_in(make_client, owner["email"], "203.0.113.99"), 429)
    await expect_problem(await sign_in(make_client, owner["email"], "203.0.113.99", "x!"), 429)

    # The owner at home gets in, and can change the password at once.
    browser = await make_client()
    home = await login(browser, owner["email"], headers={"X-Forwarded-For": HOME})
    assert home.status == 200, await home.text()
    changed = await browser.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a new long passphrase"},
        headers={"X-CSRF-Token": (await home.json())["csrf_token"], "X-Forwarded-For": HOME},
    )
    assert changed.status == 204, await changed.text()


async def test_a_deactivated_account_does_not_make_its_address_known(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    account = await users.register()
    admin = await users.signed_in("admin")
    turned_off = await admin.client.patch(
        f"/api/v1/users/{account['id']}", json={"is_active": False}, headers=admin.csrf_headers()
    )
    assert turned_off.status == 200
    before = {k async for k in redis.scan_iter(match="ocp:rl:login-known:*")}
    assert len(before) == 1  # the admin's own sign-in
    await expect_problem(await sign_in(make_client, account["email"], HOME), 403)
    assert {k async for k in redis.scan_iter(match="ocp:rl:login-known:*")} == before
