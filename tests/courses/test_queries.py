"""Catalog query strings are loaded through the schema once per process, and only if valid."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from marshmallow import Schema

from ocp.courses import queries
from ocp.errors import ValidationFailed


def _request(query: str) -> web.Request:
    return make_mocked_request("GET", f"/api/v1/courses?{query}")


def test_one_query_string_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []
    read_query = queries.read_query

    def counted(request: web.Request, schema: Schema) -> dict[str, object]:
        loads.append("load")
        return read_query(request, schema)

    monkeypatch.setattr(queries, "read_query", counted)
    first = queries.catalog_query(_request("q=python+django&page=2&price_max=20"))
    again = queries.catalog_query(_request("q=python+django&page=2&price_max=20"))
    assert again is first and loads == ["load"]
    assert (first.page, first.per_page) == (2, 20)
    assert dict(first.filters) == {"q": "python django", "price_max": 2000, "sort": "relevance"}
    with pytest.raises(TypeError):
        first.filters["q"] = "changed"  # type: ignore[index]
    other = queries.catalog_query(_request("q=python+django&page=3&price_max=20"))
    assert other.key == first.key and loads == ["load", "load"]


def test_invalid_queries_fail_every_time_and_are_not_kept() -> None:
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            queries.catalog_query(_request("sort=cheapest"))
    assert "sort=cheapest" not in queries._kept


def test_the_kept_queries_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "MAX_KEPT", 3)
    monkeypatch.setattr(queries, "_kept", {})
    for page in range(1, 6):
        queries.catalog_query(_request(f"page={page}"))
    assert list(queries._kept) == ["page=3", "page=4", "page=5"]
    queries.catalog_query(_request("q=" + "x" * 200 + "&tag=" + "y" * 40 + "&" * 300))
    assert len(queries._kept) == 3
