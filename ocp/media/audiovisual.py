"""Audio and video containers: their structure checked, duration and size read, ffprobe asked."""

from __future__ import annotations

import json
import math
import os
import resource
import signal
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ocp.media.verdict import (
    HEAD_BYTES,
    READY,
    TOO_COMPLEX,
    TYPES,
    Damaged,
    Inspection,
    MachineFault,
    Options,
    Reject,
    Validator,
    read_head,
)

MAX_BOXES = 100_000
# ffprobe gets this much processor time (running out is the file's doing: it is rejected),
# and FFPROBE_SLACK_SECONDS more on the clock (running out of that is the machine's: a retry).
FFPROBE_CPU_SECONDS = 60
FFPROBE_SLACK_SECONDS = 30

_DEMUXERS = {
    "video/mp4": "mov", "video/quicktime": "mov", "audio/mp4": "mov",
    "video/webm": "matroska", "video/x-matroska": "matroska",
    "audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg", "audio/flac": "flac",
}  # fmt: skip
_PROBE_ENTRIES = "format=duration:stream=codec_type,width,height:stream_disposition=attached_pic"

_MPEG_BITRATES = {  # kbit/s by (MPEG-1?, layer bits)
    (True, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


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


def inspect_media(path: Path, content_type: str, options: Options) -> Inspection:
    """Check audio or video with the parser for its sniffed container."""
    return _MEDIA_VALIDATORS[content_type](path, content_type, options)


# MP4, QuickTime and M4A (ISO base media) ---------------------------------------------------


def _inspect_iso_media(path: Path, content_type: str, options: Options) -> Inspection:
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
        raise Damaged
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
            raise Damaged
        size, box_type = struct.unpack(">I4s", header[:8])
        header_size = 8
        if size == 1:
            if len(header) < 16:
                raise Damaged
            (size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif size == 0:
            size = end - offset
        if size < header_size or offset + size > end:
            raise Damaged
        yield _Box(box_type, offset + header_size, offset + size)
        offset += size
    raise Damaged


def _read_payload(file: IO[bytes], box: _Box, limit: int = 256) -> bytes:
    file.seek(box.start)
    return file.read(min(box.end - box.start, limit))


def _unpack(layout: str, data: bytes, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(layout, data, offset)
    except struct.error:
        raise Damaged from None


def _movie_duration(mvhd: bytes) -> float | None:
    """Seconds from a movie header (version 0 or 1); None when it does not say."""
    if not mvhd:
        raise Damaged
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


# WebM and MKV (Matroska, EBML) -------------------------------------------------------------


def _inspect_matroska(path: Path, content_type: str, options: Options) -> Inspection:
    """WebM and MKV: a readable EBML header followed by a Segment."""
    head = read_head(path)
    header = ebml_header(head)
    if header is None or head[header[1] : header[1] + 4] != b"\x18\x53\x80\x67":
        raise Damaged
    return _finish_media(path, _Media(content_type), options)


def ebml_header(head: bytes) -> tuple[str, int] | None:
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


# WAV ---------------------------------------------------------------------------------------


def _inspect_wav(path: Path, content_type: str, options: Options) -> Inspection:
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
    raise Damaged


def _pcm_duration(fmt: bytes, data_size: int) -> float | None:
    tag, _, rate, _, block_align = _unpack("<HHIIH", fmt, 0)
    if not rate or not block_align:
        raise Damaged
    if tag not in (1, 3, 0xFFFE):
        return None
    return data_size // block_align / rate


# FLAC, MP3 and Ogg -------------------------------------------------------------------------


def _inspect_flac(path: Path, content_type: str, options: Options) -> Inspection:
    return _finish_media(path, _Media(content_type, _flac_duration(path)), options)


def _flac_duration(path: Path) -> float | None:
    """Seconds from the STREAMINFO block, which must come first; None when it does not say."""
    with path.open("rb") as file:
        file.seek(audio_start(file))
        data = file.read(42)
    if len(data) < 42 or not data.startswith(b"fLaC") or data[4] & 0x7F or data[5:8] != b"\0\0\x22":
        raise Damaged
    value = int.from_bytes(data[18:26], "big")
    rate, samples = value >> 44, value & (1 << 36) - 1
    if not rate:
        raise Damaged
    return samples / rate if samples else None


def _inspect_stream_audio(path: Path, content_type: str, options: Options) -> Inspection:
    """MP3 and Ogg: the sniffing already checked their framing; only ffprobe knows more."""
    return _finish_media(path, _Media(content_type), options)


def audio_start(file: IO[bytes]) -> int:
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


def mpeg_audio_at(data: bytes, offset: int) -> bool:
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


# ffprobe -----------------------------------------------------------------------------------


def _finish_media(path: Path, media: _Media, options: Options) -> Inspection:
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
    """Ask ffprobe, forced to the demuxer of the sniffed type and to local files only, within
    FFPROBE_CPU_SECONDS of processor time."""
    command = [
        ffprobe, "-v", "error", "-protocol_whitelist", "file", "-f", _DEMUXERS[content_type],
        "-show_entries", _PROBE_ENTRIES, "-of", "json", f"file:{path.absolute()}",
    ]  # fmt: skip
    seconds = FFPROBE_CPU_SECONDS
    try:
        done = subprocess.run(  # noqa: S603 (a fixed program and arguments, no shell)
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=seconds + FFPROBE_SLACK_SECONDS,
            check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1)),
        )
    except subprocess.TimeoutExpired:
        limit = seconds + FFPROBE_SLACK_SECONDS
        raise MachineFault(f"ffprobe did not finish within {limit} s") from None
    if done.returncode == -signal.SIGXCPU:
        raise Reject(TOO_COMPLEX)
    if done.returncode == -signal.SIGKILL:  # not by us: the kernel's OOM killer, an operator
        raise MachineFault("ffprobe was killed")
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise Reject(_unplayable(content_type))
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
        raise Reject(_unplayable(media.content_type))
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


_MEDIA_VALIDATORS: dict[str, Validator] = {
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
