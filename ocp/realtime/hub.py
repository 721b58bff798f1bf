"""The per-process hub: one bus subscription fanned out to this process's WebSockets.

Each event's frame is encoded once per process (frames.py) and written straight to each
socket's transport while that socket keeps up; a socket whose transport buffer is full gets
a bounded backlog and a drainer task until it catches up, so a slow socket never stalls the
others: when live events overflow its backlog it is closed with 1013 (try again later) and
its client resumes with ``since``. A replay from history is paced by the socket
instead (backpressure), so a client may resume from any kept event, however far back.

The hub also hears the bus's control messages: ``{"user_id": 7}`` says that user's rights
changed (role, account, session, token, enrollment), and wakes the re-check of each of
their sockets here at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from ocp import metrics
from ocp.realtime.bus import HISTORY_LENGTH, Bus, RedisBus, Subscription
from ocp.realtime.events import Event, id_key
from ocp.realtime.frames import Outgoing
from ocp.realtime.watch import Watches

log = logging.getLogger("ocp.hub")

SEND_QUEUE = 256  # frames waiting for one socket before live events count it as too slow
REPLAY_HIGH_WATER = SEND_QUEUE // 2  # a replay waits while this many frames wait
REPLAY_PAGE = 100  # events read from history at a time
REPLAY_STALL = 15.0  # seconds a replay waits for a socket to take more before closing it
MAX_REPLAY_ROUNDS = 2 * HISTORY_LENGTH // REPLAY_PAGE + 10  # then the socket cannot keep up


class Connection:
    """One WebSocket: its channels, and the frames it has not taken yet."""

    def __init__(
        self,
        socket: web.WebSocketResponse,
        user_id: int,
        transport: asyncio.Transport,
        recheck_now: asyncio.Event,
    ) -> None:
        self.socket = socket
        self.user_id = user_id
        self.transport = transport
        self._high_water = transport.get_write_buffer_limits()[1]
        # Frames waiting for the socket to take more (written by the drainer, in order).
        self.backlog: deque[Outgoing] = deque()
        self.channels: set[str] = set()
        # Channels being replayed from history: live events wait here meanwhile (None once
        # too many waited: the replay then reads them from history too).
        self.replaying: dict[str, list[Event] | None] = {}
        # Set to have this socket's rights re-checked now (a control message): its watch's.
        self.recheck_now = recheck_now
        self.closed = False
        self._drainer: asyncio.Task[None] | None = None
        self._room: asyncio.Event | None = None
        self._closing: asyncio.Task[None] | None = None

    def send(self, frame: dict[str, Any] | Outgoing) -> bool:
        """Send a frame (a dict, or one already encoded): straight to the transport when
        nothing waits before it and the transport's buffer is below its high-water mark,
        else after the backlog; a socket whose backlog is full cannot keep up and is closed
        instead of slowing the others. True when the frame was written or queued."""
        if self.closed:
            return False
        out = frame if isinstance(frame, Outgoing) else Outgoing.of(frame)
        if self._drainer is None:
            transport = self.transport
            if transport.get_write_buffer_size() < self._high_water:
                if transport.is_closing() or self.socket.closed:
                    return False
                transport.write(out.wire)
                return True
            self._drainer = asyncio.create_task(self._drain())
        elif len(self.backlog) >= SEND_QUEUE:
            self.close_as_slow()
            return False
        self.backlog.append(out)
        return True

    async def send_paced(self, frame: dict[str, Any] | Outgoing) -> bool:
        """Send a frame once the socket has room (half its backlog stays free for live
        events of other channels); close it as too slow after ``REPLAY_STALL`` seconds."""
        while not self.closed and len(self.backlog) >= REPLAY_HIGH_WATER:
            room = self._room = self._room or asyncio.Event()
            room.clear()
            try:
                await asyncio.wait_for(room.wait(), REPLAY_STALL)
            except TimeoutError:
                self.close_as_slow()
                return False
        return self.send(frame)

    def close_as_slow(self) -> None:
        if self.closed:
            return
        metrics.message_dropped()
        log.info("closing a slow WebSocket of user %s", self.user_id)
        self._start_closing(WSCloseCode.TRY_AGAIN_LATER)

    def deliver(self, event: Event, out: Outgoing) -> bool:
        """``out`` is the event's frame, encoded once for every socket that gets it. True
        when it was sent now (not held back while the channel replays its history)."""
        if event.channel in self.channels:
            return self.send(out)
        if event.channel in self.replaying:
            waiting = self.replaying[event.channel]
            if waiting is not None:
                if len(waiting) < REPLAY_HIGH_WATER:
                    waiting.append(event)
                else:  # the replay will read these from history
                    self.replaying[event.channel] = None
        return False

    async def _drain(self) -> None:
        """Write the backlog through aiohttp, which waits whenever the transport is full."""
        backlog = self.backlog
        try:
            while backlog and not self.closed:
                out = backlog.popleft()
                if self._room is not None and len(backlog) < REPLAY_HIGH_WATER:
                    self._room.set()
                await self.socket.send_frame(out.payload, WSMsgType.TEXT)
        except (ConnectionError, RuntimeError):
            backlog.clear()
        finally:
            self._drainer = None
            if self._room is not None:
                self._room.set()

    async def close(self, code: int = WSCloseCode.GOING_AWAY) -> None:
        """Close with ``code`` (the first close wins); cancelling the caller does not cut the
        closing handshake short."""
        self._start_closing(code)
        assert self._closing is not None
        await asyncio.shield(self._closing)

    def _start_closing(self, code: int) -> None:
        if self._closing is None:
            self.closed = True
            if self._room is not None:
                self._room.set()
            self._closing = asyncio.create_task(self._close(code))

    async def _close(self, code: int) -> None:
        drainer = self._drainer
        if drainer is not None:
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drainer
        self.backlog.clear()
        await self.socket.close(code=code)


def event_frame(event: Event) -> dict[str, Any]:
    return {
        "op": "event",
        "channel": event.channel,
        "id": event.id,
        "event_id": event.event_id,
        "type": event.type,
        "data": event.data,
    }


class Hub:
    """This process's sockets by channel, fed by one subscription to the bus."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.connections: set[Connection] = set()
        self.watches = Watches()
        self._by_channel: dict[str, set[Connection]] = defaultdict(set)
        self._subscription: Subscription | None = None
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._subscription = self.bus.subscribe(None)
        self._pump = asyncio.create_task(self._fan_out(self._subscription))
        self.bus.on_control(self._on_control)
        if isinstance(self.bus, RedisBus):
            self.bus.on_resubscribed(self.restart_sockets)

    def _on_control(self, message: dict[str, Any]) -> None:
        user_id = message.get("user_id")
        if isinstance(user_id, int):
            self.rights_changed(user_id)

    def rights_changed(self, user_id: int) -> None:
        """Have every socket of ``user_id`` in this process re-check its rights now."""
        for connection in self.connections:
            if connection.user_id == user_id:
                connection.recheck_now.set()

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
                out = Outgoing.of(event_frame(event))
                sent = 0
                for connection in list(listeners):
                    if connection.deliver(event, out):
                        sent += 1
                metrics.events_delivered(sent)

    def count_of(self, user_id: int) -> int:
        """How many sockets this process holds for a user."""
        return sum(1 for c in self.connections if c.user_id == user_id and not c.closed)

    def register(self, connection: Connection) -> None:
        self.connections.add(connection)

    def unregister(self, connection: Connection) -> None:
        self.connections.discard(connection)
        for channel in connection.channels | set(connection.replaying):
            self._forget(connection, channel)

    def _forget(self, connection: Connection, channel: str) -> None:
        listeners = self._by_channel.get(channel)
        if listeners is not None:
            listeners.discard(connection)
            if not listeners:
                del self._by_channel[channel]

    async def subscribe(self, connection: Connection, channel: str, since: str | None) -> int:
        """Start delivering ``channel``; with ``since``, first replay every kept event after
        it, in order, paced by the socket, with no gap and no duplicate. Returns how many
        events were replayed."""
        if channel in connection.channels or channel in connection.replaying:
            return 0
        self._by_channel[channel].add(connection)
        if since is None:
            connection.channels.add(channel)
            return 0
        try:
            replayed = await self._replay(connection, channel, since)
        finally:
            waiting = connection.replaying.pop(channel, None)
        if replayed is None:  # the socket closed, or lost the channel, meanwhile
            self._forget(connection, channel)
            return 0
        last, count = replayed
        connection.channels.add(channel)
        sent = count
        for event in waiting or ():
            if last is None or id_key(event.id) > id_key(last):
                sent += connection.send(event_frame(event))
        metrics.events_delivered(sent)
        return count

    async def _replay(
        self, connection: Connection, channel: str, since: str
    ) -> tuple[str, int] | None:
        """Send the history after ``since`` a page at a time while live events wait aside.
        A round ends caught up when its page was short and no live event overflowed
        meanwhile (those that did are in the history, read by the next round). The last id
        sent and the count; None when the socket closed or the channel was dropped."""
        last, count = since, 0
        for _ in range(MAX_REPLAY_ROUNDS):
            connection.replaying[channel] = []
            page = await self.bus.history(channel, since=last, limit=REPLAY_PAGE)
            for event in page:
                if channel not in connection.replaying:
                    return None
                if not await connection.send_paced(event_frame(event)):
                    return None
                last = event.id
                count += 1
            if channel not in connection.replaying or connection.closed:
                return None
            if len(page) < REPLAY_PAGE and connection.replaying[channel] is not None:
                return last, count
        connection.close_as_slow()  # live events outran the socket the whole time
        return None

    def unsubscribe(self, connection: Connection, channel: str) -> None:
        connection.channels.discard(channel)
        connection.replaying.pop(channel, None)
        self._forget(connection, channel)

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
