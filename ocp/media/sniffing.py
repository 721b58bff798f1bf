"""What a file is from its bytes, and whether its name agrees: magic numbers, text, markup."""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ocp.media.audiovisual import audio_start, ebml_header, mpeg_audio_at
from ocp.media.verdict import (
    EXTENSION_FAMILIES,
    EXTENSIONS,
    HEAD_BYTES,
    PPTX,
    READY,
    TYPES,
    Inspection,
    Options,
    Reject,
)

TEXT_CHUNK_BYTES = 64 * 1024
MARKUP_WINDOW = 1024

MARKDOWN_EXTENSIONS = frozenset({"md", "markdown"})

ACCEPTED_SUMMARY = (
    "images (PNG, JPEG, GIF, WebP), PDF, video (MP4, MOV, WebM, MKV), "
    "audio (MP3, M4A, WAV, OGG, FLAC), text (.txt) and Markdown (.md), zip archives of "
    "slides and PowerPoint (.pptx)"
)
NOT_UTF8 = "The file looks like text but is not UTF-8 encoded; save it as UTF-8 and try again."
UTF16 = "The file looks like UTF-16 text; save it as UTF-8 and try again."
BINARY_DATA = "unknown binary data"
NOT_UTF8_TEXT = "text that is not UTF-8 encoded"

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

_CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Detected:
    """What sniffing found: an accepted content type, or what the refused bytes look like."""

    content_type: str | None = None
    description: str = ""
    reason: str | None = None  # replaces the usual message when set


def file_extension(filename: str) -> str:
    """The lower-case extension of the last path component, without the dot ("" if none)."""
    name = re.split(r"[\\/]", filename)[-1].rstrip(". ")
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def refused_extension(extension: str) -> str | None:
    """Why a name is refused before its bytes are read (an extension that no accepted type
    may carry), or None."""
    if extension and extension not in EXTENSION_FAMILIES:
        return f"Files ending in .{extension} are not accepted. Accepted: {ACCEPTED_SUMMARY}."
    return None


def agreed_type(extension: str, detected: Detected) -> str:
    """The content type to accept, or a rejection when it is not accepted or the name does
    not agree with it."""
    if detected.content_type is None:
        if detected.reason:
            raise Reject(detected.reason)
        if extension:
            raise Reject(_mismatch(extension, detected.description))
        raise Reject(
            f"This kind of file is not accepted (detected: {detected.description}). "
            f"Accepted: {ACCEPTED_SUMMARY}."
        )
    content_type = detected.content_type
    if not named_right(extension, content_type):
        description = TYPES[content_type].description
        if not extension:
            reason = (
                f"The file has no extension; {description} must end in {names_for(content_type)}."
            )
        else:
            reason = _mismatch(extension, description)
        raise Reject(reason, content_type)
    if content_type == "text/plain" and extension in MARKDOWN_EXTENSIONS:
        return "text/markdown"
    return content_type


def named_right(extension: str, content_type: str) -> bool:
    """Whether a file of ``content_type`` may carry this extension (its allow-list)."""
    return extension in EXTENSIONS[TYPES[content_type].family]


def names_for(content_type: str) -> str:
    """The extensions ``content_type`` may carry, in words: ".txt, .md or .markdown"."""
    names = [f".{extension}" for extension in EXTENSIONS[TYPES[content_type].family]]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _mismatch(extension: str, description: str) -> str:
    return f"The file is named .{extension} but its contents are {description}."


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(TEXT_CHUNK_BYTES):
            yield chunk


def detect(path: Path, head: bytes) -> Detected:
    """What the whole file is, from its first bytes (and all of them for text)."""
    if head.startswith(b"ID3"):
        content_type = _tagged_audio_type(path)
        if content_type:
            return Detected(content_type)
    detected = classify(head, _read_chunks(path), complete=True)
    if detected.content_type == "application/zip":
        return _detect_zip(path)
    return detected


def classify(head: bytes, chunks: Iterable[bytes], *, complete: bool) -> Detected:
    """What bytes starting with ``head`` are; ``chunks`` (all of them when ``complete``) are
    read only when they might be text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Detected(None, "UTF-16 text", UTF16)
    content_type = _head_content_type(head)
    if content_type:
        return Detected(content_type)
    description = _strong_description(head)
    if description:
        return Detected(None, description)
    verdict = _text_verdict(chunks, complete=complete)
    if verdict is None:
        return Detected("text/plain")
    if verdict == NOT_UTF8_TEXT:
        if _looks_like_legacy_text(head):
            return Detected(None, verdict, NOT_UTF8)
        verdict = BINARY_DATA
    if verdict == BINARY_DATA:
        verdict = _weak_description(head) or verdict
    return Detected(None, verdict)


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
    if mpeg_audio_at(head, 0):
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
    header = ebml_header(head)
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
        file.seek(audio_start(file))
        data = file.read(HEAD_BYTES)
    if data.startswith(b"fLaC"):
        return "audio/flac"
    return "audio/mpeg" if mpeg_audio_at(data, 0) else None


def _detect_zip(path: Path) -> Detected:
    """A PowerPoint file, another zip-based format we refuse, or a plain zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return Detected("application/zip")  # the validator says what is wrong
    if {"[Content_Types].xml", "ppt/presentation.xml"} <= names:
        return Detected(PPTX)
    for required, description in _OTHER_ZIP_FORMATS:
        if names.issuperset(required):
            return Detected(None, description)
    return Detected("application/zip")


def inspect_text(path: Path, content_type: str, options: Options) -> Inspection:
    """Already read in full while sniffing: nothing more to check."""
    return Inspection(status=READY, content_type=content_type, kind="text")
