"""Steps the delivery tests share: a receiver that counts requests in flight, a closed port,
events made on demand, and a delivery made due now instead of waiting."""

from __future__ import annotations

import asyncio
import socket
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from ocp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.helpers import Account
from tests.webhooks.receiver import Receiver, serving


@dataclass
class CountingReceiver(Receiver):
    """A :class:`Receiver` that also notes when each request arrived and how many were in
    flight at once at most."""

    in_flight: int = 0
    most_in_flight: int = 0
    arrivals: list[float] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.arrivals.append(asyncio.get_running_loop().time())
        try:
            return await super().handle(request)
        finally:
            self.in_flight -= 1


def counting_receiver(delay: float = 0.0) -> AbstractAsyncContextManager[CountingReceiver]:
    return serving(CountingReceiver(delay=delay))


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


async def add_lessons(teacher: Account, course_id: int, count: int = 1) -> list[int]:
    """``count`` ``lesson.created`` events: lessons added to a course."""
    ids = []
    for n in range(count):
        made = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons",
            json={"title": f"Extra {n + 1}"},
            headers=teacher.csrf_headers(),
        )
        assert made.status == 201, await made.text()
        ids.append(int((await made.json())["id"]))
    return ids


async def make_due(webhook_id: int) -> int:
    """Every pending delivery of the endpoint due now (as if its wait had passed)."""
    return await WebhookDelivery.filter(endpoint_id=webhook_id, status="pending").update(
        next_attempt_at=datetime.now(UTC)
    )


async def stored(delivery_id: int) -> WebhookDelivery:
    return await WebhookDelivery.get(id=delivery_id)


def wait_of(row: WebhookDelivery) -> timedelta:
    """The wait a failed try set: from the try's bookkeeping (``updated_at``) to the next."""
    assert row.next_attempt_at is not None
    return row.next_attempt_at - row.updated_at


async def endpoint_of(admin: Account, webhook_id: int) -> dict[str, Any]:
    answer = await admin.client.get(f"/api/v1/webhooks/{webhook_id}")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def set_failing_since(webhook_id: int, ago: timedelta) -> None:
    _ = await WebhookEndpoint.filter(id=webhook_id).update(failing_since=datetime.now(UTC) - ago)


async def notifications(account: Account, type: str) -> list[dict[str, Any]]:
    answer = await account.client.get("/api/v1/notifications")
    assert answer.status == 200, await answer.text()
    return [n for n in (await answer.json())["items"] if n["type"] == type]


async def post(admin: Account, path: str, body: Any = None) -> tuple[int, Any]:
    answer = await admin.client.post(path, json=body, headers=admin.csrf_headers())
    text = await answer.text()
    return answer.status, (await answer.json()) if text else None
