"""Notifications: what users are told, in the app (live) and by mail, as each chooses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.notifications import handlers, jobs, service, views

    return Domain(
        "notifications",
        models=["ocp.notifications.models"],
        routes=views.routes,
        account_fields={"unread_notifications": service.unread_count},
        jobs=[jobs.MAIL, jobs.DIGESTS],
        reactions=[
            handlers.enrollment_confirmed,
            handlers.course_completed,
            handlers.lesson_added,
            handlers.order_settled,
            handlers.upload_finished,
            handlers.forum_reply,
            handlers.webhook_disabled,
            handlers.mail_new_notification,
        ],
    )
