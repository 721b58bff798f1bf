"""A secret is shown once: an answer replayed for an Idempotency-Key has it null, and the
kept answer holds it nowhere."""

from __future__ import annotations

from ocp.idempotency.models import IdempotencyKey
from ocp.users.models import ApiToken
from tests.helpers import Users


async def test_a_token_creation_replayed_has_no_secret_and_makes_no_second_token(
    users: Users,
) -> None:
    account = await users.signed_in()
    headers = {**account.csrf_headers(), "Idempotency-Key": "token-1"}
    first = await account.client.post("/api/v1/auth/tokens", json={"name": "ci"}, headers=headers)
    assert first.status == 201, await first.text()
    created = await first.json()
    assert created["token"]
    again = await account.client.post("/api/v1/auth/tokens", json={"name": "ci"}, headers=headers)
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    replayed = await again.json()
    assert replayed == {**created, "token": None}
    assert await ApiToken.filter(user_id=account.id).count() == 1
    kept = await IdempotencyKey.get(key="token-1")
    assert created["token"].encode() not in bytes(kept.response_body or b"")


async def test_a_webhook_secret_is_not_kept_for_replays(users: Users) -> None:
    admin = await users.signed_in("admin")
    headers = {**admin.csrf_headers(), "Idempotency-Key": "hook-1"}
    body = {"url": "https://93.184.215.14/hook", "event_types": ["order.paid"]}
    first = await admin.client.post("/api/v1/webhooks", json=body, headers=headers)
    assert first.status == 201, await first.text()
    created = await first.json()
    again = await admin.client.post("/api/v1/webhooks", json=body, headers=headers)
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert await again.json() == {**created, "secret": None}
    assert (
        again.headers["Location"]
        == first.headers["Location"]
        == f"/api/v1/webhooks/{created['id']}"
    )
    rotate = f"/api/v1/webhooks/{created['id']}/rotate-secret"
    headers["Idempotency-Key"] = "rotate-1"
    rotated = await (await admin.client.post(rotate, headers=headers)).json()
    assert rotated["secret"] and rotated["secret"] != created["secret"]
    replay = await admin.client.post(rotate, headers=headers)
    assert (await replay.json())["secret"] is None
