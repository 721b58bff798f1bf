"""Upload processing: ``process_upload(upload_id)``, job id ``upload:<id>``."""

from __future__ import annotations

import logging
from typing import Any

from arq import Retry

from ocp.jobs import MAX_TRIES
from ocp.media import processing
from workers.retry import backoff

log = logging.getLogger("ocp.worker.uploads")

# arq counts a try that a killed worker never finished; room for a few such deaths.
ARQ_MAX_TRIES = MAX_TRIES + 3
# The reason the uploader reads; what went wrong is in the log, never here.
GAVE_UP = (
    "Processing failed {tries} times because of a problem on our side, not with the file; "
    "please upload it again later."
)


async def process_upload(ctx: dict[str, Any], upload_id: int) -> None:
    """Inspect an upload; failures retry with backoff and the last one marks it ``failed``."""
    attempt = int(ctx.get("job_try", 1))
    try:
        await processing.process(
            upload_id=upload_id,
            storage=ctx["storage"],
            events=ctx["events"],
            ffprobe=ctx["settings"].ffprobe,
            attempt=attempt,
        )
    except Exception as error:
        log.warning("upload %d: try %d failed: %s", upload_id, attempt, _describe(error))
        if attempt >= MAX_TRIES:
            await processing.fail(
                upload_id=upload_id,
                reason=GAVE_UP.format(tries=attempt),
                storage=ctx["storage"],
                events=ctx["events"],
            )
            return
        if "redis" in ctx and ctx.get("job_id") is not None:
            raise Retry(defer=backoff(attempt)) from error
        raise


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]
