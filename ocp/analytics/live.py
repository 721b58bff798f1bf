"""``analytics.updated``: the new totals, pushed to ``course:<id>`` (and the platform's to
``admin``) after the rollups change, at most once a second per course."""

from __future__ import annotations

import time

from ocp.analytics import service
from ocp.events.reactions import DomainEvent
from ocp.jobs import JobContext
from ocp.realtime.events import course_channel

EVERY = 1.0  # seconds: at most one push per course (and for the platform) in this time
PLATFORM = 0  # the key of the platform's push in the throttle
KEY = "ocp:analytics:pushed:"


class Throttle:
    """Who may push now: across processes by a Redis key that lives a second, in this process
    by the time of its last push. What must wait is kept for the next pass."""

    def __init__(self) -> None:
        self.last: dict[int, float] = {}
        self.waiting: set[int] = set()

    async def may_push(self, ctx: JobContext, key: int) -> bool:
        now = time.monotonic()
        if now - self.last.get(key, float("-inf")) < EVERY:
            return False
        if ctx.redis is not None and not await ctx.redis.set(
            f"{KEY}{key}", 1, px=int(EVERY * 1000), nx=True
        ):
            return False
        self.last[key] = now
        return True


THROTTLE = Throttle()


async def push_updates(ctx: JobContext, events: list[DomainEvent]) -> None:
    """After a pass of the analytics consumer: push the totals of the courses it changed (and
    of those a previous pass had to hold back)."""
    due = THROTTLE.waiting | {int(event.data["course_id"]) for event in events}
    if not due:
        return
    if events or PLATFORM in THROTTLE.waiting:
        due.add(PLATFORM)
    THROTTLE.waiting = set()
    for key in sorted(due):
        if not await THROTTLE.may_push(ctx, key):
            THROTTLE.waiting.add(key)
            continue
        THROTTLE.waiting.add(key)  # until it has gone out: a failed push is tried again
        if key == PLATFORM:
            totals = await service.platform_totals()
            _ = await ctx.bus.publish("admin", "analytics.updated", {"totals": totals})
        else:
            totals = await service.course_totals(key)
            _ = await ctx.bus.publish(
                course_channel(key), "analytics.updated", {"course_id": key, "totals": totals}
            )
        THROTTLE.waiting.discard(key)
