"""What uploads look like on the wire."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ocp.media.models import UploadStatus
from ocp.media.service import media_url, thumbnail_url
from ocp.web.schemas import PageQuerySchema

STATUSES = [str(status) for status in UploadStatus]
KINDS = ["image", "pdf", "video", "audio", "text", "archive"]


def _url(upload: Any) -> str | None:
    return media_url(upload.sha256) if upload.status == UploadStatus.READY else None


def _thumbnail_url(upload: Any) -> str | None:
    ready = upload.status == UploadStatus.READY and upload.has_thumbnail
    return thumbnail_url(upload.sha256) if ready else None


class UploadSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(
        required=True, metadata={"description": "The name it was sent with, without folders."}
    )
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    sha256 = fields.String(required=True, metadata={"description": "Hex SHA-256 of the bytes."})
    content_type = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Sniffed from the bytes; null until processed or if refused."},
    )
    kind = fields.String(allow_none=True, required=True, metadata={"enum": KINDS})
    status = fields.String(required=True, metadata={"enum": STATUSES})
    reason = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Why it was rejected or failed, in words for people."},
    )
    width = fields.Integer(allow_none=True, required=True, metadata={"description": "Pixels."})
    height = fields.Integer(allow_none=True, required=True, metadata={"description": "Pixels."})
    pages = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "PDF pages, or slides in a .pptx or a zip of slides."},
    )
    duration_seconds = fields.Float(allow_none=True, required=True)
    duration_status = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "enum": ["known", "unknown"],
            "description": "Audio and video: `unknown` when the server could not measure it "
            "(it has no ffprobe, and the format has no duration in its header).",
        },
    )
    thumbnail_url = fields.Function(
        _thumbnail_url,
        allow_none=True,
        required=True,
        metadata={"type": "string", "description": "A JPEG of at most 320x320 for images."},
    )
    url = fields.Function(
        _url,
        allow_none=True,
        required=True,
        metadata={"type": "string", "description": "The download; null unless ready."},
    )
    attempts = fields.Integer(required=True, metadata={"description": "Processing tries so far."})
    created_at = fields.DateTime(required=True)
    processed_at = fields.DateTime(allow_none=True, required=True)


class UploadQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))


class UploadFormSchema(Schema):
    """The multipart form ``POST /api/v1/uploads`` takes (for the API docs)."""

    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "minLength": 1,
            "description": "The file, not empty; one part.",
        },
    )


class AssetSchema(Schema):
    """An upload as a lesson's reader sees it."""

    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True)
    content_type = fields.String(allow_none=True, required=True)
    kind = fields.String(allow_none=True, required=True, metadata={"enum": KINDS})
    width = fields.Integer(allow_none=True, required=True)
    height = fields.Integer(allow_none=True, required=True)
    pages = fields.Integer(allow_none=True, required=True)
    duration_seconds = fields.Float(allow_none=True, required=True)
    url = fields.String(required=True)
    thumbnail_url = fields.String(allow_none=True, required=True)
