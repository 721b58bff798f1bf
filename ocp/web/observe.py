"""One log line and one metrics observation per request (the outermost middleware), and
the count of requests in flight that a graceful shutdown waits for.

The line names the route's template, never the raw path or query string, so ids stay
bounded for metrics and nothing secret (a WebSocket ``?ticket=``, a token) reaches a log.

The middleware sends the response itself (``prepare`` and ``write_eof``, as aiohttp would
just after it) so that what it records is what the client got: the status a ``FileResponse``
picks while preparing (206, 304, 412, 416) and a duration that includes the body. A
response must then allow a second ``prepare``: serve files with ``ocp.web.files``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from ocp import metrics
from ocp.appkeys import ACTIVITY, CALLER, REQUEST_ID

log = logging.getLogger("ocp.access")

CLIENT_CLOSED = 499  # nginx's code for a request the client gave up on


class Activity:
    """Requests in flight in this process; ``draining`` once it is shutting down."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.draining = False
        self._idle = asyncio.Event()
        self._idle.set()

    def started(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    async def idle(self, seconds: float) -> bool:
        """Wait until no request is in flight (True) or ``seconds`` pass (False)."""
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            return False
        return True


def route_of(request: web.Request) -> str:
    """The matched route's template (``/api/v1/courses/{id}``), or ``unmatched``."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


async def _send(request: web.Request, response: web.StreamResponse) -> int:
    """Send ``response`` in full; the status the client got (CLIENT_CLOSED if it left)."""
    try:
        await response.prepare(request)
        await response.write_eof()
    except ConnectionError:
        return CLIENT_CLOSED  # aiohttp, finishing the response after us, sees it too
    return response.status


@web.middleware
async def observe_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    activity = request.app[ACTIVITY]
    activity.started()
    try:
        response: web.StreamResponse = await handler(request)
        status = response.status
        if not response.prepared:
            if activity.draining:
                response.force_close()  # shutting down: no further request on this connection
            status = await _send(request, response)
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_CLOSED
        raise
    except Exception:
        status = 500  # from the handler or while sending: aiohttp answers 500 or hangs up
        raise
    finally:
        activity.finished()
        seconds = time.perf_counter() - started
        route = route_of(request)
        if log.isEnabledFor(logging.INFO):  # the fields cost more than the check
            _log_request(request, route, status, seconds)
        metrics.observe_request(request.method, route, status, seconds)


def _log_request(request: web.Request, route: str, status: int, seconds: float) -> None:
    caller = request.get(CALLER)
    log.info(
        "%s %s %d %.1fms",
        request.method,
        route,
        status,
        seconds * 1000,
        extra={
            "fields": {
                "request_id": request.get(REQUEST_ID),
                "user_id": caller.id if caller is not None else None,
                "method": request.method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
        },
    )
