"""Mutes: a course's moderators keep a user from writing in its forum for a time."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from ocp.courses.models import Course
from ocp.courses.service import can_edit
from ocp.errors import NotFound, ValidationFailed
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.forum import rights
from ocp.forum.models import ForumMute
from ocp.forum.threads import now
from ocp.realtime.events import user_channel
from ocp.users.models import User

LONGEST = timedelta(days=366)


def _check_until(until: datetime) -> None:
    moment = now()
    if until <= moment:
        raise ValidationFailed(errors={"until": ["Must be in the future."]})
    if until > moment + LONGEST:
        raise ValidationFailed(errors={"until": ["At most 366 days ahead."]})


async def _target(user_id: int, course: Course) -> User:
    target = await User.get_or_none(id=user_id)
    if target is None:
        raise ValidationFailed(errors={"user_id": ["No such user."]})
    if can_edit(target, course):
        raise ValidationFailed(errors={"user_id": ["A moderator of this forum cannot be muted."]})
    return target


async def mute(
    *, actor: User, course_id: int, user_id: int, until: datetime, events: EventLog
) -> tuple[ForumMute, bool]:
    """Mute ``user_id`` in the course's forum until ``until`` (a new time replaces an earlier
    mute's): the mute, and whether it is new."""
    place = await rights.seat(actor, course_id)
    rights.check_moderator(place)
    _check_until(until)
    target = await _target(user_id, place.course)
    async with in_transaction() as conn:
        # The course's row makes parallel mutes of one forum take turns: one creates, the
        # others change what it made.
        _ = await Course.filter(id=course_id).select_for_update().using_db(conn).first()
        mute = await ForumMute.filter(course_id=course_id, user_id=target.id).using_db(conn).first()
        created = mute is None
        if mute is None:
            mute = await ForumMute.create(
                course_id=course_id,
                user_id=target.id,
                muted_by_id=actor.id,
                until=until,
                using_db=conn,
            )
        else:
            mute.until, mute.muted_by_id = until, actor.id
            await mute.save(update_fields=["until", "muted_by_id", "updated_at"], using_db=conn)
        await event_log.record(
            conn,
            type="forum.muted",
            data={"course_id": course_id, "user_id": target.id, "until": until.isoformat()},
            channels=[user_channel(target.id)],
        )
    _ = await events.flush()
    mute.user, mute.muted_by = target, actor
    return mute, created


async def list_mutes(*, actor: User, course_id: int) -> list[ForumMute]:
    """The mutes in force, the soonest to end first."""
    place = await rights.seat(actor, course_id)
    rights.check_moderator(place)
    return list(
        await ForumMute.filter(course_id=course_id, until__gt=now())
        .order_by("until", "id")
        .select_related("user", "muted_by")
    )


async def unmute(*, actor: User, course_id: int, user_id: int, events: EventLog) -> None:
    """Lift a mute in force: 404 when there is none."""
    place = await rights.seat(actor, course_id)
    rights.check_moderator(place)
    async with in_transaction() as conn:
        lifted = (
            await ForumMute.filter(course_id=course_id, user_id=user_id, until__gt=now())
            .using_db(conn)
            .delete()
        )
        if not lifted:
            raise NotFound("This user is not muted in this forum")
        await event_log.record(
            conn,
            type="forum.unmuted",
            data={"course_id": course_id, "user_id": user_id},
            channels=[user_channel(user_id)],
        )
    _ = await events.flush()
