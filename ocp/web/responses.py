"""Building JSON responses."""

from __future__ import annotations

import json
from typing import Any

import orjson
from aiohttp import web
from marshmallow import Schema


def json_body(obj: Any, *, status: int = 200) -> web.Response:
    """``obj`` (plain dicts, lists, strings, numbers, datetimes) as a JSON response, via orjson."""
    return web.Response(body=orjson.dumps(obj), status=status, content_type="application/json")


def dumped(schema: Schema, obj: Any, *, status: int = 200) -> web.Response:
    """``obj`` serialized by ``schema`` as a JSON response."""
    return web.Response(
        text=json.dumps(schema.dump(obj)), status=status, content_type="application/json"
    )


def no_content() -> web.Response:
    return web.Response(status=204)
