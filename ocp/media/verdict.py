"""The terms every inspection step shares: the verdict, the accepted types, how a step stops."""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

READY = "ready"
REJECTED = "rejected"
TOO_COMPLEX = "The file is too large or complex to inspect."

HEAD_BYTES = 64 * 1024

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class Inspection:
    """The verdict on one file and what was learned about it."""

    status: str
    reason: str | None = None
    content_type: str | None = None
    kind: str | None = None
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    duration_seconds: float | None = None
    duration_status: str | None = None
    thumbnail: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inspection:
        """The inverse of ``as_dict``; unknown keys are ignored."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass(frozen=True)
class _Type:
    kind: str
    family: str  # the extensions that may name it: EXTENSIONS[family]
    description: str


TYPES: dict[str, _Type] = {
    "image/png": _Type("image", "png", "a PNG image"),
    "image/jpeg": _Type("image", "jpeg", "a JPEG image"),
    "image/gif": _Type("image", "gif", "a GIF image"),
    "image/webp": _Type("image", "webp", "a WebP image"),
    "application/pdf": _Type("pdf", "pdf", "a PDF document"),
    "video/mp4": _Type("video", "mp4", "an MP4 video"),
    "video/quicktime": _Type("video", "mp4", "a QuickTime video"),
    "audio/mp4": _Type("audio", "mp4", "an M4A audio file"),
    "video/webm": _Type("video", "matroska", "a WebM video"),
    "video/x-matroska": _Type("video", "matroska", "a Matroska (MKV) video"),
    "audio/mpeg": _Type("audio", "mp3", "an MP3 audio file"),
    "audio/wav": _Type("audio", "wav", "a WAV audio file"),
    "audio/ogg": _Type("audio", "ogg", "an Ogg audio file"),
    "audio/flac": _Type("audio", "flac", "a FLAC audio file"),
    "text/plain": _Type("text", "text", "plain text"),
    "text/markdown": _Type("text", "text", "Markdown text"),
    "application/zip": _Type("archive", "zip", "a zip archive"),
    PPTX: _Type("archive", "pptx", "a PowerPoint presentation"),
}
ACCEPTED_CONTENT_TYPES = frozenset(TYPES)

# The only names each family of types is accepted under, at the top level and inside zips
# alike. Every other extension (.url, .reg, .desktop, .sh, .html, .csv, ...) and no extension
# at all are refused whatever the bytes: many such files are plain text that does something
# when opened (CSV: spreadsheet formulas). An M4A named .mp4 is fine: one container family.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "png": ("png",),
    "jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "gif": ("gif",),
    "webp": ("webp",),
    "pdf": ("pdf",),
    "mp4": ("mp4", "m4v", "mov", "qt", "m4a", "m4b"),
    "matroska": ("mkv", "webm", "mka"),
    "mp3": ("mp3",),
    "wav": ("wav", "wave"),
    "ogg": ("ogg", "oga", "ogv", "opus"),
    "flac": ("flac",),
    "text": ("txt", "md", "markdown"),
    "zip": ("zip",),
    "pptx": ("pptx",),
}
EXTENSION_FAMILIES = {
    extension: family for family, extensions in EXTENSIONS.items() for extension in extensions
}


class Reject(Exception):
    """Stops the inspection with a reason for the uploader."""

    def __init__(self, reason: str, content_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content_type = content_type


class Damaged(Exception):
    """The bytes start like the detected type but do not hold together."""


class MachineFault(Exception):
    """A failure of this machine, not of the file (a helper that cannot run or finish for
    want of time): the inspection is tried again later."""


def about_the_machine(error: BaseException) -> bool:
    """Whether ``error`` says nothing about the file: our own faults, and I/O errors with an
    errno (disk, permissions, a missing program). Anything else a parser raises (its own
    errors, an ``OSError`` without errno such as bz2's, EINVAL from a seek an archive asked
    for) is the file's doing."""
    if isinstance(error, MachineFault):
        return True
    return isinstance(error, OSError) and error.errno not in (None, errno.EINVAL)


@dataclass(frozen=True)
class Options:
    thumbnail_path: Path
    ffprobe: str | None


Validator = Callable[[Path, str, Options], Inspection]


def read_head(path: Path) -> bytes:
    """The first HEAD_BYTES of the file, where its type shows."""
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)
