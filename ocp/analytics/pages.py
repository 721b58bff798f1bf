"""The live dashboard page: ``GET /dashboard`` and its two files, shipped in the package.

Plain HTML, CSS and JavaScript from ``static/`` (no build step, nothing from another
origin). The page signs in with the session API, reads the analytics API and follows
``analytics.updated`` on the WebSocket; its policy lets it load and connect to this origin
only, and run no inline script or style.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from aiohttp import web

from ocp.web.endpoint import PUBLIC, Endpoint

PAGES = "Dashboard"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@cache
def _file(name: str) -> tuple[bytes, str]:
    """A file of ``static/`` and its ETag (read once per process: the package does not change
    under a running server)."""
    body = resources.files("ocp.analytics").joinpath("static", name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _headers(etag: str, cache_control: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": cache_control,
        "ETag": etag,
    }


async def dashboard(request: web.Request) -> web.Response:
    body, etag = _file("dashboard.html")
    return web.Response(
        body=body, content_type="text/html", charset="utf-8", headers=_headers(etag, "no-store")
    )


async def _asset(request: web.Request, name: str, media_type: str) -> web.Response:
    body, etag = _file(name)
    # Revalidated on each load (the names carry no version): 304 while unchanged.
    headers = _headers(etag, "no-cache")
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=media_type, charset="utf-8", headers=headers)


async def dashboard_script(request: web.Request) -> web.Response:
    return await _asset(request, "dashboard.js", "text/javascript")


async def dashboard_style(request: web.Request) -> web.Response:
    return await _asset(request, "dashboard.css", "text/css")


UNCHANGED = {304: {"description": "Unchanged since the `ETag` sent in `If-None-Match`."}}

routes: list[Endpoint] = [
    Endpoint(
        "GET", "/dashboard", dashboard, PUBLIC, "The live analytics dashboard", PAGES,
        media_type="text/html",
        description=(
            "An HTML page for instructors and admins: sign in (or use the session), pick a "
            "course, and watch its figures, daily chart and lesson funnel move live over the "
            "WebSocket. Plain HTML, CSS and JavaScript served from here; its "
            "Content-Security-Policy allows this origin only."
        ),
    ),
    Endpoint(
        "GET", "/dashboard/dashboard.js", dashboard_script, PUBLIC, "The dashboard's script",
        PAGES, media_type="text/javascript", other_responses=UNCHANGED,
        description="Sent with an `ETag` and `Cache-Control: no-cache`.",
    ),
    Endpoint(
        "GET", "/dashboard/dashboard.css", dashboard_style, PUBLIC, "The dashboard's style sheet",
        PAGES, media_type="text/css", other_responses=UNCHANGED,
        description="Sent with an `ETag` and `Cache-Control: no-cache`.",
    ),
]  # fmt: skip
