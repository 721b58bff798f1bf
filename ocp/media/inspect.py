"""What an uploaded file really is, judged from its bytes: sniffed, validated, described.

The name and the client's content type are never trusted: the bytes decide the type, and a
known extension must agree with them (README, "Media rules"). Images are decoded in full and
re-encoded as a JPEG thumbnail; PDFs, media and archives are parsed just enough to be sure.

Whatever a parser raises is the file's doing: the file is rejected as damaged at once, the
exception goes to the log and never into the ``reason``. Only failures that say nothing about
the file (``verdict.about_the_machine``) escape, so that the job tries again later.

Meant to run in a child process with resource limits: ``python -m ocp.media.inspect
--filename NAME --thumbnail PATH [--ffprobe PATH] FILE`` sets the limits first, then imports
Pillow and pypdf, and prints the result as one JSON line. A rejection is a result (exit 0);
a failure of the machine exits 1 with a short message on stderr; running out of processor
time ends the process with SIGXCPU (the caller rejects the file); log lines go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import signal
import sys
import traceback
from pathlib import Path

from ocp.media.audiovisual import inspect_media
from ocp.media.documents import inspect_archive, inspect_pdf
from ocp.media.images import inspect_image
from ocp.media.sniffing import (
    NOT_UTF8,
    UTF16,
    agreed_type,
    detect,
    file_extension,
    inspect_text,
    refused_extension,
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
    about_the_machine,
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

log = logging.getLogger("ocp.media.inspect")


def inspect_file(
    path: Path, filename: str, *, thumbnail_path: Path, ffprobe: str | None = None
) -> Inspection:
    """Decide what the file at ``path`` (uploaded as ``filename``) is and whether it is accepted.

    A thumbnail JPEG is written to ``thumbnail_path`` for images; ``ffprobe`` (a path) makes
    audio and video durations and sizes more complete and checks that they play. Raises only
    for failures of the machine (``verdict.about_the_machine``)."""
    try:
        return _inspect(path, filename, Options(thumbnail_path, ffprobe))
    except Reject as rejection:
        return _rejected(rejection.reason, rejection.content_type)


def _rejected(reason: str, content_type: str | None = None) -> Inspection:
    kind = TYPES[content_type].kind if content_type in TYPES else None
    return Inspection(status=REJECTED, reason=reason, content_type=content_type, kind=kind)


def _inspect(path: Path, filename: str, options: Options) -> Inspection:
    if path.stat().st_size == 0:
        raise Reject(EMPTY)
    extension = file_extension(filename)
    refused = refused_extension(extension)
    if refused:
        raise Reject(refused)
    content_type: str | None = None
    try:
        content_type = agreed_type(extension, detect(path, read_head(path)))
        return _VALIDATORS[TYPES[content_type].kind](path, content_type, options)
    except Reject as rejection:
        raise Reject(rejection.reason, rejection.content_type or content_type) from None
    except MemoryError:
        raise Reject(TOO_COMPLEX, content_type) from None
    except Exception as error:
        if about_the_machine(error):
            raise
        _log_damage(error)
        raise Reject(_damaged(content_type), content_type) from None


def _damaged(content_type: str | None) -> str:
    if content_type is None:
        return "The file is damaged or incomplete."
    description = TYPES[content_type].description
    return f"The file looks like {description} but is damaged or incomplete."


def _log_damage(error: Exception) -> None:
    """What the parser said, for the log only: one line with the innermost place it failed."""
    cause = error.__cause__ if isinstance(error, Damaged) and error.__cause__ else error
    frames = traceback.extract_tb(cause.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    kind = type(cause).__qualname__
    if type(cause).__module__ != "builtins":
        kind = f"{type(cause).__module__}.{kind}"
    message = f"{kind}{where}: {cause}"[:500]
    log.info("damaged: %s", message)


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
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are about the file
    try:
        inspection = inspect_file(
            Path(args.file),
            args.filename,
            thumbnail_path=Path(args.thumbnail),
            ffprobe=args.ffprobe,
        )
    except Exception as error:  # only failures of the machine get here
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
    """Cap address space and CPU time. Running out of CPU ends the process with SIGXCPU (its
    default action, which works even inside C code), so the caller can tell it apart from a
    crash; the hard limit, CPU_GRACE_SECONDS later, is never reached. No core files."""
    memory = memory_mb * 1024 * 1024
    _set_limit(resource.RLIMIT_AS, memory, memory)
    _set_limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + CPU_GRACE_SECONDS)
    _set_limit(resource.RLIMIT_CORE, 0, 0)
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)


def _set_limit(which: int, soft: int, hard: int) -> None:
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


if __name__ == "__main__":
    raise SystemExit(main())
