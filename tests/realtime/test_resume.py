"""Resuming always works: every kept event after ``since`` arrives in order however many were
missed, paced by the socket; a ``since`` the history cannot vouch for answers ``reset``; and
out-of-range values get an error frame, never a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS, HUB
from ocp.config import Settings
from ocp.realtime.bus import HISTORY_LENGTH, Bus, MemoryBus
from ocp.realtime.events import Event
from tests.helpers import Account, Users
from tests.realtime.test_slow_consumer import open_stalled_socket

WS = "/api/v1/ws"


async def frames(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    return [dict(await ws.receive_json(timeout=10)) for _ in range(count)]


async def publish_many(bus: Bus, channel: str, count: int) -> list[Event]:
    return [await bus.publish(channel, "tick", {"n": n}) for n in range(count)]


async def resume(
    users: Users, account: Account, channel: str, since: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await users.client.ws_connect(WS, headers=account.headers)
    await ws.send_json({"op": "subscribe", "channel": channel, "since": since})
    assert await ws.receive_json(timeout=5) == {
        "op": "subscribed",
        "channel": channel,
        "reset": False,
    }
    return ws


@pytest.mark.parametrize("missed", [300, HISTORY_LENGTH - 1])
async def test_every_missed_event_arrives_in_order(
    users: Users, client: TestClient, missed: int
) -> None:
    student = await users.with_token()
    channel = f"user:{student.id}"
    bus = client.app[BUS]
    events = await publish_many(bus, channel, missed + 1)
    ws = await resume(users, student, channel, events[0].id)
    got = await frames(ws, missed)
    assert [f["id"] for f in got] == [e.id for e in events[1:]]
    live = await bus.publish(channel, "tick", {"n": "live"})
    assert (await ws.receive_json(timeout=5))["id"] == live.id
    assert not ws.closed
    await ws.close()


async def test_a_replay_that_races_live_events_has_no_gap_and_no_duplicate(
    users: Users, client: TestClient
) -> None:
    student = await users.with_token()
    channel = f"user:{student.id}"
    bus = client.app[BUS]
    before = await publish_many(bus, channel, 600)

    async def keep_publishing() -> list[Event]:
        published = []
        for n in range(300):
            published.append(await bus.publish(channel, "live", {"n": n}))
            if n % 10 == 0:
                await asyncio.sleep(0)
        return published

    ws = await users.client.ws_connect(WS, headers=student.headers)
    publishing = asyncio.create_task(keep_publishing())
    await ws.send_json({"op": "subscribe", "channel": channel, "since": before[99].id})
    assert (await ws.receive_json(timeout=5))["op"] == "subscribed"
    during = await publishing
    expected = [e.id for e in before[100:] + during]
    got = [f["id"] for f in await frames(ws, len(expected))]
    assert got == expected
    with pytest.raises(TimeoutError):
        await ws.receive_json(timeout=0.3)
    await ws.close()


async def test_a_since_older_than_the_history_answers_reset(
    users: Users, client: TestClient
) -> None:
    student = await users.with_token()
    channel = f"user:{student.id}"
    events = await publish_many(client.app[BUS], channel, HISTORY_LENGTH + 300)
    ws = await users.client.ws_connect(WS, headers=student.headers)
    await ws.send_json({"op": "subscribe", "channel": channel, "since": events[0].id})
    assert (await ws.receive_json(timeout=5))["reset"] is True
    with pytest.raises(TimeoutError):
        await ws.receive_json(timeout=0.3)  # a reset replays nothing: reload by REST
    await ws.close()


async def test_the_memory_bus_flags_a_since_from_an_earlier_run() -> None:
    before = MemoryBus()
    seen = await before.publish("user:1", "tick", {})
    await before.publish("user:1", "tick", {})  # missed by the client
    after = MemoryBus()  # the process restarted: its history starts empty
    assert await after.lost_since("user:1", seen.id)
    await asyncio.sleep(0.002)
    await after.publish("user:1", "tick", {})
    assert await after.lost_since("user:1", seen.id)
    assert not await before.lost_since("user:1", seen.id)


@pytest.mark.embedded
async def test_embedded_resume_across_a_restart_answers_reset(
    aiohttp_client: Callable[..., Awaitable[TestClient]], embedded_settings: Settings
) -> None:
    first = await aiohttp_client(create_app(embedded_settings))
    users = Users(first, lambda: aiohttp_client(first.server))
    student = await users.with_token()
    channel = f"user:{student.id}"
    seen = await first.app[BUS].publish(channel, "tick", {"n": 1})
    await first.app[BUS].publish(channel, "tick", {"n": 2})  # never seen by the client
    await first.close()

    second = await aiohttp_client(create_app(embedded_settings))  # the same data, restarted
    await second.app[BUS].publish(channel, "tick", {"n": 3})
    ws = await second.ws_connect(WS, headers=student.headers)
    await ws.send_json({"op": "subscribe", "channel": channel, "since": seen.id})
    answer = await ws.receive_json(timeout=5)
    assert answer == {"op": "subscribed", "channel": channel, "reset": True}
    await ws.close()


async def test_out_of_range_values_get_error_frames_and_the_socket_stays_open(
    users: Users, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await users.with_token("admin")
    ws = await users.client.ws_connect(WS, headers=admin.headers)
    own = f"user:{admin.id}"
    cases = [
        ({"op": "subscribe", "channel": "course:9999999999"}, "bad-channel"),
        ({"op": "subscribe", "channel": "course:2147483648"}, "bad-channel"),
        ({"op": "subscribe", "channel": "user:-1"}, "bad-channel"),
        ({"op": "subscribe", "channel": "user:0"}, "bad-channel"),
        ({"op": "subscribe", "channel": "user:1\n"}, "bad-channel"),
        ({"op": "subscribe", "channel": 5}, "bad-channel"),
        ({"op": "subscribe", "channel": own, "since": "99999999999999999999-0"}, "bad-since"),
        ({"op": "subscribe", "channel": own, "since": "0-99999999999999999999"}, "bad-since"),
        ({"op": "subscribe", "channel": own, "since": 12}, "bad-since"),
        ({"op": "subscribe", "channel": own, "since": "1-2-3"}, "bad-since"),
        ({"op": "subscribe", "channel": own, "since": "\uff11\uff12-0"}, "bad-since"),
    ]
    with caplog.at_level(logging.DEBUG):
        for request, code in cases:
            await ws.send_json(request)
            answer = await ws.receive_json(timeout=5)
            assert answer["op"] == "error" and answer["code"] == code, (request, answer)
        # The largest ids that can exist are fine: the course is simply not there.
        await ws.send_json({"op": "subscribe", "channel": "course:2147483647"})
        assert await ws.receive_json(timeout=5) == {
            "op": "subscribed",
            "channel": "course:2147483647",
            "reset": False,
        }
        await ws.send_json({"op": "subscribe", "channel": own, "since": "18446744073709551615-0"})
        assert await ws.receive_json(timeout=5) == {
            "op": "subscribed",
            "channel": own,
            "reset": True,  # a since from the future: no history can vouch for it
        }
    assert not ws.closed
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    await ws.close()


async def read_frame(raw: socket.socket) -> dict[str, Any]:
    """One server-to-client text frame from a raw socket (servers do not mask)."""
    loop = asyncio.get_running_loop()

    async def exactly(count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = await asyncio.wait_for(loop.sock_recv(raw, count - len(data)), 10)
            assert chunk, "the server closed the socket"
            data += chunk
        return data

    head = await exactly(2)
    assert head[0] & 0x0F == 0x1, f"not a text frame: {head!r}"
    length = head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", await exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await exactly(8))[0]
    return dict(json.loads(await exactly(length)))


async def test_a_replay_waits_for_a_stalled_reader_instead_of_dropping_it(
    users: Users, client: TestClient
) -> None:
    """10 MB of history to a socket that reads nothing for a while: the replay is paced by
    the socket (today's queue would overflow and close it) and all of it arrives."""
    student = await users.with_token()
    assert student.token is not None
    channel = f"user:{student.id}"
    bus = client.app[BUS]
    padding = "x" * 10_000
    events = [await bus.publish(channel, "big", {"n": n, "p": padding}) for n in range(1000)]
    raw = await open_stalled_socket(client, student.token, channel, since=events[0].id)
    await asyncio.sleep(1.5)
    hub = client.app[HUB]
    (connection,) = [c for c in hub.connections if c.user_id == student.id]
    assert not connection.closed and channel in connection.replaying  # waiting, not dropped
    assert (await read_frame(raw))["op"] == "subscribed"
    ids = [(await read_frame(raw))["id"] for _ in range(999)]
    assert ids == [e.id for e in events[1:]]
    assert not connection.closed and channel in connection.channels
    raw.close()
