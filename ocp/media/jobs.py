"""Upload processing: the job ``process_upload(upload_id)``, job id ``upload:<id>``."""

from __future__ import annotations

import logging

from ocp.jobs import MAX_TRIES, JobContext, JobSpec
from ocp.media import processing
from ocp.media.service import PROCESS_JOB

log = logging.getLogger("ocp.worker.uploads")

# Tries the runner makes; arq is given a few more, as it counts a try a killed worker never
# finished (``workers/main.py``).
TRIES = MAX_TRIES
# The reason the uploader reads; what went wrong is in the log, never here.
GAVE_UP = (
    "Processing failed {tries} times because of a problem on our side, not with the file; "
    "please upload it again later."
)


async def process_upload(ctx: JobContext, upload_id: int) -> None:
    """Inspect an upload; failures retry with backoff and the last one marks it ``failed``."""
    try:
        await processing.process(
            upload_id=upload_id,
            storage=ctx.storage,
            events=ctx.events,
            ffprobe=ctx.settings.ffprobe,
            attempt=ctx.job_try,
        )
    except Exception as error:
        log.warning("upload %d: try %d failed: %s", upload_id, ctx.job_try, _describe(error))
        if not ctx.last_try:
            raise
        await processing.fail(
            upload_id=upload_id,
            reason=GAVE_UP.format(tries=ctx.job_try),
            storage=ctx.storage,
            events=ctx.events,
        )


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


PROCESS_UPLOAD = JobSpec(PROCESS_JOB, process_upload, max_tries=TRIES)
