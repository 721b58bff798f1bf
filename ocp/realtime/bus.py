"""The event bus: publish, subscribe, history. Redis in production, memory when embedded.

On Redis, one Lua script appends the event to the channel's capped stream (XADD gives its
id) and PUBLISHes it with that id, so the live order is the stream order even when several
processes publish at once, and a client that reconnects can read what it missed from the
stream. Each process holds one pattern subscription and hands events to local subscribers.

Besides events, the bus carries *control messages* to every process (not kept, not for
clients): "the rights of user 7 changed", which each process's hub applies to its sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol

from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError, ResponseError

from ocp import metrics, redis_keys
from ocp.realtime.events import Event, check_channel, id_key, new_event_id

log = logging.getLogger("ocp.bus")

HISTORY_LENGTH = 1000  # events kept per channel (approximately, on Redis)
HISTORY_IDLE_TTL = 7 * 24 * 3600  # a channel's history expires after a week without events
SUBSCRIBER_QUEUE = 1000

# KEYS: the stream, the set of event-log sequences already on it. ARGV: channel, type, data
# (JSON), max length, idle TTL, pub/sub channel, event id, sequence ("" when none).
_PUBLISH = """
if ARGV[8] ~= '' then
    if redis.call('ZSCORE', KEYS[2], ARGV[8]) then
        return false
    end
    redis.call('ZADD', KEYS[2], ARGV[8], ARGV[8])
    redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) * 2 + 1))
    redis.call('EXPIRE', KEYS[2], ARGV[5])
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*',
    'type', ARGV[2], 'data', ARGV[3], 'event_id', ARGV[7])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local message = '{"channel":' .. cjson.encode(ARGV[1]) .. ',"id":"' .. id .. '","event_id":'
    .. cjson.encode(ARGV[7]) .. ',"type":' .. cjson.encode(ARGV[2]) .. ',"data":' .. ARGV[3]
    .. '}'
redis.call('PUBLISH', ARGV[6], message)
return id
"""


class Subscription:
    """Events of some channels (or all), as they are published, for one local consumer."""

    def __init__(self, bus: LocalFanout, channels: Iterable[str] | None) -> None:
        self._bus = bus
        self.channels = None if channels is None else set(channels)
        self.queue: asyncio.Queue[Event] = asyncio.Queue(SUBSCRIBER_QUEUE)
        self.dropped = 0

    def wants(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    async def get(self) -> Event:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()

    def close(self) -> None:
        self._bus.unsubscribe(self)


ControlHandler = Callable[[dict[str, Any]], None]


class LocalFanout:
    """Hands each event to the local subscriptions that want its channel, never blocking,
    and each control message to the local control handlers."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._control_handlers: list[ControlHandler] = []

    def on_control(self, handler: ControlHandler) -> None:
        """Call ``handler`` (synchronously, so it must not block) with every control message."""
        self._control_handlers.append(handler)

    def deliver_control(self, message: dict[str, Any]) -> None:
        for handler in self._control_handlers:
            try:
                handler(message)
            except Exception:
                log.exception("a control handler failed on %r", message)

    def subscribe(self, channels: Iterable[str] | None = None) -> Subscription:
        subscription = Subscription(self, channels)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def deliver(self, event: Event) -> None:
        for subscription in list(self._subscriptions):
            if subscription.wants(event.channel):
                try:
                    subscription.queue.put_nowait(event)
                except asyncio.QueueFull:
                    subscription.dropped += 1
                    metrics.message_dropped()
                    log.warning(
                        "a bus subscriber is %d events behind; dropped one", SUBSCRIBER_QUEUE
                    )


class Bus(Protocol):
    async def publish(
        self,
        channel: str,
        type: str,
        data: dict[str, Any],
        *,
        event_id: str | None = None,
        sequence: int | None = None,
    ) -> Event | None:
        """Record the event in the channel's history and deliver it live; return it with its
        id. ``event_id`` names it for consumers (a new one when None). ``sequence`` is its
        place in the event log: an event whose sequence the channel already holds is not
        published again (None).
        """

    def subscribe(self, channels: Iterable[str] | None = None) -> Subscription:
        """Live events of ``channels`` (all channels when None) published from now on."""

    async def history(self, channel: str, *, since: str | None, limit: int = 1000) -> list[Event]:
        """The channel's events after ``since`` (all kept ones when None), oldest first."""

    async def lost_since(self, channel: str, since: str) -> bool:
        """True when events after ``since`` may be missing from the history (trimmed,
        expired, or kept by an earlier run of the bus): the client must reload by REST
        instead of trusting a replay."""

    async def publish_control(self, message: dict[str, Any]) -> None:
        """Hand ``message`` to the control handlers of every process (this one included)."""

    def on_control(self, handler: ControlHandler) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class MemoryBus(LocalFanout):
    """One process: history in memory, delivery in memory."""

    def __init__(self) -> None:
        super().__init__()
        self._history: dict[str, deque[Event]] = {}
        self._last = (0, 0)
        self._trimmed: dict[str, str] = {}
        self._sequences: dict[str, set[int]] = {}

    def _next_id(self) -> str:
        ms = int(time.time() * 1000)
        last_ms, last_seq = self._last
        self._last = (ms, 0) if ms > last_ms else (last_ms, last_seq + 1)
        return f"{self._last[0]}-{self._last[1]}"

    async def publish(
        self,
        channel: str,
        type: str,
        data: dict[str, Any],
        *,
        event_id: str | None = None,
        sequence: int | None = None,
    ) -> Event | None:
        check_channel(channel)
        if sequence is not None:
            held = self._sequences.setdefault(channel, set())
            if sequence in held:
                return None
            held.add(sequence)
            if len(held) > 2 * HISTORY_LENGTH:
                held.discard(min(held))
        event = Event(
            channel=channel,
            id=self._next_id(),
            type=type,
            data=data,
            event_id=event_id or new_event_id(),
        )
        kept = self._history.setdefault(channel, deque(maxlen=HISTORY_LENGTH))
        if len(kept) == HISTORY_LENGTH:
            self._trimmed[channel] = kept[0].id
        kept.append(event)
        metrics.event_published(type)
        self.deliver(event)
        return event

    async def history(self, channel: str, *, since: str | None, limit: int = 1000) -> list[Event]:
        events = list(self._history.get(channel, ()))
        if since is not None:
            after = id_key(since)
            events = [e for e in events if id_key(e.id) > after]
        return events[:limit]

    async def lost_since(self, channel: str, since: str) -> bool:
        kept = self._history.get(channel)
        if not kept:  # nothing kept: ``since`` comes from an earlier run of this process
            return True
        return history_gap(since, kept[0].id, kept[-1].id, self._trimmed.get(channel))

    async def publish_control(self, message: dict[str, Any]) -> None:
        self.deliver_control(message)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisBus(LocalFanout):
    """Many processes: history in capped Redis Streams, delivery by pub/sub."""

    def __init__(self, redis: Redis) -> None:
        super().__init__()
        self._redis = redis
        self._publish = redis.register_script(_PUBLISH)
        self._reader: asyncio.Task[None] | None = None
        self._resubscribed: list[Callable[[], Awaitable[None]]] = []
        # The subscription waits for messages indefinitely: its own client, without the read
        # timeout of the request path (which would drop an idle subscription every few
        # seconds), kept alive by health checks instead.
        pool = redis.connection_pool
        kwargs = {**pool.connection_kwargs, "socket_timeout": None}
        self._listener = Redis(
            connection_pool=ConnectionPool(connection_class=pool.connection_class, **kwargs)
        )
        # Pub/sub channels are server-wide, not per database: name ours after the database
        # number so deployments (or test runs) sharing a Redis server never hear each other.
        database = redis.connection_pool.connection_kwargs.get("db", 0)
        self._live_prefix = f"{redis_keys.EVENT_PUBSUB_PREFIX}{database}:"
        self._control_channel = f"{redis_keys.CONTROL_PUBSUB_PREFIX}{database}"
        self._origin = secrets.token_hex(8)  # tells this process's control messages apart

    async def publish(
        self,
        channel: str,
        type: str,
        data: dict[str, Any],
        *,
        event_id: str | None = None,
        sequence: int | None = None,
    ) -> Event | None:
        check_channel(channel)
        event_id = event_id or new_event_id()
        stream_id = await self._publish(
            keys=[
                redis_keys.EVENT_STREAM_PREFIX + channel,
                redis_keys.EVENT_SEQUENCES_PREFIX + channel,
            ],
            args=[
                channel,
                type,
                json.dumps(data),
                HISTORY_LENGTH,
                HISTORY_IDLE_TTL,
                self._live_prefix + channel,
                event_id,
                "" if sequence is None else sequence,
            ],
        )
        if stream_id is None:  # already on this channel
            return None
        metrics.event_published(type)
        return Event(channel=channel, id=_text(stream_id), type=type, data=data, event_id=event_id)

    async def history(self, channel: str, *, since: str | None, limit: int = 1000) -> list[Event]:
        start = "-" if since is None else f"({since}"
        entries = await self._redis.xrange(
            redis_keys.EVENT_STREAM_PREFIX + check_channel(channel), start, "+", count=limit
        )
        return [
            Event(
                channel=channel,
                id=_text(entry_id),
                type=_text(fields[b"type"]),
                data=json.loads(fields[b"data"]),
                event_id=_text(fields.get(b"event_id", b"")),
            )
            for entry_id, fields in entries
        ]

    async def lost_since(self, channel: str, since: str) -> bool:
        key = redis_keys.EVENT_STREAM_PREFIX + check_channel(channel)
        try:
            info = await self._redis.xinfo_stream(key)
        except ResponseError:  # no stream: expired, or lost with a Redis restart
            return True
        first, last = info.get("first-entry"), info.get("last-entry")
        if not first or not last:
            return True
        deleted = _text(info.get("max-deleted-entry-id") or b"0-0")
        return history_gap(
            since, _text(first[0]), _text(last[0]), None if deleted == "0-0" else deleted
        )

    async def publish_control(self, message: dict[str, Any]) -> None:
        # This process hears it at once, before the change's answer goes out, so its next
        # request cannot be served from what the message retires; the others within
        # milliseconds, through Redis. Our own copy coming back is skipped.
        self.deliver_control(message)
        await self._redis.publish(
            self._control_channel, json.dumps({"origin": self._origin, "message": message})
        )

    async def start(self) -> None:
        """Hold this process's one subscription (re-established after Redis restarts)."""
        if self._reader is None:
            ready = asyncio.Event()
            self._reader = asyncio.create_task(self._read(ready), name="ocp-bus-reader")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ready.wait(), 5)

    def on_resubscribed(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call ``callback`` when the subscription comes back after a loss: events published
        meanwhile were not delivered live (the hub then has clients resume with ``since``)."""
        self._resubscribed.append(callback)

    async def _read(self, ready: asyncio.Event) -> None:
        pattern = self._live_prefix + "*"
        delay = 0.1
        lost = False
        while True:
            pubsub = self._listener.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(pattern)
                await pubsub.subscribe(self._control_channel)
                ready.set()
                delay = 0.1
                if lost:
                    lost = False
                    log.info("event subscription restored")
                    for callback in self._resubscribed:
                        await callback()
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self.deliver(Event.from_json(message["data"]))
                    elif message.get("type") == "message":
                        envelope = json.loads(message["data"])
                        inner = envelope.get("message") if isinstance(envelope, dict) else None
                        if isinstance(inner, dict) and envelope.get("origin") != self._origin:
                            self.deliver_control(inner)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as error:
                lost = True
                log.warning("event subscription lost (%r); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._listener.aclose(close_connection_pool=True)


def history_gap(since: str, first: str, last: str, deleted: str | None) -> bool:
    """Whether events after ``since`` may be missing from a history that now runs from
    ``first`` to ``last`` and whose newest dropped event is ``deleted``.

    A ``since`` inside the kept range, or exactly the newest dropped event, loses nothing.
    One older than that lost what was trimmed; one before the first event of a history
    that never dropped any, or after its last, was given by another history (an earlier
    run, a Redis restart, a stream that expired and started again): nothing tells what
    came in between.
    """
    key = id_key(since)
    if key > id_key(last):
        return True
    if key >= id_key(first):
        return False
    return deleted is None or key != id_key(deleted)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
