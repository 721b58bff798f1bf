"""Serving a stored file: aiohttp's ``FileResponse`` with the ``Range`` rules of RFC 9110.

What a download answers, in this order (aiohttp's own precedence, RFC 9110 section 13.2.2):
``If-Match`` or ``If-Unmodified-Since`` failing: 412; ``If-None-Match`` matching (or an
unchanged ``If-Modified-Since``): 304; then the range. Only ``GET`` honours ``Range``
(section 14.2), and only one byte range: a header that is not a valid ``bytes`` range set
(``bytes=abc``, ``bytes=5-1``, ``items=0-1``, ``bytes=``, two ``Range`` fields) is ignored, as
is a request for several ranges (no ``multipart/byteranges`` here): the whole file, 200. A
valid range that starts at or past the end (``bytes=500-`` of a 100-byte file, or
``bytes=-0``) is unsatisfiable: 416 with ``Content-Range: bytes */<size>`` and no body.
Anything else: 206 with ``Content-Range``.

``prepare`` may run twice, as it must: the observe middleware sends responses itself, and
aiohttp then prepares whatever the middleware returned once more. Use this class, never
aiohttp's ``FileResponse``, whose second ``prepare`` starts over and fails.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aiohttp import hdrs, web
from aiohttp.abc import AbstractStreamWriter
from multidict import CIMultiDict

# Byte positions longer than this are past the end of any file we could store.
_MAX_DIGITS = 18
_INT_RANGE = re.compile(r"([0-9]+)-([0-9]*)")
_SUFFIX_RANGE = re.compile(r"-([0-9]+)")
_OWS = " \t"


def honoured_range(method: str, values: list[str], size: int) -> str | None:
    """The ``Range`` to act on for a file of ``size`` bytes, in a form aiohttp reads exactly
    as RFC 9110 means it; None when the request's ``Range`` fields are to be ignored."""
    if method != hdrs.METH_GET or len(values) != 1:
        return None
    unit, equals, range_set = values[0].strip(_OWS).partition("=")
    if not equals or unit.lower() != "bytes":
        return None
    specs = [spec.strip(_OWS) for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]  # empty list elements are allowed, and ignored
    if len(specs) != 1:
        return None
    if suffix := _SUFFIX_RANGE.fullmatch(specs[0]):
        length = _position(suffix[1])
        if length == 0 or size == 0:
            return f"bytes={size}-"  # unsatisfiable
        return f"bytes=-{min(length, size)}"
    if whole := _INT_RANGE.fullmatch(specs[0]):
        first = _position(whole[1])
        last = _position(whole[2]) if whole[2] else None
        if last is not None and last < first:
            return None  # invalid, so the whole header is ignored
        if first >= size:
            return f"bytes={size}-"  # unsatisfiable
        return f"bytes={first}-" if last is None else f"bytes={first}-{min(last, size - 1)}"
    return None


def _position(digits: str) -> int:
    """A byte position or length; absurdly long ones are capped (still past any end)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


class FileResponse(web.FileResponse):
    """A file with conditional requests and one byte range, as the module describes."""

    def __init__(
        self, path: Path, *, chunk_size: int, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(path, chunk_size=chunk_size, headers=headers)
        self._file = path

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        if self.prepared:
            return await web.StreamResponse.prepare(self, request)
        values = request.headers.getall(hdrs.RANGE, [])
        if not values:
            return await super().prepare(request)
        try:
            size = (await asyncio.to_thread(self._file.stat)).st_size
        except OSError:
            return await super().prepare(request)  # aiohttp answers for a missing file
        wanted = honoured_range(request.method, values, size)
        if values == [wanted]:
            return await super().prepare(request)
        return await super().prepare(request.clone(headers=_with_range(request, wanted)))


def _with_range(request: web.BaseRequest, value: str | None) -> CIMultiDict[str]:
    """The request's headers with ``Range`` replaced by ``value`` (or removed). Fields whose
    bytes were not UTF-8 are left out: ``clone`` could not encode them, and none of them is
    one that serving a file reads."""
    headers: CIMultiDict[str] = CIMultiDict()
    for name, field in request.headers.items():
        if name.lower() != "range" and _encodable(field):
            headers.add(name, field)
    if value is not None:
        headers[hdrs.RANGE] = value
    return headers


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
