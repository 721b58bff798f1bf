"""Small server-rendered HTML pages (a checkout, an unsubscribe confirmation): no script,
plain forms that post to this service, and the headers that make those forms work."""

from __future__ import annotations

import html

from aiohttp import web

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
    "form{display:inline-block;margin:0 .5rem 0 0}button{font:inherit;padding:.5rem 1.2rem}"
    ".sandbox{background:#fff3cd;padding:.5rem 1rem;border-radius:.3rem}"
)


def html_page(title: str, body: str, *, refresh: bool = False) -> web.Response:
    """A page around ``body`` (already escaped HTML); ``refresh`` reloads it every 2 s."""
    meta = '<meta http-equiv="refresh" content="2">' if refresh else ""
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"{meta}<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    return web.Response(
        text=text,
        content_type="text/html",
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store",
            # Under the usual no-referrer, browsers send a form post's Origin as "null",
            # which the Origin check refuses: the page's own forms must name their origin.
            "Referrer-Policy": "same-origin",
        },
    )
