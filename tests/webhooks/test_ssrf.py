"""Webhooks may not be pointed at this machine or its network (SSRF): refused when an URL is
registered or changed, and again at delivery time; ``is_public`` over a table of addresses.

Here ``webhooks_allow_private`` is OFF (the package's conftest turns it on): this module's
``settings`` builds the app, and the worker of ``run_jobs``, without it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp.test_utils import TestClient

from ocp.appkeys import SETTINGS
from ocp.config import Settings
from ocp.webhooks import addresses
from ocp.webhooks.addresses import is_public
from ocp.webhooks.models import WebhookEndpoint
from tests.helpers import Users, expect_problem
from tests.webhooks.api_helpers import HOOKS, PUBLIC_URL, call, one, rows
from tests.webhooks.helpers import catch_up, deliveries, register


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhooks_allow_private=False)


REFUSED = [
    "https://127.0.0.1/x",
    "https://127.0.0.1:8080/x",
    "https://127.1/x",
    "https://2130706433/x",
    "https://0x7f000001/x",
    "https://017700000001/x",
    "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/x",  # fullwidth digits
    "https://10.0.0.1/x",
    "https://172.16.0.1/x",
    "https://192.168.1.1/x",
    "https://100.64.0.1/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[fd00:ec2::254]/latest/meta-data",
    "https://[::1]/x",
    "https://[::]/x",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[2002:7f00:1::]/",
    "https://localhost/x",
    "https://localhost./x",
    "https://LOCALHOST/x",
    "https://0.0.0.0/",
    "https://0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://[ff02::1]/",
    "http://93.184.215.14/",
    "HTTP://93.184.215.14/",
    "https://user:pw@93.184.215.14/",
    "https://user@93.184.215.14/",
    "https://93.184.215.14@127.0.0.1/",
    "https://nothing.invalid/",
    "https://93.184.215.14/#f",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
    "ws://93.184.215.14/",
]


async def test_the_app_here_refuses_private_addresses(client: TestClient) -> None:
    assert client.app[SETTINGS].webhooks_allow_private is False


@pytest.mark.parametrize("url", REFUSED)
async def test_a_url_that_is_not_public_https_is_refused_on_create(users: Users, url: str) -> None:
    admin = await users.signed_in("admin")
    answer = await call(admin, "POST", HOOKS, {"url": url, "event_types": ["*"]})
    problem = await expect_problem(answer, 422)
    assert "url" in problem["errors"], problem
    assert await rows() == (0, 0)


@pytest.mark.parametrize("url", REFUSED)
async def test_a_url_that_is_not_public_https_is_refused_on_patch(users: Users, url: str) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL)
    answer = await call(admin, "PATCH", one(hook["id"]), {"url": url, "description": "moved"})
    problem = await expect_problem(answer, 422)
    assert "url" in problem["errors"], problem
    stored = await WebhookEndpoint.get(id=hook["id"])
    assert (stored.url, stored.description) == (PUBLIC_URL, "")


async def test_the_refusal_says_which_address(users: Users) -> None:
    admin = await users.signed_in("admin")
    answer = await call(admin, "POST", HOOKS, {"url": "https://localhost/x", "event_types": ["*"]})
    problem = await expect_problem(answer, 422)
    assert "127.0.0.1" in " ".join(problem["errors"]["url"]), problem


@pytest.mark.parametrize(
    "url",
    [
        PUBLIC_URL,
        "https://93.184.215.14:8443/hook?x=1",
        "https://[2606:4700:4700::1111]/hook",
        "https://[::ffff:93.184.215.14]/hook",
    ],
)
async def test_a_public_literal_is_accepted(users: Users, url: str) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, url)
    moved = await call(admin, "PATCH", one(hook["id"]), {"url": url})
    assert moved.status == 200, await moved.text()
    assert await rows() == (1, 0)


@asynccontextmanager
async def listener() -> AsyncIterator[tuple[int, list[str]]]:
    """A TCP port on loopback that records every connection made to it."""
    accepted: list[str] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(str(writer.get_extra_info("peername")))
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, accepted
    finally:
        server.close()
        await server.wait_closed()


# The URL a row holds at delivery time (DNS changed, or a row written by other means), and
# what the delivery's error must say.
AT_DELIVERY = [
    pytest.param("https://127.0.0.1:{port}/x", "127.0.0.1", id="literal"),
    pytest.param("https://localhost:{port}/x", "127.0.0.1", id="name"),
    pytest.param("https://2130706433:{port}/x", "2130706433", id="integer"),
    pytest.param("https://[::ffff:127.0.0.1]:{port}/x", "not a public address", id="mapped"),
    pytest.param("http://127.0.0.1:{port}/x", "https://", id="http"),
    pytest.param("https://u:p@127.0.0.1:{port}/x", "password", id="credentials"),
]


@pytest.mark.parametrize(("url", "named"), AT_DELIVERY)
async def test_a_delivery_is_not_made_to_an_address_that_is_not_public(
    users: Users,
    client: TestClient,
    run_jobs: Callable[[], Awaitable[int]],
    url: str,
    named: str,
) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL)
    async with listener() as (port, accepted):
        await WebhookEndpoint.filter(id=hook["id"]).update(url=url.format(port=port))
        answer = await call(admin, "POST", one(hook["id"]) + "/test")
        assert answer.status == 202, await answer.text()
        await catch_up(client.app)
        assert await run_jobs() >= 1
        await asyncio.sleep(0.05)
        assert accepted == [], "a connection was made"
    [delivery] = await deliveries(admin, hook["id"])
    assert delivery["attempts"] == 1, delivery
    assert delivery["status"] == "pending" and delivery["response_status"] is None, delivery
    assert named in (delivery["error"] or ""), delivery
    endpoint = await WebhookEndpoint.get(id=hook["id"])
    assert endpoint.failing_since is not None and endpoint.enabled


# is_public ----------------------------------------------------------------------------------

NOT_PUBLIC = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "100.64.0.1",
    "169.254.169.254",
    "169.254.0.1",
    "192.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "233.252.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "ff0e::1",
    "2001:db8::1",
    "100::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::",
    "2002:a00:1::1",
    "2001::5ef5:79fd",
]
PUBLIC = [
    "93.184.215.14",
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:93.184.215.14",
    "2002:5db8:d70e::1",
]
# Addresses that reach IPv4 inside this network on hosts with NAT64 (IPv6-only cloud subnets
# translate 64:ff9b::/96 to the IPv4 address in its last 32 bits) or that are reserved and
# deprecated (IPv4-compatible ::a.b.c.d, SIIT ::ffff:0:a.b.c.d, site-local fec0::/10).
EMBEDDED_OR_RESERVED = [
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",
    "::127.0.0.1",
    "::10.0.0.1",
    "::ffff:0:7f00:1",
    "fec0::1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_is_public_refuses(address: str) -> None:
    assert is_public(address) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_is_public_accepts(address: str) -> None:
    assert is_public(address) is True


@pytest.mark.parametrize("address", EMBEDDED_OR_RESERVED)
def test_is_public_refuses_nat64_and_reserved_ipv6(address: str) -> None:
    assert is_public(address) is False


@pytest.mark.parametrize("address", ["not-an-ip", "", "1.2.3", "::g"])
def test_is_public_raises_for_what_is_not_an_address(address: str) -> None:
    with pytest.raises(ValueError):
        is_public(address)


async def test_check_refuses_a_name_with_any_private_address() -> None:
    url = addresses.parse("https://localhost/x", allow_private=False)
    with pytest.raises(addresses.AddressRefused, match=r"127\.0\.0\.1"):
        await addresses.check(url, allow_private=False)
    await addresses.check(url, allow_private=True)


async def test_the_public_resolver_refuses_loopback() -> None:
    resolver = addresses.PublicResolver(allow_private=False)
    try:
        with pytest.raises(addresses.AddressRefused, match=r"127\.0\.0\.1"):
            await resolver.resolve("localhost", 443)
    finally:
        await resolver.close()
