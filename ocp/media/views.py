"""HTTP handlers for uploads and downloads: parse, call ``media.service``, serialize."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from ocp.appkeys import CALLER, EVENTS, FILE_GRANTS, SETTINGS, STORAGE
from ocp.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from ocp.media import service as media_service
from ocp.media.models import Upload
from ocp.media.schemas import UploadFormSchema, UploadQuerySchema, UploadSchema
from ocp.media.storage import THUMBNAIL_SUFFIX, is_key
from ocp.web.auth import caller_of
from ocp.web.endpoint import PUBLIC, SIGNED_IN, Endpoint, only
from ocp.web.files import FileResponse
from ocp.web.pagination import offset, page_response, window
from ocp.web.parsing import path_id, read_query
from ocp.web.responses import dumped, no_content

log = logging.getLogger("ocp.media")

MEDIA = "Media"
EDITORS = only("instructor", "admin")
CHUNK = 1 << 20  # 1 MiB reads run 2-3x faster than 64 KiB ones (bench/uploads.py)
FORM_OVERHEAD = 64 * 1024  # boundaries and part headers around the file
DOWNLOAD_CHUNK = 256 * 1024
# What aiohttp raises on a broken multipart body: bad boundaries, part headers, line lengths.
MALFORMED = (ValueError, AssertionError, HttpProcessingError)
UPLOAD = UploadSchema()
UPLOAD_QUERY = UploadQuerySchema()


async def prepare_storage(app: web.Application) -> None:
    """Drop temporary files that died with an old process (folders appear on first upload)."""
    removed = await asyncio.to_thread(app[STORAGE].sweep)
    if removed:
        log.info("removed %d abandoned temporary upload files", removed)


async def create_upload(request: web.Request) -> web.Response:
    caller = caller_of(request)
    max_bytes = request.app[SETTINGS].max_upload_mb * 2**20
    if request.content_type != "multipart/form-data":
        raise UnsupportedMediaType("Send the file as multipart/form-data, in a part named file")
    length = request.content_length
    if length is not None and length > max_bytes + FORM_OVERHEAD:
        raise PayloadTooLarge(f"The file is larger than {max_bytes // 2**20} MiB")
    try:
        reader = await request.multipart()
        part = await reader.next()
    except MALFORMED as error:
        raise BadRequest(f"The multipart body is malformed: {error}") from None
    file = _file_part(part)
    storage = request.app[STORAGE]
    staged = await media_service.stage(_chunks(file), storage=storage, max_bytes=max_bytes)
    try:
        try:
            extra = await reader.next()
        except MALFORMED as error:
            raise BadRequest(f"The multipart body is malformed: {error}") from None
        if extra is not None:
            name = extra.name if isinstance(extra, BodyPartReader) else None
            raise ValidationFailed(errors={name or "_schema": ["Send one part only: file."]})
        upload = await media_service.create(
            owner=caller.user,
            staged=staged,
            filename=file.filename or "",
            declared_type=file.headers.get(hdrs.CONTENT_TYPE, ""),
            storage=storage,
            events=request.app[EVENTS],
        )
    finally:
        staged.discard()
    response = dumped(UPLOAD, upload, status=202)
    response.headers["Location"] = f"/api/v1/uploads/{upload.id}"
    return response


def _file_part(part: object) -> BodyPartReader:
    if part is None:
        raise ValidationFailed(errors={"file": ["Missing data for required field."]})
    if not isinstance(part, BodyPartReader):
        raise ValidationFailed(errors={"file": ["Send the file itself, not a nested form."]})
    if part.name != "file":
        raise ValidationFailed(errors={part.name or "_schema": ["Unknown field."]})
    if not part.filename:
        raise ValidationFailed(errors={"file": ["Send a file, with its filename."]})
    return part


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    try:
        while chunk := await part.read_chunk(CHUNK):
            yield chunk
    except MALFORMED as error:
        raise BadRequest(f"The multipart body is malformed: {error}") from None


async def list_uploads(request: web.Request) -> web.Response:
    query = read_query(request, UPLOAD_QUERY)
    page, per_page = window(query)
    items, total = await media_service.list_own(
        owner=caller_of(request).user,
        status=query.get("status"),
        offset=offset(page, per_page),
        limit=per_page,
    )
    return page_response(
        request, items=items, schema=UPLOAD, page=page, per_page=per_page, total=total
    )


async def get_upload(request: web.Request) -> web.Response:
    upload = await media_service.get_for(upload_id=path_id(request), actor=caller_of(request).user)
    return dumped(UPLOAD, upload)


async def delete_upload(request: web.Request) -> web.Response:
    await media_service.delete(
        upload_id=path_id(request), actor=caller_of(request).user, storage=request.app[STORAGE]
    )
    return no_content()


async def download(request: web.Request) -> web.StreamResponse:
    """A stored file for those who may read it, with ranges, as an attachment unless an image."""
    key = request.match_info["key"]
    if not is_key(key):
        raise NotFound()
    sha256 = key[:64]
    thumbnail = key.endswith(THUMBNAIL_SUFFIX)
    caller = request.get(CALLER)
    actor = caller.user if caller is not None else None
    upload, public = await media_service.readable_upload(
        sha256, actor=actor, grants=request.app[FILE_GRANTS]
    )
    if upload is None or (thumbnail and not upload.has_thumbnail):
        raise NotFound()
    path = request.app[STORAGE].path(key)
    if not await asyncio.to_thread(path.is_file):
        raise NotFound()
    return FileResponse(
        path, chunk_size=DOWNLOAD_CHUNK, headers=_download_headers(upload, thumbnail, public)
    )


async def download_head(request: web.Request) -> web.StreamResponse:
    """``HEAD``: the same checks and headers as a download, no body (aiohttp drops it)."""
    return await download(request)


def _download_headers(upload: Upload, thumbnail: bool, public: bool) -> dict[str, str]:
    content_type = "image/jpeg" if thumbnail else upload.content_type or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    filename = upload.filename
    if thumbnail:
        filename = filename.rsplit(".", 1)[0] + "-thumbnail.jpg"
    inline = thumbnail or upload.kind == "image"
    return {
        hdrs.CONTENT_TYPE: content_type,
        hdrs.CONTENT_DISPOSITION: _disposition("inline" if inline else "attachment", filename),
        hdrs.CACHE_CONTROL: "public, max-age=3600" if public else "private, no-cache",
        "Cross-Origin-Resource-Policy": "same-site",
    }


def _disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback name and the real one in UTF-8 (RFC 8187)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


DOWNLOAD_DESCRIPTION = (
    "Served to the upload's owner, admins, people who may read a lesson that uses it "
    "(previews included), and anyone for the cover of a published course. The type is the "
    "one sniffed from the bytes, with `X-Content-Type-Options: nosniff` and a sandboxing "
    "`Content-Security-Policy`; everything but images comes as an attachment. The key is the "
    "file's SHA-256 (`-thumb` for its thumbnail); take it from an upload's `url`.\n\n"
    "The file (200, 206) comes with `ETag`, `Last-Modified` and `Accept-Ranges: bytes`. "
    "Preconditions "
    "come first (RFC 9110 section 13.2.2): a failing `If-Match` or `If-Unmodified-Since` is "
    "412, a matching `If-None-Match` (or an unchanged `If-Modified-Since`) 304. Then `Range`, "
    "on GET only, one byte range at a time (so video can seek): `bytes=first-last`, "
    "`bytes=first-` or `bytes=-suffix` answers 206; one that starts at or past the end "
    "(`bytes=<size>-`, `bytes=-0`) 416. A `Range` that is not a valid byte range "
    "(`bytes=abc`, `bytes=5-1`, `items=0-1`, `bytes=`), that asks for several ranges, or "
    "that comes with HEAD is ignored (RFC 9110 section 14.2): 200 with the whole file."
)
NO_BODY = "No body."
ETAG_HEADER = {"description": "The file's entity tag.", "schema": {"type": "string"}}
PRECONDITION_RESPONSES: dict[int, dict[str, object]] = {
    304: {
        "description": (
            "Not modified: `If-None-Match` matches the `ETag` (or, without it, "
            f"`If-Modified-Since` is not older than the file). {NO_BODY}"
        ),
        "headers": {"ETag": ETAG_HEADER},
    },
    412: {
        "description": (
            "`If-Match` does not match the `ETag` (or, without it, the file changed after "
            f"`If-Unmodified-Since`). {NO_BODY}"
        ),
    },
}
RANGE_RESPONSES: dict[int, dict[str, object]] = {
    206: {
        "description": "The one byte range asked for with `Range`.",
        "headers": {
            "Content-Range": {
                "description": "`bytes <first>-<last>/<size>`",
                "required": True,
                "schema": {"type": "string"},
            },
            "ETag": ETAG_HEADER,
        },
        "content": {"application/octet-stream": {"schema": {"type": "string"}}},
    },
    416: {
        "description": (
            "A valid byte range that starts at or past the end of the file "
            f"(`bytes=<size>-`, `bytes=-0`). {NO_BODY}"
        ),
        "headers": {
            "Content-Range": {
                "description": "`bytes */<size>`",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    },
}

routes = [
    Endpoint(
        "POST",
        "/api/v1/uploads",
        create_upload,
        EDITORS,
        "Upload a file",
        MEDIA,
        form=UploadFormSchema,
        status=202,
        response=UploadSchema,
        errors=(503, 507),
        description=(
            "multipart/form-data with one part named `file`. The bytes are streamed to storage "
            "and hashed; the answer comes at once with `status: processing` and a `Location`. "
            "A worker then sniffs the real type from the bytes and ends the upload `ready`, "
            "`rejected` (with a `reason`) or `failed`; `upload.*` events on the owner's "
            "`user:<id>` channel follow it live. Accepted: PNG, JPEG, GIF and WebP images; "
            "PDF; MP4, MOV, WebM and MKV video; MP3, M4A, WAV, OGG and FLAC audio; plain text "
            "and Markdown; PowerPoint (.pptx) and zip archives of slides (images, PDFs, text). "
            "The name's extension must be one of its type's (text only as .txt, .md or "
            ".markdown; no extension, or any other such as .url, .reg, .sh or .csv, is "
            "rejected whatever the bytes), inside zips too. Larger than "
            "`OCP_MAX_UPLOAD_MB` (2048 by default) is a 413 and nothing is kept."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/uploads",
        list_uploads,
        SIGNED_IN,
        "List my uploads",
        MEDIA,
        query=UploadQuerySchema,
        response=UploadSchema,
        paginated=True,
        description="The caller's own uploads, newest first; `status` filters.",
    ),
    Endpoint(
        "GET",
        "/api/v1/uploads/{id}",
        get_upload,
        SIGNED_IN,
        "An upload and its processing state",
        MEDIA,
        response=UploadSchema,
        description="For its owner and admins; 404 for anyone else.",
    ),
    Endpoint(
        "DELETE",
        "/api/v1/uploads/{id}",
        delete_upload,
        SIGNED_IN,
        "Delete an upload",
        MEDIA,
        status=204,
        errors=(409,),
        description=(
            "Its owner or an admin. 409 while a lesson or a course cover uses it. The bytes go "
            "when no other upload has the same ones."
        ),
    ),
    Endpoint(
        "GET",
        "/media/{key}",
        download,
        PUBLIC,
        "Download a file",
        MEDIA,
        media_type="application/octet-stream",
        other_responses={**RANGE_RESPONSES, **PRECONDITION_RESPONSES},
        description=DOWNLOAD_DESCRIPTION,
    ),
    Endpoint(
        "HEAD",
        "/media/{key}",
        download_head,
        PUBLIC,
        "A file's headers",
        MEDIA,
        media_type="application/octet-stream",
        other_responses=PRECONDITION_RESPONSES,
        description="As `GET`, without the body; `Range` is ignored (RFC 9110 section 14.2).",
    ),
]
