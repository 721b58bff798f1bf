"""The forum's main path over HTTP on PostgreSQL + Redis + a real arq worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.forum.helpers import make_forum, reply, start_thread
from tests.helpers import Users, expect_problem

RunJobs = Callable[[], Awaitable[int]]


async def test_a_thread_its_replies_and_their_counts(users: Users, run_jobs: RunJobs) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    assert thread["reply_count"] == 0 and thread["subscribed"] is True
    assert thread["author"] == {"id": forum.alice.id, "full_name": "Test User"}
    first = await reply(forum.bob, thread["id"])
    nested = await reply(forum.teacher, thread["id"], parent_id=first["id"])
    assert nested["parent_id"] == first["id"]

    seen = await forum.alice.client.get(f"/api/v1/threads/{thread['id']}")
    body = await seen.json()
    assert body["reply_count"] == 2 and body["unread_count"] == 2, body
    listed = await forum.bob.client.get(f"/api/v1/courses/{forum.course_id}/threads")
    page = await listed.json()
    assert page["total"] == 1 and page["items"][0]["unread_count"] == 1, page

    read = await forum.alice.client.post(
        f"/api/v1/threads/{thread['id']}/read", headers=forum.alice.csrf_headers()
    )
    assert (await read.json())["unread_count"] == 0

    posts = await (await forum.alice.client.get(f"/api/v1/threads/{thread['id']}/posts")).json()
    assert [p["id"] for p in posts["items"]] == [first["id"], nested["id"]]

    gone = await forum.bob.client.delete(
        f"/api/v1/posts/{first['id']}", headers=forum.bob.csrf_headers()
    )
    assert gone.status == 204
    posts = await (await forum.alice.client.get(f"/api/v1/threads/{thread['id']}/posts")).json()
    assert posts["items"][0]["deleted"] is True and posts["items"][0]["body"] is None

    await expect_problem(
        await forum.outsider.client.get(f"/api/v1/courses/{forum.course_id}/threads"), 403
    )
    await run_jobs()
    await run_jobs()
    notes = await (await forum.alice.client.get("/api/v1/notifications")).json()
    assert [n["type"] for n in notes["items"]].count("forum.reply") == 1, notes
