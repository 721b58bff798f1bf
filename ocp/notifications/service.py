"""Notifications: made by reactions, read and marked by their user, mailed as they choose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ocp.errors import NotFound
from ocp.events import log as event_log
from ocp.notifications.models import MailState, Notification, NotificationPreference
from ocp.notifications.types import DEFAULTS, Preference
from ocp.realtime.events import user_channel
from ocp.users.models import User

CREATED = "notification.created"
GROUP_WINDOW = timedelta(hours=1)  # notifications of one group within this are one


def now() -> datetime:
    return datetime.now(UTC)


def listed(notification: Notification) -> dict[str, Any]:
    """A notification as the API lists it (and as ``notification.created`` carries it)."""
    return {
        "id": notification.id,
        "type": notification.type,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "data": notification.data,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


async def preference(user_id: int, type: str, conn: Any = None) -> Preference:
    found = await NotificationPreference.filter(user_id=user_id, type=type).using_db(conn).first()
    return Preference(found.in_app, found.email) if found else DEFAULTS[type]


async def preferences(*, user: User) -> dict[str, dict[str, Any]]:
    """Every type with the user's choice (or its default)."""
    chosen = {p.type: p for p in await NotificationPreference.filter(user_id=user.id)}
    answer = {}
    for type, default in DEFAULTS.items():
        found = chosen.get(type)
        picked = Preference(found.in_app, found.email) if found else default
        answer[type] = {"in_app": picked.in_app, "email": picked.email}
    return answer


async def set_preferences(
    *, user: User, changes: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Change any subset of types (each field optional); answer the whole set."""
    async with in_transaction() as conn:
        for type, change in changes.items():
            await _choose(conn, user.id, type, **change)
    return await preferences(user=user)


async def turn_email_off(*, user_id: int, type: str) -> None:
    """The unsubscribe link: this type's email off, its in-app choice kept."""
    async with in_transaction() as conn:
        await _choose(conn, user_id, type, email="never")


async def _choose(
    conn: BaseDBAsyncClient,
    user_id: int,
    type: str,
    *,
    in_app: bool | None = None,
    email: str | None = None,
) -> None:
    """Store a user's choice for one type; what is not given keeps its current value."""
    current = await preference(user_id, type, conn)
    chosen = {
        "in_app": current.in_app if in_app is None else in_app,
        "email": current.email if email is None else email,
    }
    # Insert if absent (a parallel request may insert first: ignored), then set: no
    # unique-key error under parallel requests.
    await NotificationPreference.bulk_create(
        [NotificationPreference(user_id=user_id, type=type, **chosen)],
        ignore_conflicts=True,
        using_db=conn,
    )
    await (
        NotificationPreference.filter(user_id=user_id, type=type)
        .using_db(conn)
        .update(**chosen, updated_at=now())
    )


async def notify(
    conn: BaseDBAsyncClient,
    *,
    user_id: int,
    type: str,
    title: str,
    body: str,
    url: str,
    data: dict[str, Any],
    group_key: str | None = None,
) -> Notification | None:
    """Tell ``user_id`` something, in the transaction ``conn`` of a reaction, as they chose:
    listed in the app and/or mailed (at once, or in their digest). None when they want
    neither, or when a notification of the same group came within the hour."""
    made = await notify_many(
        conn, [user_id], type=type, title=title, body=body, url=url, data=data,
        group_key=group_key,
    )  # fmt: skip
    return made[0] if made else None


async def notify_many(
    conn: BaseDBAsyncClient,
    user_ids: list[int],
    *,
    type: str,
    title: str,
    body: str,
    url: str,
    data: dict[str, Any],
    group_key: str | None = None,
) -> list[Notification]:
    """:func:`notify` for many users at once: their choices and the hour's group read in two
    queries, the events written in one."""
    chosen = {
        p.user_id: Preference(p.in_app, p.email)
        for p in await NotificationPreference.filter(user_id__in=user_ids, type=type).using_db(conn)
    }
    told: set[int] = set()
    if group_key is not None:
        told = set(
            await Notification.filter(  # type: ignore[arg-type]  # flat: the ids themselves
                user_id__in=user_ids,
                type=type,
                group_key=group_key,
                created_at__gte=now() - GROUP_WINDOW,
            )
            .using_db(conn)
            .values_list("user_id", flat=True)
        )
    made: list[Notification] = []
    for user_id in user_ids:
        choice = chosen.get(user_id, DEFAULTS[type])
        if user_id in told or (not choice.in_app and choice.email == "never"):
            continue
        mail = {"never": MailState.NONE, "immediately": MailState.PENDING}.get(
            choice.email, MailState.DIGEST
        )
        made.append(
            await Notification.create(
                user_id=user_id,
                type=type,
                title=title[:200],
                body=body,
                url=url,
                data=data,
                group_key=group_key,
                in_app=choice.in_app,
                mail=mail,
                digest=choice.email if mail == MailState.DIGEST else None,
                using_db=conn,
            )
        )
    await event_log.record_many(
        conn,
        [(CREATED, _event_data(n), [user_channel(n.user_id)] if n.in_app else []) for n in made],
    )
    return made


def _event_data(notification: Notification) -> dict[str, Any]:
    data = listed(notification)
    data["created_at"] = notification.created_at.isoformat()
    data["read_at"] = None
    return data


async def list_for(
    *, user: User, unread: bool, offset: int, limit: int
) -> tuple[list[Notification], int]:
    query = Notification.filter(user_id=user.id, in_app=True)
    if unread:
        query = query.filter(read_at__isnull=True)
    total = await query.count()
    items = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return list(items), total


async def unread_count(user: User) -> int:
    return await Notification.filter(user_id=user.id, in_app=True, read_at__isnull=True).count()


async def mark_read(*, user: User, notification_id: int) -> Notification:
    """Read (the first time counts; again changes nothing). Another user's: 404."""
    notification = await Notification.get_or_none(id=notification_id, user_id=user.id, in_app=True)
    if notification is None:
        raise NotFound("No such notification")
    if notification.read_at is None:
        stamp = now()
        await Notification.filter(id=notification.id, read_at__isnull=True).update(read_at=stamp)
        await notification.refresh_from_db()
    return notification


async def mark_all_read(*, user: User) -> int:
    return await Notification.filter(user_id=user.id, in_app=True, read_at__isnull=True).update(
        read_at=now()
    )
