"""The event log: events exist exactly when their change does, are published once, wait out
a Redis outage, and start reactions that take effect once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ocp import jobs
from ocp.app import create_app
from ocp.appkeys import BUS, EVENTS, JOBS, REDIS
from ocp.config import Settings
from ocp.events import log as event_log
from ocp.events.models import HandledEvent, LoggedEvent
from ocp.events.reactions import REACT_JOB, DomainEvent, Reactions, on, react_job_id
from ocp.jobs import InProcessJobQueue, JobContext
from ocp.learning.models import Enrollment
from tests.e2e.processes import free_port
from tests.helpers import Users
from tests.media.test_uploads import get, png_bytes, upload
from tests.outages import RedisServer

ClientFactory = Callable[..., Awaitable[TestClient]]


async def test_an_event_of_a_failed_transaction_never_exists(client: TestClient) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await event_log.record(conn, type="x.happened", data={"n": 1}, channels=["user:1"])
            raise RuntimeError("the change fails")
    assert await LoggedEvent.all().count() == 0
    assert await client.server.app[EVENTS].publish_pending() == 0
    assert await client.server.app[BUS].history("user:1", since=None) == []


async def test_an_event_published_twice_is_in_the_channel_once(client: TestClient) -> None:
    events = client.server.app[EVENTS]
    async with in_transaction() as conn:
        await event_log.record(
            conn, type="x.happened", data={"n": 1}, channels=["user:1", "course:2"]
        )
    assert await events.flush()
    logged = await LoggedEvent.get()
    assert logged.published_at is not None
    # A process died between publishing and marking it published: it is published again.
    await LoggedEvent.filter(id=logged.id).update(published_at=None)
    assert await events.publish_pending() == 1
    for channel in ("user:1", "course:2"):
        history = await client.server.app[BUS].history(channel, since=None)
        assert [(e.type, e.event_id) for e in history] == [("x.happened", str(logged.event_id))]


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    await server.wait_ready()
    yield server
    server.stop()


async def test_events_wait_out_a_redis_outage(
    aiohttp_client: ClientFactory, settings: Settings, own_redis: RedisServer
) -> None:
    """Recorded while Redis is down: unpublished, then published within 5 s of its return,
    each once and in order."""
    app = create_app(replace(settings, redis_url=f"redis://127.0.0.1:{own_redis.port}/0"))
    await aiohttp_client(app)
    events, bus = app[EVENTS], app[BUS]
    own_redis.stop()
    for n in range(5):
        async with in_transaction() as conn:
            await event_log.record(conn, type="x.happened", data={"n": n}, channels=["user:9"])
        assert not await events.flush()  # the request carries on; nothing is lost
    await asyncio.sleep(1.5)  # the sweeper tries meanwhile, and fails
    assert await LoggedEvent.filter(published_at=None).count() == 5
    own_redis.start()
    await own_redis.wait_ready()
    back = time.monotonic()
    while await LoggedEvent.filter(published_at=None).exists():
        assert time.monotonic() - back < 5, "not published within 5 s of Redis's return"
        await asyncio.sleep(0.1)
    history = await bus.history("user:9", since=None)
    assert [e.data["n"] for e in history] == [0, 1, 2, 3, 4]
    assert {e.event_id for e in history} == {str(e.event_id) for e in await LoggedEvent.all()}


@pytest.mark.embedded
async def test_a_reaction_that_fails_three_times_takes_effect_once(
    aiohttp_client: ClientFactory, embedded_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "backoff", lambda job_try: 0.01)
    tries: list[str] = []

    @on("x.happened", name="test.flaky")
    async def flaky(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
        tries.append(event.event_id)
        await event_log.record(conn, type="x.counted", data=event.data, channels=[])
        if len(tries) <= 3:
            raise OSError("a dependency hiccups")  # the effect above is rolled back

    @on("x.happened", name="test.steady")
    async def steady(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
        await event_log.record(conn, type="x.noted", data=event.data, channels=[])

    app = create_app(embedded_settings)
    await aiohttp_client(app)
    events, queue = app[EVENTS], app[JOBS]
    assert isinstance(queue, InProcessJobQueue) and events.context is not None
    events.bind(events.context, Reactions.of([flaky, steady]))
    async with in_transaction() as conn:
        await event_log.record(conn, type="x.happened", data={"n": 7}, channels=[])
    assert await events.flush()
    await queue.drain()
    assert len(tries) == 4
    assert await LoggedEvent.filter(type="x.counted").count() == 1
    assert await LoggedEvent.filter(type="x.noted").count() == 1
    # Delivered again (at least once): neither runs its effect again.
    happened = await LoggedEvent.get(type="x.happened")
    received = DomainEvent(
        str(happened.event_id), happened.type, happened.data, happened.occurred_at.isoformat()
    )
    for name in ("test.flaky", "test.steady"):
        await queue.enqueue(
            REACT_JOB,
            name,
            received.as_job_argument(),
            job_id=react_job_id(name, received.event_id) + ":again",
        )
    await queue.drain()
    assert len(tries) == 4
    assert await LoggedEvent.filter(type="x.counted").count() == 1
    assert await LoggedEvent.filter(type="x.noted").count() == 1
    assert await HandledEvent.filter(event_id=happened.event_id).count() == 2


RunJobs = Callable[[], Awaitable[int]]


async def test_reactions_a_queue_lost_are_enqueued_again(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    """Redis restarted without persistence: the queued reactions are gone, the log is not."""
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    course = await (
        await teacher.client.post("/api/v1/courses", json={"title": "Lost Jobs"}, headers=h)
    ).json()
    await teacher.client.post(
        f"/api/v1/courses/{course['id']}/lessons", json={"title": "A"}, headers=h
    )
    await teacher.client.patch(
        f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=h
    )
    student = await users.signed_in()
    enrolled = await student.client.post(
        f"/api/v1/courses/{course['id']}/enrollment", headers=student.csrf_headers()
    )
    assert enrolled.status == 201, await enrolled.text()
    redis = client.server.app[REDIS]
    assert redis is not None
    await redis.flushdb()  # every queued job is lost
    await Enrollment.filter(id=(await enrolled.json())["id"]).update(progress_percent=55)
    events = client.server.app[EVENTS]
    assert await events.redeliver() == 0  # too early: the queue may still hold them
    a_while_ago = datetime.now(UTC) - timedelta(minutes=2)
    await LoggedEvent.all().update(published_at=a_while_ago)
    # The lesson's reactions (every enrollment's figures; students told of a new lesson) and
    # the enrollment's (its figures; the student's and the instructor's notifications).
    assert await events.redeliver() == 4
    assert await run_jobs() >= 4  # and the mail of the student's notification
    assert (await Enrollment.get(id=(await enrolled.json())["id"])).progress_percent == 0
    assert await HandledEvent.filter(failed=False).count() == 4
    assert await events.redeliver() == 0


@pytest.mark.embedded
async def test_a_reaction_that_fails_for_good_is_left_alone(
    aiohttp_client: ClientFactory, embedded_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "backoff", lambda job_try: 0.01)
    tries: list[int] = []

    @on("x.happened", name="test.broken")
    async def broken(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
        tries.append(ctx.job_try)
        raise OSError("never works")

    app = create_app(embedded_settings)
    await aiohttp_client(app)
    events, queue = app[EVENTS], app[JOBS]
    assert isinstance(queue, InProcessJobQueue) and events.context is not None
    events.bind(events.context, Reactions.of([broken]))
    async with in_transaction() as conn:
        await event_log.record(conn, type="x.happened", data={}, channels=[])
    assert await events.flush()
    await queue.drain()
    assert tries == [1, 2, 3, 4, 5]
    assert await HandledEvent.filter(handler="test.broken", failed=True).count() == 1
    await LoggedEvent.all().update(published_at=datetime.now(UTC) - timedelta(minutes=2))
    assert await events.redeliver() == 0


async def test_an_upload_whose_job_the_queue_lost_is_processed(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, png_bytes())
    redis = client.server.app[REDIS]
    assert redis is not None
    lost = [key async for key in redis.scan_iter("arq:*")]
    assert lost  # the processing job, queued
    await redis.delete(*lost)  # and lost (the session stays)
    assert await run_jobs() == 0
    events = client.server.app[EVENTS]
    await LoggedEvent.all().update(published_at=datetime.now(UTC) - timedelta(minutes=2))
    assert await events.redeliver() == 1
    assert await events.redeliver() == 1  # enqueued again under the same job id: still one
    assert await run_jobs() == 2  # the processing, then the uploader's notification
    assert (await get(teacher, created["id"]))["status"] == "ready"
    assert await events.redeliver() == 0
