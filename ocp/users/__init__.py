"""Accounts: users, passwords, API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain
    from ocp.users.models import User


async def may_read_user_channel(user: User, user_id: int) -> bool:
    """``user:<id>``: that user (admins read every channel)."""
    return user.id == user_id


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.users import views

    return Domain(
        "users",
        models=["ocp.users.models"],
        routes=views.routes,
        channels={"user": may_read_user_channel},
    )
