"""CORS for the front-end origins listed in ``OCP_ALLOWED_ORIGINS`` (and no others)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ocp.appkeys import SETTINGS

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-CSRF-Token, X-Request-ID"
EXPOSED_HEADERS = "Idempotent-Replayed, Link, Location, Retry-After, X-Request-ID"
PREFLIGHT_MAX_AGE = "600"


def _allowed_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin", "").rstrip("/")
    return origin if origin and origin in request.app[SETTINGS].allowed_origins else None


@web.middleware
async def cors_preflight_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Answer preflights from allowed origins; everything else goes on untouched."""
    if (
        request.method == "OPTIONS"
        and "Access-Control-Request-Method" in request.headers
        and _allowed_origin(request)
    ):
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            },
        )
    return await handler(request)


def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let an allowed origin read the response, cookies included."""
    origin = _allowed_origin(request)
    response.headers.add("Vary", "Origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
