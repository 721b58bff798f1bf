"""Rights that end at once: a control message on the bus makes every socket of the user
re-check now, not at the next periodic re-check (30 s, left at its default here)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS
from ocp.config import Settings
from tests.helpers import Account, Users

WS = "/api/v1/ws"
AT_ONCE = 1.0  # the contract: every process applies a lost right within a second


async def frame(ws: aiohttp.ClientWebSocketResponse, timeout: float = 5) -> dict[str, Any]:
    return dict(await asyncio.wait_for(ws.receive_json(), timeout))


async def subscribed(ws: aiohttp.ClientWebSocketResponse, channel: str) -> None:
    await ws.send_json({"op": "subscribe", "channel": channel})
    assert await frame(ws) == {"op": "subscribed", "channel": channel, "reset": False}


async def closes_at_once(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    """The close code the server sends within AT_ONCE seconds (fails if it sends none)."""
    message = await asyncio.wait_for(ws.receive(), AT_ONCE)
    assert message.type == aiohttp.WSMsgType.CLOSE, (message.type, message.data)
    return int(message.data)


async def still_open(ws: aiohttp.ClientWebSocketResponse, channel: str) -> None:
    """The socket answers a frame: it was left open."""
    await ws.send_json({"op": "unsubscribe", "channel": channel})
    assert await frame(ws) == {"op": "unsubscribed", "channel": channel}


async def ticket_socket(account: Account, client: TestClient, **kwargs: Any) -> Any:
    issued = await account.client.post("/api/v1/ws/ticket", **kwargs)
    assert issued.status == 201, await issued.text()
    return await client.ws_connect(f"{WS}?ticket={(await issued.json())['ticket']}")


async def admin_patch(users: Users, admin: Account, user_id: int, body: dict[str, Any]) -> None:
    response = await users.client.patch(
        f"/api/v1/users/{user_id}", json=body, headers=admin.headers
    )
    assert response.status == 200, await response.text()


async def test_a_role_change_stops_channels_at_once(users: Users) -> None:
    admin = await users.with_token("admin")
    teacher = await users.with_token("instructor")
    course = await (
        await users.client.post(
            "/api/v1/courses", json={"title": "Watched"}, headers=teacher.headers
        )
    ).json()
    channel = f"course:{course['id']}"
    ws = await users.client.ws_connect(WS, headers=teacher.headers)
    await subscribed(ws, channel)
    await subscribed(ws, f"user:{teacher.id}")
    await admin_patch(users, admin, teacher.id, {"role": "student"})
    dropped = await frame(ws, AT_ONCE)
    assert dropped == {
        "op": "error",
        "code": "forbidden",
        "channel": channel,
        "detail": "You may no longer read this channel",
    }
    await users.client.app[BUS].publish(channel, "lesson.created", {"n": 1})
    own = await users.client.app[BUS].publish(f"user:{teacher.id}", "still.mine", {})
    assert (await frame(ws))["id"] == own.id  # the course event never came; the own one did
    await ws.send_json({"op": "subscribe", "channel": channel})  # and it cannot come back
    assert (await frame(ws))["code"] == "forbidden"
    await ws.close()


async def test_deactivation_closes_every_socket_at_once(users: Users, client: TestClient) -> None:
    admin = await users.with_token("admin")
    student = await users.with_token()
    by_token = await users.client.ws_connect(WS, headers=student.headers)
    by_cookie = await student.client.ws_connect(WS)
    by_ticket = await ticket_socket(student, client, headers=student.csrf_headers())
    await admin_patch(users, admin, student.id, {"is_active": False})
    for name, ws in (("token", by_token), ("cookie", by_cookie), ("ticket", by_ticket)):
        assert await closes_at_once(ws) == aiohttp.WSCloseCode.POLICY_VIOLATION, name


async def test_logout_closes_the_sockets_of_that_session_only(
    users: Users, client: TestClient, make_client: Callable[[], Awaitable[TestClient]]
) -> None:
    student = await users.with_token()
    other_browser = await make_client()
    login = await other_browser.post(
        "/api/v1/auth/login", json={"email": student.email, "password": student.password}
    )
    assert login.status == 200
    by_cookie = await student.client.ws_connect(WS)
    by_ticket = await ticket_socket(student, client, headers=student.csrf_headers())
    other_session = await other_browser.ws_connect(WS)
    by_token = await users.client.ws_connect(WS, headers=student.headers)
    out = await student.client.post("/api/v1/auth/logout", headers=student.csrf_headers())
    assert out.status == 204
    assert await closes_at_once(by_cookie) == aiohttp.WSCloseCode.POLICY_VIOLATION
    assert await closes_at_once(by_ticket) == aiohttp.WSCloseCode.POLICY_VIOLATION
    for ws in (other_session, by_token):
        await still_open(ws, f"user:{student.id}")
        await ws.close()


async def test_signing_in_again_ends_the_old_sessions_sockets(users: Users) -> None:
    student = await users.signed_in()
    old = await student.client.ws_connect(WS)
    again = await student.client.post(
        "/api/v1/auth/login", json={"email": student.email, "password": student.password}
    )
    assert again.status == 200
    assert await closes_at_once(old) == aiohttp.WSCloseCode.POLICY_VIOLATION
    fresh = await student.client.ws_connect(WS)  # the new session opens sockets as usual
    await still_open(fresh, f"user:{student.id}")
    await fresh.close()


async def test_a_password_change_closes_the_other_sessions_sockets(
    users: Users, client: TestClient, make_client: Callable[[], Awaitable[TestClient]]
) -> None:
    student = await users.with_token()
    other_browser = await make_client()
    login = await other_browser.post(
        "/api/v1/auth/login", json={"email": student.email, "password": student.password}
    )
    other_csrf = (await login.json())["csrf_token"]
    mine = await student.client.ws_connect(WS)
    await subscribed(mine, f"user:{student.id}")
    theirs = await other_browser.ws_connect(WS)
    issued = await other_browser.post("/api/v1/ws/ticket", headers={"X-CSRF-Token": other_csrf})
    theirs_ticket = await client.ws_connect(f"{WS}?ticket={(await issued.json())['ticket']}")
    by_token = await users.client.ws_connect(WS, headers=student.headers)
    changed = await student.client.post(
        "/api/v1/users/me/password",
        json={"current_password": student.password, "new_password": "a brand new secret"},
        headers=student.csrf_headers(),
    )
    assert changed.status == 204, await changed.text()
    assert await closes_at_once(theirs) == aiohttp.WSCloseCode.POLICY_VIOLATION
    assert await closes_at_once(theirs_ticket) == aiohttp.WSCloseCode.POLICY_VIOLATION
    # This session carries on under a new id: its socket still receives.
    await asyncio.sleep(AT_ONCE)
    event = await client.app[BUS].publish(f"user:{student.id}", "after.change", {})
    assert (await frame(mine))["id"] == event.id
    await still_open(by_token, f"user:{student.id}")  # API tokens stay valid
    await mine.close()
    await by_token.close()


async def test_revoking_a_token_closes_its_sockets_and_its_tickets(
    users: Users, client: TestClient
) -> None:
    student = await users.with_token()
    second = await student.client.post(
        "/api/v1/auth/tokens", json={"name": "second"}, headers=student.csrf_headers()
    )
    other_token = (await second.json())["token"]
    token_id = next(
        t["id"]
        for t in await (
            await users.client.get("/api/v1/auth/tokens", headers=student.headers)
        ).json()
        if t["name"] == "tests"
    )
    by_token = await users.client.ws_connect(WS, headers=student.headers)
    issued = await users.client.post("/api/v1/ws/ticket", headers=student.headers)
    by_ticket = await client.ws_connect(f"{WS}?ticket={(await issued.json())['ticket']}")
    by_other = await users.client.ws_connect(WS, headers={"Authorization": f"Bearer {other_token}"})
    by_cookie = await student.client.ws_connect(WS)
    revoked = await users.client.delete(
        f"/api/v1/auth/tokens/{token_id}", headers={"Authorization": f"Bearer {other_token}"}
    )
    assert revoked.status == 204
    assert await closes_at_once(by_token) == aiohttp.WSCloseCode.POLICY_VIOLATION
    assert await closes_at_once(by_ticket) == aiohttp.WSCloseCode.POLICY_VIOLATION
    for ws in (by_other, by_cookie):
        await still_open(ws, f"user:{student.id}")
        await ws.close()


async def test_cancelling_an_enrollment_tells_every_hub(users: Users, client: TestClient) -> None:
    teacher = await users.with_token("instructor")
    course = await (
        await users.client.post("/api/v1/courses", json={"title": "Free"}, headers=teacher.headers)
    ).json()
    base = f"/api/v1/courses/{course['id']}"
    await users.client.post(f"{base}/lessons", json={"title": "One"}, headers=teacher.headers)
    published = await users.client.patch(
        base, json={"status": "published"}, headers=teacher.headers
    )
    assert published.status == 200, await published.text()
    student = await users.with_token()
    enrolled = await users.client.post(f"{base}/enrollment", headers=student.headers)
    assert enrolled.status == 201
    heard: list[dict[str, Any]] = []
    client.app[BUS].on_control(heard.append)
    cancelled = await users.client.delete(f"{base}/enrollment", headers=student.headers)
    assert cancelled.status == 204
    for _ in range(20):
        if heard:
            break
        await asyncio.sleep(0.05)
    assert heard == [{"user_id": student.id}]


@pytest.mark.embedded
async def test_embedded_logout_and_demotion_apply_at_once(
    aiohttp_client: Callable[..., Awaitable[TestClient]], embedded_settings: Settings
) -> None:
    embedded = await aiohttp_client(create_app(embedded_settings))

    async def browser() -> TestClient:
        return await aiohttp_client(embedded.server)

    users = Users(embedded, browser)
    admin = await users.with_token("admin")
    teacher = await users.with_token("instructor")
    course = await (
        await embedded.post("/api/v1/courses", json={"title": "Embedded"}, headers=teacher.headers)
    ).json()
    by_token = await embedded.ws_connect(WS, headers=teacher.headers)
    await subscribed(by_token, f"course:{course['id']}")
    by_cookie = await teacher.client.ws_connect(WS)
    response = await embedded.patch(
        f"/api/v1/users/{teacher.id}", json={"role": "student"}, headers=admin.headers
    )
    assert response.status == 200
    assert (await frame(by_token, AT_ONCE))["code"] == "forbidden"
    copied_cookie = teacher.client.session.cookie_jar.filter_cookies(embedded.make_url("/"))
    out = await teacher.client.post("/api/v1/auth/logout", headers=teacher.csrf_headers())
    assert out.status == 204
    assert await closes_at_once(by_cookie) == aiohttp.WSCloseCode.POLICY_VIOLATION
    # A copy of the ended cookie session no longer works either (until a restart).
    replay = await embedded.get(
        "/api/v1/users/me",
        headers={"Cookie": "; ".join(f"{k}={v.value}" for k, v in copied_cookie.items())},
    )
    assert replay.status == 401
    await by_token.close()
