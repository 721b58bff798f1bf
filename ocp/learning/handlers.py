"""Learning's reactions: an enrollment's completion follows its course's lessons."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from ocp.events.reactions import DomainEvent, on
from ocp.jobs import JobContext
from ocp.learning import service


@on("enrollment.created")
async def recalculate_completion(
    ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient
) -> None:
    """A (re)activated enrollment's percent and status: its course may have changed while
    it was cancelled. (Progress settles its enrollment in its own transaction.)"""
    await service.recalculate_completion(enrollment_id=int(event.data["enrollment_id"]), conn=conn)


@on("lesson.created", "lesson.deleted")
async def recalculate_course(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """A lesson came or went: every studying enrollment's figures change."""
    course_id = int(event.data["course_id"])
    for enrollment_id in await service.studying_enrollments(course_id=course_id, conn=conn):
        await service.recalculate_completion(enrollment_id=enrollment_id, conn=conn)
