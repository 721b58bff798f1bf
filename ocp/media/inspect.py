"""What an uploaded file really is, judged from its bytes: sniffed, validated, described.

The name and the client's content type are never trusted: the bytes decide the type, and a
known extension must agree with them (SECURITY.md, "Files"). Images are decoded in full and
re-encoded as a JPEG thumbnail; PDFs, media and archives are parsed just enough to be sure.

Meant to run in a child process with resource limits: ``python -m ocp.media.inspect
--filename NAME --thumbnail PATH [--ffprobe PATH] FILE`` sets the limits first, then imports
Pillow and pypdf, and prints the result as one JSON line. A rejection is a result (exit 0);
anything unexpected exits 1 with a short message on stderr.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import json
import logging
import math
import os
import re
import resource
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

READY = "ready"
REJECTED = "rejected"

MAX_IMAGE_PIXELS = 50_000_000
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_QUALITY = 85
MAX_ARCHIVE_ENTRIES = 1000
MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 100
# Members smaller than this may compress as well as they like.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_BOXES = 100_000
FFPROBE_TIMEOUT_SECONDS = 60
DEFAULT_MAX_MEMORY_MB = 1024
DEFAULT_MAX_CPU_SECONDS = 60
CPU_GRACE_SECONDS = 5

HEAD_BYTES = 64 * 1024
TEXT_CHUNK_BYTES = 64 * 1024
MEMBER_SNIFF_BYTES = 8 * 1024
MEMBER_XML_BYTES = 1024 * 1024
MARKUP_WINDOW = 1024

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
    family: str  # the extensions that may name it; see EXTENSION_FAMILIES
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

EXTENSION_FAMILIES = {
    "png": "png",
    "jpg": "jpeg", "jpeg": "jpeg", "jpe": "jpeg", "jfif": "jpeg",
    "gif": "gif",
    "webp": "webp",
    "pdf": "pdf",
    "mp4": "mp4", "m4v": "mp4", "mov": "mp4", "qt": "mp4", "m4a": "mp4", "m4b": "mp4",
    "mkv": "matroska", "webm": "matroska", "mka": "matroska",
    "mp3": "mp3",
    "wav": "wav", "wave": "wav",
    "ogg": "ogg", "oga": "ogg", "ogv": "ogg", "opus": "ogg",
    "flac": "flac",
    "txt": "text", "text": "text", "md": "text", "markdown": "text", "csv": "text",
    "zip": "zip",
    "pptx": "pptx",
}  # fmt: skip
MARKDOWN_EXTENSIONS = frozenset({"md", "markdown"})
# Rendered by browsers or run by a double click: refused whatever the bytes are.
DANGEROUS_EXTENSIONS = frozenset({
    "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
    "js", "mjs", "cjs", "jse", "vbs", "vbe", "wsf", "hta", "swf",
    "exe", "dll", "com", "scr", "msi", "bat", "cmd", "ps1", "lnk", "jar",
    "php", "php3", "php4", "php5", "phtml", "phar", "asp", "aspx", "jsp", "cgi",
})  # fmt: skip

ACCEPTED_SUMMARY = (
    "images (PNG, JPEG, GIF, WebP), PDF, video (MP4, MOV, WebM, MKV), "
    "audio (MP3, M4A, WAV, OGG, FLAC), text and Markdown, zip archives of slides and "
    "PowerPoint (.pptx)"
)
EMPTY = "The file is empty."
TOO_COMPLEX = "The file is too large or complex to inspect."
LOCKED_PDF = "Password-protected PDFs are not accepted."
NOT_UTF8 = "The file looks like text but is not UTF-8 encoded; save it as UTF-8 and try again."
UTF16 = "The file looks like UTF-16 text; save it as UTF-8 and try again."
BINARY_DATA = "unknown binary data"
NOT_UTF8_TEXT = "text that is not UTF-8 encoded"

_PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
_SLIDE_TYPES = frozenset({*_PILLOW_FORMATS, "application/pdf", "text/plain"})
_DEMUXERS = {
    "video/mp4": "mov", "video/quicktime": "mov", "audio/mp4": "mov",
    "video/webm": "matroska", "video/x-matroska": "matroska",
    "audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg", "audio/flac": "flac",
}  # fmt: skip
_PROBE_ENTRIES = "format=duration:stream=codec_type,width,height:stream_disposition=attached_pic"

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"\xce\xfa\xed\xfe", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "a macOS executable or Java class"),
    (b"\x00asm", "a WebAssembly module"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"8BPS", "a Photoshop document"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an XZ archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript document"),
    (b"FLV\x01", "a Flash video"),
    (b"0&\xb2u\x8ef\xcf\x11", "a Windows Media file"),
    (b"#!AMR", "an AMR audio file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x1a\x45\xdf\xa3", "a Matroska-family file of an unknown kind"),
)
# Short signatures that ordinary text could start with: only believed when it is not text.
_WEAK_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows executable"),
    (b"BM", "a BMP image"),
    (b"\x00\x00\x01\x00", "an icon (ICO) file"),
    (b"FWS", "a Flash file"),
    (b"CWS", "a Flash file"),
    (b"MThd", "a MIDI file"),
    (b"\xff\x0a", "a JPEG XL image"),
)
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1",
                           b"msf1", b"avif", b"avis"})  # fmt: skip
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B "})
# (names that must all be present, what such a zip is): zip-based formats we do not accept.
_OTHER_ZIP_FORMATS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("word/document.xml",), "a Word document"),
    (("xl/workbook.xml",), "an Excel workbook"),
    (("[Content_Types].xml",), "an Office document"),
    (("META-INF/container.xml",), "an EPUB book"),
    (("AndroidManifest.xml",), "an Android app"),
    (("META-INF/MANIFEST.MF",), "a Java archive"),
    (("mimetype", "content.xml"), "an OpenDocument file"),
)
_IGNORED_MEMBERS = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_SLIDE_PART = re.compile(r"ppt/slides/slide\d+\.xml")
_CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")

_MPEG_BITRATES = {  # kbit/s by (MPEG-1?, layer bits)
    (True, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


class _Reject(Exception):
    """Stops the inspection with a reason for the uploader."""

    def __init__(self, reason: str, content_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content_type = content_type


class _Damaged(Exception):
    """The bytes start like the detected type but do not hold together."""


class _OutOfTime(BaseException):
    """Raised by the SIGXCPU handler; a BaseException so that no parser swallows it."""


@dataclass(frozen=True)
class _Options:
    thumbnail_path: Path
    ffprobe: str | None


@dataclass(frozen=True)
class _Detected:
    content_type: str | None = None
    description: str = ""
    reason: str | None = None  # replaces the usual message when set


@dataclass(frozen=True)
class _Media:
    content_type: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class _Probe:
    has_video: bool
    has_audio: bool
    duration: float | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class _Box:
    type: bytes
    start: int  # where the payload starts
    end: int


@dataclass(frozen=True)
class _Track:
    handler: bytes
    width: int
    height: int


def inspect_file(
    path: Path, filename: str, *, thumbnail_path: Path, ffprobe: str | None = None
) -> Inspection:
    """Decide what the file at ``path`` (uploaded as ``filename``) is and whether it is accepted.

    A thumbnail JPEG is written to ``thumbnail_path`` for images; ``ffprobe`` (a path) makes
    audio and video durations and sizes more complete and checks that they play."""
    try:
        return _inspect(path, filename, _Options(thumbnail_path, ffprobe))
    except _Reject as rejection:
        return _rejected(rejection.reason, rejection.content_type)
    except (MemoryError, _OutOfTime):
        return _rejected(TOO_COMPLEX)


def _rejected(reason: str, content_type: str | None = None) -> Inspection:
    kind = TYPES[content_type].kind if content_type in TYPES else None
    return Inspection(status=REJECTED, reason=reason, content_type=content_type, kind=kind)


def _inspect(path: Path, filename: str, options: _Options) -> Inspection:
    if path.stat().st_size == 0:
        raise _Reject(EMPTY)
    extension = _extension(filename)
    if extension in DANGEROUS_EXTENSIONS:
        raise _Reject(f"Files ending in .{extension} are not accepted.")
    content_type = _agreed_type(extension, _detect(path, _read_head(path)))
    try:
        return _VALIDATORS[TYPES[content_type].kind](path, content_type, options)
    except _Damaged:
        description = TYPES[content_type].description
        reason = f"The file looks like {description} but is damaged or incomplete."
        raise _Reject(reason, content_type) from None
    except _Reject as rejection:
        raise _Reject(rejection.reason, content_type) from None
    except (MemoryError, _OutOfTime):
        raise _Reject(TOO_COMPLEX, content_type) from None


def _extension(filename: str) -> str:
    """The lower-case extension of the last path component, without the dot ("" if none)."""
    name = re.split(r"[\\/]", filename)[-1].rstrip(". ")
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _agreed_type(extension: str, detected: _Detected) -> str:
    """The content type to accept, or a rejection when it is not accepted or the name lies."""
    family = EXTENSION_FAMILIES.get(extension)
    if detected.content_type is None:
        if detected.reason:
            raise _Reject(detected.reason)
        if family:
            raise _Reject(_mismatch(extension, detected.description))
        raise _Reject(
            f"This kind of file is not accepted (detected: {detected.description}). "
            f"Accepted: {ACCEPTED_SUMMARY}."
        )
    content_type = detected.content_type
    if family and family != TYPES[content_type].family:
        raise _Reject(_mismatch(extension, TYPES[content_type].description), content_type)
    if content_type == "text/plain" and extension in MARKDOWN_EXTENSIONS:
        return "text/markdown"
    return content_type


def _mismatch(extension: str, description: str) -> str:
    return f"The file is named .{extension} but its contents are {description}."


def _read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(TEXT_CHUNK_BYTES):
            yield chunk


# Detection ---------------------------------------------------------------------------------


def _detect(path: Path, head: bytes) -> _Detected:
    """What the whole file is, from its first bytes (and all of them for text)."""
    if head.startswith(b"ID3"):
        content_type = _tagged_audio_type(path)
        if content_type:
            return _Detected(content_type)
    detected = _classify(head, _read_chunks(path), complete=True)
    if detected.content_type == "application/zip":
        return _detect_zip(path)
    return detected


def _classify(head: bytes, chunks: Iterable[bytes], *, complete: bool) -> _Detected:
    """What bytes starting with ``head`` are; ``chunks`` (all of them when ``complete``) are
    read only when they might be text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _Detected(None, "UTF-16 text", UTF16)
    content_type = _head_content_type(head)
    if content_type:
        return _Detected(content_type)
    description = _strong_description(head)
    if description:
        return _Detected(None, description)
    verdict = _text_verdict(chunks, complete=complete)
    if verdict is None:
        return _Detected("text/plain")
    if verdict == NOT_UTF8_TEXT:
        if _looks_like_legacy_text(head):
            return _Detected(None, verdict, NOT_UTF8)
        verdict = BINARY_DATA
    if verdict == BINARY_DATA:
        verdict = _weak_description(head) or verdict
    return _Detected(None, verdict)


def _head_content_type(head: bytes) -> str | None:
    """The accepted type that these first bytes announce, if any."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS\x00") and len(head) > 5 and head[5] & 0x02:
        return "audio/ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _matroska_type(head)
    if head[4:8] == b"ftyp":
        return _iso_media_type(head[8:12])
    if head.startswith(b"RIFF"):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav"}.get(head[8:12])
    if _mpeg_audio_at(head, 0):
        return "audio/mpeg"
    return None


def _iso_media_type(brand: bytes) -> str | None:
    """The type of an ISO base media file (MP4 and kin) by its major brand."""
    if brand in _IMAGE_BRANDS or brand == b"crx ":
        return None
    if brand == b"qt  ":
        return "video/quicktime"
    if brand in _AUDIO_BRANDS:
        return "audio/mp4"
    return "video/mp4"


def _matroska_type(head: bytes) -> str | None:
    header = _ebml_header(head)
    if header is None:
        return "video/x-matroska"  # unreadable header: rejected as damaged later
    return {"webm": "video/webm", "matroska": "video/x-matroska"}.get(header[0])


def _strong_description(head: bytes) -> str | None:
    """What not-accepted kind of file these bytes unmistakably are, if known."""
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    if head.startswith(b"RIFF"):
        return "an AVI video" if head[8:12] == b"AVI " else "a RIFF file"
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "an AIFF audio file"
    if head[4:8] == b"ftyp":
        return "a Canon raw photo" if head[8:12] == b"crx " else "a HEIC or AVIF image"
    return None


def _weak_description(head: bytes) -> str | None:
    for signature, description in _WEAK_SIGNATURES:
        if head.startswith(signature):
            return description
    return None


def _text_verdict(chunks: Iterable[bytes], *, complete: bool) -> str | None:
    """None when the bytes are UTF-8 text we accept; otherwise what they look like."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    characters = controls = 0
    start = ""
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            if "\x00" in text:
                return BINARY_DATA
            controls += len(_CONTROL_CHARACTERS.findall(text))
            characters += len(text)
            if len(start) < MARKUP_WINDOW:
                start += text[:MARKUP_WINDOW]
        if complete:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return NOT_UTF8_TEXT
    if controls * 100 > characters:
        return BINARY_DATA
    return _markup_description(start)


def _markup_description(start: str) -> str | None:
    """HTML, SVG or XML, judged from the start of a text; None for other text."""
    text = start.lstrip().lower()
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
        return "an HTML document"
    if text.startswith(("<svg", "<!doctype svg")) or (text.startswith("<?xml") and "<svg" in text):
        return "an SVG image"
    if text.startswith("<?xml"):
        return "an XML document"
    return None


def _looks_like_legacy_text(head: bytes) -> bool:
    """Few control bytes and no NUL: text in some 8-bit encoding rather than binary data."""
    return b"\x00" not in head and len(_CONTROL_BYTES.findall(head)) * 100 <= len(head)


def _tagged_audio_type(path: Path) -> str | None:
    """The type of audio behind an ID3v2 tag: MP3 frames or (against the spec) FLAC."""
    with path.open("rb") as file:
        file.seek(_audio_start(file))
        data = file.read(HEAD_BYTES)
    if data.startswith(b"fLaC"):
        return "audio/flac"
    return "audio/mpeg" if _mpeg_audio_at(data, 0) else None


def _audio_start(file: IO[bytes]) -> int:
    """Where the audio starts: after an ID3v2 tag and its zero padding, if any (else 0)."""
    file.seek(0)
    header = file.read(10)
    valid = (
        len(header) == 10
        and header.startswith(b"ID3")
        and header[3] in (2, 3, 4)
        and all(byte < 0x80 for byte in header[6:10])
    )
    if not valid:
        return 0
    size = header[6] << 21 | header[7] << 14 | header[8] << 7 | header[9]  # "syncsafe"
    end = 10 + size + (10 if header[5] & 0x10 else 0)
    file.seek(end)
    window = file.read(HEAD_BYTES)
    return end + len(window) - len(window.lstrip(b"\x00"))


def _mpeg_audio_at(data: bytes, offset: int) -> bool:
    """An MPEG audio frame header at ``offset``, followed by another frame or by the end."""
    length = _mpeg_frame_length(data[offset : offset + 4])
    if length is None:
        return False
    following = offset + length
    if length == 0 or following == len(data):
        return True
    return _mpeg_frame_length(data[following : following + 4]) is not None


def _mpeg_frame_length(header: bytes) -> int | None:
    """The length of the frame this MPEG audio header starts (0: free format), or None when
    the four bytes are not a valid header."""
    if len(header) < 4:
        return None
    value = int.from_bytes(header, "big")
    version, layer = value >> 19 & 3, value >> 17 & 3
    bitrate_index, rate_index = value >> 12 & 15, value >> 10 & 3
    if value >> 21 != 0x7FF or version == 1 or layer == 0:
        return None
    if bitrate_index == 15 or rate_index == 3 or value & 3 == 2:
        return None
    if bitrate_index == 0:
        return 0
    bitrate = _MPEG_BITRATES[version == 3, layer][bitrate_index] * 1000
    rate = _MPEG_SAMPLE_RATES[version][rate_index]
    padding = value >> 9 & 1
    if layer == 3:
        return (12 * bitrate // rate + padding) * 4
    if layer == 1 and version != 3:
        return 72 * bitrate // rate + padding
    return 144 * bitrate // rate + padding


def _detect_zip(path: Path) -> _Detected:
    """A PowerPoint file, another zip-based format we refuse, or a plain zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return _Detected("application/zip")  # the validator says what is wrong
    if {"[Content_Types].xml", "ppt/presentation.xml"} <= names:
        return _Detected(PPTX)
    for required, description in _OTHER_ZIP_FORMATS:
        if names.issuperset(required):
            return _Detected(None, description)
    return _Detected("application/zip")


# Images ------------------------------------------------------------------------------------


def _inspect_image(path: Path, content_type: str, options: _Options) -> Inspection:
    """Decode fully (so damage shows), record the size as displayed, and make a thumbnail."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with warnings.catch_warnings(), _image_errors():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path, formats=[_PILLOW_FORMATS[content_type]]) as image:
            _check_pixels(*image.size)
            image.load()
            _check_pixels(*image.size)
            orientation = _orientation(image)
            width, height = image.size
            thumbnail = _thumbnail(image, orientation)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    _save_jpeg(thumbnail, options.thumbnail_path)
    return Inspection(
        status=READY,
        content_type=content_type,
        kind="image",
        width=width,
        height=height,
        thumbnail=True,
    )


@contextlib.contextmanager
def _image_errors() -> Iterator[None]:
    """Pillow's many ways of saying "broken" become _Damaged; bombs become a rejection."""
    from PIL import Image

    try:
        yield
    except (_Reject, MemoryError):
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        limit = f"{MAX_IMAGE_PIXELS / 1e6:g} megapixels"
        raise _Reject(f"The image has too many pixels (the limit is {limit}).") from error
    except Exception as error:
        raise _Damaged from error


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        limit = f"{MAX_IMAGE_PIXELS / 1e6:g} megapixels"
        raise _Reject(f"The image is too large ({width} x {height} pixels; the limit is {limit}).")


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 to 8); 1 when absent or unreadable."""
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _thumbnail(image: Image.Image, orientation: int) -> Image.Image:
    """The (first) frame, upright, within THUMBNAIL_SIZE, transparency flattened onto white."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    frame = image.convert("RGBA" if has_alpha else "RGB")
    frame.thumbnail(THUMBNAIL_SIZE)
    if has_alpha:
        background = Image.new("RGB", frame.size, "white")
        background.paste(frame, mask=frame.getchannel("A"))
        frame = background
    transposes = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }
    method = transposes.get(orientation)
    return frame if method is None else frame.transpose(method)


def _save_jpeg(image: Image.Image, target: Path) -> None:
    """Write ``image`` to ``target`` as a JPEG, atomically (a temporary file, then a rename)."""
    handle, temporary = tempfile.mkstemp(prefix=".thumbnail-", suffix=".jpg", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            image.save(out, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# PDF ---------------------------------------------------------------------------------------


def _inspect_pdf(path: Path, content_type: str, options: _Options) -> Inspection:
    return Inspection(status=READY, content_type=content_type, kind="pdf", pages=_pdf_pages(path))


def _pdf_pages(path: Path) -> int:
    """The page count, read lazily from the open file; encrypted PDFs must open without a
    password."""
    from pypdf import PdfReader

    with path.open("rb") as stream, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(stream, strict=False)
            locked = reader.is_encrypted and not _opens_without_password(reader)
            pages = None if locked else len(reader.pages)
        except MemoryError:
            raise
        except Exception as error:
            raise _Damaged from error
    if pages is None:
        raise _Reject(LOCKED_PDF)
    if pages == 0:
        raise _Damaged
    return pages


def _opens_without_password(reader: Any) -> bool:
    try:
        return bool(reader.decrypt(""))
    except MemoryError:
        raise
    except Exception:
        return False


# Audio and video ---------------------------------------------------------------------------


def _inspect_iso_media(path: Path, content_type: str, options: _Options) -> Inspection:
    """MP4, QuickTime and M4A: the top-level boxes must tile the file and include ``moov``."""
    with path.open("rb") as file:
        duration, tracks = _read_movie(file, os.fstat(file.fileno()).st_size)
    handlers = {track.handler for track in tracks}
    if content_type == "video/mp4" and b"soun" in handlers and b"vide" not in handlers:
        content_type = "audio/mp4"
    sizes = [(t.width, t.height) for t in tracks if t.handler == b"vide" and t.width and t.height]
    width, height = sizes[0] if sizes else (None, None)
    return _finish_media(path, _Media(content_type, duration, width, height), options)


def _read_movie(file: IO[bytes], size: int) -> tuple[float | None, list[_Track]]:
    """The duration in the movie header and the movie's tracks."""
    movies = [box for box in _iter_boxes(file, 0, size) if box.type == b"moov"]
    if not movies:
        raise _Damaged
    duration = None
    tracks = []
    for box in _iter_boxes(file, movies[0].start, movies[0].end):
        if box.type == b"mvhd":
            duration = _movie_duration(_read_payload(file, box))
        elif box.type == b"trak":
            tracks.append(_read_track(file, box))
    return duration, tracks


def _iter_boxes(file: IO[bytes], start: int, end: int) -> Iterator[_Box]:
    """The boxes between ``start`` and ``end``, which they must fill exactly."""
    offset = start
    for _ in range(MAX_BOXES):
        if offset == end:
            return
        file.seek(offset)
        header = file.read(16)
        if end - offset < 8 or len(header) < 8:
            raise _Damaged
        size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if size == 1:
            if len(header) < 16:
                raise _Damaged
            (size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif size == 0:
            size = end - offset
        if size < header_size or offset + size > end:
            raise _Damaged
        yield _Box(box_type, offset + header_size, offset + size)
        offset += size
    raise _Damaged


def _read_payload(file: IO[bytes], box: _Box, limit: int = 256) -> bytes:
    file.seek(box.start)
    return file.read(min(box.end - box.start, limit))


def _unpack(layout: str, data: bytes, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(layout, data, offset)
    except struct.error:
        raise _Damaged from None


def _movie_duration(mvhd: bytes) -> float | None:
    """Seconds from a movie header (version 0 or 1); None when it does not say."""
    if not mvhd:
        raise _Damaged
    if mvhd[0] == 1:
        timescale, duration = _unpack(">IQ", mvhd, 20)
        unknown = 0xFFFF_FFFF_FFFF_FFFF
    else:
        timescale, duration = _unpack(">II", mvhd, 12)
        unknown = 0xFFFF_FFFF
    if not timescale or not duration or duration == unknown:
        return None
    return duration / timescale


def _read_track(file: IO[bytes], trak: _Box) -> _Track:
    """A track's handler type (``vide``, ``soun``...) and presentation size."""
    handler = b""
    width = height = 0
    for box in _iter_boxes(file, trak.start, trak.end):
        if box.type == b"tkhd":
            tkhd = _read_payload(file, box)
            offset = 88 if tkhd[:1] == b"\x01" else 76
            width, height = (value >> 16 for value in _unpack(">II", tkhd, offset))
        elif box.type == b"mdia":
            for inner in _iter_boxes(file, box.start, box.end):
                if inner.type == b"hdlr":
                    handler = _read_payload(file, inner)[8:12]
    return _Track(handler, width, height)


def _ebml_header(head: bytes) -> tuple[str, int] | None:
    """The DocType of the EBML header at the start of ``head`` and where the header ends."""
    try:
        size, position = _ebml_number(head, 4, keep_marker=False)
        end = position + size
        if end > len(head):
            return None
        doc_type = None
        while position < end:
            element, position = _ebml_number(head, position, keep_marker=True)
            size, position = _ebml_number(head, position, keep_marker=False)
            if element == 0x4282:
                doc_type = head[position : position + size].rstrip(b"\x00").decode("ascii")
            position += size
    except (IndexError, UnicodeDecodeError):
        return None
    return (doc_type, end) if doc_type and position == end else None


def _ebml_number(data: bytes, position: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length number (element ID or size) at ``position``, and what follows."""
    length = 9 - data[position].bit_length()
    if length > 8 or position + length > len(data):
        raise IndexError(position)
    value = int.from_bytes(data[position : position + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, position + length


def _inspect_matroska(path: Path, content_type: str, options: _Options) -> Inspection:
    """WebM and MKV: a readable EBML header followed by a Segment."""
    head = _read_head(path)
    header = _ebml_header(head)
    if header is None or head[header[1] : header[1] + 4] != b"\x18\x53\x80\x67":
        raise _Damaged
    return _finish_media(path, _Media(content_type), options)


def _inspect_wav(path: Path, content_type: str, options: _Options) -> Inspection:
    return _finish_media(path, _Media(content_type, _wav_duration(path)), options)


def _wav_duration(path: Path) -> float | None:
    """Seconds of uncompressed (PCM or float) audio; None for other encodings."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        offset = 12
        fmt = b""
        for _ in range(MAX_BOXES):
            file.seek(offset)
            header = file.read(8)
            if len(header) < 8:
                break
            chunk_id, chunk_size = struct.unpack("<4sI", header)
            if chunk_id == b"fmt ":
                fmt = file.read(min(chunk_size, 64))
            elif chunk_id == b"data":
                return _pcm_duration(fmt, min(chunk_size, size - offset - 8))
            offset += 8 + chunk_size + (chunk_size & 1)
    raise _Damaged


def _pcm_duration(fmt: bytes, data_size: int) -> float | None:
    tag, _, rate, _, block_align = _unpack("<HHIIH", fmt, 0)
    if not rate or not block_align:
        raise _Damaged
    if tag not in (1, 3, 0xFFFE):
        return None
    return data_size // block_align / rate


def _inspect_flac(path: Path, content_type: str, options: _Options) -> Inspection:
    return _finish_media(path, _Media(content_type, _flac_duration(path)), options)


def _flac_duration(path: Path) -> float | None:
    """Seconds from the STREAMINFO block, which must come first; None when it does not say."""
    with path.open("rb") as file:
        file.seek(_audio_start(file))
        data = file.read(42)
    if len(data) < 42 or not data.startswith(b"fLaC") or data[4] & 0x7F or data[5:8] != b"\0\0\x22":
        raise _Damaged
    value = int.from_bytes(data[18:26], "big")
    rate, samples = value >> 44, value & (1 << 36) - 1
    if not rate:
        raise _Damaged
    return samples / rate if samples else None


def _inspect_stream_audio(path: Path, content_type: str, options: _Options) -> Inspection:
    """MP3 and Ogg: the sniffing already checked their framing; only ffprobe knows more."""
    return _finish_media(path, _Media(content_type), options)


def _inspect_media(path: Path, content_type: str, options: _Options) -> Inspection:
    return _MEDIA_VALIDATORS[content_type](path, content_type, options)


def _finish_media(path: Path, media: _Media, options: _Options) -> Inspection:
    """Complete what the native parser found with ffprobe's answer, when it is available."""
    if options.ffprobe is not None:
        media = _merge_probe(media, _probe(options.ffprobe, path, media.content_type))
    kind = TYPES[media.content_type].kind
    return Inspection(
        status=READY,
        content_type=media.content_type,
        kind=kind,
        width=media.width if kind == "video" else None,
        height=media.height if kind == "video" else None,
        duration_seconds=media.duration,
        duration_status="unknown" if media.duration is None else "known",
    )


def _probe(ffprobe: str, path: Path, content_type: str) -> _Probe:
    """Ask ffprobe, forced to the demuxer of the sniffed type and to local files only."""
    command = [
        ffprobe, "-v", "error", "-protocol_whitelist", "file", "-f", _DEMUXERS[content_type],
        "-show_entries", _PROBE_ENTRIES, "-of", "json", f"file:{path.absolute()}",
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 (a fixed program and arguments, no shell)
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FFPROBE_TIMEOUT_SECONDS,
            check=False,
        )
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except subprocess.TimeoutExpired:
        raise _Reject(TOO_COMPLEX) from None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise _Reject(_unplayable(content_type))
    return _parse_probe(answer)


def _unplayable(content_type: str) -> str:
    description = TYPES[content_type].description
    return f"The file looks like {description} but is not a playable audio/video file."


def _parse_probe(answer: dict[str, Any]) -> _Probe:
    streams = [s for s in answer.get("streams") or [] if isinstance(s, dict)]
    pictures = [s for s in streams if s.get("codec_type") == "video"]
    videos = [s for s in pictures if not (s.get("disposition") or {}).get("attached_pic")]
    video = videos[0] if videos else {}
    return _Probe(
        has_video=bool(videos),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        duration=_seconds((answer.get("format") or {}).get("duration")),
        width=_positive_int(video.get("width")),
        height=_positive_int(video.get("height")),
    )


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _merge_probe(media: _Media, probe: _Probe) -> _Media:
    """ffprobe's duration and size win over the native ones; no stream at all is a rejection."""
    if not probe.has_video and not probe.has_audio:
        raise _Reject(_unplayable(media.content_type))
    content_type = media.content_type
    if content_type == "video/mp4" and not probe.has_video:
        content_type = "audio/mp4"
    has_size = probe.width is not None and probe.height is not None
    return _Media(
        content_type=content_type,
        duration=media.duration if probe.duration is None else probe.duration,
        width=probe.width if has_size else media.width,
        height=probe.height if has_size else media.height,
    )


# Text --------------------------------------------------------------------------------------


def _inspect_text(path: Path, content_type: str, options: _Options) -> Inspection:
    """Already read in full while sniffing: nothing more to check."""
    return Inspection(status=READY, content_type=content_type, kind="text")


# Archives ----------------------------------------------------------------------------------


def _inspect_archive(path: Path, content_type: str, options: _Options) -> Inspection:
    """Check every entry's declared size and path before reading any, then the contents."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_archive_limits(members)
            for info in members:
                _check_member_safety(info)
            if content_type == PPTX:
                pages = _count_presentation_slides(archive, members)
            else:
                pages = _count_slide_files(archive, members)
    except NotImplementedError as error:
        raise _Reject("The archive uses a zip feature that is not supported.") from error
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error, zlib.error) as error:
        raise _Damaged from error
    except OSError as error:
        if error.errno != errno.EINVAL:  # EINVAL: an offset in the archive points before 0
            raise
        raise _Damaged from error
    return Inspection(status=READY, content_type=content_type, kind="archive", pages=pages)


def _check_archive_limits(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ARCHIVE_ENTRIES:
        raise _Reject(f"The archive holds more than {MAX_ARCHIVE_ENTRIES} entries.")
    if sum(info.file_size for info in members) > MAX_ARCHIVE_BYTES:
        raise _Reject(f"The archive would expand to more than {_size_text(MAX_ARCHIVE_BYTES)}.")
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise _Reject("The archive holds two entries with the same name.")


def _check_member_safety(info: zipfile.ZipInfo) -> None:
    """Refuse traversal, links, special files, encryption and suspicious compression."""
    name = _quote(info.filename)
    if _unsafe_member_path(info.orig_filename):
        raise _Reject(f"The archive entry {name} has an unsafe path.")
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type == stat.S_IFLNK:
        raise _Reject(f"The archive entry {name} is a symbolic link.")
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _Reject(f"The archive entry {name} is not a regular file.")
    if info.flag_bits & 0x1:
        raise _Reject(f"The archive entry {name} is encrypted.")
    large = info.file_size > RATIO_CHECK_MIN_BYTES
    if large and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise _Reject(f"The archive entry {name} is compressed suspiciously well (a zip bomb?).")


def _unsafe_member_path(name: str) -> bool:
    """Absolute, drive-qualified or ``..`` paths, with either kind of slash, and NULs."""
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    if re.match(r"[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[\\/]", name)


def _count_presentation_slides(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> int:
    """A .pptx without macros or embedded binaries: its number of slides."""
    for info in members:
        lower = info.filename.lower()
        if lower.endswith("vbaproject.bin"):
            raise _Reject("The presentation contains macros, which are not accepted.")
        if lower.endswith(".bin"):
            name = _quote(info.filename)
            raise _Reject(
                f"The presentation embeds binary objects ({name}), which are not accepted."
            )
    with archive.open("[Content_Types].xml") as part:
        content_types = part.read(MEMBER_XML_BYTES)
    if b"presentationml.presentation.main+xml" not in content_types:
        raise _Reject(
            "The file is not a plain PowerPoint presentation (.pptx); "
            "macro-enabled files, slide shows and templates are not accepted."
        )
    return sum(1 for info in members if _SLIDE_PART.fullmatch(info.filename))


def _count_slide_files(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> int:
    """A zip of slides: every file is an image, a PDF or text; their number."""
    count = 0
    for info in members:
        if info.is_dir() or _ignored_member(info.filename):
            continue
        with archive.open(info) as member:
            head = member.read(MEMBER_SNIFF_BYTES)
        _check_slide_file(info.filename, head)
        count += 1
    if not count:
        raise _Reject("The archive holds no files.")
    return count


def _ignored_member(name: str) -> bool:
    """Litter from file managers (macOS resource forks, Finder and Explorer metadata)."""
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1] in _IGNORED_MEMBERS


def _check_slide_file(filename: str, head: bytes) -> None:
    name = _quote(filename)
    detected = _classify(head, [head], complete=False) if head else _Detected(None, "an empty file")
    content_type = detected.content_type
    if content_type not in _SLIDE_TYPES:
        what = TYPES[content_type].description if content_type else detected.description
        raise _Reject(
            f"The archive entry {name} is {what}; a zip of slides may hold only images "
            "(PNG, JPEG, GIF, WebP), PDFs, text and Markdown."
        )
    extension = _extension(filename)
    if extension in DANGEROUS_EXTENSIONS:
        raise _Reject(f"The archive entry {name} ends in .{extension}, which is not accepted.")
    family = EXTENSION_FAMILIES.get(extension)
    if family and family != TYPES[content_type].family:
        description = TYPES[content_type].description
        raise _Reject(
            f"The archive entry {name} is named .{extension} but its contents are {description}."
        )


def _quote(name: str) -> str:
    return repr(name if len(name) <= 100 else name[:100] + "…")


def _size_text(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


_Validator = Callable[[Path, str, _Options], Inspection]
_MEDIA_VALIDATORS: dict[str, _Validator] = {
    "video/mp4": _inspect_iso_media,
    "video/quicktime": _inspect_iso_media,
    "audio/mp4": _inspect_iso_media,
    "video/webm": _inspect_matroska,
    "video/x-matroska": _inspect_matroska,
    "audio/mpeg": _inspect_stream_audio,
    "audio/ogg": _inspect_stream_audio,
    "audio/wav": _inspect_wav,
    "audio/flac": _inspect_flac,
}
_VALIDATORS: dict[str, _Validator] = {
    "image": _inspect_image,
    "pdf": _inspect_pdf,
    "video": _inspect_media,
    "audio": _inspect_media,
    "text": _inspect_text,
    "archive": _inspect_archive,
}


# Command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Limit this process, inspect one file, print the result as one JSON line."""
    args = _parser().parse_args(argv)
    _limit_resources(args.max_memory_mb, args.max_cpu_seconds)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about the file
    try:
        inspection = inspect_file(
            Path(args.file),
            args.filename,
            thumbnail_path=Path(args.thumbnail),
            ffprobe=args.ffprobe,
        )
    except Exception as error:
        print(f"inspect: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(inspection.as_dict()))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ocp.media.inspect", description=__doc__)
    parser.add_argument("file", help="the uploaded file")
    parser.add_argument("--filename", required=True, help="the name the client gave")
    parser.add_argument("--thumbnail", required=True, help="where to write a thumbnail JPEG")
    parser.add_argument("--ffprobe", help="path to ffprobe, for audio and video")
    parser.add_argument("--max-memory-mb", type=int, default=DEFAULT_MAX_MEMORY_MB)
    parser.add_argument("--max-cpu-seconds", type=int, default=DEFAULT_MAX_CPU_SECONDS)
    return parser


def _limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Cap address space and CPU time; running out of CPU raises _OutOfTime (SIGXCPU), and
    CPU_GRACE_SECONDS later the kernel kills the process if it is stuck in C code."""
    memory = memory_mb * 1024 * 1024
    _set_limit(resource.RLIMIT_AS, memory, memory)
    _set_limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + CPU_GRACE_SECONDS)
    signal.signal(signal.SIGXCPU, _out_of_time)


def _set_limit(which: int, soft: int, hard: int) -> None:
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _out_of_time(signum: int, frame: FrameType | None) -> None:
    raise _OutOfTime


if __name__ == "__main__":
    raise SystemExit(main())
