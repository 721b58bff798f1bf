"""Fan-out: each event encoded once per process, written straight to sockets that keep up,
through a backlog (in order, nothing lost) for a socket whose transport is full."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS, HUB
from ocp.config import Settings
from ocp.realtime import frames
from ocp.realtime.hub import SEND_QUEUE, Connection
from tests.helpers import Users
from tests.realtime.wire import FrameReader, open_stalled_socket

WS = "/api/v1/ws"


async def subscribed(client: TestClient, channel: str, count: int) -> list[Connection]:
    """The hub's connections on ``channel``, once there are ``count``."""
    hub = client.server.app[HUB]
    for _ in range(250):
        found = [c for c in hub.connections if channel in c.channels]
        if len(found) == count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} sockets never subscribed to {channel}")


async def test_an_event_is_encoded_once_and_written_to_every_socket(
    users: Users, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await encoded_once_to_every_socket(users, client, monkeypatch)


@pytest.mark.embedded
async def test_embedded_an_event_is_encoded_once_and_written_to_every_socket(
    aiohttp_client: Callable[..., Awaitable[TestClient]],
    embedded_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedded = await aiohttp_client(create_app(embedded_settings))

    async def browser() -> TestClient:
        return await aiohttp_client(embedded.server)

    await encoded_once_to_every_socket(Users(embedded, browser), embedded, monkeypatch)


async def encoded_once_to_every_socket(
    users: Users, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five sockets on one channel; events whose frames need each length of header."""
    student = await users.with_token()
    channel = f"user:{student.id}"
    sockets = []
    for _ in range(5):
        ws = await client.ws_connect(WS, headers=student.headers)
        await ws.send_json({"op": "subscribe", "channel": channel})
        assert (await asyncio.wait_for(ws.receive_json(), 5))["op"] == "subscribed"
        sockets.append(ws)
    connections = await subscribed(client, channel, 5)

    encoded: list[dict[str, Any]] = []
    encode = frames.encode

    def counting(frame: dict[str, Any]) -> bytes:
        encoded.append(frame)
        return encode(frame)

    monkeypatch.setattr(frames, "encode", counting)
    bus = client.server.app[BUS]
    # Payloads around each length form of a frame header: 7 bits, 16 bits, 64 bits.
    sizes = [0, 100, 126, 1000, 65535, 70000]
    published = [await bus.publish(channel, "sized", {"s": "é" * size}) for size in sizes]
    for ws in sockets:
        for event in published:
            message = await asyncio.wait_for(ws.receive(), 5)
            assert message.type == aiohttp.WSMsgType.TEXT
            assert json.loads(message.data) == {
                "op": "event",
                "channel": channel,
                "id": event.id,
                "event_id": event.event_id,
                "type": "sized",
                "data": event.data,
            }
    assert [frame["id"] for frame in encoded] == [event.id for event in published]
    assert not any(c.backlog for c in connections)  # all written straight to the transport
    for ws in sockets:
        await ws.close()


async def test_a_socket_that_falls_behind_gets_every_event_in_order_once_it_reads(
    users: Users, client: TestClient
) -> None:
    student = await users.with_token()
    assert student.token is not None
    channel = f"user:{student.id}"
    raw = await open_stalled_socket(client, student.token, channel)
    (connection,) = await subscribed(client, channel, 1)
    bus = client.server.app[BUS]
    padding = "x" * 4000
    total, behind = 0, 0
    while total < 5000 and behind < 20:  # until a backlog builds up (well below the limit)
        _ = await bus.publish(channel, "flood", {"n": total, "padding": padding})
        total += 1
        await asyncio.sleep(0)
        behind = len(connection.backlog)
    assert behind >= 20, "the transport never filled up"
    for _ in range(20):
        _ = await bus.publish(channel, "flood", {"n": total, "padding": padding})
        total += 1
    assert len(connection.backlog) < SEND_QUEUE and not connection.closed

    reader = FrameReader(raw)
    opcode, payload = await reader.frame()
    assert (opcode, json.loads(payload)["op"]) == (1, "subscribed")
    numbers = []
    while len(numbers) < total:
        opcode, payload = await reader.frame()
        assert opcode == 1, opcode
        event = json.loads(payload)
        assert event["op"] == "event" and event["data"]["padding"] == padding
        numbers.append(event["data"]["n"])
    assert numbers == list(range(total))
    assert not connection.closed
    raw.close()
