"""Who may read a channel: the same rules as the REST API."""

from __future__ import annotations

from ocp.courses import service as course_service
from ocp.courses.models import Course
from ocp.users.models import Role, User


async def may_read(user: User, channel: str) -> bool:
    """``user:<id>`` the user (and admins); ``course:<id>`` its instructor and admins;
    ``admin`` admins. ``thread:<id>`` waits for the forum: nobody yet."""
    kind, _, ident = channel.partition(":")
    if kind == "thread":
        return False
    if user.role == Role.ADMIN:
        return True
    if kind == "user":
        return int(ident) == user.id
    if kind == "course":
        course = await Course.get_or_none(id=int(ident))
        return course is not None and course_service.can_edit(user, course)
    return False
