"""The catalog's reactions: cached answers follow what other domains change."""

from __future__ import annotations

from ocp.courses.service import CATALOG_CHANGED
from ocp.events.reactions import DomainEvent, on_publish
from ocp.jobs import JobContext


@on_publish("enrollment.created", "enrollment.cancelled")
async def recount_enrollments(ctx: JobContext, event: DomainEvent) -> None:
    """A course's enrollment count changed: its cached answers are recomputed."""
    await ctx.cache.counts_changed(int(event.data["course_id"]))


@on_publish(CATALOG_CHANGED, "user.renamed")
async def forget_cached_answers(ctx: JobContext, event: DomainEvent) -> None:
    """A course, its lessons, or a name the catalog shows (an instructor's) changed: every
    process drops its cached catalog answers (the search index follows by itself)."""
    if event.type == CATALOG_CHANGED or event.data.get("role") != "student":
        await ctx.cache.bump()
