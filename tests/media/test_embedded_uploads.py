"""Uploads on the embedded default: SQLite, in-memory bus, jobs in the web process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import BUS, JOBS
from ocp.config import Settings
from ocp.jobs import InProcessJobQueue
from tests.learning.test_embedded_flow import _signed_in
from tests.media.test_uploads import form, png_bytes

pytestmark = pytest.mark.embedded
ClientFactory = Callable[..., Awaitable[TestClient]]


async def test_upload_process_attach_and_delete_in_one_process(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    app = create_app(embedded_settings)
    anonymous = await aiohttp_client(app)
    teacher, th, teacher_id = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    events = app[BUS].subscribe({f"user:{teacher_id}"})
    made = await teacher.post("/api/v1/uploads", data=form(png_bytes(30, 20)), headers=th)
    assert made.status == 202, await made.text()
    upload_id = (await made.json())["id"]
    await cast(InProcessJobQueue, app[JOBS]).drain()
    ready = await (await teacher.get(f"/api/v1/uploads/{upload_id}")).json()
    assert ready["status"] == "ready" and (ready["width"], ready["height"]) == (30, 20)
    assert embedded_settings.effective_media_dir.is_relative_to(embedded_settings.data_dir)
    got = await teacher.get(ready["url"])
    assert got.status == 200 and await got.read() == png_bytes(30, 20)
    types = []
    while not events.queue.empty():
        types.append(events.queue.get_nowait().type)
    # and the uploader's notification that it is ready (notifications react to upload.ready)
    assert types == ["upload.processing", "upload.ready", "notification.created"]

    course = await (
        await teacher.post("/api/v1/courses", json={"title": "Embedded media"}, headers=th)
    ).json()
    lesson = await teacher.post(
        f"/api/v1/courses/{course['id']}/lessons",
        json={"title": "Picture", "asset_id": upload_id},
        headers=th,
    )
    assert lesson.status == 201, await lesson.text()
    in_use = await teacher.delete(f"/api/v1/uploads/{upload_id}", headers=th)
    assert in_use.status == 409, await in_use.text()
    lesson_id = (await lesson.json())["id"]
    await teacher.delete(f"/api/v1/courses/{course['id']}/lessons/{lesson_id}", headers=th)
    gone = await teacher.delete(f"/api/v1/uploads/{upload_id}", headers=th)
    assert gone.status == 204
    assert (await teacher.get(ready["url"])).status == 404
