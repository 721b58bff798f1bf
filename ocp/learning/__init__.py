"""Learning: enrollments, lesson progress and completion."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.learning import handlers, views

    return Domain(
        "learning",
        models=["ocp.learning.models"],
        routes=views.routes,
        reactions=[
            handlers.recalculate_completion,
            handlers.recalculate_course,
            handlers.enroll_buyer,
            handlers.cancel_refunded,
            handlers.end_access,
        ],
    )
