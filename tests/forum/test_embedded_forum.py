"""The forum's main path on the embedded default: SQLite (its LIKE search), the in-memory
bus, jobs in the process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from tests.forum.helpers import make_forum, reply, start_thread
from tests.helpers import Account, Users

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]
WS = "/api/v1/ws"
DEADLINE = 10.0  # seconds to wait for the in-process jobs


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    return dict(await asyncio.wait_for(ws.receive_json(), 5))


async def subscribe(ws: aiohttp.ClientWebSocketResponse, channel: str) -> None:
    await ws.send_json({"op": "subscribe", "channel": channel})
    answer = await frame(ws)
    assert answer == {"op": "subscribed", "channel": channel, "reset": False}, answer


async def found(account: Account, course_id: int, q: str) -> list[int]:
    answer = await account.client.get(f"/api/v1/courses/{course_id}/threads", params={"q": q})
    assert answer.status == 200, await answer.text()
    return [thread["id"] for thread in (await answer.json())["items"]]


async def forum_replies(account: Account) -> list[dict[str, Any]]:
    """The account's ``forum.reply`` notifications, once the in-process jobs made one."""
    loop = asyncio.get_running_loop()
    until = loop.time() + DEADLINE
    while True:
        listed = await (await account.client.get("/api/v1/notifications")).json()
        replies = [n for n in listed["items"] if n["type"] == "forum.reply"]
        if replies or loop.time() > until:
            return replies
        await asyncio.sleep(0.05)


async def test_a_thread_a_live_reply_a_search_and_a_notification_in_one_process(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    embedded = await aiohttp_client(create_app(embedded_settings))

    async def browser() -> TestClient:
        return await aiohttp_client(embedded.server)

    forum = await make_forum(Users(embedded, browser))
    forum_channel = f"forum:{forum.course_id}"
    ws = await forum.alice.client.ws_connect(WS)
    await subscribe(ws, forum_channel)

    cacti = await start_thread(
        forum.alice, forum.course_id, "How do I water cacti?", "<p>Help with my succulents</p>"
    )
    created = await frame(ws)
    assert (created["channel"], created["type"]) == (forum_channel, "thread.created"), created
    assert created["data"]["id"] == cacti["id"], created
    thread_channel = f"thread:{cacti['id']}"
    await subscribe(ws, thread_channel)
    tomatoes = await start_thread(forum.bob, forum.course_id, "Tomatoes in pots", "<p>Soil?</p>")
    assert (await frame(ws))["data"]["id"] == tomatoes["id"]

    post = await reply(forum.bob, cacti["id"], body="<p>Rarely, in <b>winter</b>.</p>")
    got = [await frame(ws), await frame(ws)]
    assert [(f["channel"], f["type"]) for f in got] == [
        (thread_channel, "post.created"),
        (forum_channel, "thread.updated"),
    ], got
    assert got[0]["data"] == {**post, "course_id": forum.course_id}, got[0]
    assert got[1]["data"]["reply_count"] == 1, got[1]
    await ws.close()

    for q, expected, why in (
        ("cacti", [cacti["id"]], "a word of a title"),
        ("SUCCULENTS", [cacti["id"]], "a thread's body, whatever the case"),
        ("winter", [cacti["id"]], "a post's body"),
        ("rarely winter", [cacti["id"]], "every word in one post"),
        ("help succulents", [cacti["id"]], "every word in the thread"),
        ("succulents winter", [], "words split between the thread and a post (as PostgreSQL)"),
        ("soil winter", [], "words found only in different threads"),
        ("tomato", [tomatoes["id"]], "part of a word"),
        ("_", [], "a LIKE wildcard taken literally"),
        ("%", [], "no word at all"),
    ):
        assert await found(forum.teacher, forum.course_id, q) == expected, f"q={q!r}: {why}"

    replies = await forum_replies(forum.alice)
    assert [n["data"] for n in replies] == [
        {"course_id": forum.course_id, "thread_id": cacti["id"], "post_id": post["id"]}
    ], f"alice follows the thread she started: {replies}"
    # The same job told every follower: the poster, one of them, was left out.
    listed = await (await forum.bob.client.get("/api/v1/notifications")).json()
    assert [n for n in listed["items"] if n["type"] == "forum.reply"] == [], listed
