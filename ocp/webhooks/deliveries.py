"""From the event log to the receivers: deliveries made, handed out and tried again.

The consumer ``webhooks`` (``ocp/events/consumers.py``) turns each event an enabled endpoint
wants into a delivery row, in the transaction that moves its cursor: exactly once. After
each pass (about once a second, in the worker) :func:`dispatch` hands out the deliveries that
are due, up to ``BATCH`` of one endpoint to a job (``webhooks.deliver``) that makes one try of
each, side by side, in at most 10 s: a slow receiver holds a worker slot that long, and at
most ``IN_FLIGHT`` of one endpoint's deliveries (two jobs' worth) are out at once, so one
endpoint never holds up another's. A try that fails waits
about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (with 10% jitter) before the next; after
the eighth the delivery is ``failed``. A 410 turns the endpoint off, as does failing every
try for 5 days; admins hear of it through ``webhook.endpoint_disabled``.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from ocp.events import log as event_log
from ocp.events.reactions import DomainEvent
from ocp.jobs import JobContext
from ocp.webhooks import sender
from ocp.webhooks.catalog import wants
from ocp.webhooks.endpoints import secrets_in_use
from ocp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DELIVER_JOB = "webhooks.deliver"
PRUNE_JOB = "webhooks.prune"
SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
TRIES = len(SCHEDULE) + 1
JITTER = 0.1
# A try's claim on its delivery: longer than a try (10 s) and its bookkeeping. A worker that
# died mid-try leaves the delivery to be taken again after this.
LEASE = timedelta(seconds=30)
BATCH = 10  # deliveries of one endpoint a job tries side by side
IN_FLIGHT = 2 * BATCH  # deliveries of one endpoint out at once: two jobs' worth
FAILING_FOR = timedelta(days=5)
KEEP_FINISHED = timedelta(days=30)  # succeeded and failed deliveries are then deleted
PRUNE_BATCH = 5_000


def now() -> datetime:
    return datetime.now(UTC)


async def create_deliveries(
    ctx: JobContext, events: list[DomainEvent], conn: BaseDBAsyncClient
) -> None:
    """The consumer: one pending delivery per event and enabled endpoint that wants it."""
    endpoints = (
        await WebhookEndpoint.filter(enabled=True).using_db(conn).values("id", "event_types")
    )
    if not endpoints:
        return
    moment = now()
    rows = [
        WebhookDelivery(
            endpoint_id=endpoint["id"],
            event_id=event.event_id,
            type=event.type,
            occurred_at=datetime.fromisoformat(event.occurred_at),
            data=event.data,
            next_attempt_at=moment,
        )
        for event in events
        for endpoint in endpoints
        if wants(endpoint["event_types"], event.type)
    ]
    if rows:
        await WebhookDelivery.bulk_create(rows, ignore_conflicts=True, using_db=conn)


def _free() -> Q:
    """Not claimed by a try under way."""
    return Q(locked_until__isnull=True) | Q(locked_until__lte=now())


async def after_pass(ctx: JobContext, handed: list[DomainEvent]) -> None:
    """The consumer's ``after`` hook: hand out what is due, new deliveries and retries."""
    _ = await dispatch(ctx)


async def dispatch(ctx: JobContext, *, endpoint_id: int | None = None) -> int:
    """Claim the due deliveries (of one endpoint, or all) and enqueue tries of them, at most
    ``IN_FLIGHT`` per endpoint; how many."""
    moment = now()
    due = WebhookDelivery.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=moment, endpoint__enabled=True
    ).filter(_free())
    if endpoint_id is not None:
        due = due.filter(endpoint_id=endpoint_id)
    found: list[Any] = await due.distinct().values_list("endpoint_id", flat=True)
    handed_out = 0
    for each in sorted(set(found)):
        taken = await _claim(each, ctx.settings.dialect)
        for start in range(0, len(taken), BATCH):
            batch = taken[start : start + BATCH]
            first = batch[0]
            await ctx.jobs.enqueue(
                DELIVER_JOB,
                [row["id"] for row in batch],
                job_id=f"{DELIVER_JOB}:{first['id']}:{first['attempts']}",
            )
        handed_out += len(taken)
    return handed_out


async def _claim(endpoint_id: int, dialect: str) -> list[dict[str, Any]]:
    """Claim the endpoint's due deliveries, as many as it has room for out. Passes take
    turns on the endpoint's row (PostgreSQL skips one another's: the other pass is handing
    them out), so room is counted and taken by one at a time."""
    moment = now()
    async with in_transaction() as conn:
        locking = WebhookEndpoint.filter(id=endpoint_id, enabled=True).using_db(conn)
        if await locking.select_for_update(skip_locked=dialect == "postgres").first() is None:
            return []
        busy = (
            await WebhookDelivery.filter(
                endpoint_id=endpoint_id, status=DeliveryStatus.PENDING, locked_until__gt=moment
            )
            .using_db(conn)
            .count()
        )
        if busy >= IN_FLIGHT:
            return []
        picked = (
            await WebhookDelivery.filter(
                endpoint_id=endpoint_id,
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=moment,
            )
            .filter(_free())
            .using_db(conn)
            .order_by("next_attempt_at", "id")
            .limit(IN_FLIGHT - busy)
            .values("id", "attempts")
        )
        if picked:
            _ = await (
                WebhookDelivery.filter(id__in=[row["id"] for row in picked])
                .using_db(conn)
                .update(locked_until=moment + LEASE)
            )
    return picked


async def deliver(ctx: JobContext, delivery_ids: list[int]) -> None:
    """The job: one try of each of these deliveries (of one endpoint), side by side, each
    outcome recorded; then the endpoint's next due ones are handed out."""
    found = await WebhookDelivery.filter(
        id__in=delivery_ids, status=DeliveryStatus.PENDING
    ).select_related("endpoint")
    if not found:
        return
    endpoint = found[0].endpoint
    if not endpoint.enabled:
        _ = await WebhookDelivery.filter(id__in=[d.id for d in found]).update(locked_until=None)
        return
    signing_with = secrets_in_use(endpoint, now())
    outcomes = await asyncio.gather(
        *(
            sender.send(
                endpoint.url,
                message_id=str(delivery.event_id),
                body=sender.payload(delivery.type, delivery.occurred_at, delivery.data),
                secrets_in_use=signing_with,
                allow_private=ctx.settings.webhooks_allow_private,
            )
            for delivery in found
        )
    )
    for delivery, outcome in zip(found, outcomes, strict=True):
        await record_outcome(ctx, delivery, endpoint, outcome)
    _ = await dispatch(ctx, endpoint_id=endpoint.id)


def next_wait(round_attempts: int) -> timedelta | None:
    """The wait after try ``round_attempts`` failed, with jitter; None after the last."""
    if round_attempts >= TRIES:
        return None
    base = SCHEDULE[round_attempts - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311


async def record_outcome(
    ctx: JobContext,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    outcome: sender.Outcome,
) -> None:
    moment = now()
    tries = delivery.round_attempts + 1
    gone = outcome.status == 410
    wait = None if outcome.succeeded or gone else next_wait(tries)
    if outcome.succeeded:
        status = DeliveryStatus.SUCCEEDED
    else:
        status = DeliveryStatus.PENDING if wait is not None else DeliveryStatus.FAILED
    disabled: str | None = None
    async with in_transaction() as conn:
        _ = await (
            WebhookDelivery.filter(id=delivery.id, status=DeliveryStatus.PENDING)
            .using_db(conn)
            .update(
                status=status,
                attempts=F("attempts") + 1,
                round_attempts=tries,
                response_status=outcome.status,
                response_body=outcome.body,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                next_attempt_at=moment + wait if wait is not None else None,
                locked_until=None,
                updated_at=moment,
            )
        )
        if outcome.succeeded:
            _ = await (
                WebhookEndpoint.filter(id=endpoint.id, failing_since__isnull=False)
                .using_db(conn)
                .update(failing_since=None)
            )
        else:
            _ = await (
                WebhookEndpoint.filter(id=endpoint.id, failing_since__isnull=True)
                .using_db(conn)
                .update(failing_since=moment)
            )
            since = endpoint.failing_since
            if gone:
                disabled = "gone"
            elif since is not None and since <= moment - FAILING_FOR:
                disabled = "failing"
            if disabled is not None:
                turned_off = (
                    await WebhookEndpoint.filter(id=endpoint.id, enabled=True)
                    .using_db(conn)
                    .update(enabled=False, disabled_reason=disabled, updated_at=moment)
                )
                if turned_off:
                    await event_log.record(
                        conn,
                        type="webhook.endpoint_disabled",
                        data={"webhook_id": endpoint.id, "url": endpoint.url, "reason": disabled},
                        channels=["admin"],
                    )
                else:
                    disabled = None
    if disabled is not None:
        _ = await ctx.events.flush()


async def prune(ctx: JobContext) -> None:
    """The scheduled job: delete finished deliveries older than 30 days."""
    cutoff = now() - KEEP_FINISHED
    while True:
        ids = (
            await WebhookDelivery.filter(
                status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED], updated_at__lt=cutoff
            )
            .order_by("id")
            .limit(PRUNE_BATCH)
            .values_list("id", flat=True)
        )
        if not ids:
            return
        _ = await WebhookDelivery.filter(id__in=list(ids)).delete()
