"""A webhook receiver on loopback for the tests: it records each request and answers what
the test tells it to, verifying signatures with the ``standardwebhooks`` package."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str


@dataclass
class Receiver:
    """Answers ``statuses`` in turn (then 200), after ``delay`` seconds each."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(Received(dict(request.headers), await request.read(), request.path))
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.statuses.pop(0) if self.statuses else 200
        if status in {301, 302, 307}:
            return web.Response(status=status, headers={"Location": self.url + "/elsewhere"})
        return web.Response(status=status, text="x" * 3000 if status == 500 else "ok")

    def verify(self, secret: str, index: int = -1) -> dict[str, Any]:
        """The payload of a received request, verified with ``secret`` (raises if it fails)."""
        got = self.received[index]
        return dict(Webhook(secret).verify(got.body, got.headers))


R = TypeVar("R", bound=Receiver)


def receiver() -> AbstractAsyncContextManager[Receiver]:
    """A plain :class:`Receiver` on a loopback port."""
    return serving(Receiver())


@asynccontextmanager
async def serving(target: R) -> AsyncIterator[R]:
    """``target`` served on a loopback port (its ``url``) until the block ends."""
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", target.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    target.url = f"http://127.0.0.1:{port}"
    try:
        yield target
    finally:
        await runner.cleanup()
