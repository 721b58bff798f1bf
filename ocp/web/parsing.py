"""Reading requests: JSON bodies and query strings through a schema, with the right errors."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from marshmallow import Schema, ValidationError

from ocp.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ocp.web.schemas import MAX_ID

SHORT_BODY = 256  # bytes: too few to nest anywhere near the interpreter's recursion limit


async def read_body(request: web.Request, schema: Schema) -> dict[str, Any]:
    """The JSON body loaded by ``schema``: 415 not JSON, 413 too big, 400 malformed, 422 invalid."""
    return load(schema, await read_json(request))


async def read_json(request: web.Request) -> Any:
    """The JSON body as parsed, not yet loaded: 415 not JSON, 413 too big, 400 malformed."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType("Send the body as application/json")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(f"The body is larger than {request.client_max_size} bytes") from None
    try:
        data = json.loads(raw)
        if not _surrogate_free(raw):
            # Valid JSON may still hold lone surrogates ("\ud800") that no database can store.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise BadRequest("The body is not valid JSON in UTF-8") from None
    return data


def _surrogate_free(raw: bytes) -> bool:
    """A short body of plain ASCII without escapes or NULs cannot decode to a lone surrogate
    (NULs could make ``json.loads`` read it as UTF-16) nor nest deep enough for the check to
    overflow; anything else gets the full check."""
    return len(raw) <= SHORT_BODY and raw.isascii() and b"\\u" not in raw and b"\x00" not in raw


def read_query(request: web.Request, schema: Schema) -> dict[str, Any]:
    """The query string loaded by ``schema``; a repeated parameter is a 422."""
    data: dict[str, str] = {}
    for name in request.query:
        values = request.query.getall(name)
        if not all(_is_utf8(text) for text in (name, *values)):
            raise BadRequest("The query string is not valid UTF-8")
        if len(values) > 1:
            raise ValidationFailed(errors={name: ["Give this parameter once."]})
        data[name] = values[0]
    return load(schema, data)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load(schema: Schema, data: Any) -> dict[str, Any]:
    try:
        result = schema.load(data)
    except ValidationError as error:
        messages = (
            error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        )
        raise ValidationFailed(errors=messages) from None
    assert isinstance(result, dict)
    return result


def path_id(request: web.Request, name: str = "id") -> int:
    """An id from the path: ASCII digits within the column's range; anything else is a 404."""
    raw = request.match_info[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        raise NotFound()
    value = int(raw)
    if not 0 < value <= MAX_ID:
        raise NotFound()
    return value
