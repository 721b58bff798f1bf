"""``GET /api/v1/ws``: the WebSocket of DESIGN.md's real-time protocol."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from aiohttp import WSMsgType, web

from ocp.appkeys import BUS, HUB
from ocp.errors import Forbidden
from ocp.realtime import rights
from ocp.realtime.events import check_channel
from ocp.realtime.hub import Connection
from ocp.web.auth import caller_of, origin_allowed
from ocp.web.endpoint import SIGNED_IN, Endpoint

MAX_FRAME = 64 * 1024
HEARTBEAT = 30.0
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


async def _handle(request: web.Request, connection: Connection, text: str) -> None:
    caller = caller_of(request)
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


async def websocket(request: web.Request) -> web.WebSocketResponse:
    caller = caller_of(request)
    origin = request.headers.get("Origin")
    if caller.via == "session" and origin is not None and not origin_allowed(request, origin):
        raise Forbidden("Cross-site WebSocket refused (Origin not allowed)")
    socket = web.WebSocketResponse(
        heartbeat=HEARTBEAT, max_msg_size=MAX_FRAME, compress=False, autoping=True
    )
    await socket.prepare(request)
    hub = request.app[HUB]
    connection = Connection(socket, caller.id)
    hub.register(connection)
    budget = FrameBudget()
    try:
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            if not budget.take():
                connection.send(_error("throttled", "Too many frames; slow down"))
                continue
            await _handle(request, connection, message.data)
    finally:
        hub.unregister(connection)
        await connection.close()
    return socket


routes = [
    Endpoint(
        "GET", "/api/v1/ws", websocket, SIGNED_IN, "The real-time WebSocket", "Real time",
        status=101, errors=(401, 403),
        description=(
            "Upgrade to a WebSocket (session cookie or Bearer token; anonymous: 401 before the "
            "upgrade; a cookie upgrade from a foreign Origin: 403). JSON frames: "
            '`{"op": "subscribe", "channel": "course:42", "since": "<last event id>"}`, '
            '`{"op": "unsubscribe", "channel": ...}`; the server answers `subscribed` '
            '(with `reset: true` when `since` is older than the kept history: reload by REST), '
            "`event` frames `{op, channel, id, type, data}` and `error` frames "
            "`{op, code, channel?, detail}` (the socket stays open). Channels: `user:<id>` "
            "(that user and admins), `course:<id>` (its instructor and admins), `admin`. "
            "Frames over 64 KiB close the socket with 1009; a socket too slow to keep up is "
            "closed with 1013; shutdown closes with 1001. Not yet: tickets for browsers that "
            "cannot send headers, and revoking subscriptions when rights change mid-session."
        ),
    ),
]  # fmt: skip
