"""Processing an upload (the ``process_upload`` job): inspect its bytes, record, tell the owner.

Inspection runs in a child process with memory and CPU limits and a deadline
(``python -m ocp.media.inspect``), so a hostile file can neither hang nor exhaust the worker.
Every step can run again: a run that died half way leaves the upload ``processing`` and the
next run repeats the inspection (the thumbnail lands under the same key) and records it.

What is the file's doing ends the upload at the first try: a file the parsers cannot read is
``rejected`` as damaged, and one that needs more processor time (INSPECT_CPU_SECONDS; ffprobe
has its own share) or memory (INSPECT_MEMORY_MB) than any acceptable file does is
``rejected`` as too complex. Everything else says nothing about the file and is retried: the
inspector crashing or killed (the kernel's OOM killer and operators use SIGKILL), exiting with
an error about the machine (an I/O error, ffprobe missing), printing no result, or running
past the wall-clock deadline (a busy machine: the CPU limit would have stopped a hostile file
first), and of course the database or Redis failing around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.media import service
from ocp.media.inspect import TOO_COMPLEX, Inspection
from ocp.media.models import Upload, UploadStatus
from ocp.media.storage import Storage, thumbnail_key
from ocp.realtime.events import user_channel

log = logging.getLogger("ocp.media")

INSPECT_CPU_SECONDS = 120
INSPECT_MEMORY_MB = 1024
# Longer than the inspector's CPU limit plus ffprobe's whole allowance (FFPROBE_CPU_SECONDS and
# its slack in ocp.media.audiovisual), shorter than arq's job timeout (300 s).
INSPECT_DEADLINE_SECONDS = 240
STDERR_LINES_LOGGED = 20


class InspectionFailed(Exception):
    """The inspecting process broke in a way that says nothing about the file: retry."""


async def process(
    *, upload_id: int, storage: Storage, events: EventLog, ffprobe: str | None, attempt: int
) -> None:
    """Inspect an upload still ``processing`` and record the result (nothing otherwise)."""
    upload = await Upload.get_or_none(id=upload_id)
    if upload is None or upload.status != UploadStatus.PROCESSING:
        return
    upload.attempts = attempt
    async with in_transaction() as conn:
        await Upload.filter(id=upload_id).using_db(conn).update(attempts=attempt)
        await _announce(conn, upload, "upload.processing")
    await events.flush()
    source = storage.path(upload.sha256)
    if not source.is_file():
        await fail(
            upload_id=upload_id,
            reason="The stored file is missing.",
            storage=storage,
            events=events,
        )
        return
    thumbnail = storage.temporary_path(".jpg")
    try:
        inspection = await inspect_in_subprocess(
            source, upload.filename, thumbnail_path=thumbnail, ffprobe=ffprobe
        )
        if inspection.thumbnail and inspection.status == UploadStatus.READY:
            storage.store_path(thumbnail, thumbnail_key(upload.sha256))
    finally:
        thumbnail.unlink(missing_ok=True)
    await _record(upload_id, inspection, storage=storage, events=events)


async def inspect_in_subprocess(
    path: Path, filename: str, *, thumbnail_path: Path, ffprobe: str | None
) -> Inspection:
    """Run ``python -m ocp.media.inspect`` on ``path`` within limits: its answer, a rejection
    when the file needed more processor time than allowed, or InspectionFailed when the run
    says nothing about the file (see the module's docstring)."""
    args = [
        sys.executable,
        "-m",
        "ocp.media.inspect",
        f"--filename={filename}",
        f"--thumbnail={thumbnail_path}",
        f"--max-memory-mb={INSPECT_MEMORY_MB}",
        f"--max-cpu-seconds={INSPECT_CPU_SECONDS}",
    ]
    if ffprobe:
        args.append(f"--ffprobe={ffprobe}")
    args += ["--", str(path)]
    child = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group: ffprobe goes down with it
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(), INSPECT_DEADLINE_SECONDS)
    except TimeoutError:
        await _kill_group(child)
        raise InspectionFailed(
            f"inspection did not finish within {INSPECT_DEADLINE_SECONDS} s"
        ) from None
    except BaseException:
        await _kill_group(child)  # cancelled (arq's job timeout, shutdown): leave nothing behind
        raise
    _log_stderr(filename, err)
    if child.returncode != 0:
        await _kill_group(child)  # an ffprobe that outlived a crashed inspector
    if child.returncode == -signal.SIGXCPU:
        return Inspection(status="rejected", reason=TOO_COMPLEX)
    if child.returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise InspectionFailed(f"inspection exited with {child.returncode}: {detail[0]}")
    try:
        return Inspection.from_dict(json.loads(out))
    except (ValueError, TypeError) as error:
        raise InspectionFailed(f"inspection printed no result: {error}") from None


async def _kill_group(child: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    await child.wait()


def _log_stderr(filename: str, err: bytes) -> None:
    """Relay what the inspector logged (why a file is damaged, for one) to this log."""
    lines = err.decode(errors="replace").splitlines()
    for line in lines[:STDERR_LINES_LOGGED]:
        log.info("inspecting %r: %s", filename, line)
    if len(lines) > STDERR_LINES_LOGGED:
        log.info("inspecting %r: %d more lines", filename, len(lines) - STDERR_LINES_LOGGED)


async def _record(
    upload_id: int, inspection: Inspection, *, storage: Storage, events: EventLog
) -> None:
    """Store what inspection found, once: a concurrent or later run finds it done."""
    status = UploadStatus(inspection.status)
    async with in_transaction() as conn:
        upload = await Upload.filter(id=upload_id).select_for_update().using_db(conn).first()
        if upload is None or upload.status != UploadStatus.PROCESSING:
            return
        values: dict[str, Any] = {
            "status": status,
            "reason": inspection.reason[:1000] if inspection.reason else None,
            "content_type": inspection.content_type,
            "kind": inspection.kind,
            "width": inspection.width,
            "height": inspection.height,
            "pages": inspection.pages,
            "duration_seconds": inspection.duration_seconds,
            "duration_status": inspection.duration_status,
            "has_thumbnail": inspection.thumbnail and status == UploadStatus.READY,
            "processed_at": datetime.now(UTC),
        }
        if status != UploadStatus.READY:
            values["blob_id"] = None
        await Upload.filter(id=upload_id).using_db(conn).update(**values)
        done = await Upload.filter(id=upload_id).using_db(conn).get()
        await _announce(conn, done, f"upload.{status}")
    await events.flush()
    if status != UploadStatus.READY:
        await service.collect_blob(upload.sha256, storage=storage)


async def fail(*, upload_id: int, reason: str, storage: Storage, events: EventLog) -> None:
    """Give up on an upload: ``failed`` with ``reason``, and its bytes let go."""
    async with in_transaction() as conn:
        upload = await Upload.filter(id=upload_id).select_for_update().using_db(conn).first()
        if upload is None or upload.status != UploadStatus.PROCESSING:
            return
        await (
            Upload.filter(id=upload_id)
            .using_db(conn)
            .update(
                status=UploadStatus.FAILED,
                reason=reason[:1000],
                blob_id=None,
                processed_at=datetime.now(UTC),
            )
        )
        await _announce(
            conn, await Upload.filter(id=upload_id).using_db(conn).get(), "upload.failed"
        )
    await events.flush()
    log.warning("upload %d failed: %s", upload_id, reason)
    await service.collect_blob(upload.sha256, storage=storage)


async def _announce(conn: Any, upload: Upload, type: str) -> None:
    """Record an event for the uploader's channel in the transaction ``conn``."""
    data = {
        "id": upload.id,
        "owner_id": upload.owner_id,
        "status": str(upload.status),
        "reason": upload.reason,
        "filename": upload.filename,
        "content_type": upload.content_type,
        "attempt": upload.attempts,
    }
    await event_log.record(conn, type=type, data=data, channels=[user_channel(upload.owner_id)])
