"""Reading server frames off a raw socket, the way a WebSocket client must (RFC 6455)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct

from aiohttp.test_utils import TestClient


class FrameReader:
    """Unmasked, unfragmented server frames from a raw, non-blocking socket."""

    def __init__(self, raw: socket.socket) -> None:
        self.raw = raw
        self.buffer = bytearray()

    async def _fill(self, size: int, within: float) -> None:
        loop = asyncio.get_running_loop()
        while len(self.buffer) < size:
            chunk = await asyncio.wait_for(loop.sock_recv(self.raw, 65536), within)
            if not chunk:
                raise EOFError("the server closed the connection")
            self.buffer += chunk

    async def frame(self, within: float = 10) -> tuple[int, bytes]:
        """The next frame: (opcode, payload)."""
        await self._fill(2, within)
        first, second = self.buffer[0], self.buffer[1]
        assert first & 0x80, "a fragmented frame"
        assert not second & 0x80, "a masked server frame"
        size, start = second & 0x7F, 2
        if size == 126:
            await self._fill(4, within)
            size, start = struct.unpack_from("!H", self.buffer, 2)[0], 4
        elif size == 127:
            await self._fill(10, within)
            size, start = struct.unpack_from("!Q", self.buffer, 2)[0], 10
        await self._fill(start + size, within)
        payload = bytes(self.buffer[start : start + size])
        del self.buffer[: start + size]
        return first & 0x0F, payload


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
