"""A claim's lease: renewed while its request runs, lost to a request that took it over."""

from __future__ import annotations

from datetime import timedelta

from ocp.idempotency import store
from ocp.idempotency.models import IdempotencyKey
from tests.helpers import Users


async def test_a_claim_renews_its_lease_until_another_request_takes_it_over(
    users: Users,
) -> None:
    claimed = await store.claim("user:1", "lease", "f" * 64)
    assert isinstance(claimed, store.Claim)
    first = claimed.lease
    assert await store.renew(claimed)
    assert claimed.lease > first
    row = await IdempotencyKey.get(id=claimed.id)
    assert row.locked_until == claimed.lease

    await IdempotencyKey.filter(id=claimed.id).update(
        locked_until=store.now() - timedelta(seconds=1)
    )
    taker = await store.claim("user:1", "lease", "f" * 64)
    assert isinstance(taker, store.Claim) and taker.id == claimed.id
    assert not await store.renew(claimed), "the lease went to the request that took over"
    await store.finish(claimed, store.Answer(status=201, headers={}, body=b"stale"))
    await store.release(claimed)
    row = await IdempotencyKey.get(id=claimed.id)
    assert row.state == "running" and row.locked_until == taker.lease
    await store.finish(taker, store.Answer(status=201, headers={}, body=b"{}"))
    replayed = await store.claim("user:1", "lease", "f" * 64)
    assert replayed == store.Answer(status=201, headers={}, body=b"{}")
