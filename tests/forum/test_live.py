"""The forum live: ``forum:<course_id>`` and ``thread:<id>`` over the real WebSocket of the
real app (PostgreSQL + Redis): who may subscribe, which events arrive with which data, a
muted reader, a cancelled enrollment, and resuming with ``since``.

Each socket also holds its user's own channel: after an action, a marker published there
comes after every event the action caused (one bus, one order), so "exactly these frames,
nothing else" is asserted without waiting for silence."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS, HUB
from tests.forum.helpers import Forum, make_forum, reply, start_thread
from tests.helpers import Account, Users

WS = "/api/v1/ws"
AT_ONCE = 1.0  # the contract: a lost right applies within a second (tests/realtime)
PER_CALLER = ("unread_count", "subscribed")
MARKER = "test.marker"


async def frame(ws: aiohttp.ClientWebSocketResponse, timeout: float = 5) -> dict[str, Any]:
    return dict(await asyncio.wait_for(ws.receive_json(), timeout))


async def subscribe(ws: aiohttp.ClientWebSocketResponse, channel: str, who: str) -> None:
    await ws.send_json({"op": "subscribe", "channel": channel})
    answer = await frame(ws)
    assert answer == {"op": "subscribed", "channel": channel, "reset": False}, (
        f"{who} should be allowed to subscribe to {channel}: {answer}"
    )


async def refused(ws: aiohttp.ClientWebSocketResponse, channel: str, who: str) -> None:
    await ws.send_json({"op": "subscribe", "channel": channel})
    answer = await frame(ws)
    assert answer == {
        "op": "error",
        "code": "forbidden",
        "detail": "You may not read this channel",
        "channel": channel,
    }, f"{who} should be refused {channel}: {answer}"


class Listener:
    """One account's socket, subscribed to its own channel (for markers) and others."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, account: Account, app: Any) -> None:
        self.ws = ws
        self.account = account
        self.app = app
        self.own = f"user:{account.id}"

    @classmethod
    async def open(
        cls, client: TestClient, account: Account, channels: Iterable[str], who: str
    ) -> Listener:
        ws = await account.client.ws_connect(WS)
        listener = cls(ws, account, client.app)
        for channel in (listener.own, *channels):
            await subscribe(ws, channel, who)
        return listener

    async def received(self, *, own: bool = False) -> list[dict[str, Any]]:
        """Every frame up to a marker published now on the own channel (the marker left
        out; frames of the own channel too unless ``own``)."""
        marker = await self.app[BUS].publish(self.own, MARKER, {})
        got: list[dict[str, Any]] = []
        while True:
            answer = await frame(self.ws)
            if answer.get("id") == marker.id and answer.get("channel") == self.own:
                return got
            if own or answer.get("channel") != self.own:
                got.append(answer)

    async def close(self) -> None:
        await self.ws.close()


def kinds(frames: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f["channel"], f.get("type") or f["op"]) for f in frames]


def public(thread: dict[str, Any]) -> dict[str, Any]:
    """A thread answer without the caller's own fields: what its events carry."""
    return {k: v for k, v in thread.items() if k not in PER_CALLER}


def check_thread_data(data: dict[str, Any], what: str) -> None:
    leaked = [name for name in PER_CALLER if name in data]
    assert not leaked, f"{what}: per-caller fields {leaked} leak into a shared event: {data}"


async def get_thread(account: Account, thread_id: int) -> dict[str, Any]:
    answer = await account.client.get(f"/api/v1/threads/{thread_id}")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def patch_thread(account: Account, thread_id: int, changes: dict[str, Any]) -> None:
    answer = await account.client.patch(
        f"/api/v1/threads/{thread_id}", json=changes, headers=account.csrf_headers()
    )
    assert answer.status == 200, await answer.text()


async def delete(account: Account, path: str) -> None:
    answer = await account.client.delete(path, headers=account.csrf_headers())
    assert answer.status == 204, await answer.text()


def channels_of(forum: Forum, thread_id: int) -> tuple[str, str]:
    return f"forum:{forum.course_id}", f"thread:{thread_id}"


async def test_students_the_instructor_and_admins_may_subscribe_and_an_outsider_may_not(
    users: Users,
) -> None:
    forum = await make_forum(users)
    admin = await users.signed_in("admin")
    thread = await start_thread(forum.alice, forum.course_id)
    channels = channels_of(forum, thread["id"])
    for who, account in (
        ("a student who started the thread", forum.alice),
        ("another student", forum.bob),
        ("the instructor", forum.teacher),
        ("an admin", admin),
    ):
        ws = await account.client.ws_connect(WS)
        for channel in channels:
            await subscribe(ws, channel, who)
        await ws.close()
    outsider = await forum.outsider.client.ws_connect(WS)
    for channel in channels:
        await refused(outsider, channel, "a student not enrolled in the course")
    await outsider.close()


async def test_a_draft_courses_outsiders_and_unknown_or_deleted_threads_are_refused(
    users: Users,
) -> None:
    forum = await make_forum(users)
    h = forum.teacher.csrf_headers()
    draft = await (
        await forum.teacher.client.post("/api/v1/courses", json={"title": "Draft"}, headers=h)
    ).json()
    assert draft["status"] == "draft", draft
    draft_thread = await start_thread(forum.teacher, draft["id"], title="Before launch")
    gone = await start_thread(forum.alice, forum.course_id, title="Never mind")
    await delete(forum.alice, f"/api/v1/threads/{gone['id']}")

    teacher = await forum.teacher.client.ws_connect(WS)
    for channel in (f"forum:{draft['id']}", f"thread:{draft_thread['id']}"):
        await subscribe(teacher, channel, "the draft course's instructor")
    for who, account in (
        ("an outsider", forum.outsider),
        ("a student of another course", forum.bob),
    ):
        ws = await account.client.ws_connect(WS)
        await refused(ws, f"forum:{draft['id']}", f"{who} of a draft course")
        await refused(ws, f"thread:{draft_thread['id']}", f"{who} of a draft course")
        await ws.close()

    unknown = draft_thread["id"] + 1000
    for who, ws in (
        ("a student", await forum.alice.client.ws_connect(WS)),
        ("the instructor", teacher),
    ):
        await refused(ws, f"thread:{unknown}", f"{who}, for an unknown thread")
        await refused(ws, f"forum:{draft['id'] + 1000}", f"{who}, for an unknown course")
        await refused(ws, f"thread:{gone['id']}", f"{who}, for a deleted thread")
        await subscribe(ws, f"forum:{forum.course_id}", f"{who} (the course itself is fine)")
        await ws.close()


async def test_the_forum_channel_keeps_a_thread_list_current(
    users: Users, client: TestClient
) -> None:
    forum = await make_forum(users)
    forum_channel = f"forum:{forum.course_id}"
    bob = await Listener.open(client, forum.bob, [forum_channel], "a student")

    thread = await start_thread(forum.alice, forum.course_id, body="<p>Help <b>me</b></p>")
    got = await bob.received()
    assert kinds(got) == [(forum_channel, "thread.created")], got
    check_thread_data(got[0]["data"], "thread.created")
    assert got[0]["data"] == public(thread), "thread.created should carry the thread's fields"

    post = await reply(forum.teacher, thread["id"])
    got = await bob.received()
    assert kinds(got) == [(forum_channel, "thread.updated")], f"after a post: {got}"
    data = got[0]["data"]
    check_thread_data(data, "thread.updated after a post")
    assert data["reply_count"] == 1, f"the reply count should move to 1: {data}"
    assert data["last_activity_at"] == post["created_at"], "last activity should be the post's"
    moved = datetime.fromisoformat(data["last_activity_at"])
    assert moved > datetime.fromisoformat(thread["last_activity_at"]), data
    assert data == public(await get_thread(forum.alice, thread["id"])), "the event is stale"

    await delete(forum.teacher, f"/api/v1/posts/{post['id']}")
    got = await bob.received()
    assert kinds(got) == [(forum_channel, "thread.updated")], f"after a deleted post: {got}"
    assert got[0]["data"]["reply_count"] == 0, got[0]["data"]
    assert got[0]["data"] == public(await get_thread(forum.alice, thread["id"]))

    await patch_thread(forum.teacher, thread["id"], {"pinned": True})
    got = await bob.received()
    assert kinds(got) == [(forum_channel, "thread.updated")], f"after pinning: {got}"
    assert got[0]["data"]["pinned"] is True, got[0]["data"]

    await delete(forum.alice, f"/api/v1/threads/{thread['id']}")
    got = await bob.received()
    assert kinds(got) == [(forum_channel, "thread.deleted")], got
    assert got[0]["data"] == {"id": thread["id"], "course_id": forum.course_id}, got[0]["data"]
    await bob.close()


async def test_the_thread_channel_carries_posts_and_moderation(
    users: Users, client: TestClient
) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    forum_channel, thread_channel = channels_of(forum, thread["id"])
    alice = await Listener.open(client, forum.alice, [thread_channel, forum_channel], "its author")

    post = await reply(forum.bob, thread["id"], body="<p>Once a <i>month</i></p>")
    got = await alice.received()
    assert kinds(got) == [(thread_channel, "post.created"), (forum_channel, "thread.updated")], got
    assert got[0]["data"] == {**post, "course_id": forum.course_id}, (
        "post.created should carry the post as listed and its course"
    )
    check_thread_data(got[1]["data"], "thread.updated after a post")

    edit = await forum.bob.client.patch(
        f"/api/v1/posts/{post['id']}",
        json={"body": "<p>Twice</p>"},
        headers=forum.bob.csrf_headers(),
    )
    edited = await edit.json()
    assert edit.status == 200, edited
    got = await alice.received()
    assert kinds(got) == [(thread_channel, "post.updated")], got
    assert got[0]["data"] == {**edited, "course_id": forum.course_id}, got[0]["data"]
    assert got[0]["data"]["body"] == "<p>Twice</p>" and got[0]["data"]["edited_at"], got

    await delete(forum.bob, f"/api/v1/posts/{post['id']}")
    got = await alice.received()
    assert kinds(got) == [(thread_channel, "post.deleted"), (forum_channel, "thread.updated")], got
    removed = got[0]["data"]
    assert removed["id"] == post["id"] and removed["course_id"] == forum.course_id, removed
    assert removed["deleted"] is True and removed["body"] is None, f"a body leaks: {removed}"

    for changes in ({"pinned": True}, {"locked": True}, {"title": "Watering, settled"}):
        await patch_thread(forum.teacher, thread["id"], changes)
        got = await alice.received()
        assert kinds(got) == [
            (thread_channel, "thread.updated"),
            (forum_channel, "thread.updated"),
        ], f"after {changes}: {got}"
        assert got[0]["data"] == got[1]["data"], "both channels should get the same thread"
        check_thread_data(got[0]["data"], f"thread.updated after {changes}")
        for name, value in changes.items():
            assert got[0]["data"][name] == value, f"{name} should be {value}: {got[0]['data']}"
    assert got[0]["data"] == public(await get_thread(forum.bob, thread["id"]))

    await delete(forum.teacher, f"/api/v1/threads/{thread['id']}")
    got = await alice.received()
    gone = {"id": thread["id"], "course_id": forum.course_id}
    assert [(f["channel"], f["type"], f["data"]) for f in got] == [
        (thread_channel, "thread.deleted", gone),
        (forum_channel, "thread.deleted", gone),
    ], got
    await alice.close()


async def test_a_muted_student_keeps_receiving_both_channels(
    users: Users, client: TestClient
) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    channels = channels_of(forum, thread["id"])
    bob = await Listener.open(client, forum.bob, channels, "a student")
    until = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None).isoformat()
    muted = await forum.teacher.client.post(
        f"/api/v1/courses/{forum.course_id}/forum/mutes",
        json={"user_id": forum.bob.id, "until": until},
        headers=forum.teacher.csrf_headers(),
    )
    assert muted.status == 201, await muted.text()
    got = await bob.received(own=True)
    assert kinds(got) == [(bob.own, "forum.muted")], f"the muted user is told, nothing else: {got}"
    # Whatever re-checks the socket's rights now (as a control message would) keeps them.
    client.app[HUB].rights_changed(forum.bob.id)
    written = await forum.bob.client.post(
        f"/api/v1/threads/{thread['id']}/posts",
        json={"body": "<p>Still here?</p>"},
        headers=forum.bob.csrf_headers(),
    )
    assert written.status == 403, "a muted user may not post"

    await reply(forum.alice, thread["id"])
    got = await bob.received()
    assert kinds(got) == [(channels[1], "post.created"), (channels[0], "thread.updated")], (
        f"a muted user still receives the forum: {got}"
    )
    fresh = await forum.bob.client.ws_connect(WS)
    for channel in channels:
        await subscribe(fresh, channel, "a muted student")
    await fresh.close()
    await bob.close()


async def test_a_cancelled_enrollment_stops_both_channels_at_once(
    users: Users, client: TestClient
) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    forum_channel, thread_channel = channels_of(forum, thread["id"])
    bob = await Listener.open(client, forum.bob, [forum_channel, thread_channel], "a student")
    alice = await Listener.open(client, forum.alice, [forum_channel, thread_channel], "a student")

    await delete(forum.bob, f"/api/v1/courses/{forum.course_id}/enrollment")
    dropped: set[str] = set()
    while dropped != {forum_channel, thread_channel}:
        try:
            answer = await frame(bob.ws, AT_ONCE)
        except TimeoutError:
            pytest.fail(f"only {sorted(dropped)} stopped within {AT_ONCE}s of the cancel")
        if answer.get("channel") == bob.own:
            continue  # enrollment.cancelled, on the student's own channel
        assert answer == {
            "op": "error",
            "code": "forbidden",
            "detail": "You may no longer read this channel",
            "channel": answer.get("channel"),
        }, f"only the channels' ends may come after the cancel's answer: {answer}"
        dropped.add(answer["channel"])

    await reply(forum.alice, thread["id"])
    await start_thread(forum.alice, forum.course_id, title="After bob left")
    await patch_thread(forum.teacher, thread["id"], {"pinned": True})
    assert await bob.received() == [], "a cancelled student still receives the forum"
    heard = kinds(await alice.received())
    assert heard == [
        (thread_channel, "post.created"),
        (forum_channel, "thread.updated"),
        (forum_channel, "thread.created"),
        (thread_channel, "thread.updated"),
        (forum_channel, "thread.updated"),
    ], f"a student still enrolled should hear all of it: {heard}"
    for channel in (forum_channel, thread_channel):
        await refused(bob.ws, channel, "a student whose enrollment is cancelled")
    await bob.close()
    await alice.close()


async def test_resuming_with_since_replays_what_was_missed(
    users: Users, client: TestClient
) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    forum_channel, thread_channel = channels_of(forum, thread["id"])
    bob = await Listener.open(client, forum.bob, [forum_channel, thread_channel], "a student")
    seen = await reply(forum.alice, thread["id"], body="<p>Seen</p>")
    got = await bob.received()
    assert kinds(got) == [(thread_channel, "post.created"), (forum_channel, "thread.updated")]
    last = {f["channel"]: f["id"] for f in got}
    assert got[0]["data"]["id"] == seen["id"]
    await bob.close()

    missed = [await reply(forum.alice, thread["id"], body=f"<p>Missed {n}</p>") for n in range(2)]
    await patch_thread(forum.teacher, thread["id"], {"locked": True})

    ws = await forum.bob.client.ws_connect(WS)
    resumed = Listener(ws, forum.bob, client.app)
    await subscribe(ws, resumed.own, "a student")
    for channel, expected in (
        (thread_channel, ["post.created", "post.created", "thread.updated"]),
        (forum_channel, ["thread.updated"] * 3),
    ):
        await ws.send_json({"op": "subscribe", "channel": channel, "since": last[channel]})
        answer = await frame(ws)
        assert answer == {"op": "subscribed", "channel": channel, "reset": False}, answer
        replayed = [await frame(ws) for _ in expected]
        assert [(f["channel"], f["type"]) for f in replayed] == [(channel, t) for t in expected]
        if channel == thread_channel:
            assert [f["data"]["id"] for f in replayed[:2]] == [p["id"] for p in missed]
            assert replayed[2]["data"]["locked"] is True, replayed[2]
        else:
            assert [f["data"]["reply_count"] for f in replayed] == [2, 3, 3], replayed
    assert await resumed.received() == [], "a replay should hold nothing more than was missed"

    await reply(forum.teacher, thread["id"])  # locked: moderators still post
    assert kinds(await resumed.received()) == [
        (thread_channel, "post.created"),
        (forum_channel, "thread.updated"),
    ], "live events should follow the replay"
    await resumed.close()
