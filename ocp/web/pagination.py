"""Pages of lists: the envelope and the RFC 8288 ``Link`` header."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from marshmallow import Schema

from ocp.web.schemas import MAX_PER_PAGE


def window(query: dict[str, Any]) -> tuple[int, int]:
    """(page, per_page) from a loaded ``PageQuerySchema``, ``per_page`` capped at the maximum."""
    return int(query["page"]), min(int(query["per_page"]), MAX_PER_PAGE)


def offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def page_response(
    request: web.Request,
    *,
    items: Sequence[Any],
    schema: Schema,
    page: int,
    per_page: int,
    total: int,
) -> web.Response:
    body = {
        "items": schema.dump(items, many=True),
        "page": page,
        "per_page": per_page,
        "total": total,
    }
    last = max(1, -(-total // per_page))
    links = []
    for rel, number in (
        ("first", 1),
        ("prev", page - 1 if page > 1 else None),
        ("next", page + 1 if page < last else None),
        ("last", last),
    ):
        if number is not None:
            url = request.rel_url.update_query(page=number, per_page=per_page)
            links.append(f'<{url}>; rel="{rel}"')
    return web.Response(
        text=json.dumps(body), content_type="application/json", headers={"Link": ", ".join(links)}
    )
