"""The forum's tables: threads, their posts, who read and follows what, and who is muted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Thread(Model):
    """A discussion in a course's forum. A deleted thread keeps its row (``deleted_at``) and
    is gone from every answer."""

    id = fields.IntField(primary_key=True)  # 32-bit: it names the channel thread:<id>
    course: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Course", related_name="forum_threads", on_delete=fields.CASCADE
    )
    course_id: int
    author: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="forum_threads", on_delete=fields.CASCADE
    )
    author_id: int
    title = fields.CharField(max_length=200)
    body = fields.TextField()  # sanitized HTML
    body_text = fields.TextField(default="")  # its visible text: what search reads
    pinned = fields.BooleanField(default=False)
    locked = fields.BooleanField(default=False)
    reply_count = fields.IntField(default=0)  # posts not deleted
    # Posts not deleted by anyone but the thread's author: 0 means unanswered.
    answer_count = fields.IntField(default=0)
    last_activity_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "forum_thread"
        indexes = (
            ("course", "pinned", "last_activity_at", "id"),
            ("course", "created_at"),
            ("course", "author"),
        )


class Post(Model):
    """A reply in a thread, or a reply to such a reply (one level). A deleted post stays in
    place without its body."""

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="posts", on_delete=fields.CASCADE
    )
    thread_id: int
    author: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="forum_posts", on_delete=fields.CASCADE
    )
    author_id: int
    # The post this one answers, of the same thread (checked on write; posts are never
    # removed, so it stays). A plain column: aerich cannot create a table that refers to itself.
    parent_id = fields.IntField(null=True)
    body: str | None = fields.TextField(null=True)  # sanitized HTML; null once deleted
    body_text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    class Meta:
        table = "forum_post"
        indexes = (("thread", "id"), ("author", "thread"))


class ThreadRead(Model):
    """How far a user has read a thread: every post up to ``last_read_post_id``."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="forum_reads", on_delete=fields.CASCADE
    )
    user_id: int
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="reads", on_delete=fields.CASCADE
    )
    thread_id: int
    last_read_post_id = fields.IntField(default=0)
    read_at = fields.DatetimeField()

    class Meta:
        table = "forum_thread_read"
        unique_together = (("user", "thread"),)


class ThreadSubscription(Model):
    """A user's choice to follow a thread (``forum.reply`` notifications). The row stays when
    they stop following, so that posting again does not follow it against their wish."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="forum_subscriptions", on_delete=fields.CASCADE
    )
    user_id: int
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "models.Thread", related_name="subscriptions", on_delete=fields.CASCADE
    )
    thread_id: int
    subscribed = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "forum_subscription"
        unique_together = (("user", "thread"),)
        indexes = (("thread", "subscribed"),)


class ForumMute(Model):
    """A user who may read a course's forum but not write in it until ``until``."""

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Course", related_name="forum_mutes", on_delete=fields.CASCADE
    )
    course_id: int
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="forum_mutes", on_delete=fields.CASCADE
    )
    user_id: int
    muted_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="forum_mutes_given", on_delete=fields.CASCADE
    )
    muted_by_id: int
    until: datetime = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "forum_mute"
        unique_together = (("course", "user"),)
