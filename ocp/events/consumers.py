"""Consumers: domains that read the event log in batches, in the order it was published.

A reaction is a job per event: right for effects that stand alone (a notification, an
enrollment). A *consumer* is for effects that add up: rollups kept from many events, where a
job per event would cost more than the work. The worker (every process, when embedded)
hands each consumer, about once a second, the events published since its cursor, up to
``batch`` at a time, and calls its handler in the transaction that moves the cursor: a batch
takes effect exactly once, and a handler that fails leaves the cursor where it was, so the
batch comes again (the failure is logged; the next batches wait behind it).

The order is ``published_seq``, the order of commits (``ocp/events/models.py``). Events are
pruned after ``OCP_EVENT_RETENTION_DAYS``: a consumer stopped for longer misses the pruned
ones.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ocp.events.models import EventCursor, LoggedEvent
from ocp.events.reactions import DomainEvent
from ocp.jobs import JobContext

log = logging.getLogger("ocp.events")

BatchHandler = Callable[[JobContext, list[DomainEvent], BaseDBAsyncClient], Awaitable[None]]
AfterPass = Callable[[JobContext, list[DomainEvent]], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """``handler`` for the events of ``event_types``, in order, ``batch`` at most at a time;
    ``name`` keys its cursor (stable)."""

    name: str
    event_types: frozenset[str]
    handler: BatchHandler
    batch: int = 500
    # Called after each pass, once its batches have committed, with the events they held
    # (none, on a quiet pass): for effects outside the database, such as a live summary.
    after: AfterPass | None = None


def consumer(
    *event_types: str, name: str, batch: int = 500, after: AfterPass | None = None
) -> Callable[[BatchHandler], Consumer]:
    """Declare a consumer: ``@consumer("enrollment.created", ..., name="analytics")``."""

    def declare(handler: BatchHandler) -> Consumer:
        return Consumer(name, frozenset(event_types), handler, batch, after)

    return declare


async def _cursor(name: str, conn: BaseDBAsyncClient, *, skip_locked: bool) -> EventCursor | None:
    """The consumer's cursor, locked for ``conn``; None while another process holds it."""
    await EventCursor.bulk_create([EventCursor(name=name)], ignore_conflicts=True, using_db=conn)
    query = EventCursor.filter(name=name)
    query = query.select_for_update(skip_locked=True) if skip_locked else query.select_for_update()
    return await query.using_db(conn).first()


async def consume_once(
    context: JobContext,
    consumer: Consumer,
    *,
    dialect: str,
    handed: list[DomainEvent] | None = None,
) -> int:
    """Hand ``consumer`` its next batch; how many events were read (0: it is up to date, or
    another process is at it). The events handed over are added to ``handed``."""
    async with in_transaction() as conn:
        cursor = await _cursor(consumer.name, conn, skip_locked=dialect == "postgres")
        if cursor is None:
            return 0
        rows = (
            await LoggedEvent.filter(published_seq__gt=cursor.position)
            .order_by("published_seq")
            .limit(consumer.batch)
            .using_db(conn)
            .values("event_id", "type", "data", "occurred_at", "published_seq")
        )
        if not rows:
            return 0
        wanted = [
            DomainEvent(
                event_id=str(row["event_id"]),
                type=row["type"],
                data=row["data"],
                occurred_at=row["occurred_at"].isoformat(),
            )
            for row in rows
            if row["type"] in consumer.event_types
        ]
        if wanted:
            await consumer.handler(context, wanted, conn)
        cursor.position = int(rows[-1]["published_seq"])
        await cursor.save(update_fields=["position", "updated_at"], using_db=conn)
    if handed is not None:
        handed.extend(wanted)
    return len(rows)


async def consume(context: JobContext, consumers: list[Consumer], *, dialect: str) -> int:
    """Bring every consumer up to date; how many events were read. A consumer that fails is
    logged and left at its cursor (the next call tries again); the others go on."""
    read = 0
    for each in consumers:
        handed: list[DomainEvent] = []
        try:
            while count := await consume_once(context, each, dialect=dialect, handed=handed):
                read += count
                if count < each.batch:
                    break
        except Exception:
            log.exception("the event consumer %s failed; its batch comes again", each.name)
        if each.after is not None:
            try:
                await each.after(context, handed)
            except Exception:
                log.exception("the event consumer %s failed after its pass", each.name)
    return read
