"""What the worker makes of each kind of file, and how processing fails and retries."""

from __future__ import annotations

import io
import stat
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from arq import Retry
from PIL import Image

from ocp.appkeys import BUS, STORAGE
from ocp.config import Settings
from ocp.jobs import MAX_TRIES
from ocp.media.models import Blob, Upload
from ocp.realtime.bus import Bus
from tests.helpers import Users
from tests.media.test_inspect import (
    flac_bytes,
    mp4_bytes,
    pdf_bytes,
    pptx_members,
    wav_bytes,
    zip_bytes,
)
from tests.media.test_uploads import get, png_bytes, stored_files, upload
from workers.uploads import process_upload

RunJobs = Callable[[], Awaitable[int]]


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (12, 8)).save(out, "GIF")
    return out.getvalue()


KINDS: list[tuple[str, bytes, dict[str, Any]]] = [
    ("diagram.png", png_bytes(40, 30), {"content_type": "image/png", "width": 40}),
    ("anim.gif", gif_bytes(), {"content_type": "image/gif", "height": 8}),
    ("handout.pdf", pdf_bytes(4), {"content_type": "application/pdf", "pages": 4}),
    ("clip.mp4", mp4_bytes(), {"kind": "video", "duration_status": "known"}),
    ("tone.wav", wav_bytes(8000, 8000), {"content_type": "audio/wav", "duration_seconds": 1.0}),
    ("tone.flac", flac_bytes(44100, 44100), {"content_type": "audio/flac"}),
    ("notes.md", "# Título\n\nÜber alles.\n".encode(), {"content_type": "text/markdown"}),
    ("deck.pptx", zip_bytes(pptx_members()), {"kind": "archive", "pages": 2}),
    ("slides.zip", zip_bytes({"1.png": png_bytes(), "2.pdf": pdf_bytes(1)}), {"pages": 2}),
]


@pytest.mark.parametrize(("filename", "data", "expected"), KINDS, ids=[k[0] for k in KINDS])
async def test_each_accepted_kind_ends_ready_through_the_worker(
    users: Users, run_jobs: RunJobs, filename: str, data: bytes, expected: dict[str, Any]
) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, data, filename, "application/octet-stream")
    await run_jobs()
    ready = await get(teacher, created["id"])
    assert ready["status"] == "ready", ready
    for name, value in expected.items():
        assert ready[name] == value, (name, ready)
    assert ready["url"] and (await teacher.client.get(ready["url"])).status == 200


async def _processing_upload(users: Users) -> tuple[Any, dict[str, Any]]:
    teacher = await users.signed_in("instructor")
    return teacher, await upload(teacher, wav_bytes(), "tone.wav", "audio/wav")


def _crashing_ffprobe(folder: Path) -> str:
    """An "ffprobe" that crashes the inspecting process: a failure that says nothing about
    the file, like an inspector killed by the machine."""
    script = folder / "ffprobe"
    script.write_text("#!/bin/sh\nkill -SEGV $PPID\nsleep 5\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def _ctx(client: TestClient, settings: Settings, try_number: int, **extra: Any) -> dict[str, Any]:
    bus: Bus = client.server.app[BUS]
    return {
        "bus": bus,
        "storage": client.server.app[STORAGE],
        "settings": settings,
        "job_try": try_number,
        **extra,
    }


async def test_a_failure_retries_with_backoff_then_ends_failed(
    users: Users, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    teacher, created = await _processing_upload(users)
    broken = replace(settings, ffprobe=_crashing_ffprobe(tmp_path))
    events = client.server.app[BUS].subscribe({f"user:{teacher.id}"})
    arq_ctx = {"redis": object(), "job_id": f"upload:{created['id']}"}

    for attempt in range(1, MAX_TRIES):
        with pytest.raises(Retry) as retry:
            await process_upload(_ctx(client, broken, attempt, **arq_ctx), created["id"])
        assert retry.value.defer_score == 1000 * 2 ** (attempt - 1)
        row = await Upload.get(id=created["id"])
        assert row.status == "processing" and row.attempts == attempt

    await process_upload(_ctx(client, broken, MAX_TRIES, **arq_ctx), created["id"])
    failed = await get(teacher, created["id"])
    assert failed["status"] == "failed", failed
    assert failed["reason"].startswith(f"Processing failed {MAX_TRIES} times")
    assert failed["url"] is None
    assert stored_files(settings) == [] and await Blob.all().count() == 0

    # A late duplicate of the job changes nothing.
    await process_upload(_ctx(client, settings, MAX_TRIES + 1, **arq_ctx), created["id"])
    assert (await get(teacher, created["id"]))["status"] == "failed"
    types = []
    while not events.queue.empty():
        types.append(events.queue.get_nowait().type)
    assert types == ["upload.processing"] * MAX_TRIES + ["upload.failed"]


async def test_a_missing_stored_file_fails_at_once(
    users: Users, client: TestClient, settings: Settings
) -> None:
    teacher, created = await _processing_upload(users)
    client.server.app[STORAGE].delete(created["sha256"])
    await process_upload(_ctx(client, settings, 1), created["id"])
    failed = await get(teacher, created["id"])
    assert failed["status"] == "failed" and failed["reason"] == "The stored file is missing."


async def test_processing_a_deleted_upload_does_nothing(
    users: Users, client: TestClient, settings: Settings
) -> None:
    teacher, created = await _processing_upload(users)
    deleted = await teacher.client.delete(
        f"/api/v1/uploads/{created['id']}", headers=teacher.csrf_headers()
    )
    assert deleted.status == 204
    await process_upload(_ctx(client, settings, 1), created["id"])
    assert await Upload.filter(id=created["id"]).count() == 0
    assert stored_files(settings) == []
