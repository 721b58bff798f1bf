"""The catalog's query strings, each loaded through its schema once per process.

The long tail of searches repeats the same few thousand query strings; loading one through
``CatalogQuerySchema`` (and checking it is UTF-8) cost more than serving its cached answer
(py-spy, bench/RESULTS.md "Issue 14"). Loading depends on the query string alone, so the
result is kept per raw query string (the oldest of ``MAX_KEPT`` goes first); a query that
fails to load is not kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from aiohttp import web

from ocp.courses.schemas import CatalogQuerySchema
from ocp.web.pagination import window
from ocp.web.parsing import read_query

MAX_KEPT = 4096
MAX_KEPT_LENGTH = 512  # longer query strings are loaded each time, not kept
CATALOG_QUERY = CatalogQuerySchema()


@dataclass(frozen=True)
class CatalogQuery:
    page: int
    per_page: int
    filters: Mapping[str, Any]  # read-only: shared by every request with this query string
    key: str  # the filters as stable text, for cache keys


_kept: dict[str, CatalogQuery] = {}


def catalog_query(request: web.Request) -> CatalogQuery:
    """The request's catalog query (422/400 as ``read_query`` says when it does not load)."""
    raw = request.raw_path.partition("?")[2]
    found = _kept.get(raw)
    if found is None:
        query = read_query(request, CATALOG_QUERY)
        page, per_page = window(query)
        filters = {k: v for k, v in query.items() if k not in {"page", "per_page"}}
        key = json.dumps(filters, sort_keys=True)
        found = CatalogQuery(page, per_page, MappingProxyType(filters), key)
        if len(raw) <= MAX_KEPT_LENGTH:
            if len(_kept) >= MAX_KEPT:
                del _kept[next(iter(_kept))]
            _kept[raw] = found
    return found
