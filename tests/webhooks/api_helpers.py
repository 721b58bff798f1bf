"""Shared steps of the webhook API tests: paths, a public URL, counting rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ocp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.helpers import Account
from tests.webhooks.helpers import register

HOOKS = "/api/v1/webhooks"
# A public address literal: accepted without asking DNS, never called by these tests.
PUBLIC_URL = "https://93.184.215.14/hook"


def one(hook_id: int | str) -> str:
    return f"{HOOKS}/{hook_id}"


def past(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def rows() -> tuple[int, int]:
    """How many endpoints and deliveries are stored."""
    return await WebhookEndpoint.all().count(), await WebhookDelivery.all().count()


async def hook_with_delivery(admin: Account, url: str = PUBLIC_URL) -> tuple[dict[str, Any], int]:
    """A registered endpoint and the id of its test delivery (not sent: no worker runs)."""
    hook = await register(admin, url)
    answer = await admin.client.post(f"{one(hook['id'])}/test", headers=admin.csrf_headers())
    assert answer.status == 202, await answer.text()
    return hook, int((await answer.json())["id"])


async def call(account: Account, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """A request as the account makes it: its session's CSRF header, or its Bearer token."""
    sent = {**(account.headers or account.csrf_headers()), **headers}
    return await account.client.request(method, path, json=body, headers=sent)
