"""The catalog's reactions: cached answers follow what other domains change."""

from __future__ import annotations

from ocp.events.reactions import DomainEvent, on_publish
from ocp.jobs import JobContext


@on_publish("enrollment.created", "enrollment.cancelled")
async def recount_enrollments(ctx: JobContext, event: DomainEvent) -> None:
    """A course's enrollment count changed: its cached answers are recomputed."""
    await ctx.cache.counts_changed(int(event.data["course_id"]))


@on_publish("user.renamed")
async def forget_instructor_name(ctx: JobContext, event: DomainEvent) -> None:
    """A name the catalog shows may have changed (the search index follows by itself)."""
    if event.data.get("role") != "student":
        await ctx.cache.bump()
