"""The ``notification``, ``notification_preference`` and ``notification_digest`` tables."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class MailState(StrEnum):
    NONE = "none"  # not to be mailed (the user's preference said never)
    PENDING = "pending"  # to be mailed on its own, by the mail job
    DIGEST = "digest"  # waits for the user's daily or weekly digest
    SENT = "sent"


class Notification(Model):
    """One thing a user is told about, in the app (``in_app``) and by mail (``mail``)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    type = fields.CharField(max_length=40)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    url = fields.CharField(max_length=500)
    data: dict[str, Any] = fields.JSONField(default=dict)
    # Notifications of one kind and subject within an hour are one (lessons added to a
    # course): this key names the subject, e.g. "course:12".
    group_key = fields.CharField(max_length=100, null=True)
    in_app = fields.BooleanField(default=True)  # listed in the app (its preference then)
    mail = fields.CharEnumField(MailState, max_length=8, default=MailState.NONE)
    digest = fields.CharField(max_length=8, null=True)  # "daily" or "weekly" when DIGEST
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    mailed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        indexes = (("user", "in_app", "read_at"), ("user", "type", "group_key"), ("mail", "user"))


class NotificationPreference(Model):
    """A user's choice for one type; without a row the type's default holds."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    user_id: int
    type = fields.CharField(max_length=40)
    in_app = fields.BooleanField()
    email = fields.CharField(max_length=12)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_preference"
        unique_together = (("user", "type"),)


class NotificationDigest(Model):
    """A digest mailed for one user and period ("daily:2026-12-03", "weekly:2026-W49"): the
    unique period makes it once, whichever process or retry gets there first."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="notification_digests", on_delete=fields.CASCADE
    )
    user_id: int
    period = fields.CharField(max_length=24)
    notifications = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification_digest"
        unique_together = (("user", "period"),)
