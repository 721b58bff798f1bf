"""HTTP handlers for the forum: parse, call the forum's services, serialize."""

from __future__ import annotations

from aiohttp import web

from ocp.appkeys import EVENTS, LIMITER, SETTINGS
from ocp.forum import mutes, posts, threads
from ocp.forum.schemas import (
    MuteCreateSchema,
    MuteSchema,
    PostCreateSchema,
    PostSchema,
    PostUpdateSchema,
    SubscriptionSchema,
    ThreadCreateSchema,
    ThreadQuerySchema,
    ThreadSchema,
    ThreadUpdateSchema,
)
from ocp.web.auth import caller_of
from ocp.web.endpoint import SIGNED_IN, Endpoint
from ocp.web.pagination import offset, page_response, plain_page_response, window
from ocp.web.parsing import path_id, read_body, read_query
from ocp.web.responses import dumped, json_body, no_content
from ocp.web.schemas import PageQuerySchema

FORUM = "Forum"


async def list_threads(request: web.Request) -> web.Response:
    query = read_query(request, ThreadQuerySchema())
    page, per_page = window(query)
    items, total = await threads.list_threads(
        user=caller_of(request).user,
        course_id=path_id(request),
        filters=query,
        offset=offset(page, per_page),
        limit=per_page,
    )
    return plain_page_response(request, items=items, page=page, per_page=per_page, total=total)


async def create_thread(request: web.Request) -> web.Response:
    values = await read_body(request, ThreadCreateSchema())
    thread = await threads.create_thread(
        user=caller_of(request).user,
        course_id=path_id(request),
        values=values,
        events=request.app[EVENTS],
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    return json_body(thread, status=201)


async def get_thread(request: web.Request) -> web.Response:
    thread = await threads.get_thread(user=caller_of(request).user, thread_id=path_id(request))
    return json_body(thread)


async def update_thread(request: web.Request) -> web.Response:
    changes = await read_body(request, ThreadUpdateSchema())
    thread = await threads.update_thread(
        user=caller_of(request).user,
        thread_id=path_id(request),
        changes=changes,
        events=request.app[EVENTS],
    )
    return json_body(thread)


async def delete_thread(request: web.Request) -> web.Response:
    await threads.delete_thread(
        user=caller_of(request).user, thread_id=path_id(request), events=request.app[EVENTS]
    )
    return no_content()


async def mark_read(request: web.Request) -> web.Response:
    thread = await threads.mark_read(user=caller_of(request).user, thread_id=path_id(request))
    return json_body(thread)


async def subscribe(request: web.Request) -> web.Response:
    answer = await threads.subscribe(
        user=caller_of(request).user, thread_id=path_id(request), subscribed=True
    )
    return json_body(answer)


async def unsubscribe(request: web.Request) -> web.Response:
    _ = await threads.subscribe(
        user=caller_of(request).user, thread_id=path_id(request), subscribed=False
    )
    return no_content()


async def list_posts(request: web.Request) -> web.Response:
    query = read_query(request, PageQuerySchema())
    page, per_page = window(query)
    items, total = await posts.list_posts(
        user=caller_of(request).user,
        thread_id=path_id(request),
        offset=offset(page, per_page),
        limit=per_page,
    )
    return page_response(
        request, items=items, schema=PostSchema(), page=page, per_page=per_page, total=total
    )


async def create_post(request: web.Request) -> web.Response:
    values = await read_body(request, PostCreateSchema())
    post = await posts.create_post(
        user=caller_of(request).user,
        thread_id=path_id(request),
        values=values,
        events=request.app[EVENTS],
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    return dumped(PostSchema(), post, status=201)


async def update_post(request: web.Request) -> web.Response:
    values = await read_body(request, PostUpdateSchema())
    post = await posts.update_post(
        user=caller_of(request).user,
        post_id=path_id(request),
        values=values,
        events=request.app[EVENTS],
    )
    return dumped(PostSchema(), post)


async def delete_post(request: web.Request) -> web.Response:
    await posts.delete_post(
        user=caller_of(request).user, post_id=path_id(request), events=request.app[EVENTS]
    )
    return no_content()


async def mute(request: web.Request) -> web.Response:
    values = await read_body(request, MuteCreateSchema())
    made, created = await mutes.mute(
        actor=caller_of(request).user,
        course_id=path_id(request),
        user_id=values["user_id"],
        until=values["until"],
        events=request.app[EVENTS],
    )
    return dumped(MuteSchema(), made, status=201 if created else 200)


async def list_mutes(request: web.Request) -> web.Response:
    found = await mutes.list_mutes(actor=caller_of(request).user, course_id=path_id(request))
    return json_body(MuteSchema().dump(found, many=True))


async def unmute(request: web.Request) -> web.Response:
    await mutes.unmute(
        actor=caller_of(request).user,
        course_id=path_id(request),
        user_id=path_id(request, "user_id"),
        events=request.app[EVENTS],
    )
    return no_content()


COURSE_THREADS = "/api/v1/courses/{id}/threads"
THREAD = "/api/v1/threads/{id}"
POST = "/api/v1/posts/{id}"
MUTES = "/api/v1/courses/{id}/forum/mutes"
WHO = (
    "The course's students (active or completed), its instructor and admins; anyone else gets "
    "404 for a draft course and 403 otherwise."
)
WRITE_ERRORS = (403, 404, 409, 422, 429)
WRITE_NOTES = {
    403: "You may not take part in this forum, or you are muted in it.",
    409: "The thread is locked (moderators may still post).",
    429: "More than `OCP_FORUM_POSTS_PER_MINUTE` (10) threads and posts in a minute.",
}

routes = [
    Endpoint(
        "GET", COURSE_THREADS, list_threads, SIGNED_IN, "A course's forum threads", FORUM,
        query=ThreadQuerySchema, response=ThreadSchema, paginated=True, errors=(403, 404),
        description=(
            f"{WHO} Filters combine. The list stays current live: subscribe to "
            "`forum:<course_id>` for `thread.created`, `thread.updated` and `thread.deleted`."
        ),
    ),
    Endpoint(
        "POST", COURSE_THREADS, create_thread, SIGNED_IN, "Start a thread", FORUM,
        body=ThreadCreateSchema, status=201, response=ThreadSchema, errors=WRITE_ERRORS,
        error_notes=WRITE_NOTES,
        description=f"{WHO} You follow the thread you start. Counts toward the posting limit.",
    ),
    Endpoint(
        "GET", THREAD, get_thread, SIGNED_IN, "A thread", FORUM, response=ThreadSchema,
        errors=(403, 404), description=f"{WHO} A deleted thread: 404.",
    ),
    Endpoint(
        "PATCH", THREAD, update_thread, SIGNED_IN, "Change or moderate a thread", FORUM,
        body=ThreadUpdateSchema, response=ThreadSchema, errors=(403, 404, 409, 422),
        error_notes={
            403: "Not yours to edit, `pinned`/`locked` from a non-moderator, or you are muted.",
            409: "The thread is locked: its author may no longer edit it.",
        },
        description=(
            "Its author changes `title` and `body`; the course's instructor and admins set "
            "`pinned` and `locked` and may retitle any thread. `thread.updated` goes to "
            "`thread:<id>` and `forum:<course_id>`."
        ),
    ),
    Endpoint(
        "DELETE", THREAD, delete_thread, SIGNED_IN, "Delete a thread", FORUM, status=204,
        errors=(403, 404, 409),
        error_notes={409: "Others have replied: only a moderator may delete it now."},
        description=(
            "Moderators delete any thread; its author one nobody else has replied to. It is "
            "gone from every answer (404 after); `thread.deleted` goes to both channels."
        ),
    ),
    Endpoint(
        "POST", THREAD + "/read", mark_read, SIGNED_IN, "Mark a thread read", FORUM,
        response=ThreadSchema, errors=(403, 404),
        description="Every post so far is read by you: answers the thread, `unread_count` 0.",
    ),
    Endpoint(
        "PUT", THREAD + "/subscription", subscribe, SIGNED_IN, "Follow a thread", FORUM,
        response=SubscriptionSchema, errors=(403, 404),
        description=(
            "Followers get a `forum.reply` notification when someone else posts (at most one "
            "per thread and hour). You follow the threads you start and post in, unless you "
            "stopped following them."
        ),
    ),
    Endpoint(
        "DELETE", THREAD + "/subscription", unsubscribe, SIGNED_IN, "Stop following a thread",
        FORUM, status=204, errors=(403, 404),
        description="Kept when you post in the thread again.",
    ),
    Endpoint(
        "GET", THREAD + "/posts", list_posts, SIGNED_IN, "A thread's posts", FORUM,
        query=PageQuerySchema, response=PostSchema, paginated=True, errors=(403, 404),
        description=(
            "Oldest first; a deleted post stays in place (`deleted` true, `body` null). New "
            "and changed posts arrive live on `thread:<id>`."
        ),
    ),
    Endpoint(
        "POST", THREAD + "/posts", create_post, SIGNED_IN, "Reply in a thread", FORUM,
        body=PostCreateSchema, status=201, response=PostSchema, errors=WRITE_ERRORS,
        error_notes={**WRITE_NOTES, 422: "Also `parent_id` not a live top-level post of it."},
        description=(
            f"{WHO} `parent_id` answers a post of the thread (one level deep). You follow the "
            "thread; its followers are notified (`forum.reply`)."
        ),
    ),
    Endpoint(
        "PATCH", POST, update_post, SIGNED_IN, "Edit a post", FORUM, body=PostUpdateSchema,
        response=PostSchema, errors=(403, 404, 409, 422),
        error_notes={
            403: "Not your post, or you are muted.",
            409: "The post was deleted, or its thread is locked.",
        },
        description="Its author only; `post.updated` goes to `thread:<id>`.",
    ),
    Endpoint(
        "DELETE", POST, delete_post, SIGNED_IN, "Delete a post", FORUM, status=204,
        errors=(403, 404),
        description=(
            "Its author or a moderator. The post stays in place as `deleted`; again: 204, "
            "nothing changes."
        ),
    ),
    Endpoint(
        "POST", MUTES, mute, SIGNED_IN, "Mute a user in the forum", FORUM,
        body=MuteCreateSchema, status=201, response=MuteSchema, errors=(403, 404, 422),
        other_responses={200: {"description": "The user was muted already: the new `until`."}},
        error_notes={422: "Unknown user, a moderator, or `until` not within 366 days ahead."},
        description=(
            "The course's instructor and admins. A muted user still reads the forum and gets "
            "its live events, but 403 on writing; they are told by `forum.muted` on "
            "`user:<id>`."
        ),
    ),
    Endpoint(
        "GET", MUTES, list_mutes, SIGNED_IN, "Mutes in force", FORUM, response=MuteSchema,
        response_many=True, errors=(403, 404), description="Moderators; the soonest to end first.",
    ),
    Endpoint(
        "DELETE", MUTES + "/{user_id}", unmute, SIGNED_IN, "Lift a mute", FORUM, status=204,
        errors=(403, 404), description="Moderators; 404 when the user is not muted.",
    ),
]  # fmt: skip
