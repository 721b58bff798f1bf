"""The per-process hub: one bus subscription fanned out to this process's WebSockets.

Each socket has a bounded send queue and its own writer task, so a slow socket never stalls
the others: when its queue is full it is closed with 1013 (try again later) and its client
resumes with ``since``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Any

from aiohttp import WSCloseCode, web

from ocp import metrics
from ocp.realtime.bus import Bus, RedisBus, Subscription
from ocp.realtime.events import Event, id_key

log = logging.getLogger("ocp.hub")

SEND_QUEUE = 256  # frames waiting for one socket before it counts as too slow


class Connection:
    """One WebSocket: its channels, its send queue and its writer."""

    def __init__(self, socket: web.WebSocketResponse, user_id: int) -> None:
        self.socket = socket
        self.user_id = user_id
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(SEND_QUEUE)
        self.channels: set[str] = set()
        # Channels being replayed from history: live events wait here meanwhile.
        self.replaying: dict[str, list[Event]] = {}
        self.writer = asyncio.create_task(self._write())
        self.closed = False
        self._closing: asyncio.Task[bool] | None = None

    def send(self, frame: dict[str, Any] | str) -> bool:
        """Queue a frame (a dict, or JSON text already encoded); a socket that cannot keep up
        is closed instead of slowing the others. True when the frame was queued."""
        if self.closed:
            return False
        try:
            self.queue.put_nowait(frame if isinstance(frame, str) else json.dumps(frame))
        except asyncio.QueueFull:
            self.closed = True
            metrics.message_dropped()
            log.info("closing a slow WebSocket of user %s", self.user_id)
            self._closing = asyncio.create_task(self.socket.close(code=WSCloseCode.TRY_AGAIN_LATER))
            return False
        return True

    def deliver(self, event: Event, text: str) -> bool:
        """``text`` is the event's frame, encoded once for every socket that gets it. True
        when it was queued now (not held back while the channel replays its history)."""
        if event.channel in self.replaying:
            self.replaying[event.channel].append(event)
        elif event.channel in self.channels:
            return self.send(text)
        return False

    async def _write(self) -> None:
        while (frame := await self.queue.get()) is not None:
            try:
                await self.socket.send_str(frame)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int = WSCloseCode.GOING_AWAY) -> None:
        self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)
        await self.socket.close(code=code)
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.writer


def event_frame(event: Event) -> dict[str, Any]:
    return {
        "op": "event",
        "channel": event.channel,
        "id": event.id,
        "type": event.type,
        "data": event.data,
    }


class Hub:
    """This process's sockets by channel, fed by one subscription to the bus."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.connections: set[Connection] = set()
        self._by_channel: dict[str, set[Connection]] = defaultdict(set)
        self._subscription: Subscription | None = None
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._subscription = self.bus.subscribe(None)
        self._pump = asyncio.create_task(self._fan_out(self._subscription))
        if isinstance(self.bus, RedisBus):
            self.bus.on_resubscribed(self.restart_sockets)

    async def restart_sockets(self) -> None:
        """After a gap in live delivery, close every socket with 1012 (service restart): the
        clients reconnect and resume with ``since``, and the stream fills the gap."""
        await asyncio.gather(
            *(c.close(WSCloseCode.SERVICE_RESTART) for c in list(self.connections)),
            return_exceptions=True,
        )

    async def _fan_out(self, subscription: Subscription) -> None:
        async for event in subscription:
            listeners = self._by_channel.get(event.channel)
            if listeners:
                text = json.dumps(event_frame(event))
                sent = sum(connection.deliver(event, text) for connection in list(listeners))
                metrics.events_delivered(sent)

    def count_of(self, user_id: int) -> int:
        """How many sockets this process holds for a user."""
        return sum(1 for c in self.connections if c.user_id == user_id and not c.closed)

    def register(self, connection: Connection) -> None:
        self.connections.add(connection)

    def unregister(self, connection: Connection) -> None:
        self.connections.discard(connection)
        for channel in connection.channels | set(connection.replaying):
            self._by_channel[channel].discard(connection)
            if not self._by_channel[channel]:
                del self._by_channel[channel]

    async def subscribe(self, connection: Connection, channel: str, since: str | None) -> int:
        """Start delivering ``channel``; with ``since``, first replay what came after it, in
        order, with no gap and no duplicate. Returns how many events were replayed."""
        if channel in connection.channels:
            return 0
        connection.replaying[channel] = []
        self._by_channel[channel].add(connection)
        replayed, last, sent = 0, since, 0
        try:
            if since is not None:
                history = await self.bus.history(channel, since=since)
                for event in history:
                    sent += connection.send(event_frame(event))
                    last = event.id
                replayed = len(history)
        finally:
            buffered = connection.replaying.pop(channel, [])
            connection.channels.add(channel)
        for event in buffered:
            if last is None or id_key(event.id) > id_key(last):
                sent += connection.send(event_frame(event))
        metrics.events_delivered(sent)
        return replayed

    def unsubscribe(self, connection: Connection, channel: str) -> None:
        connection.channels.discard(channel)
        self._by_channel[channel].discard(connection)
        if not self._by_channel[channel]:
            del self._by_channel[channel]

    async def close(self) -> None:
        """Shutdown: every socket closes with 1001 (going away)."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        if self._subscription is not None:
            self._subscription.close()
        await asyncio.gather(
            *(c.close(WSCloseCode.GOING_AWAY) for c in list(self.connections)),
            return_exceptions=True,
        )
