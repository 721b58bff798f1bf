"""Real time: the bus between processes, the WebSocket hub and its endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain
    from ocp.users.models import User


async def admins_only(user: User, ident: int) -> bool:
    """``admin``: admins only (they pass before any rule is asked)."""
    return False


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.realtime import views

    return Domain("realtime", routes=views.routes, channels={"admin": admins_only})
