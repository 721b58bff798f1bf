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
import json
import logging
import resource
import signal
import sys
from pathlib import Path
from types import FrameType

from ocp.media.audiovisual import inspect_media
from ocp.media.documents import inspect_archive, inspect_pdf
from ocp.media.images import inspect_image
from ocp.media.sniffing import (
    DANGEROUS_EXTENSIONS,
    NOT_UTF8,
    UTF16,
    agreed_type,
    detect,
    file_extension,
    inspect_text,
)
from ocp.media.verdict import (
    PPTX,
    REJECTED,
    TOO_COMPLEX,
    TYPES,
    Damaged,
    Inspection,
    Options,
    Reject,
    Validator,
    read_head,
)

# The rest of the work is in verdict, sniffing, images, documents and audiovisual.
__all__ = [
    "EMPTY",
    "NOT_UTF8",
    "PPTX",
    "TOO_COMPLEX",
    "UTF16",
    "Inspection",
    "inspect_file",
    "main",
]


EMPTY = "The file is empty."
DEFAULT_MAX_MEMORY_MB = 1024
DEFAULT_MAX_CPU_SECONDS = 60
CPU_GRACE_SECONDS = 5


class _OutOfTime(BaseException):
    """Raised by the SIGXCPU handler; a BaseException so that no parser swallows it."""


def inspect_file(
    path: Path, filename: str, *, thumbnail_path: Path, ffprobe: str | None = None
) -> Inspection:
    """Decide what the file at ``path`` (uploaded as ``filename``) is and whether it is accepted.

    A thumbnail JPEG is written to ``thumbnail_path`` for images; ``ffprobe`` (a path) makes
    audio and video durations and sizes more complete and checks that they play."""
    try:
        return _inspect(path, filename, Options(thumbnail_path, ffprobe))
    except Reject as rejection:
        return _rejected(rejection.reason, rejection.content_type)
    except (MemoryError, _OutOfTime):
        return _rejected(TOO_COMPLEX)


def _rejected(reason: str, content_type: str | None = None) -> Inspection:
    kind = TYPES[content_type].kind if content_type in TYPES else None
    return Inspection(status=REJECTED, reason=reason, content_type=content_type, kind=kind)


def _inspect(path: Path, filename: str, options: Options) -> Inspection:
    if path.stat().st_size == 0:
        raise Reject(EMPTY)
    extension = file_extension(filename)
    if extension in DANGEROUS_EXTENSIONS:
        raise Reject(f"Files ending in .{extension} are not accepted.")
    content_type = agreed_type(extension, detect(path, read_head(path)))
    try:
        return _VALIDATORS[TYPES[content_type].kind](path, content_type, options)
    except Damaged:
        description = TYPES[content_type].description
        reason = f"The file looks like {description} but is damaged or incomplete."
        raise Reject(reason, content_type) from None
    except Reject as rejection:
        raise Reject(rejection.reason, content_type) from None
    except (MemoryError, _OutOfTime):
        raise Reject(TOO_COMPLEX, content_type) from None


_VALIDATORS: dict[str, Validator] = {
    "image": inspect_image,
    "pdf": inspect_pdf,
    "video": inspect_media,
    "audio": inspect_media,
    "text": inspect_text,
    "archive": inspect_archive,
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
