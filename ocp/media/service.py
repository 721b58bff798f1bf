"""Uploads: receiving bytes, who may see them, deleting them, and what lessons may attach."""

from __future__ import annotations

import errno
import re
import unicodedata
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ocp.errors import (
    Conflict,
    InsufficientStorage,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    ValidationFailed,
)
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.media.models import Blob, Upload, UploadStatus
from ocp.media.storage import StagedFile, Storage, thumbnail_key
from ocp.users.models import Role, User

if TYPE_CHECKING:
    from ocp.domains import FileGrant

PROCESS_JOB = "process_upload"
UPLOAD_CREATED = "upload.created"
MAX_FILENAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def process_job_id(upload_id: int) -> str:
    return f"upload:{upload_id}"


def media_url(sha256: str) -> str:
    return f"/media/{sha256}"


def thumbnail_url(sha256: str) -> str:
    return f"/media/{thumbnail_key(sha256)}"


def clean_filename(raw: str | None) -> str:
    """The name to keep: no directories, no control characters, at most 255 bytes in UTF-8.

    Bytes that were not UTF-8 (aiohttp hands them over as lone surrogates) become U+FFFD.
    """
    name = (raw or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).strip().rstrip(". ")
    bare = name.lstrip(". ")
    # ".png" keeps its extension; "..evil.txt" loses its dots.
    name = f"upload.{bare}" if name.startswith(".") and bare and "." not in bare else bare
    if not name:
        return "upload"
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16:
        stem, extension = name, ""
    limit = MAX_FILENAME_BYTES - len(extension.encode()) - (1 if extension else 0)
    stem = stem.encode()[:limit].decode("utf-8", "ignore") or "upload"
    return f"{stem}.{extension}" if extension else stem


def clean_media_type(raw: str) -> str:
    """A client's declared type, kept for information: printable ASCII, 255 characters."""
    return "".join(c for c in raw if " " <= c <= "~")[:255]


async def stage(chunks: AsyncIterator[bytes], *, storage: Storage, max_bytes: int) -> StagedFile:
    """Stream ``chunks`` into a temporary file, hashing as they come: 413 past ``max_bytes``.

    The caller stores or discards what this returns; on any error nothing is left behind.
    """
    staged = storage.stage()
    try:
        async for chunk in chunks:
            if staged.size + len(chunk) > max_bytes:
                raise PayloadTooLarge(f"The file is larger than {max_bytes // 2**20} MiB")
            staged.write(chunk)
        staged.close()
    except OSError as error:
        staged.discard()
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorage("The server has no room for this file now") from None
        raise
    except BaseException:
        staged.discard()
        raise
    if staged.size == 0:
        staged.discard()
        raise ValidationFailed(errors={"file": ["The file is empty."]})
    return staged


async def create(
    *,
    owner: User,
    staged: StagedFile,
    filename: str,
    declared_type: str,
    storage: Storage,
    events: EventLog,
) -> Upload:
    """Keep ``staged`` under its hash (once per content); its processing follows from the
    ``upload.created`` event recorded with it."""
    sha256 = staged.sha256
    try:
        async with in_transaction() as conn:
            await _lock_blob(sha256, staged.size, conn)
            upload = await Upload.create(
                owner_id=owner.id,
                blob_id=sha256,
                sha256=sha256,
                filename=clean_filename(filename),
                size=staged.size,
                declared_type=clean_media_type(declared_type),
                using_db=conn,
            )
            # Stored before the commit: processing may start as soon as the event commits.
            storage.store(staged, sha256)
            await event_log.record(
                conn,
                type=UPLOAD_CREATED,
                data={"upload_id": upload.id, "owner_id": owner.id},
                channels=[],
            )
    except BaseException:
        await collect_blob(sha256, storage=storage, orphan=True)
        raise
    _ = await events.flush()
    return upload


async def _lock_blob(sha256: str, size: int, conn: Any) -> None:
    """Make sure the blob row exists and hold its lock until the transaction ends.

    The row may vanish between the insert and the lock when :func:`collect_blob` is removing
    the last upload of the same bytes: insert it again once that one has committed.
    """
    for _ in range(5):
        await Blob.bulk_create(
            [Blob(sha256=sha256, size=size)], ignore_conflicts=True, using_db=conn
        )
        locked = await Blob.filter(sha256=sha256).select_for_update().using_db(conn).first()
        if locked is not None:
            return
    raise ServiceUnavailable("The file store is busy with these bytes; try again")


async def get_for(*, upload_id: int, actor: User) -> Upload:
    """An upload its owner or an admin may see; 404 for anyone else."""
    upload = await Upload.get_or_none(id=upload_id)
    if upload is None or not (actor.role == Role.ADMIN or upload.owner_id == actor.id):
        raise NotFound("No such upload")
    return upload


async def list_own(
    *, owner: User, status: str | None, offset: int, limit: int
) -> tuple[list[Upload], int]:
    """The caller's uploads, newest first."""
    query = Upload.filter(owner_id=owner.id)
    if status is not None:
        query = query.filter(status=status)
    items = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return list(items), await query.count()


async def delete(*, upload_id: int, actor: User, storage: Storage) -> None:
    """Remove an upload nothing uses (409 while a lesson or a course cover does)."""
    try:
        async with in_transaction() as conn:
            upload = await Upload.filter(id=upload_id).select_for_update().using_db(conn).first()
            if upload is None or not (actor.role == Role.ADMIN or upload.owner_id == actor.id):
                raise NotFound("No such upload")
            await Upload.filter(id=upload.id).using_db(conn).delete()
    except IntegrityError:
        # The foreign keys of lesson.asset_id and course.cover_id refuse it (RESTRICT).
        raise Conflict("A lesson or a course cover uses this upload; detach it first") from None
    if upload.blob_id is not None:
        await collect_blob(upload.blob_id, storage=storage)


async def collect_blob(sha256: str, *, storage: Storage, orphan: bool = False) -> None:
    """Remove stored bytes (and their thumbnail) once no upload refers to them; ``orphan``:
    also when their blob row is gone (a failed upload's transaction rolled it back)."""
    async with in_transaction() as conn:
        blob = await Blob.filter(sha256=sha256).select_for_update().using_db(conn).first()
        if (blob is None and not orphan) or await Upload.filter(blob_id=sha256).using_db(
            conn
        ).exists():
            return
        storage.delete(thumbnail_key(sha256))
        storage.delete(sha256)
        await Blob.filter(sha256=sha256).using_db(conn).delete()


async def attachable(*, upload_id: int, owner_id: int, conn: Any, field: str) -> Upload:
    """A ``ready`` upload of ``owner_id``, locked until the caller's transaction ends.

    Lessons and course covers attach uploads through this; the lock keeps a concurrent
    delete from removing it between the check and the attaching row (and the foreign key
    refuses it after).
    """
    upload = await Upload.filter(id=upload_id).select_for_update().using_db(conn).first()
    if upload is None or upload.owner_id != owner_id:
        raise ValidationFailed(errors={field: ["No such upload of the course's instructor."]})
    if upload.status != UploadStatus.READY:
        raise ValidationFailed(
            errors={field: [f"The upload is {upload.status}; only ready uploads can be used."]}
        )
    return upload


async def ready_uploads_of(sha256: str) -> list[Upload]:
    """The ready uploads of these bytes (the candidates for a download's rights)."""
    return list(await Upload.filter(blob_id=sha256, status=UploadStatus.READY).order_by("id"))


def owned_by(uploads: Sequence[Upload], actor: User | None) -> Upload | None:
    """The first of ``uploads`` the caller owns (any, for admins)."""
    if actor is None:
        return None
    for upload in uploads:
        if actor.role == Role.ADMIN or upload.owner_id == actor.id:
            return upload
    return None


def asset_view(upload: Upload | None) -> dict[str, Any] | None:
    """What a lesson reader sees of its attached upload."""
    if upload is None:
        return None
    return {
        "id": upload.id,
        "filename": upload.filename,
        "size": upload.size,
        "content_type": upload.content_type,
        "kind": upload.kind,
        "width": upload.width,
        "height": upload.height,
        "pages": upload.pages,
        "duration_seconds": upload.duration_seconds,
        "url": media_url(upload.sha256),
        "thumbnail_url": thumbnail_url(upload.sha256) if upload.has_thumbnail else None,
    }


async def readable_upload(
    sha256: str, *, actor: User | None, grants: Sequence[FileGrant]
) -> tuple[Upload | None, bool]:
    """The ready upload of these bytes through which ``actor`` may download them (their own,
    or one another domain grants: a lesson's asset, a course's cover), and whether anyone
    may; ``(None, False)`` when none."""
    uploads = await ready_uploads_of(sha256)
    if (own := owned_by(uploads, actor)) is not None:
        return own, False
    for grant in grants if uploads else ():
        if (granted := await grant(uploads, actor)) is not None:
            upload_id, public = granted
            return next(u for u in uploads if u.id == upload_id), public
    return None, False


async def uploads_by_id(upload_ids: list[int]) -> dict[int, Upload]:
    """The uploads with these ids, in one query (lessons show their attachments with this)."""
    if not upload_ids:
        return {}
    return {upload.id: upload for upload in await Upload.filter(id__in=upload_ids)}
