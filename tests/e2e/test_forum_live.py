"""The forum live across real processes: two ``serve`` processes and an arq worker sharing
PostgreSQL and Redis. Two students, each connected to a different process, post through the
other one's HTTP API; both see every post and the thread list move live, and the worker
tells each of them of the other's reply (``forum.reply``)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.test_events_durable import Worker
from tests.e2e.test_realtime import (
    Account,
    call,
    create_course,
    create_lesson,
    frame,
    make_cast,
    prepare,
    production_env,
    servers,
    socket,
    subscribe,
)
from tests.e2e.test_serve import empty_database  # noqa: F401  (fixture)

NOTIFIED_WITHIN = 30.0  # seconds for the worker to make a notification


async def published_course(http: aiohttp.ClientSession, base: str, teacher: Account) -> int:
    course_id = await create_course(http, base, teacher)
    await create_lesson(http, base, teacher, course_id, "Only")
    await call(
        http,
        "PATCH",
        f"{base}/api/v1/courses/{course_id}",
        token=teacher.token,
        json={"status": "published"},
    )
    return course_id


async def forum_replies(http: aiohttp.ClientSession, base: str, account: Account) -> list[Any]:
    """The account's ``forum.reply`` notifications, once the worker has made one (polled until
    a deadline)."""
    deadline = time.monotonic() + NOTIFIED_WITHIN
    while True:
        listed = await call(http, "GET", f"{base}/api/v1/notifications", token=account.token)
        replies = [n for n in listed["items"] if n["type"] == "forum.reply"]
        if replies or time.monotonic() > deadline:
            return replies
        await asyncio.sleep(0.2)


async def test_two_students_on_two_processes_see_each_others_posts_and_are_notified(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
) -> None:
    env = production_env(empty_database, redis_url)
    prepare(env, tmp_path)
    worker = Worker(env, tmp_path)
    try:
        with servers(2, env, tmp_path) as [(server_1, one), (server_2, two)]:
            await server_1.wait_healthy(one)
            await server_2.wait_healthy(two)
            async with aiohttp.ClientSession() as http:
                cast = await make_cast(http, one)
                course_id = await published_course(http, one, cast.teacher)
                alice, bob = cast.student, cast.other
                for student in (alice, bob):
                    await call(
                        http,
                        "POST",
                        f"{two}/api/v1/courses/{course_id}/enrollment",
                        token=student.token,
                        expect=201,
                    )
                forum = f"forum:{course_id}"
                async with socket(http, one, alice) as alice_ws, socket(http, two, bob) as bob_ws:
                    watchers = (("alice on process 1", alice_ws), ("bob on process 2", bob_ws))
                    for _, ws in watchers:
                        await subscribe(ws, forum)
                    thread = await call(
                        http,
                        "POST",
                        f"{one}/api/v1/courses/{course_id}/threads",
                        token=alice.token,
                        json={"title": "Cacti in winter", "body": "<p>How often?</p>"},
                        expect=201,
                    )
                    for who, ws in watchers:
                        created = await frame(ws)
                        assert (created["channel"], created["type"]) == (forum, "thread.created")
                        assert created["data"]["id"] == thread["id"], f"{who}: {created}"
                    channel = f"thread:{thread['id']}"
                    for _, ws in watchers:
                        await subscribe(ws, channel)

                    # Each posts through the process the other one is connected to.
                    posts = []
                    for author, base, count in ((bob, one, 1), (alice, two, 2)):
                        post = await call(
                            http,
                            "POST",
                            f"{base}/api/v1/threads/{thread['id']}/posts",
                            token=author.token,
                            json={"body": f"<p>Reply {count}</p>"},
                            expect=201,
                        )
                        posts.append(post)
                        for who, ws in watchers:
                            got = [await frame(ws), await frame(ws)]
                            assert [(f["channel"], f["type"]) for f in got] == [
                                (channel, "post.created"),
                                (forum, "thread.updated"),
                            ], f"{who} after a post by user {author.id}: {got}"
                            assert got[0]["data"] == {**post, "course_id": course_id}, who
                            assert got[1]["data"]["reply_count"] == count, f"{who}: {got[1]}"
                            assert got[1]["data"]["last_activity_at"] == post["created_at"]

                # The worker tells each follower of the other's reply.
                for who, account, base, post in (
                    ("alice (the thread's author)", alice, two, posts[0]),
                    ("bob", bob, one, posts[1]),
                ):
                    replies = await forum_replies(http, base, account)
                    assert len(replies) == 1, (
                        f"{who} should have one forum.reply: {replies}\n{worker.output()[-3000:]}"
                    )
                    assert replies[0]["data"] == {
                        "course_id": course_id,
                        "thread_id": thread["id"],
                        "post_id": post["id"],
                    }, replies[0]
            for server in (server_1, server_2):
                assert server.process.poll() is None, server.output()
        assert worker.process.poll() is None, worker.output()
    finally:
        worker.stop()
