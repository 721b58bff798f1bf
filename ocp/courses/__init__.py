"""The catalog: courses and their lessons."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.courses import handlers, service, views
    from ocp.domains import Domain

    return Domain(
        "courses",
        models=["ocp.courses.models"],
        routes=views.routes,
        reactions=[handlers.recount_enrollments, handlers.forget_cached_answers],
        channels={"course": service.may_read_course_channel},
        file_grants=[service.upload_grant],
    )
