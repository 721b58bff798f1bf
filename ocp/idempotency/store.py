"""The keys' table: claim a key for a request, keep its answer, or let it go.

A key is claimed by inserting its row: the unique ``(scope, key)`` lets exactly one of many
parallel requests in. The others find the row: a finished answer to replay, a request still
running (409), or another request under the same key (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from ocp.errors import Conflict, ValidationFailed
from ocp.idempotency.models import IdempotencyKey

LIFETIME = timedelta(hours=24)
# A running request's claim on its key: renewed every third of it while the request runs
# (an upload may stream for long), so a claim that lapses is one whose process died; the key
# may then run again.
RUNNING_LEASE = timedelta(minutes=2)
RETRY_AFTER = 1  # seconds a caller waits before sending a key still running again
PRUNE_BATCH = 5_000


class KeyReused(ValidationFailed):
    code, title = "idempotency-key-reused", "Idempotency-Key reused"


class KeyInUse(Conflict):
    code, title = "idempotency-key-in-use", "Idempotency-Key in use"


@dataclass
class Claim:
    """A key claimed by the running request: its row and the lease this request set. Every
    later write checks the lease, so a request taken for dead that ends after all changes
    nothing of the request that took its key over."""

    id: int
    lease: datetime


@dataclass(frozen=True)
class Answer:
    """The answer a key's first request gave."""

    status: int
    headers: dict[str, str]
    body: bytes


def now() -> datetime:
    return datetime.now(UTC)


async def claim(scope: str, key: str, fingerprint: str) -> Claim | Answer:
    """The claim (the request runs), or the first request's answer to replay.
    Raises :class:`KeyReused` or :class:`KeyInUse`."""
    while True:
        moment = now()
        try:
            row = await IdempotencyKey.create(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                locked_until=moment + RUNNING_LEASE,
                expires_at=moment + LIFETIME,
            )
            return Claim(row.id, row.locked_until)
        except IntegrityError:
            pass
        found = await IdempotencyKey.filter(scope=scope, key=key).first()
        if found is None:
            continue  # released or pruned in between: claim it afresh
        if found.expires_at <= moment:
            _ = await IdempotencyKey.filter(id=found.id, expires_at__lte=moment).delete()
            continue
        if found.fingerprint != fingerprint:
            raise KeyReused(
                "This Idempotency-Key was used for another request (method, path or body)"
                " in the last 24 hours: use a new key for a new request"
            )
        if found.state == "done":
            assert found.response_status is not None
            return Answer(
                status=found.response_status,
                headers=dict(found.response_headers or {}),
                body=bytes(found.response_body or b""),
            )
        if found.locked_until > moment:
            raise KeyInUse(
                "A request with this Idempotency-Key is still running; try again shortly",
                headers={"Retry-After": str(RETRY_AFTER)},
            )
        lease = moment + RUNNING_LEASE
        taken = await IdempotencyKey.filter(
            id=found.id, state="running", locked_until=found.locked_until
        ).update(locked_until=lease)
        if taken:
            return Claim(found.id, lease)


async def renew(claimed: Claim) -> bool:
    """Push the claim's lease on (the request still runs); False when it was taken over."""
    lease = now() + RUNNING_LEASE
    renewed = await IdempotencyKey.filter(
        id=claimed.id, state="running", locked_until=claimed.lease
    ).update(locked_until=lease)
    if renewed:
        claimed.lease = lease
    return bool(renewed)


async def finish(claimed: Claim, answer: Answer) -> None:
    """Keep the answer the claimed request gave, for the rest of the key's life."""
    _ = await IdempotencyKey.filter(
        id=claimed.id, state="running", locked_until=claimed.lease
    ).update(
        state="done",
        response_status=answer.status,
        response_headers=answer.headers,
        response_body=answer.body,
    )


async def release(claimed: Claim) -> None:
    """Forget the key (the request failed on our side): sending it again runs it again."""
    _ = await IdempotencyKey.filter(
        id=claimed.id, state="running", locked_until=claimed.lease
    ).delete()


async def prune() -> int:
    """Delete the keys past their 24 hours; how many."""
    deleted = 0
    while True:
        ids = (
            await IdempotencyKey.filter(expires_at__lte=now())
            .order_by("id")
            .limit(PRUNE_BATCH)
            .values_list("id", flat=True)
        )
        if not ids:
            return deleted
        deleted += await IdempotencyKey.filter(id__in=list(ids)).delete()
