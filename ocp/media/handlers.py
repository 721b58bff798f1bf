"""The media domain's reactions."""

from __future__ import annotations

from ocp.events.reactions import DomainEvent, on_publish
from ocp.jobs import JobContext
from ocp.media.models import Upload, UploadStatus
from ocp.media.service import PROCESS_JOB, UPLOAD_CREATED, process_job_id


async def still_processing(events: list[DomainEvent]) -> list[DomainEvent]:
    """Of these ``upload.created``, those whose upload is still ``processing``: its job may
    have been lost (enqueuing it again is harmless while it is queued or running)."""
    ids = [int(event.data["upload_id"]) for event in events]
    pending = set(
        await Upload.filter(id__in=ids, status=UploadStatus.PROCESSING).values_list("id", flat=True)
    )
    return [event for event in events if int(event.data["upload_id"]) in pending]


@on_publish(UPLOAD_CREATED, still_needed=still_processing)
async def process_new_upload(ctx: JobContext, event: DomainEvent) -> None:
    """A new upload is inspected by the worker (the job id keeps it to one run at a time)."""
    upload_id = int(event.data["upload_id"])
    await ctx.jobs.enqueue(PROCESS_JOB, upload_id, job_id=process_job_id(upload_id))
