"""HTTP handlers for notifications: parse, call the notifications service, serialize."""

from __future__ import annotations

import html

from aiohttp import web

from ocp.appkeys import SETTINGS
from ocp.errors import BadRequest
from ocp.notifications import service, unsubscribe
from ocp.notifications.schemas import (
    NotificationQuerySchema,
    NotificationSchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
    ReadAllSchema,
    UnsubscribeQuerySchema,
    attribute,
)
from ocp.notifications.types import TYPES
from ocp.web.auth import caller_of
from ocp.web.endpoint import PUBLIC, SIGNED_IN, Endpoint
from ocp.web.pages import html_page
from ocp.web.pagination import offset, page_response, window
from ocp.web.parsing import path_id, read_body, read_query
from ocp.web.responses import dumped, json_body

NOTIFICATIONS = "Notifications"


async def list_notifications(request: web.Request) -> web.Response:
    query = read_query(request, NotificationQuerySchema())
    page, per_page = window(query)
    items, total = await service.list_for(
        user=caller_of(request).user,
        unread=bool(query.get("unread")),
        offset=offset(page, per_page),
        limit=per_page,
    )
    return page_response(
        request, items=items, schema=NotificationSchema(), page=page, per_page=per_page, total=total
    )


async def mark_read(request: web.Request) -> web.Response:
    notification = await service.mark_read(
        user=caller_of(request).user, notification_id=path_id(request)
    )
    return dumped(NotificationSchema(), notification)


async def mark_all_read(request: web.Request) -> web.Response:
    marked = await service.mark_all_read(user=caller_of(request).user)
    return dumped(ReadAllSchema(), {"marked": marked})


async def get_preferences(request: web.Request) -> web.Response:
    return json_body(await service.preferences(user=caller_of(request).user))


async def put_preferences(request: web.Request) -> web.Response:
    loaded = await read_body(request, PreferencesUpdateSchema())
    changes = {type: loaded[attribute(type)] for type in TYPES if attribute(type) in loaded}
    return json_body(await service.set_preferences(user=caller_of(request).user, changes=changes))


def _checked_link(request: web.Request) -> dict[str, object]:
    """The unsubscribe link's query, if this service signed it; else 400."""
    query = read_query(request, UnsubscribeQuerySchema())
    secret = request.app[SETTINGS].secret_key or ""
    if not query["sig"] or not unsubscribe.holds(
        secret, user_id=query["user"], type=query["type"], signature=query["sig"]
    ):
        raise BadRequest("This unsubscribe link is not one we sent (altered or made up)")
    return query


async def unsubscribe_page(request: web.Request) -> web.Response:
    query = _checked_link(request)
    kind = html.escape(str(query["type"]))
    action = html.escape(request.rel_url.path_qs)
    return html_page(
        "Unsubscribe",
        f"<h1>Stop these emails?</h1><p>You will no longer get email for <b>{kind}</b>. "
        "You can turn it back on in your notification settings.</p>"
        f'<form method="post" action="{action}"><input type="hidden" name="List-Unsubscribe" '
        'value="One-Click"><button type="submit">Unsubscribe</button></form>',
    )


async def unsubscribe_now(request: web.Request) -> web.Response:
    query = _checked_link(request)
    await service.turn_email_off(user_id=int(str(query["user"])), type=str(query["type"]))
    kind = html.escape(str(query["type"]))
    return html_page(
        "Unsubscribed", f"<h1>Unsubscribed</h1><p>No more email for <b>{kind}</b>.</p>"
    )


UNSUBSCRIBE = "/api/v1/notifications/unsubscribe"

routes = [
    Endpoint(
        "GET", "/api/v1/notifications", list_notifications, SIGNED_IN, "My notifications",
        NOTIFICATIONS, query=NotificationQuerySchema, response=NotificationSchema,
        paginated=True,
        description=(
            "Newest first; `unread=true` for the unread ones. New ones also arrive live as "
            "`notification.created` on `user:<id>`, carrying the notification as listed here."
        ),
    ),
    Endpoint(
        "POST", "/api/v1/notifications/{id}/read", mark_read, SIGNED_IN, "Mark one read",
        NOTIFICATIONS, response=NotificationSchema, errors=(404,),
        description="Again changes nothing (the first `read_at` stays). Another user's: 404.",
    ),
    Endpoint(
        "POST", "/api/v1/notifications/read-all", mark_all_read, SIGNED_IN, "Mark all read",
        NOTIFICATIONS, response=ReadAllSchema,
    ),
    Endpoint(
        "GET", "/api/v1/notifications/preferences", get_preferences, SIGNED_IN,
        "My notification preferences", NOTIFICATIONS, response=PreferencesSchema,
        description=(
            "Every type: `in_app` (listed in the app, and live) and `email` (`immediately`, "
            "`daily`, `weekly` or `never`)."
        ),
    ),
    Endpoint(
        "PUT", "/api/v1/notifications/preferences", put_preferences, SIGNED_IN,
        "Change my notification preferences", NOTIFICATIONS, body=PreferencesUpdateSchema,
        response=PreferencesSchema,
        description="Any subset of types, each field optional; answers the whole set.",
    ),
    Endpoint(
        "GET", UNSUBSCRIBE, unsubscribe_page, PUBLIC, "Unsubscribe page", NOTIFICATIONS,
        query=UnsubscribeQuerySchema, media_type="text/html", errors=(400,),
        description=(
            "The link in every email's `List-Unsubscribe`: a page that asks to confirm. A "
            "forged or altered link: 400."
        ),
    ),
    Endpoint(
        "POST", UNSUBSCRIBE, unsubscribe_now, PUBLIC, "Unsubscribe (one click)", NOTIFICATIONS,
        query=UnsubscribeQuerySchema, media_type="text/html", errors=(400,), csrf=False,
        own_credentials=True,
        description=(
            "RFC 8058 one-click: a POST to the link (body `List-Unsubscribe=One-Click`), no "
            "session needed, turns that type's email off. A forged or altered link: 400."
        ),
    ),
]  # fmt: skip
