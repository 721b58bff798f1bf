"""Idempotency-Key on checkout: a retried checkout never makes a second order; a 429 is
not kept."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from ocp import ratelimit
from ocp.app import create_app
from ocp.config import Settings
from ocp.idempotency.models import IdempotencyKey
from ocp.payments.models import Order, OrderStatus
from tests.helpers import Users, expect_problem
from tests.idempotency.helpers import IN_USE, Answer, keyed, send
from tests.payments.helpers import paid_course, press
from tests.payments.stripe_fake import StripeFake, running_stripe_fake

ClientFactory = Callable[..., Awaitable[TestClient]]


def _path(course_id: int) -> str:
    return f"/api/v1/courses/{course_id}/checkout"


async def test_twenty_parallel_checkouts_with_one_key_make_one_order(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    answers = await asyncio.gather(
        *(
            send(buyer.client, "POST", _path(course_id), json={}, headers=keyed(buyer, "buy"))
            for _ in range(20)
        )
    )
    statuses = sorted(a.status for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    made = [a for a in answers if a.status == 201]
    assert len([a for a in made if not a.replayed]) == 1, statuses
    for a in made:
        a.same_as(made[0])
    for a in answers:
        if a.status == 409:
            assert json.loads(a.body)["type"] == IN_USE and a.headers["Retry-After"]
    assert await Order.filter(user_id=buyer.id).count() == 1


async def test_a_checkout_retried_after_its_order_was_declined_makes_no_second_order(
    users: Users,
) -> None:
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    first = await send(
        buyer.client, "POST", _path(course_id), json={}, headers=keyed(buyer, "once")
    )
    assert first.status == 201, first.body
    order_id = json.loads(first.body)["order"]["id"]
    assert await press(buyer, order_id, "decline") == 303
    # Without the key, a checkout now would open a second order; with it, nothing runs.
    assert (await Order.get(id=order_id)).status != OrderStatus.PENDING
    retried: Answer = await send(
        buyer.client, "POST", _path(course_id), json={}, headers=keyed(buyer, "once")
    )
    assert retried.replayed
    retried.same_as(first)
    assert await Order.filter(user_id=buyer.id).count() == 1


async def test_a_checkout_refused_429_keeps_no_key_and_runs_when_sent_again(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    limited = replace(settings, checkouts_per_minute=1)
    client = await aiohttp_client(create_app(limited))
    users = Users(client, lambda: aiohttp_client(client.server))
    teacher = await users.signed_in("instructor")
    one, two = await paid_course(teacher), await paid_course(teacher)
    buyer = await users.signed_in()
    used = await buyer.client.post(_path(one), json={}, headers=buyer.csrf_headers())
    assert used.status == 201, await used.text()

    refused = await buyer.client.post(_path(two), json={}, headers=keyed(buyer, "later"))
    await expect_problem(refused, 429)
    assert refused.headers.get("Retry-After")
    assert not await IdempotencyKey.filter(key="later").exists()
    again = await buyer.client.post(_path(two), json={}, headers=keyed(buyer, "later"))
    await expect_problem(again, 429)  # still limited: run again, not replayed
    assert "Idempotent-Replayed" not in again.headers

    assert limited.redis_url is not None
    redis = Redis.from_url(limited.redis_url)
    try:
        assert await redis.delete(ratelimit.key("checkouts", str(buyer.id))) == 1
    finally:
        await redis.aclose()
    ran = await send(buyer.client, "POST", _path(two), json={}, headers=keyed(buyer, "later"))
    assert ran.status == 201, ran.body
    assert not ran.replayed
    assert await Order.filter(user_id=buyer.id, course_id=two).count() == 1
    replayed = await send(buyer.client, "POST", _path(two), json={}, headers=keyed(buyer, "later"))
    assert replayed.replayed
    replayed.same_as(ran)


@pytest.fixture
async def stripe_fake() -> AsyncIterator[StripeFake]:
    async with running_stripe_fake() as fake:
        yield fake


async def test_a_checkout_answered_503_keeps_no_key_and_runs_when_sent_again(
    settings: Settings, stripe_fake: StripeFake, aiohttp_client: ClientFactory
) -> None:
    shop = replace(
        settings,
        payments_provider="stripe",
        stripe_api_key="sk_test_ocp_idem",
        payments_webhook_secret="whsec_ocp_idem_0123456789abcdef",
        public_url="http://shop.example",
        stripe_api_base=stripe_fake.url,
    )
    client = await aiohttp_client(create_app(shop))
    users = Users(client, lambda: aiohttp_client(client.server))
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    stripe_fake.down = True
    down = await buyer.client.post(_path(course_id), json={}, headers=keyed(buyer, "s"))
    await expect_problem(down, 503)
    assert not await IdempotencyKey.filter(key="s").exists()
    assert await Order.all().count() == 0

    stripe_fake.down = False
    up = await send(buyer.client, "POST", _path(course_id), json={}, headers=keyed(buyer, "s"))
    assert up.status == 201, up.body
    assert not up.replayed
    again = await send(buyer.client, "POST", _path(course_id), json={}, headers=keyed(buyer, "s"))
    assert again.replayed
    again.same_as(up)
    assert await Order.filter(user_id=buyer.id).count() == 1
