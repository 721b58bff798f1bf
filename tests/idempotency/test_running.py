"""Keys whose first request is still running (409), dead (taken over), or dropped; uploads."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from ocp.idempotency import store
from ocp.idempotency.models import IdempotencyKey
from ocp.media.models import Upload
from tests.helpers import Account, Users, expect_problem
from tests.idempotency.helpers import (
    IN_USE,
    REUSED,
    UPLOADS,
    HeldUpload,
    keyed,
    send,
    upload_body,
    wait_for_key,
)
from tests.media.test_upload_input import MULTIPART


async def _teacher(users: Users) -> Account:
    return await users.with_token("instructor")


def _post_raw(teacher: Account, key: str, body: bytes) -> dict[str, Any]:
    return {"data": body, "headers": {**keyed(teacher, key, token=True), "Content-Type": MULTIPART}}


async def test_a_key_still_running_is_409_with_retry_after_then_replays(
    users: Users, client: TestClient
) -> None:
    teacher = await _teacher(users)
    body = upload_body(b"held upload\n")
    held = HeldUpload(client.server, teacher.headers["Authorization"], "up-1", body)
    await held.start()
    row = await wait_for_key("up-1")
    assert row.locked_until > store.now()

    busy = await teacher.client.post(UPLOADS, **_post_raw(teacher, "up-1", body))
    problem = await expect_problem(busy, 409)
    assert problem["type"] == IN_USE
    assert int(busy.headers["Retry-After"]) >= 1
    # Another length under the running key is still another request: 422, not 409.
    other = await teacher.client.post(
        UPLOADS,
        **_post_raw(teacher, "up-1", upload_body(b"another, longer file\n")),
    )
    assert (await expect_problem(other, 422))["type"] == REUSED
    assert await Upload.all().count() == 0

    first = await held.finish()
    assert first.status == 202, first.body
    again = await send(teacher.client, "POST", UPLOADS, **_post_raw(teacher, "up-1", body))
    assert again.replayed
    again.same_as(first)
    assert first.headers["Location"].startswith("/api/v1/uploads/")
    assert await Upload.all().count() == 1


async def test_a_running_key_whose_lease_passed_is_taken_over(
    users: Users, client: TestClient
) -> None:
    teacher = await _teacher(users)
    body = upload_body(b"a file whose first sender died\n")
    held = HeldUpload(client.server, teacher.headers["Authorization"], "up-dead", body)
    await held.start()
    row = await wait_for_key("up-dead")
    await IdempotencyKey.filter(id=row.id).update(locked_until=store.now() - timedelta(seconds=1))

    taken = await send(teacher.client, "POST", UPLOADS, **_post_raw(teacher, "up-dead", body))
    assert taken.status == 202, taken.body
    assert not taken.replayed
    kept = await IdempotencyKey.get(id=row.id)
    assert kept.state == "done" and kept.response_status == 202
    # From now on the key replays the request that took it over.
    again = await send(teacher.client, "POST", UPLOADS, **_post_raw(teacher, "up-dead", body))
    assert again.replayed
    again.same_as(taken)
    await held.close()


async def test_an_upload_whose_client_hung_up_mid_body_may_be_sent_again(
    users: Users, client: TestClient
) -> None:
    """The caller never saw an answer to a dropped upload: its retry with the same key (the
    whole point of the key) must run, not replay a 400 about a body cut short."""
    teacher = await _teacher(users)
    body = upload_body(b"x" * 200_000)
    held = HeldUpload(client.server, teacher.headers["Authorization"], "up-drop", body)
    await held.start()
    _ = await wait_for_key("up-drop")
    await held.close()
    for _ in range(100):  # the handler sees the hang-up and ends
        if not await IdempotencyKey.filter(key="up-drop", state="running").exists():
            break
        await asyncio.sleep(0.05)

    retry = await send(teacher.client, "POST", UPLOADS, **_post_raw(teacher, "up-drop", body))
    assert retry.status == 202, (retry.status, retry.body)
    assert not retry.replayed
    assert await Upload.all().count() == 1


async def test_uploads_replay_by_length_and_refuse_another_length(users: Users) -> None:
    teacher = await _teacher(users)
    form = aiohttp.FormData()
    form.add_field("file", b"first file\n", filename="a.txt", content_type="text/plain")
    first = await send(teacher.client, "POST", UPLOADS, data=form, headers=keyed(teacher, "u"))
    assert first.status == 202, first.body
    same = aiohttp.FormData()
    same.add_field("file", b"first file\n", filename="a.txt", content_type="text/plain")
    again = await send(teacher.client, "POST", UPLOADS, data=same, headers=keyed(teacher, "u"))
    assert again.replayed
    again.same_as(first)
    assert await Upload.all().count() == 1

    longer = aiohttp.FormData()
    longer.add_field("file", b"a longer second file\n", filename="a.txt", content_type="text/plain")
    refused = await teacher.client.post(UPLOADS, data=longer, headers=keyed(teacher, "u"))
    assert (await expect_problem(refused, 422))["type"] == REUSED
    assert await Upload.all().count() == 1


async def test_a_chunked_upload_with_a_key_is_refused_as_it_cannot_be_compared(
    users: Users,
) -> None:
    """An upload is compared by its length; a chunked one has none: 400, nothing stored, and
    the same upload without the key runs."""
    teacher = await _teacher(users)

    def chunked_form(data: bytes) -> aiohttp.MultipartWriter:
        async def chunks() -> object:
            yield data

        writer = aiohttp.MultipartWriter("form-data")
        streamed = writer.append(chunks(), {"Content-Type": "text/plain"})
        streamed.set_content_disposition("form-data", name="file", filename="c.txt")
        return writer

    first = await teacher.client.post(
        UPLOADS, data=chunked_form(b"small\n"), headers=keyed(teacher, "chunk")
    )
    assert first.request_info.headers.get("Transfer-Encoding") == "chunked"
    problem = await expect_problem(first, 400)
    assert "Content-Length" in problem["detail"]
    assert await IdempotencyKey.filter(key="chunk").count() == 0
    assert await Upload.all().count() == 0
    plain = await teacher.client.post(
        UPLOADS, data=chunked_form(b"small\n"), headers=teacher.headers
    )
    assert plain.status == 202, await plain.text()


async def test_a_taken_over_request_that_ends_late_does_not_free_the_new_holders_key(
    users: Users, client: TestClient
) -> None:
    teacher = await _teacher(users)
    body = upload_body(b"z" * 200_000)
    auth = teacher.headers["Authorization"]
    stale = HeldUpload(client.server, auth, "up-fence", body)
    await stale.start()
    row = await wait_for_key("up-fence")
    await IdempotencyKey.filter(id=row.id).update(locked_until=store.now() - timedelta(seconds=1))
    holder = HeldUpload(client.server, auth, "up-fence", body)
    await holder.start()
    for _ in range(100):  # the second request takes the key over (a fresh lease)
        if (await IdempotencyKey.get(id=row.id)).locked_until > store.now():
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("never taken over")
    await stale.close()  # the first, taken for dead, ends after all
    await asyncio.sleep(0.5)

    third = await teacher.client.post(UPLOADS, **_post_raw(teacher, "up-fence", body))
    status = third.status
    await holder.close()
    assert status == 409, await third.text()
