"""Idempotency-Key: a caller's POST or PATCH sent again answers as the first time did."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain
    from ocp.jobs import JobContext

PRUNE_JOB = "idempotency.prune"


async def prune_keys(ctx: JobContext) -> None:
    """The scheduled job: delete the keys past their 24 hours."""
    from ocp.idempotency import store

    _ = await store.prune()


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.jobs import JobSpec

    return Domain(
        "idempotency",
        models=["ocp.idempotency.models"],
        jobs=[JobSpec(PRUNE_JOB, prune_keys, max_tries=1, minutes=frozenset({7, 37}))],
    )
