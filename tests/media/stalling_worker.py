"""An arq worker that stops dead half way through ``process_upload`` (tests kill it there).

``arq tests.media.stalling_worker.WorkerSettings`` runs the real job with one change: just
before recording the result it touches ``OCP_TEST_STALL_MARKER`` and waits forever, so the
test can kill the process at a known point: bytes inspected, thumbnail stored, nothing recorded.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from ocp.media import processing
from workers.main import WorkerSettings as RealWorkerSettings


async def _stall(*args: Any, **kwargs: Any) -> None:
    Path(os.environ["OCP_TEST_STALL_MARKER"]).touch()
    await asyncio.Event().wait()


processing._record = _stall  # type: ignore[assignment]


WorkerSettings = RealWorkerSettings  # arq reads the class's own attributes only
