"""The media domain's reactions."""

from __future__ import annotations

from ocp.events.reactions import DomainEvent, on_publish
from ocp.jobs import JobContext
from ocp.media.service import PROCESS_JOB, UPLOAD_CREATED, process_job_id


@on_publish(UPLOAD_CREATED)
async def process_new_upload(ctx: JobContext, event: DomainEvent) -> None:
    """A new upload is inspected by the worker (the job id keeps it to one run at a time)."""
    upload_id = int(event.data["upload_id"])
    await ctx.jobs.enqueue(PROCESS_JOB, upload_id, job_id=process_job_id(upload_id))
