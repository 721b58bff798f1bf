"""Every job run leaves one log line (id, name, try, outcome, duration) and a metrics count."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any

from arq import Retry

from ocp import metrics
from ocp.jobs import JobFunction

log = logging.getLogger("ocp.jobs")


def observed(name: str, function: JobFunction, *, max_tries: int) -> JobFunction:
    """``function`` with its outcome logged and counted under ``name``.

    A retry asked for on the last try is a failure: arq will not call the job again.
    """

    @functools.wraps(function)
    async def run(ctx: dict[str, Any], *args: Any) -> Any:
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await function(ctx, *args)
            outcome = "succeeded"
            return result
        except Retry:
            outcome = "retried" if int(ctx.get("job_try", 1)) < max_tries else "failed"
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        finally:
            seconds = time.perf_counter() - started
            level = logging.WARNING if outcome in {"failed", "cancelled"} else logging.INFO
            log.log(
                level,
                "job %s %s %s",
                name,
                ctx.get("job_id"),
                outcome,
                exc_info=outcome == "failed",
                extra={
                    "fields": {
                        "job_id": ctx.get("job_id"),
                        "job": name,
                        "try": ctx.get("job_try", 1),
                        "outcome": outcome,
                        "duration_ms": round(seconds * 1000, 2),
                    }
                },
            )
            if outcome != "cancelled":
                await metrics.job_finished(ctx.get("redis"), name, outcome)

    return run
