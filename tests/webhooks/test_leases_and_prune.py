"""A try whose worker died is taken again once its lease lapses, not before; finished
deliveries older than 30 days are pruned, pending ones never."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient

from ocp.appkeys import EVENTS
from ocp.webhooks import deliveries
from ocp.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.helpers import Users
from tests.webhooks.helpers import catch_up, register
from tests.webhooks.receiver import receiver

RunJobs = Callable[[], Awaitable[int]]


async def test_a_try_whose_worker_died_is_taken_again_after_its_lease(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    async with receiver() as target:
        hook = await register(admin, target.url, ["order.paid"])
        sent = await admin.client.post(
            f"/api/v1/webhooks/{hook['id']}/test", headers=admin.csrf_headers()
        )
        assert sent.status == 202, await sent.text()
        delivery_id = (await sent.json())["id"]
        # A worker claimed it and died mid-try: the claim still holds for a while.
        held = datetime.now(UTC) + timedelta(seconds=20)
        await WebhookDelivery.filter(id=delivery_id).update(locked_until=held)
        await catch_up(client.app)
        await run_jobs()
        assert target.received == [], "a claim that still holds is left alone"
        retried = await admin.client.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/retry",
            headers=admin.csrf_headers(),
        )
        assert retried.status == 409, "an admin's retry waits for the try under way too"

        lapsed = datetime.now(UTC) - timedelta(seconds=1)
        await WebhookDelivery.filter(id=delivery_id).update(locked_until=lapsed)
        await catch_up(client.app)
        await run_jobs()
        assert len(target.received) == 1
        assert target.verify(hook["secret"])["type"] == "webhook.test"
        row = await WebhookDelivery.get(id=delivery_id)
        assert row.status == DeliveryStatus.SUCCEEDED and row.locked_until is None


async def test_finished_deliveries_are_pruned_after_30_days_and_pending_ones_kept(
    users: Users, client: TestClient
) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, "http://127.0.0.1:9/x", ["order.paid"])
    made = []
    for _ in range(4):
        answer = await admin.client.post(
            f"/api/v1/webhooks/{hook['id']}/test", headers=admin.csrf_headers()
        )
        made.append((await answer.json())["id"])
    old = datetime.now(UTC) - timedelta(days=31)
    recent = datetime.now(UTC) - timedelta(days=29)
    for delivery_id, status, when in (
        (made[0], DeliveryStatus.SUCCEEDED, old),
        (made[1], DeliveryStatus.FAILED, old),
        (made[2], DeliveryStatus.SUCCEEDED, recent),
        (made[3], DeliveryStatus.PENDING, old),
    ):
        await WebhookDelivery.filter(id=delivery_id).update(status=status, updated_at=when)
    context = client.app[EVENTS].context
    assert context is not None
    await deliveries.prune(context)
    assert sorted(await WebhookDelivery.all().values_list("id", flat=True)) == made[2:]
