"""The event bus, on Redis and in memory: ids, order, history, live delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from ocp import redis_keys
from ocp.realtime.bus import Bus, MemoryBus, RedisBus
from ocp.realtime.events import id_key


@pytest.fixture(params=["redis", "memory"])
async def bus(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Bus]:
    client = Redis.from_url(redis_url)
    made: Bus = RedisBus(client) if request.param == "redis" else MemoryBus()
    await made.start()
    yield made
    await made.close()
    await client.aclose()


async def test_publish_gives_increasing_ids_and_live_delivery(bus: Bus) -> None:
    mine = bus.subscribe({"user:1"})
    everything = bus.subscribe()
    first = await bus.publish("user:1", "a.happened", {"n": 1, "list": []})
    await bus.publish("user:2", "b.happened", {"n": 2})
    second = await bus.publish("user:1", "a.happened", {"n": 3})
    assert id_key(first.id) < id_key(second.id)
    got = [await asyncio.wait_for(mine.get(), 2) for _ in range(2)]
    assert got == [first, second]
    assert mine.queue.empty()
    all_types = [(await asyncio.wait_for(everything.get(), 2)).data["n"] for _ in range(3)]
    assert all_types == [1, 2, 3]


async def test_history_since_an_id_returns_what_came_after_in_order(bus: Bus) -> None:
    events = [await bus.publish("course:7", "x", {"n": n}) for n in range(5)]
    assert await bus.history("course:7", since=None) == events
    assert await bus.history("course:7", since=events[1].id) == events[2:]
    assert await bus.history("course:7", since=events[-1].id) == []
    assert await bus.history("course:8", since=None) == []


async def test_bad_channel_names_are_refused(bus: Bus) -> None:
    for channel in ("user:", "user:abc", "users:1", "course:1:2", "", "admin:1"):
        with pytest.raises(ValueError):
            await bus.publish(channel, "x", {})


async def test_redis_history_is_capped_and_expires(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    bus = RedisBus(client)
    await bus.publish("admin", "x", {})
    ttl = await client.ttl(redis_keys.EVENT_STREAM_PREFIX + "admin")
    assert 0 < ttl <= 7 * 24 * 3600
    await client.aclose()


async def test_two_processes_worth_of_buses_see_each_others_events(redis_url: str) -> None:
    """Two RedisBus instances (as in two processes) share live events and one history."""
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    left, right = RedisBus(one), RedisBus(two)
    await left.start()
    await right.start()
    watching = right.subscribe({"course:3"})
    sent = await left.publish("course:3", "progress.updated", {"percent": 50})
    assert await asyncio.wait_for(watching.get(), 2) == sent
    assert await right.history("course:3", since=None) == [sent]
    await left.close()
    await right.close()
    await one.aclose()
    await two.aclose()


async def test_buses_on_different_redis_databases_do_not_hear_each_other(redis_url: str) -> None:
    """Redis pub/sub ignores database numbers; the bus must not."""
    server, _, number = redis_url.rpartition("/")
    other_number = (int(number) % 15) + 1
    here, there = Redis.from_url(redis_url), Redis.from_url(f"{server}/{other_number}")
    ours, theirs = RedisBus(here), RedisBus(there)
    await ours.start()
    listening = ours.subscribe()
    await theirs.publish("user:1", "elsewhere", {})
    mine = await ours.publish("user:1", "here", {})
    assert await asyncio.wait_for(listening.get(), 2) == mine
    assert listening.queue.empty()
    await there.delete(redis_keys.EVENT_STREAM_PREFIX + "user:1")
    await ours.close()
    await here.aclose()
    await there.aclose()


async def test_a_control_message_reaches_its_sender_at_once_and_every_process_once(
    redis_url: str,
) -> None:
    """The sender's handlers run before ``publish_control`` returns (its next request must
    see the change); the other process hears it through Redis; nobody hears it twice."""
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    left, right = RedisBus(one), RedisBus(two)
    await left.start()
    await right.start()
    heard_left: list[dict[str, object]] = []
    heard_right: list[dict[str, object]] = []
    left.on_control(heard_left.append)
    right.on_control(heard_right.append)

    await left.publish_control({"user_id": 7})
    assert heard_left == [{"user_id": 7}]
    for _ in range(200):
        if heard_right:
            break
        await asyncio.sleep(0.01)
    assert heard_right == [{"user_id": 7}]
    await right.publish_control({"user_id": 8})  # a round trip: left's own echo has come back
    for _ in range(200):
        if len(heard_left) == 2:
            break
        await asyncio.sleep(0.01)
    assert heard_left == [{"user_id": 7}, {"user_id": 8}]
    assert heard_right == [{"user_id": 7}, {"user_id": 8}]
    await left.close()
    await right.close()
    await one.aclose()
    await two.aclose()
