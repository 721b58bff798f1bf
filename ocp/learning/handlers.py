"""Learning's reactions: an enrollment's completion follows its course's lessons."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from ocp.events.reactions import DomainEvent, on, on_publish
from ocp.jobs import JobContext
from ocp.learning import service
from ocp.realtime import control


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


@on("order.paid")
async def enroll_buyer(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """A paid order enrolls its buyer (source ``paid``), once."""
    await service.grant_purchase(**_purchase(event), conn=conn)


@on("order.refunded")
async def cancel_refunded(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """A refunded order's enrollment is cancelled."""
    await service.revoke_purchase(**_purchase(event), conn=conn)


@on_publish("enrollment.cancelled")
async def end_access(ctx: JobContext, event: DomainEvent) -> None:
    """Lesson access and live channels end at once in every process (a control message),
    whoever cancelled: the student, or a refund's reaction."""
    await control.rights_changed(ctx.bus, user_id=int(event.data["user_id"]))


def _purchase(event: DomainEvent) -> dict[str, int]:
    data = event.data
    return {
        "user_id": int(data["user_id"]),
        "course_id": int(data["course_id"]),
        "order_id": int(data["order_id"]),
    }
