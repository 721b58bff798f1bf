"""Record domain events with the change they describe; publish them once it has committed.

A service calls :func:`record` inside its transaction, so the event exists exactly when the
change does, then :meth:`EventLog.flush` after the commit. Publishing takes what is
unpublished, in the log's order, under one lock across processes (a PostgreSQL advisory
lock; one process when embedded), puts it on the bus and marks it published. Whatever a
failure leaves behind (Redis down, a process that died between commit and publish) is
published by the sweeper every process runs, within seconds of the bus being reachable.

The bus skips an event it has already put on a channel (the log's ``id`` per channel, see
``ocp/realtime/bus.py``), so an event published twice, after a crash between the publish
and its mark, still appears once in a channel's history; consumers may also drop
duplicates by ``event_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from ocp.events import consumers as event_consumers
from ocp.events.models import HandledEvent, LoggedEvent
from ocp.events.reactions import REACT_JOB, DomainEvent, Reaction, Reactions, react_job_id
from ocp.realtime.bus import Bus
from ocp.realtime.events import check_channel

if TYPE_CHECKING:
    from ocp.jobs import JobContext

log = logging.getLogger("ocp.events")

BATCH = 200  # events published per round
SWEEP_EVERY = 1.0  # seconds between sweeps while all is well
SWEEP_BACKOFF_MAX = 2.0  # at most this long between tries while the bus is down
PRUNE_EVERY = 3600.0  # seconds between prunes of old published events
PRUNE_BATCH = 10_000
# Reactions the queue lost (Redis restarted without persistence) are enqueued again: those
# with nothing in event_handled this long after their event was published...
REDELIVER_AFTER = timedelta(seconds=60)
# ...looking back this far, every REDELIVER_EVERY seconds.
REDELIVER_WINDOW = timedelta(hours=1)
REDELIVER_EVERY = 30.0
PENDING_FIELDS = (  # the columns a publishing round reads
    "id",
    "event_id",
    "type",
    "data",
    "channels",
    "occurred_at",
)
FLUSH_WAIT = 2.0  # a request waits at most this long for its events to be published
# One number for the advisory lock that makes publishing single-file across processes.
RELAY_LOCK = 0x6F6370_6576  # "ocp" "ev"


async def record(
    conn: BaseDBAsyncClient | None,
    *,
    type: str,
    data: dict[str, Any],
    channels: Sequence[str],
) -> None:
    """Write an event in the caller's transaction (``conn``); published after it commits."""
    for channel in channels:
        check_channel(channel)
    _ = await LoggedEvent.create(
        event_id=uuid.uuid4(),
        type=type,
        data=data,
        channels=list(channels),
        using_db=conn,
    )


async def record_many(
    conn: BaseDBAsyncClient | None,
    events: Sequence[tuple[str, dict[str, Any], Sequence[str]]],
) -> None:
    """:func:`record` for several events (type, data, channels), in one statement."""
    for _, _, channels in events:
        for channel in channels:
            check_channel(channel)
    if events:
        await LoggedEvent.bulk_create(
            [
                LoggedEvent(event_id=uuid.uuid4(), type=type, data=data, channels=list(channels))
                for type, data, channels in events
            ],
            using_db=conn,
        )


def _received(event: LoggedEvent) -> DomainEvent:
    return DomainEvent(
        event_id=str(event.event_id),
        type=event.type,
        data=event.data,
        occurred_at=event.occurred_at.isoformat(),
    )


def _received_row(row: Mapping[str, Any]) -> DomainEvent:
    """:func:`_received` of a row read as plain values (``PENDING_FIELDS``)."""
    return DomainEvent(
        event_id=str(row["event_id"]),
        type=row["type"],
        data=row["data"],
        occurred_at=row["occurred_at"].isoformat(),
    )


class EventLog:
    """This process's publisher of the log: flushes after commits and a sweeper."""

    def __init__(
        self, bus: Bus, *, dialect: str, retention_days: int = 7, hold_ms: int = 0
    ) -> None:
        self.bus = bus
        self._hold = hold_ms / 1000
        self._advisory = dialect == "postgres"
        self._retention = timedelta(days=retention_days)
        self._lock = asyncio.Lock()
        self._next: asyncio.Future[bool] | None = None  # the round flushes now wait for
        self._sweeper: asyncio.Task[None] | None = None
        self._running: set[asyncio.Future[bool]] = set()
        self._wake = asyncio.Event()
        self.reactions = Reactions()
        self._context: JobContext | None = None
        self._dialect = dialect
        self._consumers: list[event_consumers.Consumer] = []

    @property
    def context(self) -> JobContext | None:
        """What reactions run with, once bound."""
        return self._context

    def bind(self, context: JobContext, reactions: Reactions) -> None:
        """From now on, publishing an event also starts the reactions to it."""
        self._context = context
        self.reactions = reactions

    def run_consumers(self, consumers: list[event_consumers.Consumer]) -> None:
        """This process (the worker; the only one when embedded) also hands the log's
        consumers what was published, at each sweep."""
        self._consumers = list(consumers)

    async def consume(self) -> int:
        """Bring the consumers up to date now; how many events they read."""
        if self._context is None or not self._consumers:
            return 0
        return await event_consumers.consume(self._context, self._consumers, dialect=self._dialect)

    async def flush(self) -> bool:
        """Publish what is pending, including every event committed before this call.
        Waits at most FLUSH_WAIT seconds; False when publishing failed or is still going
        on (it carries on by itself, and the sweeper retries: nothing committed is lost).
        Callers share rounds: every flush made before a round starts reading is served by
        it, so many parallel requests cost one round, not one each. A round runs in a task
        of its own, so a caller that gives up never cancels it half way through a database
        call."""
        run = self._next
        if run is None:
            run = self._next = asyncio.ensure_future(self._next_round())
            self._running.add(run)
            run.add_done_callback(self._running.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(run), FLUSH_WAIT)
        except TimeoutError:
            log.warning("publishing events is slow; it goes on in the background")
            return False

    async def _next_round(self) -> bool:
        try:
            async with self._lock:  # after the round under way, which may predate a commit
                self._next = None  # a flush from now on may follow a commit it cannot see
                await self._publish_pending()
            return True
        except Exception as error:  # any failure: the sweeper retries
            log.warning("publishing events failed; the sweeper will retry: %r", error)
            self._wake.set()
            return False

    async def publish_pending(self) -> int:
        """One round of the sweeper: publish everything pending; how many events."""
        async with self._lock:
            return await self._publish_pending()

    async def _publish_pending(self) -> int:
        published = 0
        while True:
            async with in_transaction() as conn:
                if self._advisory:
                    await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [RELAY_LOCK])
                batch = (  # plain values, not model objects: this runs after every change
                    await LoggedEvent.filter(published_at=None)
                    .order_by("id")
                    .limit(BATCH)
                    .using_db(conn)
                    .values(*PENDING_FIELDS)
                )
                if batch and self._hold:
                    await asyncio.sleep(self._hold)  # tests only (Settings)
                for row in batch:
                    for channel in row["channels"]:
                        await self.bus.publish(
                            channel,
                            row["type"],
                            row["data"],
                            event_id=str(row["event_id"]),
                            sequence=row["id"],
                        )
                    await self._start_reactions(row)
                if batch:
                    # Under the lock, rounds commit one after the other: each numbers its
                    # events after the last round's, in id order.
                    last = await (
                        LoggedEvent.filter(published_seq__isnull=False)
                        .order_by("-published_seq")
                        .limit(1)
                        .using_db(conn)
                        .values_list("published_seq", flat=True)
                    )
                    shift = (int(str(last[0])) if last else 0) + 1 - int(batch[0]["id"])
                    await (
                        LoggedEvent.filter(id__in=[row["id"] for row in batch])
                        .using_db(conn)
                        .update(published_at=datetime.now(UTC), published_seq=F("id") + shift)
                    )
            published += len(batch)
            if len(batch) < BATCH:
                return published

    async def _start_reactions(self, event: Mapping[str, Any]) -> None:
        """Run the immediate reactions to ``event`` and enqueue the others (before the
        event is marked published, so a failure here has the whole round retried)."""
        reactions = self.reactions.to(event["type"])
        if not reactions or self._context is None:
            return
        received = _received_row(event)
        for reaction in reactions:
            if reaction.immediate is not None:
                await reaction.immediate(self._context, received)
            else:
                await self._enqueue(reaction, received)

    async def _enqueue(self, reaction: Reaction, event: DomainEvent) -> None:
        assert self._context is not None
        await self._context.jobs.enqueue(
            REACT_JOB,
            reaction.name,
            event.as_job_argument(),
            job_id=react_job_id(reaction.name, event.event_id),
        )

    async def redeliver(self) -> int:
        """Enqueue again every reaction that has neither run nor failed for good a while
        after its event was published (a queue that lost it), and run again the immediate
        ones whose effect is still needed; how many. The job id keeps a still-queued one
        from being doubled, the record of what ran keeps the effect to one."""
        if self._context is None:
            return 0
        now = datetime.now(UTC)
        enqueued = 0
        for reaction in self.reactions.by_name.values():
            recent = LoggedEvent.filter(
                type__in=sorted(reaction.event_types),
                published_at__lt=now - REDELIVER_AFTER,
                published_at__gte=now - REDELIVER_WINDOW,
            )
            if reaction.handler is not None:
                seen = HandledEvent.filter(handler=reaction.name).values("event_id")
                lost = await recent.exclude(event_id__in=Subquery(seen)).order_by("id").limit(BATCH)
                for event in lost:
                    await self._enqueue(reaction, _received(event))
                enqueued += len(lost)
            elif reaction.immediate is not None and reaction.still_needed is not None:
                candidates = [_received(event) for event in await recent.order_by("id")]
                for chunk in range(0, len(candidates), BATCH):
                    for received in await reaction.still_needed(candidates[chunk : chunk + BATCH]):
                        await reaction.immediate(self._context, received)
                        enqueued += 1
        return enqueued

    async def prune(self) -> int:
        """Delete published events, and the record of reactions run, older than the
        retention; how many events."""
        cutoff = datetime.now(UTC) - self._retention
        deleted = 0
        while True:
            ids = (
                await LoggedEvent.filter(published_at__lt=cutoff)
                .order_by("id")
                .limit(PRUNE_BATCH)
                .values_list("id", flat=True)
            )
            if not ids:
                break
            deleted += await LoggedEvent.filter(id__in=list(ids)).delete()
        while True:
            handled = (
                await HandledEvent.filter(handled_at__lt=cutoff)
                .order_by("id")
                .limit(PRUNE_BATCH)
                .values_list("id", flat=True)
            )
            if not handled:
                return deleted
            _ = await HandledEvent.filter(id__in=list(handled)).delete()

    def start(self) -> None:
        """Run the sweeper in this process until :meth:`close`."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(), name="ocp-event-sweeper")

    def wake(self) -> None:
        """Sweep now (the bus came back)."""
        self._wake.set()

    async def _sweep(self) -> None:
        delay = SWEEP_EVERY
        last_prune = 0.0
        loop = asyncio.get_running_loop()
        last_redelivery = loop.time()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()
            try:
                count = await self.publish_pending()
                if count:
                    log.info("the sweeper published %d pending events", count)
                _ = await self.consume()
                if loop.time() - last_prune > PRUNE_EVERY:
                    last_prune = loop.time()
                    if pruned := await self.prune():
                        log.info("pruned %d published events", pruned)
                if loop.time() - last_redelivery > REDELIVER_EVERY:
                    last_redelivery = loop.time()
                    if redelivered := await self.redeliver():
                        log.warning("enqueued %d lost reactions again", redelivered)
                delay = SWEEP_EVERY
            except Exception as error:  # the database or the bus is down
                log.warning("the event sweeper could not publish: %r", error)
                delay = min(delay * 2, SWEEP_BACKOFF_MAX)

    async def close(self) -> None:
        """Stop the sweeper after the publishing under way has finished."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
