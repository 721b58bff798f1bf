"""Completion and progress jobs."""

from __future__ import annotations

from typing import Any

from ocp.learning import service as learning_service
from workers.retry import transient_failures_retry


async def recalculate_completion(ctx: dict[str, Any], enrollment_id: int) -> None:
    """Recompute an enrollment's percent and status (job id ``complete:<id>:<n>``)."""
    await ctx["jobs"].started(learning_service.completion_key(enrollment_id))
    async with transient_failures_retry(ctx):
        await learning_service.recalculate_completion(
            enrollment_id=enrollment_id, events=ctx["events"]
        )
