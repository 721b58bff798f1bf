"""A socket that stops reading is cut off (1013) without delaying the others."""

from __future__ import annotations

import asyncio
import json
import struct

from aiohttp import WSCloseCode, WSMsgType
from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS, HUB
from tests.helpers import Users
from tests.realtime.wire import FrameReader, open_stalled_socket


async def test_a_stalled_socket_is_closed_and_a_fast_one_gets_everything(
    users: Users, client: TestClient
) -> None:
    student = await users.with_token()
    assert student.token is not None
    channel = f"user:{student.id}"
    stalled = await open_stalled_socket(client, student.token, channel)
    fast = await client.ws_connect("/api/v1/ws", headers=student.headers)
    await fast.send_json({"op": "subscribe", "channel": channel})
    assert (await asyncio.wait_for(fast.receive_json(), 5))["op"] == "subscribed"
    hub = client.server.app[HUB]
    for _ in range(100):
        if sum(channel in c.channels for c in hub.connections) == 2:
            break
        await asyncio.sleep(0.02)
    assert sum(channel in c.channels for c in hub.connections) == 2

    bus = client.server.app[BUS]
    padding = "x" * 2000
    total = 3000
    received = 0

    async def read_fast() -> None:
        nonlocal received
        while received < total:
            frame = await asyncio.wait_for(fast.receive_json(), 10)
            if frame["op"] == "event":
                received += 1

    reader = asyncio.create_task(read_fast())
    for n in range(total):
        await bus.publish(channel, "flood", {"n": n, "padding": padding})
        if n % 200 == 0:
            await asyncio.sleep(0)
    await asyncio.wait_for(reader, 30)
    assert received == total
    for _ in range(100):
        if sum(channel in c.channels and not c.closed for c in hub.connections) == 1:
            break
        await asyncio.sleep(0.05)
    survivors = [c for c in hub.connections if channel in c.channels and not c.closed]
    assert len(survivors) == 1
    reader = FrameReader(stalled)  # what reached it, in order, then the close frame
    numbers = []
    while (frame := await reader.frame())[0] != WSMsgType.CLOSE:
        event = json.loads(frame[1])
        if event["op"] == "event":
            numbers.append(event["data"]["n"])
    assert struct.unpack("!H", frame[1][:2])[0] == WSCloseCode.TRY_AGAIN_LATER
    assert numbers == list(range(len(numbers))) and len(numbers) < total
    stalled.close()
    await fast.close()
