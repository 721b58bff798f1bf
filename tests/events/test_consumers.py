"""Consumers of the event log: every published event handed over once, in the order of
publication (which is the order of commits, not of ids), in the transaction that moves the
cursor; a failing handler gets its batch again; two processes never hand one batch twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from aiohttp.test_utils import TestClient
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ocp.app import create_app
from ocp.appkeys import EVENTS
from ocp.config import Settings
from ocp.events import log as event_log
from ocp.events.consumers import Consumer, consume, consume_once
from ocp.events.models import EventCursor, LoggedEvent
from ocp.events.reactions import DomainEvent
from ocp.jobs import JobContext
from ocp.users.models import User

ClientFactory = Callable[..., Awaitable[TestClient]]


async def record(n: int, type: str = "x.counted") -> None:
    async with in_transaction() as conn:
        await event_log.record(conn, type=type, data={"n": n}, channels=[])


def counting(seen: list[int], *, fail_times: int = 0) -> Consumer:
    """A consumer that notes each event's ``n``, and writes a user row per batch (so that the
    batch's own writes can be checked to commit with the cursor)."""
    failures = [fail_times]

    async def handler(ctx: JobContext, events: list[DomainEvent], conn: BaseDBAsyncClient) -> None:
        _ = await User.create(
            email=f"batch{len(seen)}-{events[0].event_id}@example.com",
            password_hash="x",
            full_name="batch",
            using_db=conn,
        )
        if failures[0] > 0:
            failures[0] -= 1
            raise RuntimeError("the handler fails")
        seen.extend(int(event.data["n"]) for event in events)

    return Consumer("counting", frozenset({"x.counted"}), handler, batch=3)


def context_of(client: TestClient) -> JobContext:
    context = client.server.app[EVENTS].context
    assert context is not None
    return context


async def test_published_events_are_numbered_in_the_order_they_committed(
    client: TestClient,
) -> None:
    events = client.server.app[EVENTS]
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        async with in_transaction() as conn:
            await event_log.record(conn, type="x.counted", data={"n": 1}, channels=[])
            started.set()
            await release.wait()

    slow_task = asyncio.create_task(slow())
    await started.wait()
    await record(2)  # a higher id, committed first
    assert await events.flush()
    release.set()
    await slow_task
    assert await events.flush()
    rows = await LoggedEvent.all().order_by("published_seq").values("data", "id", "published_seq")
    assert [row["data"]["n"] for row in rows] == [2, 1], rows
    assert rows[0]["id"] > rows[1]["id"], "the event committed first has the higher id"
    assert rows[0]["published_seq"] < rows[1]["published_seq"], rows


async def test_a_consumer_gets_every_event_once_in_order_across_batches(
    client: TestClient,
) -> None:
    events = client.server.app[EVENTS]
    seen: list[int] = []
    mine = counting(seen)
    for n in range(1, 8):
        await record(n)
        await record(100 + n, type="x.other")  # not its type: skipped, the cursor moves on
    assert await events.flush()
    read = await consume(context_of(client), [mine], dialect="postgres")
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert read == 14, "each event of the log read once, its type or not"
    assert await consume(context_of(client), [mine], dialect="postgres") == 0
    assert seen == [1, 2, 3, 4, 5, 6, 7], "nothing handed over twice"
    await record(8)
    assert await events.flush()
    _ = await consume(context_of(client), [mine], dialect="postgres")
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8]
    cursor = await EventCursor.get(name="counting")
    top = await LoggedEvent.all().order_by("-published_seq").first()
    assert top is not None and cursor.position == top.published_seq


async def test_unpublished_events_wait(client: TestClient) -> None:
    seen: list[int] = []
    await record(1)  # committed, not yet published
    await LoggedEvent.all().update(published_at=None)
    assert await consume(context_of(client), [counting(seen)], dialect="postgres") == 0
    assert seen == []
    assert await client.server.app[EVENTS].publish_pending() == 1
    _ = await consume(context_of(client), [counting(seen)], dialect="postgres")
    assert seen == [1]


async def test_a_failing_handler_gets_its_batch_again_and_nothing_of_it_stays(
    client: TestClient,
) -> None:
    seen: list[int] = []
    failing = counting(seen, fail_times=2)
    for n in range(1, 5):
        await record(n)
    assert await client.server.app[EVENTS].flush()
    users_before = await User.all().count()
    context = context_of(client)
    assert await consume(context, [failing], dialect="postgres") == 0  # logged, not raised
    assert await consume(context, [failing], dialect="postgres") == 0
    assert seen == [] and await User.all().count() == users_before, (
        "the failed batches left nothing"
    )
    cursor = await EventCursor.get_or_none(name="counting")
    assert cursor is None or cursor.position == 0, "the cursor did not move"
    assert await consume(context, [failing], dialect="postgres") == 4
    assert seen == [1, 2, 3, 4]
    assert await User.all().count() == users_before + 2, "one row per batch that committed"


async def test_two_processes_consuming_at_once_hand_each_event_over_once(
    client: TestClient,
) -> None:
    seen: list[int] = []
    for n in range(1, 31):
        await record(n)
    assert await client.server.app[EVENTS].flush()

    base = counting(seen)

    async def slowly(ctx: JobContext, events: list[DomainEvent], conn: BaseDBAsyncClient) -> None:
        await asyncio.sleep(0.02)  # hold the cursor while the other process tries
        await base.handler(ctx, events, conn)

    slow = replace(base, handler=slowly)
    context = context_of(client)
    await asyncio.gather(
        *(consume(context, [slow], dialect="postgres") for _ in range(4)),
        *(consume_once(context, slow, dialect="postgres") for _ in range(4)),
    )
    while await consume(context, [slow], dialect="postgres"):
        pass
    assert sorted(seen) == list(range(1, 31)) and len(seen) == 30, seen
    assert seen == sorted(seen), "in order"


async def test_embedded_the_sweeper_hands_events_to_the_consumers(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    seen: list[int] = []
    app = create_app(embedded_settings)
    await aiohttp_client(app)
    app[EVENTS].run_consumers([counting(seen)])
    for n in range(1, 5):
        await record(n)
    assert await app[EVENTS].flush()
    deadline = asyncio.get_running_loop().time() + 5
    while seen != [1, 2, 3, 4] and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    assert seen == [1, 2, 3, 4], "the sweeper (once a second) brought the consumer up to date"
