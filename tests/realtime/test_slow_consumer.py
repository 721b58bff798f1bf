"""A socket that stops reading is cut off (1013) without delaying the others."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS, HUB
from tests.helpers import Users


def masked_text_frame(text: str) -> bytes:
    """A client-to-server WebSocket text frame (clients must mask)."""
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def open_stalled_socket(
    client: TestClient, token: str, channel: str, since: str | None = None
) -> socket.socket:
    """A raw WebSocket that subscribes and then never reads another byte."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(raw, (client.host, client.port))
    handshake = (
        "GET /api/v1/ws HTTP/1.1\r\n"
        f"Host: {client.host}:{client.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    )
    await loop.sock_sendall(raw, handshake.encode())
    answer = await asyncio.wait_for(loop.sock_recv(raw, 1024), 5)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    request = {"op": "subscribe", "channel": channel}
    if since is not None:
        request["since"] = since
    subscribe = json.dumps(request)
    await loop.sock_sendall(raw, masked_text_frame(subscribe))
    return raw


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
    stalled.close()
    await fast.close()
