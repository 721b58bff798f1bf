"""Who may read, write and moderate a course's forum: asked of courses (its instructor) and
learning (its students)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocp.courses.models import Course, CourseStatus
from ocp.courses.service import can_edit
from ocp.errors import Forbidden, NotFound
from ocp.forum.models import ForumMute, Thread
from ocp.learning import access
from ocp.users.models import User


@dataclass(frozen=True)
class Seat:
    """The caller's place in one course's forum."""

    course: Course
    moderator: bool  # the course's instructor, or an admin


async def seat(user: User, course_id: int, conn: Any = None) -> Seat:
    """The caller's seat in the forum of ``course_id``: its instructor and admins moderate, its
    students (active or completed) take part. Anyone else: 404 for a draft course (they may
    not know it exists), else 403."""
    course = await Course.filter(id=course_id).using_db(conn).first()
    if course is None:
        raise NotFound("No such course")
    if can_edit(user, course):
        return Seat(course, moderator=True)
    if await access.is_enrolled(user_id=user.id, course_id=course.id):
        return Seat(course, moderator=False)
    if course.status == CourseStatus.DRAFT:
        raise NotFound("No such course")
    raise Forbidden("Only the course's students, its instructor and admins take part in its forum")


async def thread_seat(
    user: User, thread_id: int, conn: Any = None, *, lock: bool = False
) -> tuple[Thread, Seat]:
    """A thread that is not deleted and the caller's seat in its course's forum (404 for a
    thread they may not know of, 403 as :func:`seat`); ``lock`` locks its row."""
    query = Thread.filter(id=thread_id, deleted_at__isnull=True)
    if lock:
        query = query.select_for_update()
    thread = await query.using_db(conn).first()
    if thread is None:
        raise NotFound("No such thread")
    try:
        place = await seat(user, thread.course_id, conn)
    except NotFound:
        raise NotFound("No such thread") from None
    return thread, place


async def muted_until(user_id: int, course_id: int, conn: Any = None) -> datetime | None:
    """When the user's mute in the course's forum ends, or None when they are not muted."""
    mute = (
        await ForumMute.filter(course_id=course_id, user_id=user_id, until__gt=datetime.now(UTC))
        .using_db(conn)
        .first()
    )
    return mute.until if mute else None


async def check_may_write(user: User, place: Seat, conn: Any = None) -> None:
    """403 for a muted user (moderators are never muted)."""
    if place.moderator:
        return
    until = await muted_until(user.id, place.course.id, conn)
    if until is not None:
        raise Forbidden(
            f"You are muted in this course's forum until {until.isoformat()}: you may read it"
        )


def check_moderator(place: Seat) -> None:
    if not place.moderator:
        raise Forbidden("Only the course's instructor and admins moderate its forum")


async def may_read_forum(user: User, course_id: int) -> bool:
    """``forum:<course_id>``: whoever may read the course's forum (admins pass before)."""
    try:
        _ = await seat(user, course_id)
    except (NotFound, Forbidden):
        return False
    return True


async def may_read_thread(user: User, thread_id: int) -> bool:
    """``thread:<id>``: whoever may read the thread's forum, while the thread exists."""
    try:
        _ = await thread_seat(user, thread_id)
    except (NotFound, Forbidden):
        return False
    return True
