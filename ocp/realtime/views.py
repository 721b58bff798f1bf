"""``GET /api/v1/ws``: the WebSocket of docs/websocket.md."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import time
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web
from marshmallow import Schema, fields
from redis.exceptions import RedisError
from tortoise.exceptions import BaseORMException

from ocp import metrics
from ocp.appkeys import BUS, CALLER, CHANNEL_RULES, HUB, SESSIONS, TICKETS
from ocp.errors import Forbidden, TooManyRequests, Unauthorized
from ocp.realtime import rights
from ocp.realtime.credentials import Credential, standing
from ocp.realtime.events import check_channel, parse_event_id
from ocp.realtime.hub import Connection
from ocp.realtime.tickets import TICKET_TTL
from ocp.realtime.watch import Watch
from ocp.users.models import User
from ocp.web.auth import caller_of, origin_allowed
from ocp.web.endpoint import SIGNED_IN, Endpoint
from ocp.web.responses import dumped

log = logging.getLogger("ocp.ws")

MAX_FRAME = 64 * 1024
HEARTBEAT = 30.0
RECHECK_EVERY = 30.0  # seconds between re-checks of a socket's rights (the safety net)
RECHECK_RETRY = 1.0  # first wait after a failed re-check; doubles up to RECHECK_EVERY
MAX_RECHECK_FAILURES = 5  # failed re-checks in a row before the socket closes (1011)
MAX_SOCKETS_PER_USER = 100  # per process
FRAMES_PER_SECOND = 20
FRAME_BURST = 40
# Failures of what a frame's handling depends on (the database, Redis): an error frame.
UNAVAILABLE = (OSError, RedisError, BaseORMException)


class FrameBudget:
    """A token bucket: a client may send ``FRAME_BURST`` frames at once, then 20 a second."""

    def __init__(self) -> None:
        self.tokens = float(FRAME_BURST)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(FRAME_BURST, self.tokens + (now - self.at) * FRAMES_PER_SECOND)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _error(code: str, detail: str, channel: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"op": "error", "code": code, "detail": detail}
    if channel is not None:
        frame["channel"] = channel
    return frame


async def _handle(
    request: web.Request, credential: Credential, connection: Connection, text: str
) -> None:
    try:
        frame = json.loads(text)
    except ValueError:
        connection.send(_error("bad-frame", "Frames are JSON objects"))
        return
    if not isinstance(frame, dict):
        connection.send(_error("bad-frame", "Frames are JSON objects"))
        return
    op, channel = frame.get("op"), frame.get("channel")
    if op not in {"subscribe", "unsubscribe"}:
        connection.send(_error("unknown-op", "op must be subscribe or unsubscribe"))
        return
    try:
        check_channel(channel if isinstance(channel, str) else "")
    except ValueError:
        connection.send(_error("bad-channel", "Channels look like user:1, course:2 or admin"))
        return
    assert isinstance(channel, str)
    hub = request.app[HUB]
    if op == "unsubscribe":
        hub.unsubscribe(connection, channel)
        connection.send({"op": "unsubscribed", "channel": channel})
        return
    since = frame.get("since")
    if since is not None and parse_event_id(since) is None:
        connection.send(
            _error("bad-since", "since is an event id such as 1700000000000-0", channel)
        )
        return
    user = await standing(credential, request.app[SESSIONS])
    if user is None:
        await connection.close(WSCloseCode.POLICY_VIOLATION)
        return
    if not await rights.may_read(user, channel, request.app[CHANNEL_RULES]):
        connection.send(_error("forbidden", "You may not read this channel", channel))
        return
    reset = since is not None and await request.app[BUS].lost_since(channel, since)
    connection.send({"op": "subscribed", "channel": channel, "reset": reset})
    await hub.subscribe(connection, channel, None if reset else since)


async def _handle_safely(
    request: web.Request, credential: Credential, connection: Connection, text: str
) -> None:
    """A frame that cannot be handled now gets an error frame; the socket stays open."""
    try:
        await _handle(request, credential, connection, text)
    except UNAVAILABLE as error:
        log.warning("a WebSocket frame failed: %r", error)
        connection.send(_error("unavailable", "A service is briefly unavailable; try again"))
    except Exception:
        log.exception("a WebSocket frame failed")
        connection.send(_error("internal", "The frame could not be handled"))


async def _credential(request: web.Request) -> tuple[Credential, str]:
    """What the socket is opened with (a session, a token, or a fresh single-use
    ``?ticket=`` issued to one of those) and how it came; else 401. A ticket that is sent
    must hold, whatever else comes with it, and then it is what the socket runs on."""
    if "ticket" in request.query:
        ticket = request.query["ticket"]
        credential = await request.app[TICKETS].redeem(ticket) if ticket else None
        if credential is not None and await standing(credential, request.app[SESSIONS]):
            return credential, "ticket"
    else:
        caller = request.get(CALLER)
        if caller is not None:
            return Credential.of(caller), caller.via
    raise Unauthorized(
        "Sign in (cookie or Bearer token) or pass a fresh ?ticket=",
        headers={"WWW-Authenticate": 'Bearer realm="ocp"'},
    )


async def _recheck(app: web.Application, credential: Credential, watch: Watch) -> None:
    """Close the credential's sockets (1008) when it no longer stands; stop each channel the
    user may no longer read with an ``error`` frame on each socket that had it."""
    user = await standing(credential, app[SESSIONS])
    if user is None:
        await _close_all(watch.open(), WSCloseCode.POLICY_VIOLATION)
        return
    await _drop_unreadable(app, watch.open(), user)


async def _drop_unreadable(app: web.Application, connections: list[Connection], user: User) -> None:
    hub = app[HUB]
    held = {channel for c in connections for channel in (*c.channels, *c.replaying)}
    for channel in sorted(held):
        if not await rights.may_read(user, channel, app[CHANNEL_RULES]):
            for connection in connections:
                if channel in connection.channels or channel in connection.replaying:
                    hub.unsubscribe(connection, channel)
                    connection.send(
                        _error("forbidden", "You may no longer read this channel", channel)
                    )


async def _close_all(connections: list[Connection], code: int) -> None:
    _ = await asyncio.gather(*(c.close(code) for c in connections), return_exceptions=True)


async def _watch(app: web.Application, credential: Credential, watch: Watch) -> None:
    """Re-check the rights of the credential's sockets at once when told (a control message
    on the bus) and every RECHECK_EVERY seconds as a safety net. A failed re-check (the
    database or Redis briefly down) is retried sooner; MAX_RECHECK_FAILURES in a row close
    them with 1011."""
    failures = 0
    while True:
        if failures:
            wait = min(RECHECK_RETRY * 2 ** (failures - 1), RECHECK_EVERY)
        else:
            wait = RECHECK_EVERY * random.uniform(0.8, 1.2)  # noqa: S311
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watch.now.wait(), wait)
        watch.now.clear()
        try:
            await _recheck(app, credential, watch)
        except Exception as error:
            failures += 1
            log.warning("re-checking WebSockets failed (%d in a row): %r", failures, error)
            if failures >= MAX_RECHECK_FAILURES:
                await _close_all(watch.open(), WSCloseCode.INTERNAL_ERROR)
                failures = 0
        else:
            failures = 0


async def websocket(request: web.Request) -> web.WebSocketResponse:
    credential, via = await _credential(request)
    origin = request.headers.get("Origin")
    if via != "token" and origin is not None and not origin_allowed(request, origin):
        raise Forbidden("Cross-site WebSocket refused (Origin not allowed)")
    hub = request.app[HUB]
    if hub.count_of(credential.user_id) >= MAX_SOCKETS_PER_USER:
        raise TooManyRequests("Too many open WebSockets for this user", retry_after=5)
    socket = web.WebSocketResponse(
        heartbeat=HEARTBEAT, max_msg_size=MAX_FRAME, compress=False, autoping=True
    )
    await socket.prepare(request)
    transport = request.transport
    if transport is None:  # the client left during the handshake
        return socket
    watch = hub.watches.join(credential, functools.partial(_watch, request.app))
    connection = Connection(socket, credential.user_id, transport, watch.now)
    watch.connections.add(connection)
    hub.register(connection)
    budget = FrameBudget()
    metrics.websocket_opened()
    try:
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            if not budget.take():
                connection.send(_error("throttled", "Too many frames; slow down"))
                continue
            await _handle_safely(request, credential, connection, message.data)
    finally:
        metrics.websocket_closed()
        hub.watches.leave(credential, watch, connection)
        hub.unregister(connection)
        await connection.close()
    return socket


async def issue_ticket(request: web.Request) -> web.Response:
    ticket = await request.app[TICKETS].issue(Credential.of(caller_of(request)))
    return dumped(TICKET_SCHEMA, {"ticket": ticket, "expires_in": TICKET_TTL}, status=201)


class TicketSchema(Schema):
    ticket = fields.String(required=True, metadata={"description": "Use once as ?ticket=."})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})


TICKET_SCHEMA = TicketSchema()


routes = [
    Endpoint(
        "POST", "/api/v1/ws/ticket", issue_ticket, SIGNED_IN, "A WebSocket ticket", "Real time",
        status=201, response=TicketSchema,
        description=(
            "For browsers that cannot set headers on a WebSocket: pass it as "
            "`/api/v1/ws?ticket=...` within 30 seconds; it works once."
        ),
    ),
    Endpoint(
        "GET", "/api/v1/ws", websocket, SIGNED_IN, "The real-time WebSocket", "Real time",
        status=101, errors=(403, 429), query_credential="ticket",
        error_notes={
            400: "Not a WebSocket handshake (no `Upgrade: websocket`, or a bad handshake header).",
            401: "No credential (cookie, Bearer token or fresh ticket), or one that does not hold.",
        },
        description=(
            "Upgrade to a WebSocket (session cookie, Bearer token, or a `?ticket=` from "
            "`POST /api/v1/ws/ticket`; anonymous: 401 before the upgrade; a cookie or ticket "
            "upgrade from a foreign Origin: 403). JSON frames: "
            '`{"op": "subscribe", "channel": "course:42", "since": "<last event id>"}`, '
            '`{"op": "unsubscribe", "channel": ...}`; the server answers `subscribed` '
            "(with `reset: true` when the kept history cannot vouch for `since`: reload by "
            "REST; otherwise every kept event after it is replayed in order), `event` frames "
            "`{op, channel, id, type, data}` and `error` frames `{op, code, channel?, detail}` "
            "(the socket stays open). Channels: `user:<id>` (that user and admins), "
            "`course:<id>` (its instructor and admins), `admin`. Frames over 64 KiB close the "
            "socket with 1009; a socket too slow for live events is closed with 1013; shutdown "
            "closes with 1001. At most 100 sockets per user and process (429). A lost right "
            "applies within a second in every process: a channel no longer readable gets a "
            "`forbidden` error frame and stops; deactivation, logout, a password change made "
            "elsewhere and a revoked token close the sockets of that credential with 1008. "
            "The whole protocol: docs/websocket.md in the repository."
        ),
    ),
]  # fmt: skip
