"""``GET /api/v1/ws``: the WebSocket of DESIGN.md's real-time protocol."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web
from marshmallow import Schema, fields

from ocp import metrics
from ocp.appkeys import BUS, CALLER, HUB, TICKETS
from ocp.errors import Forbidden, TooManyRequests, Unauthorized
from ocp.realtime import rights
from ocp.realtime.events import check_channel
from ocp.realtime.hub import Connection
from ocp.realtime.tickets import TICKET_TTL
from ocp.users import service as users_service
from ocp.users.models import User
from ocp.web.auth import Caller, caller_of, origin_allowed
from ocp.web.endpoint import SIGNED_IN, Endpoint
from ocp.web.responses import dumped

MAX_FRAME = 64 * 1024
HEARTBEAT = 30.0
RECHECK_EVERY = 30.0  # seconds between re-checks of a socket's rights
MAX_SOCKETS_PER_USER = 100  # per process
FRAMES_PER_SECOND = 20
FRAME_BURST = 40
EVENT_ID = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")


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


async def _handle(request: web.Request, caller: Caller, connection: Connection, text: str) -> None:
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
    if since is not None and not (isinstance(since, str) and EVENT_ID.match(since)):
        connection.send(
            _error("bad-since", "since is an event id such as 1700000000000-0", channel)
        )
        return
    if not await rights.may_read(caller.user, channel):
        connection.send(_error("forbidden", "You may not read this channel", channel))
        return
    reset = since is not None and await request.app[BUS].lost_since(channel, since)
    connection.send({"op": "subscribed", "channel": channel, "reset": reset})
    await hub.subscribe(connection, channel, None if reset else since)


async def _caller(request: web.Request) -> Caller:
    """The signed-in caller, or the user of a fresh single-use ``?ticket=``; else 401."""
    caller = request.get(CALLER)
    if caller is not None:
        return caller
    ticket = request.query.get("ticket")
    redeemed = await request.app[TICKETS].redeem(ticket) if ticket else None
    if redeemed is not None:
        user_id, epoch = redeemed
        user = await users_service.get(user_id=user_id)
        if user is not None and user.is_active and user.auth_epoch == epoch:
            return Caller(user=user, via="ticket", epoch=epoch)
    raise Unauthorized(
        "Sign in (cookie or Bearer token) or pass a fresh ?ticket=",
        headers={"WWW-Authenticate": 'Bearer realm="ocp"'},
    )


async def _still_allowed(caller: Caller) -> User | None:
    """The caller's user if their session, ticket or token still stands, else None."""
    user = await users_service.get(user_id=caller.id)
    if user is None or not user.is_active:
        return None
    epoch = caller.session.epoch if caller.session is not None else caller.epoch
    if epoch is not None and user.auth_epoch != epoch:
        return None
    if caller.token_id is not None and not await users_service.token_active(
        token_id=caller.token_id
    ):
        return None
    return user


async def _recheck(request: web.Request, connection: Connection, caller: Caller) -> None:
    """Rights change mid-session: every RECHECK_EVERY seconds, close the socket (1008) when
    the session, ticket or token no longer stands, and drop channels no longer readable."""
    hub = request.app[HUB]
    while not connection.closed:
        await asyncio.sleep(RECHECK_EVERY * random.uniform(0.8, 1.2))  # noqa: S311
        user = await _still_allowed(caller)
        if user is None:
            await connection.close(WSCloseCode.POLICY_VIOLATION)
            return
        for channel in list(connection.channels):
            if not await rights.may_read(user, channel):
                hub.unsubscribe(connection, channel)
                connection.send(_error("forbidden", "You may no longer read this channel", channel))


async def websocket(request: web.Request) -> web.WebSocketResponse:
    caller = await _caller(request)
    origin = request.headers.get("Origin")
    if caller.via != "token" and origin is not None and not origin_allowed(request, origin):
        raise Forbidden("Cross-site WebSocket refused (Origin not allowed)")
    hub = request.app[HUB]
    if hub.count_of(caller.id) >= MAX_SOCKETS_PER_USER:
        raise TooManyRequests("Too many open WebSockets for this user", retry_after=5)
    socket = web.WebSocketResponse(
        heartbeat=HEARTBEAT, max_msg_size=MAX_FRAME, compress=False, autoping=True
    )
    await socket.prepare(request)
    connection = Connection(socket, caller.id)
    hub.register(connection)
    budget = FrameBudget()
    watcher = asyncio.create_task(_recheck(request, connection, caller))
    metrics.websocket_opened()
    try:
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            if not budget.take():
                connection.send(_error("throttled", "Too many frames; slow down"))
                continue
            await _handle(request, caller, connection, message.data)
    finally:
        metrics.websocket_closed()
        watcher.cancel()
        hub.unregister(connection)
        await connection.close()
    return socket


async def issue_ticket(request: web.Request) -> web.Response:
    caller = caller_of(request)
    ticket = await request.app[TICKETS].issue(user_id=caller.id, epoch=caller.user.auth_epoch)
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
            "Upgrade to a WebSocket (session cookie or Bearer token; anonymous: 401 before the "
            "upgrade; a cookie upgrade from a foreign Origin: 403). JSON frames: "
            '`{"op": "subscribe", "channel": "course:42", "since": "<last event id>"}`, '
            '`{"op": "unsubscribe", "channel": ...}`; the server answers `subscribed` '
            '(with `reset: true` when `since` is older than the kept history: reload by REST), '
            "`event` frames `{op, channel, id, type, data}` and `error` frames "
            "`{op, code, channel?, detail}` (the socket stays open). Channels: `user:<id>` "
            "(that user and admins), `course:<id>` (its instructor and admins), `admin`. "
            "Authenticated by session cookie, Bearer token or a `?ticket=` from "
            "`POST /api/v1/ws/ticket`. Frames over 64 KiB close the socket with 1009; a "
            "socket too slow to keep up is closed with 1013; shutdown closes with 1001. At most "
            "100 sockets per user and process (429). "
            "Rights are re-checked every 30 s: a channel no longer readable gets an error "
            "frame and stops; an ended session, ticket user or revoked token closes with 1008."
        ),
    ),
]  # fmt: skip
