"""Pages of lists: the envelope and the RFC 8288 ``Link`` header."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson
from aiohttp import web
from marshmallow import Schema

from ocp.web.schemas import MAX_PER_PAGE


def window(query: dict[str, Any]) -> tuple[int, int]:
    """(page, per_page) from a loaded ``PageQuerySchema``, ``per_page`` capped at the maximum."""
    return int(query["page"]), min(int(query["per_page"]), MAX_PER_PAGE)


def offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def links(request: web.Request, *, page: int, per_page: int, total: int) -> str:
    """The ``Link`` header of a page: first, prev, next and last."""
    last = max(1, -(-total // per_page))
    found = []
    for rel, number in (
        ("first", 1),
        ("prev", page - 1 if page > 1 else None),
        ("next", page + 1 if page < last else None),
        ("last", last),
    ):
        if number is not None:
            url = request.rel_url.update_query(page=number, per_page=per_page)
            found.append(f'<{url}>; rel="{rel}"')
    return ", ".join(found)


def page_body(*, items: list[Any], page: int, per_page: int, total: int) -> bytes:
    """The envelope of a page of plain items (dicts, lists, strings, numbers, datetimes)."""
    return orjson.dumps({"items": items, "page": page, "per_page": per_page, "total": total})


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
    return web.Response(
        text=json.dumps(body),
        content_type="application/json",
        headers={"Link": links(request, page=page, per_page=per_page, total=total)},
    )


def plain_page_response(
    request: web.Request, *, items: list[Any], page: int, per_page: int, total: int
) -> web.Response:
    """A page of items already in their JSON shape (dicts of plain values)."""
    return web.Response(
        body=page_body(items=items, page=page, per_page=per_page, total=total),
        content_type="application/json",
        headers={"Link": links(request, page=page, per_page=per_page, total=total)},
    )
