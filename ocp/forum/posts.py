"""Posts: the replies in a thread, and replies to them (one level)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ocp.config import Settings
from ocp.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.forum import rights
from ocp.forum.models import Post, Thread, ThreadSubscription
from ocp.forum.schemas import PostSchema
from ocp.forum.threads import (
    cleaned,
    count_post,
    fields_of,
    forum_channel,
    now,
    thread_channel,
)
from ocp.ratelimit import Limiter
from ocp.users.models import User


def post_event(post: Post, thread: Thread) -> dict[str, Any]:
    """The data of a ``post.*`` event: the post as listed (its author loaded), and its course."""
    return {**PostSchema().dump(post), "course_id": thread.course_id}


async def list_posts(
    *, user: User, thread_id: int, offset: int, limit: int
) -> tuple[list[Post], int]:
    """A page of the thread's posts, oldest first, deleted ones in place."""
    thread, _ = await rights.thread_seat(user, thread_id)
    query = Post.filter(thread_id=thread.id)
    total = await query.count()
    posts = await query.order_by("id").offset(offset).limit(limit).select_related("author")
    return list(posts), total


async def _parent(thread: Thread, parent_id: int | None, conn: BaseDBAsyncClient) -> int | None:
    if parent_id is None:
        return None
    parent = await Post.filter(id=parent_id, thread_id=thread.id).using_db(conn).first()
    problem = None
    if parent is None:
        problem = "Not a post of this thread."
    elif parent.parent_id is not None:
        problem = "A reply to a reply: answer the post it replies to (one level of replies)."
    elif parent.deleted:
        problem = "That post was deleted."
    if problem:
        raise ValidationFailed(errors={"parent_id": [problem]})
    return parent_id


async def _thread_changed(conn: BaseDBAsyncClient, thread: Thread) -> None:
    """The thread's list fields moved (replies, activity): ``thread.updated`` on the forum."""
    await thread.fetch_related("author", using_db=conn)
    await event_log.record(
        conn,
        type="thread.updated",
        data=fields_of(thread),
        channels=[forum_channel(thread.course_id)],
    )


async def create_post(
    *,
    user: User,
    thread_id: int,
    values: Mapping[str, Any],
    events: EventLog,
    limiter: Limiter,
    settings: Settings,
) -> Post:
    """Reply in a thread; the poster follows it unless they chose not to. A locked thread takes
    posts from moderators only (409)."""
    body, text = cleaned(values["body"])
    async with in_transaction() as conn:
        thread, place = await rights.thread_seat(user, thread_id, conn, lock=True)
        await rights.check_may_write(user, place, conn)
        if thread.locked and not place.moderator:
            raise Conflict("This thread is locked: it takes no new posts")
        parent_id = await _parent(thread, values.get("parent_id"), conn)
        await count_post(user, limiter, settings)
        post = await Post.create(
            thread_id=thread.id,
            author_id=user.id,
            parent_id=parent_id,
            body=body,
            body_text=text,
            using_db=conn,
        )
        post.author = user
        thread.reply_count += 1
        if user.id != thread.author_id:
            thread.answer_count += 1
        thread.last_activity_at = post.created_at
        await thread.save(
            update_fields=["reply_count", "answer_count", "last_activity_at"], using_db=conn
        )
        await ThreadSubscription.bulk_create(
            [ThreadSubscription(user_id=user.id, thread_id=thread.id, subscribed=True)],
            ignore_conflicts=True,
            using_db=conn,
        )
        await event_log.record(
            conn,
            type="post.created",
            data=post_event(post, thread),
            channels=[thread_channel(thread.id)],
        )
        await _thread_changed(conn, thread)
    _ = await events.flush()
    return post


async def _post_and_seat(
    user: User, post_id: int, conn: BaseDBAsyncClient, *, lock_thread: bool = False
) -> tuple[Post, Thread, rights.Seat]:
    """The post (locked), its live thread and the caller's seat; 404 as for its thread."""
    found = await Post.filter(id=post_id).using_db(conn).first()
    if found is None:
        raise NotFound("No such post")
    try:
        thread, place = await rights.thread_seat(user, found.thread_id, conn, lock=lock_thread)
    except NotFound:
        raise NotFound("No such post") from None
    post = await Post.filter(id=post_id).select_for_update().using_db(conn).first()
    assert post is not None  # posts are never removed, only marked deleted
    return post, thread, place


async def update_post(
    *, user: User, post_id: int, values: Mapping[str, Any], events: EventLog
) -> Post:
    """Its author changes the body (not once deleted, nor in a locked thread)."""
    body, text = cleaned(values["body"])
    async with in_transaction() as conn:
        post, thread, place = await _post_and_seat(user, post_id, conn)
        if post.author_id != user.id:
            raise Forbidden("Only its author edits a post")
        if post.deleted:
            raise Conflict("This post was deleted")
        await rights.check_may_write(user, place, conn)
        if thread.locked and not place.moderator:
            raise Conflict("This thread is locked")
        post.author = user
        if body != post.body:
            post.body, post.body_text, post.edited_at = body, text, now()
            await post.save(update_fields=["body", "body_text", "edited_at"], using_db=conn)
            await event_log.record(
                conn,
                type="post.updated",
                data=post_event(post, thread),
                channels=[thread_channel(thread.id)],
            )
    _ = await events.flush()
    return post


async def delete_post(*, user: User, post_id: int, events: EventLog) -> None:
    """Its author or a moderator deletes a post: it stays in place without its body. Again
    changes nothing."""
    async with in_transaction() as conn:
        post, thread, place = await _post_and_seat(user, post_id, conn, lock_thread=True)
        if post.author_id != user.id and not place.moderator:
            raise Forbidden("Only its author or a moderator deletes a post")
        if post.deleted:
            return
        post.deleted_at, post.body, post.body_text = now(), None, ""
        await post.save(update_fields=["deleted_at", "body", "body_text"], using_db=conn)
        thread.reply_count -= 1
        if post.author_id != thread.author_id:
            thread.answer_count -= 1
        await thread.save(update_fields=["reply_count", "answer_count"], using_db=conn)
        await post.fetch_related("author", using_db=conn)
        await event_log.record(
            conn,
            type="post.deleted",
            data=post_event(post, thread),
            channels=[thread_channel(thread.id)],
        )
        await _thread_changed(conn, thread)
    _ = await events.flush()
