"""Uploads: storage, processing in workers, and downloads with rights."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.media import handlers, jobs, views

    return Domain(
        "media",
        models=["ocp.media.models"],
        routes=views.routes,
        jobs=[jobs.PROCESS_UPLOAD],
        reactions=[handlers.process_new_upload],
    )
