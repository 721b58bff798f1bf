"""Threads: list, start, change and delete them; read marks and subscriptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from ocp import ratelimit, richtext
from ocp.config import Settings
from ocp.errors import Conflict, Forbidden, TooManyRequests, ValidationFailed
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.forum import rights, search
from ocp.forum.models import Post, Thread, ThreadRead, ThreadSubscription
from ocp.forum.schemas import ThreadFieldsSchema
from ocp.ratelimit import Limiter
from ocp.users.models import User

LIST_ORDER = {
    "activity": ("-pinned", "-last_activity_at", "-id"),
    "newest": ("-created_at", "-id"),
    "replies": ("-reply_count", "-last_activity_at", "-id"),
}
POSTS_WINDOW = 60  # seconds: the posting limit counts threads and posts per user in this


def now() -> datetime:
    return datetime.now(UTC)


def forum_channel(course_id: int) -> str:
    return f"forum:{course_id}"


def thread_channel(thread_id: int) -> str:
    return f"thread:{thread_id}"


def cleaned(body: str) -> tuple[str, str]:
    """The body sanitized, and its visible text; 422 when nothing readable is left."""
    html = richtext.sanitize(body)
    text = richtext.to_text(html)
    if not text:
        raise ValidationFailed(errors={"body": ["Nothing readable is left once cleaned."]})
    return html, text


async def count_post(user: User, limiter: Limiter, settings: Settings) -> None:
    """One more thread or post by ``user`` this minute: 429 past the limit."""
    key = ratelimit.key("forum-posts", str(user.id))
    count, retry = await limiter.hit(key, POSTS_WINDOW)
    if count > settings.forum_posts_per_minute:
        raise TooManyRequests(
            f"At most {settings.forum_posts_per_minute} posts a minute; try again shortly",
            retry_after=retry,
        )


def fields_of(thread: Thread) -> dict[str, Any]:
    """The thread as every reader sees it (its author loaded): the data of its events."""
    return dict(ThreadFieldsSchema().dump(thread))


async def _unread_counts(user_id: int, thread_ids: list[int]) -> dict[int, int]:
    """Posts by others, not deleted, after each thread's read mark (all without one)."""
    if not thread_ids:
        return {}
    reads = dict(
        await ThreadRead.filter(user_id=user_id, thread_id__in=thread_ids).values_list(
            "thread_id", "last_read_post_id"
        )
    )
    after_mark = Q(
        *[Q(thread_id=tid, id__gt=int(reads.get(tid, 0))) for tid in thread_ids], join_type="OR"
    )
    rows = (
        await Post.filter(after_mark, deleted_at__isnull=True)
        .exclude(author_id=user_id)
        .annotate(unread=Count("id"))
        .group_by("thread_id")
        .values("thread_id", "unread")
    )
    return {int(row["thread_id"]): int(row["unread"]) for row in rows}


async def for_caller(user: User, threads: Sequence[Thread]) -> list[dict[str, Any]]:
    """Threads (authors loaded) with the caller's unread counts and subscriptions."""
    ids = [thread.id for thread in threads]
    unread = await _unread_counts(user.id, ids)
    subscribed = dict(
        await ThreadSubscription.filter(user_id=user.id, thread_id__in=ids).values_list(
            "thread_id", "subscribed"
        )
    )
    return [
        {
            **fields_of(thread),
            "unread_count": unread.get(thread.id, 0),
            "subscribed": bool(subscribed.get(thread.id, False)),
        }
        for thread in threads
    ]


async def list_threads(
    *, user: User, course_id: int, filters: Mapping[str, Any], offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the course's threads as ``filters`` (``ThreadQuerySchema``) ask, and the
    total."""
    _ = await rights.seat(user, course_id)
    query = Thread.filter(course_id=course_id, deleted_at__isnull=True)
    if filters.get("pinned") is not None:
        query = query.filter(pinned=filters["pinned"])
    if filters.get("unanswered"):
        query = query.filter(answer_count=0)
    if filters.get("mine"):
        posted_in = Post.filter(author_id=user.id, deleted_at__isnull=True).values("thread_id")
        query = query.filter(Q(author_id=user.id) | Q(id__in=Subquery(posted_in)))
    if filters.get("q"):
        query = query.filter(id__in=await search.matching_ids(course_id, filters["q"]))
    total = await query.count()
    threads = (
        await query.order_by(*LIST_ORDER[filters.get("sort") or "activity"])
        .offset(offset)
        .limit(limit)
        .select_related("author")
    )
    return await for_caller(user, threads), total


async def create_thread(
    *,
    user: User,
    course_id: int,
    values: Mapping[str, Any],
    events: EventLog,
    limiter: Limiter,
    settings: Settings,
) -> dict[str, Any]:
    """Start a thread; its author follows it."""
    body, text = cleaned(values["body"])
    async with in_transaction() as conn:
        place = await rights.seat(user, course_id, conn)
        await rights.check_may_write(user, place, conn)
        await count_post(user, limiter, settings)
        moment = now()
        thread = await Thread.create(
            course_id=place.course.id,
            author_id=user.id,
            title=values["title"],
            body=body,
            body_text=text,
            created_at=moment,
            last_activity_at=moment,
            using_db=conn,
        )
        thread.author = user
        _ = await ThreadSubscription.create(
            user_id=user.id, thread_id=thread.id, subscribed=True, using_db=conn
        )
        await event_log.record(
            conn,
            type="thread.created",
            data=fields_of(thread),
            channels=[forum_channel(thread.course_id)],
        )
    _ = await events.flush()
    return {**fields_of(thread), "unread_count": 0, "subscribed": True}


async def get_thread(*, user: User, thread_id: int) -> dict[str, Any]:
    thread, _ = await rights.thread_seat(user, thread_id)
    await thread.fetch_related("author")
    return (await for_caller(user, [thread]))[0]


async def update_thread(
    *, user: User, thread_id: int, changes: Mapping[str, Any], events: EventLog
) -> dict[str, Any]:
    """Its author changes the title and body; moderators pin, lock and retitle any thread."""
    async with in_transaction() as conn:
        thread, place = await rights.thread_seat(user, thread_id, conn, lock=True)
        if ("pinned" in changes or "locked" in changes) and not place.moderator:
            raise Forbidden("Only the course's instructor and admins pin and lock threads")
        authoring = "body" in changes or ("title" in changes and not place.moderator)
        if authoring:
            if thread.author_id != user.id:
                raise Forbidden("Only its author edits a thread")
            await rights.check_may_write(user, place, conn)
            if thread.locked and not place.moderator:
                raise Conflict("This thread is locked")
        values: dict[str, Any] = {}
        if "title" in changes and changes["title"] != thread.title:
            values["title"] = changes["title"]
        if "body" in changes:
            body, text = cleaned(changes["body"])
            if body != thread.body:
                values.update(body=body, body_text=text)
        if values:
            values["edited_at"] = now()
        for name in ("pinned", "locked"):
            if name in changes and changes[name] != getattr(thread, name):
                values[name] = changes[name]
        await thread.fetch_related("author", using_db=conn)
        if values:
            for name, value in values.items():
                setattr(thread, name, value)
            await thread.save(update_fields=list(values), using_db=conn)
            await event_log.record(
                conn,
                type="thread.updated",
                data=fields_of(thread),
                channels=[thread_channel(thread.id), forum_channel(thread.course_id)],
            )
    _ = await events.flush()
    return (await for_caller(user, [thread]))[0]


async def delete_thread(*, user: User, thread_id: int, events: EventLog) -> None:
    """Moderators delete any thread; its author one that nobody else has replied to."""
    async with in_transaction() as conn:
        thread, place = await rights.thread_seat(user, thread_id, conn, lock=True)
        if not place.moderator:
            if thread.author_id != user.id:
                raise Forbidden("Only its author or a moderator deletes a thread")
            if thread.answer_count > 0:
                raise Conflict("Others have replied to this thread: only a moderator deletes it")
        thread.deleted_at = now()
        await thread.save(update_fields=["deleted_at"], using_db=conn)
        await event_log.record(
            conn,
            type="thread.deleted",
            data={"id": thread.id, "course_id": thread.course_id},
            channels=[thread_channel(thread.id), forum_channel(thread.course_id)],
        )
    _ = await events.flush()


async def mark_read(*, user: User, thread_id: int) -> dict[str, Any]:
    """Every post of the thread so far is read by the caller."""
    thread, _ = await rights.thread_seat(user, thread_id)
    newest = (
        await Post.filter(thread_id=thread.id).order_by("-id").limit(1).values_list("id", flat=True)
    )
    last = int(str(newest[0])) if newest else 0
    async with in_transaction() as conn:
        # Insert if absent, then move the mark forward only: parallel reads never clash on
        # the unique key, and an older read never moves it back.
        await ThreadRead.bulk_create(
            [
                ThreadRead(
                    user_id=user.id, thread_id=thread.id, last_read_post_id=last, read_at=now()
                )
            ],
            ignore_conflicts=True,
            using_db=conn,
        )
        _ = (
            await ThreadRead.filter(
                user_id=user.id, thread_id=thread.id, last_read_post_id__lte=last
            )
            .using_db(conn)
            .update(last_read_post_id=last, read_at=now())
        )
    await thread.fetch_related("author")
    return (await for_caller(user, [thread]))[0]


async def subscribe(*, user: User, thread_id: int, subscribed: bool) -> dict[str, Any]:
    """Follow the thread (``forum.reply`` notifications), or stop following it."""
    thread, _ = await rights.thread_seat(user, thread_id)
    async with in_transaction() as conn:
        await ThreadSubscription.bulk_create(
            [ThreadSubscription(user_id=user.id, thread_id=thread.id, subscribed=subscribed)],
            ignore_conflicts=True,
            using_db=conn,
        )
        _ = (
            await ThreadSubscription.filter(user_id=user.id, thread_id=thread.id)
            .using_db(conn)
            .update(subscribed=subscribed, updated_at=now())
        )
    return {"thread_id": thread.id, "subscribed": subscribed}
