"""Idempotency-Key on the embedded default (SQLite, no Redis), and through CORS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.courses.models import Course
from ocp.idempotency import store
from ocp.idempotency.models import IdempotencyKey
from ocp.media.models import Upload
from tests.helpers import Users
from tests.idempotency.helpers import (
    IN_USE,
    KEY,
    REPLAYED,
    REUSED,
    UPLOADS,
    HeldUpload,
    send,
    upload_body,
    wait_for_key,
)
from tests.learning.test_embedded_flow import _signed_in
from tests.media.test_upload_input import MULTIPART

ClientFactory = Callable[..., Awaitable[TestClient]]
COURSES = "/api/v1/courses"
FRONT = "https://app.example.com"


@pytest.mark.embedded
async def test_embedded_replays_refuses_reuse_and_answers_409_while_running(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    anonymous = await aiohttp_client(create_app(embedded_settings))
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    body = {"title": "Embedded once", "description": "d"}
    first = await send(teacher, "POST", COURSES, json=body, headers={**th, KEY: "e1"})
    assert first.status == 201, first.body
    again = await send(teacher, "POST", COURSES, json=body, headers={**th, KEY: "e1"})
    assert again.replayed
    again.same_as(first)
    other = await send(
        teacher, "POST", COURSES, json={**body, "title": "x"}, headers={**th, KEY: "e1"}
    )
    assert other.status == 422 and json.loads(other.body)["type"] == REUSED
    assert await Course.filter(title="Embedded once").count() == 1

    raced = await asyncio.gather(
        *(
            send(teacher, "POST", COURSES, json={"title": "Raced"}, headers={**th, KEY: "r"})
            for _ in range(20)
        )
    )
    assert {a.status for a in raced} <= {201, 409}, [a.status for a in raced]
    assert len([a for a in raced if a.status == 201 and not a.replayed]) == 1
    assert await Course.filter(title="Raced").count() == 1

    made = await teacher.post("/api/v1/auth/tokens", json={"name": "t"}, headers=th)
    bearer = f"Bearer {(await made.json())['token']}"
    upload = upload_body(b"held on sqlite\n")
    held = HeldUpload(anonymous.server, bearer, "up", upload)
    await held.start()
    _ = await wait_for_key("up")
    busy = await send(
        teacher,
        "POST",
        UPLOADS,
        data=upload,
        headers={"Authorization": bearer, KEY: "up", "Content-Type": MULTIPART},
    )
    assert busy.status == 409 and json.loads(busy.body)["type"] == IN_USE
    assert busy.headers["Retry-After"]
    done = await held.finish()
    assert done.status == 202, done.body
    assert await Upload.all().count() == 1


@pytest.mark.embedded
async def test_embedded_expiry_and_prune(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    anonymous = await aiohttp_client(create_app(embedded_settings))
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    for key in ("expired", "fresh"):
        made = await send(teacher, "POST", COURSES, json={"title": key}, headers={**th, KEY: key})
        assert made.status == 201
    await IdempotencyKey.filter(key="expired").update(expires_at=store.now() - timedelta(seconds=1))
    rerun = await send(
        teacher, "POST", COURSES, json={"title": "expired"}, headers={**th, KEY: "expired"}
    )
    assert rerun.status == 201 and not rerun.replayed
    await IdempotencyKey.filter(key="expired").update(expires_at=store.now() - timedelta(seconds=1))
    assert await store.prune() == 1
    assert await IdempotencyKey.all().values_list("key", flat=True) == ["fresh"]


async def test_cors_lets_a_front_end_send_the_key_and_read_the_replay(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(replace(settings, allowed_origins=(FRONT,))))
    preflight = await client.options(
        COURSES,
        headers={
            "Origin": FRONT,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key, x-csrf-token",
        },
    )
    assert preflight.status == 204
    allowed = [
        h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")
    ]
    assert "idempotency-key" in allowed
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]

    users = Users(client, lambda: aiohttp_client(client.server))
    teacher = await users.signed_in("instructor")
    headers = {**teacher.csrf_headers(), KEY: "cors", "Origin": FRONT}
    answers = [
        await teacher.client.post(COURSES, json={"title": "Via CORS"}, headers=headers)
        for _ in range(2)
    ]
    assert [a.status for a in answers] == [201, 201]
    assert answers[1].headers[REPLAYED] == "true"
    for answer in answers:
        assert answer.headers["Access-Control-Allow-Origin"] == FRONT
        exposed = [
            h.strip().lower() for h in answer.headers["Access-Control-Expose-Headers"].split(",")
        ]
        assert {"idempotent-replayed", "retry-after", "location"} <= set(exposed)


@pytest.mark.embedded
async def test_embedded_takes_over_a_dead_running_key(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    anonymous = await aiohttp_client(create_app(embedded_settings))
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    made = await teacher.post("/api/v1/auth/tokens", json={"name": "t"}, headers=th)
    bearer = f"Bearer {(await made.json())['token']}"
    upload = upload_body(b"its first sender died\n")
    held = HeldUpload(anonymous.server, bearer, "dead", upload)
    await held.start()
    row = await wait_for_key("dead")
    await IdempotencyKey.filter(id=row.id).update(locked_until=store.now() - timedelta(seconds=1))
    headers = {"Authorization": bearer, KEY: "dead", "Content-Type": MULTIPART}
    taken = await send(teacher, "POST", UPLOADS, data=upload, headers=headers)
    assert taken.status == 202 and not taken.replayed, (taken.status, taken.body)
    again = await send(teacher, "POST", UPLOADS, data=upload, headers=headers)
    assert again.replayed
    again.same_as(taken)
    await held.close()
