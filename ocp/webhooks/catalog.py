"""The event types a webhook endpoint may ask for: the log's events that say something to
an outside system. Internal bookkeeping (``catalog.changed``, ``learner.active``, ...) is not
sent."""

from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "course.published": "A course was published.",
    "course.completed": "A student finished every lesson of a course.",
    "lesson.created": "A lesson was added to a course.",
    "lesson.updated": "A lesson changed.",
    "lesson.deleted": "A lesson was removed.",
    "lesson.started": "A student opened a lesson for the first time.",
    "enrollment.created": "A student enrolled (or enrolled again).",
    "enrollment.cancelled": "An enrollment was cancelled (by the student, or by a refund).",
    "progress.updated": "A lesson was completed or reopened.",
    "order.paid": "An order was paid.",
    "order.failed": "A payment failed.",
    "order.expired": "A checkout expired unpaid.",
    "order.refunded": "An order was refunded.",
    "upload.ready": "An upload finished processing.",
    "upload.failed": "An upload could not be processed.",
    "user.renamed": "A user changed their name.",
    "thread.created": "A forum thread was started.",
    "thread.updated": "A forum thread changed (or got a reply).",
    "thread.deleted": "A forum thread was deleted.",
    "post.created": "A forum reply was posted.",
    "post.updated": "A forum reply was edited.",
    "post.deleted": "A forum reply was deleted.",
    "forum.muted": "A user was muted in a course's forum.",
    "forum.unmuted": "A mute was lifted.",
    "webhook.endpoint_disabled": "OCP turned off a webhook endpoint (410, or failing 5 days).",
}
TEST_EVENT = "webhook.test"  # sent only by POST /api/v1/webhooks/{id}/test, to that endpoint
ALL = "*"


def wants(event_types: list[str], type: str) -> bool:
    """Does an endpoint asking for ``event_types`` get events of ``type``?"""
    return ALL in event_types or type in event_types
