"""A counting TCP proxy in front of PostgreSQL, run in a process of its own by the benches.

It forwards bytes both ways unchanged and reads the frontend's messages as they pass: each
``Q`` (a simple query) or ``S`` (Sync, the end of an extended-protocol exchange) is one round
trip the client waits for; each ``E`` (Execute) or ``Q`` is one statement sent. An SSL or
GSSAPI encryption request is answered ``N`` by the proxy itself, so the session stays plain
and readable (loopback only). The counters are shared memory the parent reads at any time.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

ENCRYPTION_REQUESTS = {80877103, 80877104}  # SSLRequest, GSSENCRequest


@dataclass
class Counters:
    round_trips: Any  # multiprocessing RawValue('q')
    statements: Any

    def read(self) -> tuple[int, int]:
        return int(self.round_trips.value), int(self.statements.value)


async def _pump_backend(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    writer.close()


async def _frontend(
    client_r: asyncio.StreamReader,
    client_w: asyncio.StreamWriter,
    target: tuple[str, int],
    counters: Counters,
) -> None:
    server_r, server_w = await asyncio.open_connection(*target)
    back = asyncio.create_task(_pump_backend(server_r, client_w))
    try:
        while True:  # untyped start-up messages
            head = await client_r.readexactly(8)
            length, code = struct.unpack("!ii", head)
            rest = await client_r.readexactly(length - 8)
            if code in ENCRYPTION_REQUESTS:
                client_w.write(b"N")
                continue
            server_w.write(head + rest)
            break
        while True:
            head = await client_r.readexactly(5)
            kind = head[:1]
            (length,) = struct.unpack("!i", head[1:])
            body = await client_r.readexactly(length - 4)
            if kind in (b"Q", b"S"):
                counters.round_trips.value += 1
            if kind in (b"Q", b"E"):
                counters.statements.value += 1
            server_w.write(head + body)
            if kind in (b"Q", b"S", b"X", b"H", b"p", b"d", b"c", b"f"):
                await server_w.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        server_w.close()
        await back


def _serve(port: int, target: tuple[str, int], counters: Counters) -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _frontend(r, w, target, counters), "127.0.0.1", port
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@dataclass
class CountingProxy:
    port: int
    counters: Counters
    process: multiprocessing.process.BaseProcess

    @property
    def pid(self) -> int:
        return int(self.process.pid or 0)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def start(target: tuple[str, int]) -> CountingProxy:
    """A proxy to ``target`` on a free loopback port, in a forked process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    ctx = multiprocessing.get_context("fork")
    counters = Counters(ctx.RawValue("q", 0), ctx.RawValue("q", 0))
    process = ctx.Process(target=_serve, args=(port, target, counters), daemon=True)
    process.start()
    for _ in range(200):  # until it listens
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
            break
        time.sleep(0.02)
    return CountingProxy(port, counters, process)
