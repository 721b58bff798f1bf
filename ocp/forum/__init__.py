"""The forum: threads and posts per course, live, with moderation."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.forum import rights, views

    return Domain(
        "forum",
        models=["ocp.forum.models"],
        routes=views.routes,
        channels={"forum": rights.may_read_forum, "thread": rights.may_read_thread},
    )
