"""Where uploaded bytes live: a small interface and its local-directory implementation.

Keys are content addresses: a file is stored under the SHA-256 of its bytes (and derived
files, such as a thumbnail, under that hash plus a suffix), so the same bytes are kept once.
New bytes are streamed into a private temporary file while they are hashed, then moved into
place with one rename: a reader never sees half a file, and an abandoned upload leaves only
a temporary file that :meth:`LocalStorage.sweep` removes.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^[0-9a-f]{64}(-thumb)?$")
THUMBNAIL_SUFFIX = "-thumb"
STALE_TEMPORARY_SECONDS = 24 * 3600


def thumbnail_key(sha256: str) -> str:
    return sha256 + THUMBNAIL_SUFFIX


def is_key(text: str) -> bool:
    return bool(KEY.fullmatch(text))


class StagedFile:
    """Bytes being received: written to a temporary file and hashed as they arrive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self._hash = hashlib.sha256()
        self._file = path.open("xb")

    def write(self, chunk: bytes) -> None:
        """Inline, not in a thread: for 1 MiB chunks a thread hop costs more than the work."""
        self._hash.update(chunk)
        self._file.write(chunk)
        self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def discard(self) -> None:
        """Remove the temporary file (nothing happens once it has been stored)."""
        self.close()
        self.path.unlink(missing_ok=True)


class Storage(Protocol):
    def stage(self) -> StagedFile:
        """A new temporary file to stream bytes into."""

    def store(self, staged: StagedFile, key: str) -> None:
        """Move ``staged`` to ``key``; when ``key`` exists already its bytes are the same."""

    def store_path(self, source: Path, key: str) -> None:
        """Move a file made elsewhere under this storage's temporary dir (a thumbnail)."""

    def temporary_path(self, suffix: str = "") -> Path:
        """A fresh path next to the stored files, for a file to be moved in by key."""

    def path(self, key: str) -> Path:
        """The local file for ``key`` (it may not exist)."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under ``root``: ``ab/cd/<key>`` for stored files, ``tmp/`` for incoming ones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def prepare(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def temporary_path(self, suffix: str = "") -> Path:
        self.prepare()
        return self.tmp / f"{secrets.token_hex(16)}{suffix}"

    def stage(self) -> StagedFile:
        return StagedFile(self.temporary_path(".part"))

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def store(self, staged: StagedFile, key: str) -> None:
        staged.close()
        self.store_path(staged.path, key)

    def store_path(self, source: Path, key: str) -> None:
        target = self.path(key)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def sweep(self, older_than: float = STALE_TEMPORARY_SECONDS) -> int:
        """Remove temporary files left by uploads that died; returns how many."""
        if not self.tmp.is_dir():
            return 0
        limit = time.time() - older_than
        removed = 0
        for entry in self.tmp.iterdir():
            try:
                if entry.stat().st_mtime < limit:
                    entry.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
