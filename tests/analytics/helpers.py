"""Shared steps of the analytics tests."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ocp import domains
from ocp.appkeys import EVENTS, SETTINGS
from ocp.events.consumers import consume
from tests.helpers import Account


async def catch_up(app: web.Application) -> int:
    """Publish what is pending and hand it to the consumers now (the worker does it every
    second): the rollups are then up to date. How many events the consumers read."""
    events = app[EVENTS]
    _ = await events.publish_pending()
    assert events.context is not None
    dialect = app[SETTINGS].dialect
    return await consume(events.context, domains.consumers(), dialect=dialect)


async def report(account: Account, course_id: int, query: str = "") -> dict[str, Any]:
    answer = await account.client.get(f"/api/v1/courses/{course_id}/analytics{query}")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())
