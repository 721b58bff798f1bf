"""The WebSocket protocol of docs/websocket.md, through a real socket to the real app."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from tests.helpers import Users

WS = "/api/v1/ws"


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    return dict(await asyncio.wait_for(ws.receive_json(), 5))


async def test_anonymous_is_refused_before_the_upgrade(client: TestClient) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(WS)
    assert refused.value.status == 401


async def test_cookie_upgrade_from_a_foreign_origin_is_refused(users: Users) -> None:
    student = await users.signed_in()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await student.client.ws_connect(WS, headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    ws = await student.client.ws_connect(WS)  # no Origin: judged by its credentials
    await ws.close()


async def test_own_channel_events_arrive_and_others_are_forbidden(
    users: Users, client: TestClient
) -> None:
    student = await users.signed_in()
    other = await users.signed_in()
    ws = await student.client.ws_connect(WS)
    await ws.send_json({"op": "subscribe", "channel": f"user:{other.id}"})
    assert await frame(ws) == {
        "op": "error",
        "code": "forbidden",
        "detail": "You may not read this channel",
        "channel": f"user:{other.id}",
    }
    for bad, code in (
        ("not json", "bad-frame"),
        ('{"op": "dance"}', "unknown-op"),
        ('{"op": "subscribe", "channel": "user:abc"}', "bad-channel"),
        ('{"op": "subscribe", "channel": "admin"}', "forbidden"),
        ('{"op": "subscribe", "channel": "thread:1"}', "forbidden"),
        (f'{{"op": "subscribe", "channel": "user:{student.id}", "since": "x"}}', "bad-since"),
    ):
        await ws.send_str(bad)
        assert (await frame(ws))["code"] == code, bad
    await ws.send_json({"op": "subscribe", "channel": f"user:{student.id}"})
    assert await frame(ws) == {"op": "subscribed", "channel": f"user:{student.id}", "reset": False}
    bus = client.server.app[BUS]
    await bus.publish(f"user:{other.id}", "secret", {})
    sent = await bus.publish(f"user:{student.id}", "hello", {"n": 1})
    assert await frame(ws) == {
        "op": "event",
        "channel": sent.channel,
        "id": sent.id,
        "event_id": sent.event_id,
        "type": "hello",
        "data": {"n": 1},
    }
    await ws.send_json({"op": "unsubscribe", "channel": f"user:{student.id}"})
    assert (await frame(ws))["op"] == "unsubscribed"
    await bus.publish(f"user:{student.id}", "after", {})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.receive_json(), 0.3)
    await ws.close()


async def test_resume_with_since_replays_exactly_what_was_missed(
    users: Users, client: TestClient
) -> None:
    teacher = await users.with_token("instructor")
    bus = client.server.app[BUS]
    channel = f"user:{teacher.id}"
    events = [await bus.publish(channel, "tick", {"n": n}) for n in range(5)]
    ws = await users.client.ws_connect(WS, headers=teacher.headers)  # Bearer, no cookie
    await ws.send_json({"op": "subscribe", "channel": channel, "since": events[1].id})
    assert (await frame(ws))["op"] == "subscribed"
    live = await bus.publish(channel, "tick", {"n": 5})
    got = [(await frame(ws))["data"]["n"] for _ in range(4)]
    assert got == [2, 3, 4, 5]
    assert live.id
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.receive_json(), 0.3)
    await ws.close()


async def test_instructor_watches_their_course_live(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    course = await (
        await teacher.client.post("/api/v1/courses", json={"title": "Live Course"}, headers=h)
    ).json()
    rival = await users.signed_in("instructor")
    rival_ws = await rival.client.ws_connect(WS)
    await rival_ws.send_json({"op": "subscribe", "channel": f"course:{course['id']}"})
    assert (await frame(rival_ws))["code"] == "forbidden"
    ws = await teacher.client.ws_connect(WS)
    await ws.send_json({"op": "subscribe", "channel": f"course:{course['id']}"})
    assert (await frame(ws))["op"] == "subscribed"
    await teacher.client.post(
        f"/api/v1/courses/{course['id']}/lessons", json={"title": "One"}, headers=h
    )
    event = await frame(ws)
    assert event["type"] == "lesson.created" and event["data"]["course_id"] == course["id"]
    await ws.close()
    await rival_ws.close()


async def test_oversized_frame_closes_with_1009(users: Users) -> None:
    student = await users.signed_in()
    ws = await student.client.ws_connect(WS)
    await ws.send_str("x" * (64 * 1024 + 1))
    message = await asyncio.wait_for(ws.receive(), 5)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


async def test_a_flood_of_frames_is_throttled_and_the_socket_stays_open(users: Users) -> None:
    student = await users.signed_in()
    ws = await student.client.ws_connect(WS)
    for _ in range(80):
        await ws.send_json({"op": "unsubscribe", "channel": f"user:{student.id}"})
    codes = []
    for _ in range(80):
        answer = await frame(ws)
        codes.append(answer.get("code") or answer["op"])
    assert "throttled" in codes and codes.count("unsubscribed") >= 40
    await asyncio.sleep(1.1)
    await ws.send_json({"op": "subscribe", "channel": f"user:{student.id}"})
    assert (await frame(ws))["op"] == "subscribed"
    await ws.close()


async def test_a_ticket_opens_one_socket_once(users: Users, client: TestClient) -> None:
    student = await users.signed_in()
    issued = await student.client.post("/api/v1/ws/ticket", headers=student.csrf_headers())
    assert issued.status == 201
    body = await issued.json()
    assert body["expires_in"] == 30
    ws = await client.ws_connect(f"{WS}?ticket={body['ticket']}")  # a client with no cookie
    await ws.send_json({"op": "subscribe", "channel": f"user:{student.id}"})
    assert (await frame(ws))["op"] == "subscribed"
    await ws.close()
    for ticket in (body["ticket"], "made-up", "x" * 500):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(f"{WS}?ticket={ticket}")
        assert refused.value.status == 401
    no_csrf = await student.client.post("/api/v1/ws/ticket")
    assert no_csrf.status == 403


async def test_a_bad_ticket_is_refused_even_beside_a_good_credential(users: Users) -> None:
    """An invalid credential is a 401 whatever else is sent: a used or made-up ticket next
    to a valid cookie or token does not fall back on them."""
    student = await users.with_token()
    issued = await student.client.post("/api/v1/ws/ticket", headers=student.csrf_headers())
    ticket = (await issued.json())["ticket"]
    ws = await student.client.ws_connect(f"{WS}?ticket={ticket}")
    await ws.close()
    for query in (f"?ticket={ticket}", "?ticket=made-up", "?ticket="):
        for client, headers in ((student.client, {}), (users.client, student.headers)):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(f"{WS}{query}", headers=headers)
            assert refused.value.status == 401, query


async def test_losing_rights_mid_session_stops_delivery(
    users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocp.realtime import views
    from ocp.users.models import User

    monkeypatch.setattr(views, "RECHECK_EVERY", 0.2)
    teacher = await users.with_token("instructor")
    course = await (
        await users.client.post(
            "/api/v1/courses", json={"title": "Watched"}, headers=teacher.headers
        )
    ).json()
    ws = await users.client.ws_connect(WS, headers=teacher.headers)
    await ws.send_json({"op": "subscribe", "channel": f"course:{course['id']}"})
    assert (await frame(ws))["op"] == "subscribed"
    await User.filter(id=teacher.id).update(role="student")  # demoted
    dropped = await frame(ws)
    assert dropped["code"] == "forbidden" and dropped["channel"] == f"course:{course['id']}"
    await User.filter(id=teacher.id).update(is_active=False)  # then deactivated
    message = await asyncio.wait_for(ws.receive(), 5)
    assert message.type == aiohttp.WSMsgType.CLOSE
    assert ws.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION


async def test_sockets_per_user_are_capped(users: Users, monkeypatch: pytest.MonkeyPatch) -> None:
    from ocp.realtime import views

    monkeypatch.setattr(views, "MAX_SOCKETS_PER_USER", 2)
    student = await users.signed_in()
    first = await student.client.ws_connect(WS)
    second = await student.client.ws_connect(WS)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await student.client.ws_connect(WS)
    assert refused.value.status == 429
    await first.close()
    for _ in range(50):
        try:
            third = await student.client.ws_connect(WS)
            break
        except aiohttp.WSServerHandshakeError:
            await asyncio.sleep(0.05)
    else:
        raise AssertionError("a closed socket did not free its place")
    await second.close()
    await third.close()
