"""The sockets of one credential are re-checked together: the credential and each channel
asked once for all of them, and what a re-check decides applies to each of them."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.appkeys import HUB
from ocp.realtime import views
from tests.helpers import Users

WS = "/api/v1/ws"


async def test_one_recheck_asks_once_for_all_the_sockets_of_a_credential(
    users: Users, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    student = await users.with_token()
    other = await users.with_token()
    channel = f"user:{student.id}"
    sockets = []
    for _ in range(4):
        ws = await client.ws_connect(WS, headers=student.headers)
        await ws.send_json({"op": "subscribe", "channel": channel})
        assert (await ws.receive_json(timeout=5))["op"] == "subscribed"
        sockets.append(ws)
    elsewhere = await client.ws_connect(WS, headers=other.headers)
    hub = client.server.app[HUB]
    assert len(hub.watches) == 2  # one per credential, not per socket

    asked: list[Any] = []
    standing, may_read = views.standing, views.rights.may_read

    async def counted_standing(*args: Any) -> Any:
        asked.append("standing")
        return await standing(*args)

    async def counted_may_read(*args: Any) -> bool:
        asked.append(args[1])
        return await may_read(*args)

    monkeypatch.setattr(views, "standing", counted_standing)
    monkeypatch.setattr(views.rights, "may_read", counted_may_read)
    hub.rights_changed(student.id)
    for _ in range(100):
        if len(asked) == 2:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert asked == ["standing", channel]

    admin = await users.with_token("admin")
    response = await users.client.patch(
        f"/api/v1/users/{student.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status == 200
    for ws in sockets:  # the one re-check closed every socket of the credential
        message = await asyncio.wait_for(ws.receive(), 5)
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert message.data == aiohttp.WSCloseCode.POLICY_VIOLATION
        await ws.close()
    await elsewhere.close()
    for _ in range(100):
        if not len(hub.watches):
            break
        await asyncio.sleep(0.02)
    assert len(hub.watches) == 0
