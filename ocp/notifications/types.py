"""The notification types, who gets each, and their default preferences."""

from __future__ import annotations

from dataclasses import dataclass

EMAIL_CHOICES = ("immediately", "daily", "weekly", "never")
DIGESTS = ("daily", "weekly")


@dataclass(frozen=True)
class Preference:
    in_app: bool
    email: str  # one of EMAIL_CHOICES


# type -> its default preference (README's Notifications section lists the same).
DEFAULTS: dict[str, Preference] = {
    "enrollment.confirmed": Preference(in_app=True, email="immediately"),
    "course.completed": Preference(in_app=True, email="immediately"),
    "lesson.added": Preference(in_app=True, email="immediately"),
    "order.receipt": Preference(in_app=True, email="immediately"),
    "order.refunded": Preference(in_app=True, email="immediately"),
    # The uploader is usually at the screen when processing ends: in the app only.
    "upload.finished": Preference(in_app=True, email="never"),
    "course.enrolled": Preference(in_app=True, email="daily"),
    "forum.reply": Preference(in_app=True, email="immediately"),
    # Admins: OCP turned off a webhook endpoint (410, or 5 days of failures).
    "webhook.disabled": Preference(in_app=True, email="immediately"),
}
TYPES = tuple(DEFAULTS)
