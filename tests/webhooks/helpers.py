"""Shared steps of the webhook tests."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ocp import domains
from ocp.appkeys import EVENTS, SETTINGS
from ocp.events.consumers import consume
from tests.helpers import Account


async def catch_up(app: web.Application) -> int:
    """Publish what is pending and run the consumers now, as the worker does every second:
    deliveries are made and the due ones enqueued."""
    events = app[EVENTS]
    _ = await events.publish_pending()
    assert events.context is not None
    return await consume(events.context, domains.consumers(), dialect=app[SETTINGS].dialect)


async def register(
    admin: Account, url: str, event_types: list[str] | None = None, **more: Any
) -> dict[str, Any]:
    answer = await admin.client.post(
        "/api/v1/webhooks",
        json={"url": url, "event_types": event_types or ["*"], **more},
        headers=admin.csrf_headers(),
    )
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())


async def deliveries(admin: Account, webhook_id: int, query: str = "") -> list[dict[str, Any]]:
    answer = await admin.client.get(f"/api/v1/webhooks/{webhook_id}/deliveries{query}")
    assert answer.status == 200, await answer.text()
    return list((await answer.json())["items"])
