"""Paged documents: PDFs and zips of slides or PowerPoint decks, checked and their pages counted.

pypdf is imported inside the functions, so that a process can limit itself before it loads.
"""

from __future__ import annotations

import re
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

from ocp.media.images import PILLOW_FORMATS
from ocp.media.sniffing import (
    Detected,
    classify,
    file_extension,
    named_right,
    names_for,
    refused_extension,
)
from ocp.media.verdict import (
    PPTX,
    READY,
    TYPES,
    Damaged,
    Inspection,
    Options,
    Reject,
    about_the_machine,
)

MAX_ARCHIVE_ENTRIES = 1000
MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 100
# Members smaller than this may compress as well as they like.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MEMBER_SNIFF_BYTES = 8 * 1024
MEMBER_XML_BYTES = 1024 * 1024
MEMBER_READ_BYTES = 1024 * 1024

LOCKED_PDF = "Password-protected PDFs are not accepted."

_SLIDE_TYPES = frozenset({*PILLOW_FORMATS, "application/pdf", "text/plain"})
# Litter that file managers add, skipped only when its bytes are what its name says: macOS
# resource forks (AppleDouble), Finder's .DS_Store and Explorer's Thumbs.db (an OLE file).
# (Explorer's desktop.ini is not litter: it can point a folder's icon at a remote share.)
_APPLE_DOUBLE = b"\x00\x05\x16\x07"
_LITTER = {".DS_Store": b"\x00\x00\x00\x01Bud1", "Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}
_SLIDE_PART = re.compile(r"ppt/slides/slide\d+\.xml")


def inspect_pdf(path: Path, content_type: str, options: Options) -> Inspection:
    """A PDF that opens without a password, and its number of pages."""
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
            if about_the_machine(error):
                raise
            raise Damaged from error
    if pages is None:
        raise Reject(LOCKED_PDF)
    if pages == 0:
        raise Damaged
    return pages


def _opens_without_password(reader: Any) -> bool:
    try:
        return bool(reader.decrypt(""))
    except MemoryError:
        raise
    except Exception:
        return False


def inspect_archive(path: Path, content_type: str, options: Options) -> Inspection:
    """Check every entry's declared size and path before reading any, then the contents,
    then every entry in full, so that a corrupt one shows.

    A corrupt member (a bad CRC, a broken deflate, bzip2 or LZMA stream) raises whatever
    ``zipfile`` raises, which the inspection as a whole takes for damage."""
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
            _read_every_member(archive, members)
    except NotImplementedError as error:
        raise Reject("The archive uses a zip feature that is not supported.") from error
    return Inspection(status=READY, content_type=content_type, kind="archive", pages=pages)


def _read_every_member(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Decompress every entry to its end, where ``zipfile`` checks its CRC; never more than
    its declared size, which the limits above already bound."""
    for info in members:
        if info.is_dir():
            continue
        with archive.open(info) as member:
            while member.read(MEMBER_READ_BYTES):
                pass


def _check_archive_limits(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ARCHIVE_ENTRIES:
        raise Reject(f"The archive holds more than {MAX_ARCHIVE_ENTRIES} entries.")
    if sum(info.file_size for info in members) > MAX_ARCHIVE_BYTES:
        raise Reject(f"The archive would expand to more than {_size_text(MAX_ARCHIVE_BYTES)}.")
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise Reject("The archive holds two entries with the same name.")


def _check_member_safety(info: zipfile.ZipInfo) -> None:
    """Refuse traversal, links, special files, encryption and suspicious compression."""
    name = _quote(info.filename)
    if _unsafe_member_path(info.orig_filename):
        raise Reject(f"The archive entry {name} has an unsafe path.")
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type == stat.S_IFLNK:
        raise Reject(f"The archive entry {name} is a symbolic link.")
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise Reject(f"The archive entry {name} is not a regular file.")
    if info.flag_bits & 0x1:
        raise Reject(f"The archive entry {name} is encrypted.")
    large = info.file_size > RATIO_CHECK_MIN_BYTES
    if large and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise Reject(f"The archive entry {name} is compressed suspiciously well (a zip bomb?).")


def _unsafe_member_path(name: str) -> bool:
    """Absolute, drive-qualified or ``..`` paths, with either kind of slash, and NULs."""
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    if re.match(r"[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[\\/]", name)


# PowerPoint on Windows saves the printer's settings (a DEVMODE record: data, not code) as
# binary parts: real decks carry them, so they are the one kind of .bin part accepted.
_PRINTER_SETTINGS = re.compile(r"ppt/printerSettings/printerSettings[0-9]{1,4}\.bin")


def _count_presentation_slides(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> int:
    """A .pptx without macros or embedded binaries: its number of slides."""
    for info in members:
        lower = info.filename.lower()
        if lower.endswith("vbaproject.bin"):
            raise Reject("The presentation contains macros, which are not accepted.")
        if lower.endswith(".bin") and not _PRINTER_SETTINGS.fullmatch(info.filename):
            name = _quote(info.filename)
            raise Reject(
                f"The presentation embeds binary objects ({name}), which are not accepted."
            )
    with archive.open("[Content_Types].xml") as part:
        content_types = part.read(MEMBER_XML_BYTES)
    if b"presentationml.presentation.main+xml" not in content_types:
        raise Reject(
            "The file is not a plain PowerPoint presentation (.pptx); "
            "macro-enabled files, slide shows and templates are not accepted."
        )
    return sum(1 for info in members if _SLIDE_PART.fullmatch(info.filename))


def _count_slide_files(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> int:
    """A zip of slides: every file is an image, a PDF or text, named as such; their number."""
    count = 0
    for info in members:
        if info.is_dir():
            continue
        with archive.open(info) as member:
            head = member.read(MEMBER_SNIFF_BYTES)
        if _is_litter(info.filename, head):
            continue
        _check_slide_file(info.filename, head)
        count += 1
    if not count:
        raise Reject("The archive holds no files.")
    return count


def _is_litter(name: str, head: bytes) -> bool:
    """A file manager's metadata, recognised by its name and its bytes alike."""
    base = name.rpartition("/")[2]
    if name.startswith("__MACOSX/"):
        return base.startswith("._") and head.startswith(_APPLE_DOUBLE)
    signature = _LITTER.get(base)
    return signature is not None and head.startswith(signature)


def _check_slide_file(filename: str, head: bytes) -> None:
    """The same rules as for an upload of its own: an accepted slide type, under a name that
    its type's allow-list holds."""
    name = _quote(filename)
    extension = file_extension(filename)
    if refused_extension(extension):
        raise Reject(f"The archive entry {name} ends in .{extension}, which is not accepted.")
    detected = classify(head, [head], complete=False) if head else Detected(None, "an empty file")
    content_type = detected.content_type
    if content_type not in _SLIDE_TYPES:
        what = TYPES[content_type].description if content_type else detected.description
        raise Reject(
            f"The archive entry {name} is {what}; a zip of slides may hold only images "
            "(PNG, JPEG, GIF, WebP), PDFs, text (.txt) and Markdown (.md)."
        )
    if not named_right(extension, content_type):
        description = TYPES[content_type].description
        if not extension:
            raise Reject(
                f"The archive entry {name} has no extension; {description} must end in "
                f"{names_for(content_type)}."
            )
        raise Reject(
            f"The archive entry {name} is named .{extension} but its contents are {description}."
        )


def _quote(name: str) -> str:
    return repr(name if len(name) <= 100 else name[:100] + "…")


def _size_text(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"
