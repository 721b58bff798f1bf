"""Reactions: what a domain does when an event of another (or its own) happens.

A domain declares them with :func:`on` and lists them in its declaration (``ocp/domains.py``).
When the event log publishes an event (``ocp/events/log.py``) it also enqueues, for each
reaction to its type, the job ``react`` (job id ``react:<reaction>:<event_id>``). The job
runs the handler in a transaction that first writes ``(reaction, event_id)`` to
``event_handled``: a second delivery finds the row and does nothing, and a handler that fails
rolls its effect back with the row, so the retry (the job runner's backoff) starts clean.
Events the handler records in that transaction are published after it commits. Each
reaction is a job of its own: one that fails holds up neither the others nor the request.
A reaction that fails on its last try is recorded as ``failed`` and left alone.

The queue lives in Redis, which may lose a job (a restart without persistence, the last
second of an append-only file). So the publisher also *redelivers*: a reaction with no row in
``event_handled`` a minute after its event was published is enqueued again (the job id keeps
one queued at a time; the row keeps the effect to one). An immediate reaction that enqueues a
job declares ``still_needed`` (an upload still ``processing``), and is run again for those.

An *immediate* reaction runs in the publisher itself, before the event is marked published
(``on(..., immediate=True)``). It is for cheap, idempotent effects outside the database that
must not lag (dropping cached catalog answers); it runs again if publishing is retried.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ocp.events.models import HandledEvent
from ocp.jobs import JobContext, JobSpec

log = logging.getLogger("ocp.events")

REACT_JOB = "react"


@dataclass(frozen=True)
class DomainEvent:
    """An event as a reaction receives it."""

    event_id: str
    type: str
    data: dict[str, Any]
    occurred_at: str

    def as_job_argument(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type,
            "data": self.data,
            "occurred_at": self.occurred_at,
        }


Handler = Callable[[JobContext, DomainEvent, BaseDBAsyncClient], Awaitable[None]]
ImmediateHandler = Callable[[JobContext, DomainEvent], Awaitable[None]]
StillNeeded = Callable[[list[DomainEvent]], Awaitable[list[DomainEvent]]]


@dataclass(frozen=True)
class Reaction:
    """``handler`` for events of ``event_types``, known as ``name`` (stable: it keys the
    record of what has been handled)."""

    name: str
    event_types: frozenset[str]
    handler: Handler | None = None
    immediate: ImmediateHandler | None = None
    still_needed: StillNeeded | None = None


def on(*event_types: str, name: str | None = None) -> Callable[[Handler], Reaction]:
    """Declare a reaction: ``@on("lesson.created")`` over
    ``async def handler(ctx, event, conn)``; ``conn`` is the transaction of its effect."""

    def declare(handler: Handler) -> Reaction:
        return Reaction(_name(handler, name), frozenset(event_types), handler=handler)

    return declare


def on_publish(
    *event_types: str, name: str | None = None, still_needed: StillNeeded | None = None
) -> Callable[[ImmediateHandler], Reaction]:
    """Declare an immediate reaction: ``async def handler(ctx, event)``, run by the
    publisher; cheap and idempotent. Its effect leaves no record, so when it must not be
    lost (it enqueues a job), ``still_needed`` says which of some events of a while ago
    still lack it; those are run again (``EventLog.redeliver``)."""

    def declare(handler: ImmediateHandler) -> Reaction:
        return Reaction(
            _name(handler, name),
            frozenset(event_types),
            immediate=handler,
            still_needed=still_needed,
        )

    return declare


def _name(handler: Callable[..., Any], given: str | None) -> str:
    return given or f"{handler.__module__.removeprefix('ocp.')}.{handler.__name__}"


@dataclass
class Reactions:
    """Every domain's reactions, by event type."""

    by_name: dict[str, Reaction] = field(default_factory=dict)
    by_type: dict[str, list[Reaction]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, reactions: Iterable[Reaction]) -> Reactions:
        table = cls()
        for reaction in reactions:
            if reaction.name in table.by_name:
                raise ValueError(f"two reactions are named {reaction.name!r}")
            table.by_name[reaction.name] = reaction
            for type in reaction.event_types:
                table.by_type[type].append(reaction)
        return table

    def to(self, type: str) -> list[Reaction]:
        return self.by_type.get(type, [])


def react_job_id(reaction: str, event_id: str) -> str:
    return f"react:{reaction}:{event_id}"


async def react(ctx: JobContext, name: str, event: dict[str, Any]) -> None:
    """The job: run reaction ``name`` for ``event`` once (see the module's docstring)."""
    reaction = ctx.events.reactions.by_name.get(name)
    if reaction is None or reaction.handler is None:
        log.warning("no reaction named %r: the event %s is skipped", name, event.get("event_id"))
        return
    received = DomainEvent(**event)
    if await HandledEvent.exists(handler=name, event_id=received.event_id):
        return
    try:
        async with in_transaction() as conn:
            _ = await HandledEvent.create(handler=name, event_id=received.event_id, using_db=conn)
            await reaction.handler(ctx, received, conn)
    except IntegrityError:
        if await HandledEvent.exists(handler=name, event_id=received.event_id):
            return  # a parallel delivery of the same event committed first
        await _gave_up_on_last_try(ctx, name, received)
        raise
    except Exception:
        await _gave_up_on_last_try(ctx, name, received)
        raise
    _ = await ctx.events.flush()


async def _gave_up_on_last_try(ctx: JobContext, name: str, event: DomainEvent) -> None:
    """On the last try, record that the reaction failed for good, so that redelivery
    (``EventLog.redeliver``) leaves it be; the runner logs the failure."""
    if ctx.last_try:
        await HandledEvent.bulk_create(
            [HandledEvent(handler=name, event_id=event.event_id, failed=True)],
            ignore_conflicts=True,
        )


REACT = JobSpec(REACT_JOB, react)
