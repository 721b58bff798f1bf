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


async def process_upload(ctx: dict[str, Any], upload_id: int) -> None:
    """Inspect an upload; failures retry with backoff and the last one marks it ``failed``."""
    attempt = int(ctx.get("job_try", 1))
    try:
        await processing.process(
            upload_id=upload_id,
            storage=ctx["storage"],
            bus=ctx["bus"],
            ffprobe=ctx["settings"].ffprobe,
            attempt=attempt,
        )
    except Exception as error:
        if attempt >= MAX_TRIES:
            reason = f"Processing failed {attempt} times; the last error: {_describe(error)}"
            await processing.fail(
                upload_id=upload_id, reason=reason, storage=ctx["storage"], bus=ctx["bus"]
            )
            return
        log.warning("upload %d: try %d failed: %s", upload_id, attempt, _describe(error))
        if "redis" in ctx and ctx.get("job_id") is not None:
            raise Retry(defer=backoff(attempt)) from error
        raise


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]
