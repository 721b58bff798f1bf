"""A warning, once per process, when a proxy forwards addresses that we are told to ignore.

Behind a proxy with ``OCP_TRUST_FORWARDED`` off, every client has the proxy's address: the
sign-in and registration limits then count everyone together, and logs name the proxy.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ocp.config import Settings

log = logging.getLogger("ocp.web")

HEADER = "X-Forwarded-For"
WARNING = (
    "a request arrived with X-Forwarded-For while OCP_TRUST_FORWARDED is off: client "
    "addresses (sign-in and registration limits) are the proxy's. Behind your own proxy, set "
    "OCP_TRUST_FORWARDED=true; otherwise ignore this (said once per process)"
)


def forwarded_warning_middleware(settings: Settings) -> Middleware | None:
    """A middleware that logs :data:`WARNING` at the first forwarded request, or None when
    forwarded addresses are trusted (nothing to warn about)."""
    if settings.trust_forwarded:
        return None
    warned = False

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal warned
        if not warned and HEADER in request.headers:
            warned = True
            log.warning(WARNING)
        return await handler(request)

    return middleware
