"""What the worker makes of each kind of file, and how processing fails and retries."""

from __future__ import annotations

import asyncio
import io
import logging
import stat
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from arq import Retry
from PIL import Image

from ocp.appkeys import BUS, CATALOG_CACHE, EVENTS, JOBS, STORAGE
from ocp.config import Settings
from ocp.jobs import MAX_TRIES, JobContext
from ocp.media import processing
from ocp.media.inspect import TOO_COMPLEX
from ocp.media.jobs import GAVE_UP, PROCESS_UPLOAD
from ocp.media.models import Blob, Upload
from ocp.realtime.bus import Bus
from tests.helpers import Users
from tests.media.test_inspect import (
    CORRUPT_MEMBERS,
    DAMAGED_ZIP,
    SHORTCUT,
    fake_ffprobe,
    flac_bytes,
    many_pages_pdf,
    mp4_bytes,
    noisy_jpeg,
    not_accepted_name,
    pdf_bytes,
    pptx_members,
    wav_bytes,
    zip_bytes,
)
from tests.media.test_uploads import get, png_bytes, stored_files, upload
from workers.main import CONTEXT, arq_function

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
    """arq's ctx for one try of the job, as the worker (``workers/main.py``) gives it."""
    app = client.server.app
    bus: Bus = app[BUS]
    context = JobContext(
        settings=settings,
        storage=app[STORAGE],
        bus=bus,
        events=app[EVENTS],
        jobs=app[JOBS],
        cache=app[CATALOG_CACHE],
    )
    return {CONTEXT: context, "job_try": try_number, **extra}


async def process_upload(ctx: dict[str, Any], upload_id: int) -> None:
    """One try of the job through arq's adapter: a try to repeat raises arq's ``Retry``."""
    await arq_function(PROCESS_UPLOAD).coroutine(ctx, upload_id)


async def test_a_failure_retries_with_backoff_then_ends_failed(
    users: Users, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    teacher, created = await _processing_upload(users)
    broken = replace(settings, ffprobe=_crashing_ffprobe(tmp_path))
    events = client.server.app[BUS].subscribe({f"user:{teacher.id}"})
    arq_ctx = {"job_id": f"upload:{created['id']}"}

    for attempt in range(1, MAX_TRIES):
        with pytest.raises(Retry) as retry:
            await process_upload(_ctx(client, broken, attempt, **arq_ctx), created["id"])
        expected = 1000 * 2 ** (attempt - 1)  # backoff, with up to 10% of jitter
        assert retry.value.defer_score is not None
        assert 0.89 * expected <= retry.value.defer_score <= 1.11 * expected
        row = await Upload.get(id=created["id"])
        assert row.status == "processing" and row.attempts == attempt

    await process_upload(_ctx(client, broken, MAX_TRIES, **arq_ctx), created["id"])
    failed = await get(teacher, created["id"])
    assert failed["status"] == "failed", failed
    assert failed["reason"] == GAVE_UP.format(tries=MAX_TRIES)  # the details are in the log
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


def _damaged(description: str) -> str:
    return f"The file looks like {description} but is damaged or incomplete."


# (name, bytes, the reason the uploader reads, what the log says instead)
DAMAGED: dict[str, tuple[str, bytes, str, str]] = {
    "zip-bzip2-member": ("slides.zip", CORRUPT_MEMBERS["bzip2"][0], DAMAGED_ZIP, "OSError"),
    "zip-lzma-member": ("slides.zip", CORRUPT_MEMBERS["lzma"][0], DAMAGED_ZIP, "LZMAError"),
    "zip-late-bad-crc": (
        "slides.zip",
        CORRUPT_MEMBERS["stored-bad-crc-late"][0],
        DAMAGED_ZIP,
        "Bad CRC-32",
    ),
    "png-truncated": (
        "diagram.png",
        png_bytes(200, 200)[:300],
        _damaged("a PNG image"),
        "truncated",
    ),
    "jpeg-truncated": ("photo.jpg", noisy_jpeg()[:2000], _damaged("a JPEG image"), "damaged"),
    "pdf-truncated": ("handout.pdf", pdf_bytes(3)[:300], _damaged("a PDF document"), "pypdf"),
    "mp4-truncated": ("clip.mp4", mp4_bytes()[:60], _damaged("an MP4 video"), "damaged"),
}


@pytest.mark.parametrize(
    ("filename", "data", "reason", "logged"), DAMAGED.values(), ids=list(DAMAGED)
)
async def test_a_damaged_file_is_rejected_at_the_first_try(
    users: Users,
    client: TestClient,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    filename: str,
    data: bytes,
    reason: str,
    logged: str,
) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, data, filename, "application/octet-stream")
    caplog.set_level(logging.INFO, logger="ocp.media")
    arq_ctx = {"job_id": f"upload:{created['id']}"}
    await process_upload(_ctx(client, settings, 1, **arq_ctx), created["id"])  # no Retry
    done = await get(teacher, created["id"])
    assert (done["status"], done["reason"], done["attempts"]) == ("rejected", reason, 1), done
    relayed = [r.getMessage() for r in caplog.records if r.name == "ocp.media"]
    assert any(filename in line and logged in line for line in relayed), relayed
    assert stored_files(settings) == []


async def test_a_shortcut_named_url_is_rejected_through_the_worker(
    users: Users, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, SHORTCUT, "evil.url", "text/plain")
    await run_jobs()
    done = await get(teacher, created["id"])
    assert (done["status"], done["reason"]) == ("rejected", not_accepted_name("url"))
    assert (await teacher.client.get(f"/media/{created['sha256']}")).status == 404


async def test_a_file_that_needs_more_processor_time_than_allowed_is_rejected_at_once(
    users: Users, client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processing, "INSPECT_CPU_SECONDS", 1)
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, many_pages_pdf(50_000), "long.pdf", "application/pdf")
    arq_ctx = {"job_id": f"upload:{created['id']}"}
    await process_upload(_ctx(client, settings, 1, **arq_ctx), created["id"])  # no Retry
    done = await get(teacher, created["id"])
    assert (done["status"], done["reason"], done["attempts"]) == ("rejected", TOO_COMPLEX, 1)


async def test_a_killed_inspector_is_retried(
    users: Users, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    """SIGKILL comes from the kernel's OOM killer or an operator: nothing about the file."""
    teacher, created = await _processing_upload(users)
    killer = replace(settings, ffprobe=fake_ffprobe(tmp_path, "kill -KILL $PPID; sleep 5"))
    arq_ctx = {"job_id": f"upload:{created['id']}"}
    with pytest.raises(Retry):
        await process_upload(_ctx(client, killer, 1, **arq_ctx), created["id"])
    assert (await get(teacher, created["id"]))["status"] == "processing"


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # dead, waiting for whoever adopted it to reap it


async def test_an_inspection_past_the_deadline_is_retried_and_leaves_nothing_running(
    users: Users,
    client: TestClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the wall-clock deadline without running out of CPU: a busy or stuck machine."""
    monkeypatch.setattr(processing, "INSPECT_DEADLINE_SECONDS", 2)
    teacher, created = await _processing_upload(users)
    pid_file = tmp_path / "ffprobe.pid"
    stalled = replace(
        settings, ffprobe=fake_ffprobe(tmp_path, f"echo $$ > {pid_file}; exec sleep 60")
    )
    arq_ctx = {"job_id": f"upload:{created['id']}"}
    with pytest.raises(Retry):
        await process_upload(_ctx(client, stalled, 1, **arq_ctx), created["id"])
    assert (await get(teacher, created["id"]))["status"] == "processing"
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(pid):
        assert time.monotonic() < deadline, "the stalled ffprobe outlived its inspector"
        await asyncio.sleep(0.05)
