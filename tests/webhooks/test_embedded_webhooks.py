"""Webhooks on the embedded default: SQLite, the in-memory bus, the consumer and the delivery
jobs in the process. An event reaches a receiver signed, and a 500 is tried again about
5 s later."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import JOBS
from ocp.config import Settings
from ocp.jobs import InProcessJobQueue
from tests.helpers import Account, Users
from tests.learning.test_flow import make_course
from tests.webhooks.delivery_helpers import CountingReceiver, add_lessons, counting_receiver
from tests.webhooks.helpers import deliveries, register

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]
DEADLINE = 10.0  # seconds for the in-process sweeper and jobs


async def embedded(aiohttp_client: ClientFactory, settings: Settings) -> Users:
    settings = dataclasses.replace(
        settings, webhooks_allow_private=True, register_max_per_address=100
    )
    client = await aiohttp_client(create_app(settings))
    assert isinstance(client.app[JOBS], InProcessJobQueue), "jobs run in the process"

    async def browser() -> TestClient:
        return await aiohttp_client(client.server)

    return Users(client, browser)


async def settled(
    admin: Account, webhook_id: int, target: CountingReceiver, count: int, status: str
) -> list[dict[str, Any]]:
    """The deliveries once ``count`` requests arrived and the newest is ``status``: the
    in-process sweeper makes and hands them out about every second."""
    loop = asyncio.get_running_loop()
    until = loop.time() + DEADLINE
    while True:
        listed = await deliveries(admin, webhook_id)
        if (
            len(target.received) >= count
            and listed
            and listed[0]["status"] == status
            and listed[0]["response_status"] is not None  # the try recorded, not only sent
        ):
            return listed
        assert loop.time() < until, (len(target.received), listed)
        await asyncio.sleep(0.05)


async def test_an_event_is_delivered_signed_and_a_500_retried_in_one_process(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    users = await embedded(aiohttp_client, embedded_settings)
    admin = await users.signed_in("admin")
    teacher = await users.signed_in("instructor")
    async with counting_receiver() as target:
        target.statuses = [500]
        hook = await register(admin, target.url + "/hooks", ["lesson.created"])
        course_id, [first_lesson] = await make_course(teacher, lessons=1)

        [listed] = await settled(admin, hook["id"], target, 1, "pending")
        assert listed["attempts"] == 1 and listed["response_status"] == 500
        assert listed["next_attempt_at"] is not None
        payload = target.verify(hook["secret"])
        assert payload["type"] == "lesson.created"
        assert payload["data"] == {"course_id": course_id, "lesson_id": first_lesson}
        assert payload["timestamp"].endswith("Z"), payload["timestamp"]

        # SQLite compares the stored times: not tried again early, but about 5 s later.
        await asyncio.sleep(2.0)
        assert len(target.received) == 1, "tried again before its wait"
        [listed] = await settled(admin, hook["id"], target, 2, "succeeded")
        waited = target.arrivals[1] - target.arrivals[0]
        assert 4.4 <= waited <= 15.0, waited  # not early; late only on a loaded machine
        assert listed["attempts"] == 2 and listed["response_status"] == 200
        assert target.verify(hook["secret"]) == payload
        assert {r.headers["webhook-id"] for r in target.received} == {listed["event_id"]}

        [second_lesson] = await add_lessons(teacher, course_id)
        both = await settled(admin, hook["id"], target, 3, "succeeded")
        assert [d["status"] for d in both] == ["succeeded", "succeeded"]
        assert target.verify(hook["secret"])["data"]["lesson_id"] == second_lesson
