"""What the webhook endpoints take: bad bodies on create, PATCH and replay are problems and
write nothing; Idempotency-Key; secrets shown only on create and rotate; PATCH and DELETE."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.idempotency.models import IdempotencyKey
from ocp.webhooks.catalog import EVENT_TYPES
from ocp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.helpers import Users, expect_problem
from tests.webhooks.api_helpers import HOOKS, PUBLIC_URL, call, hook_with_delivery, one, past, rows
from tests.webhooks.helpers import catch_up, register
from tests.webhooks.receiver import receiver

GOOD: dict[str, Any] = {"url": PUBLIC_URL, "event_types": ["order.paid"], "description": "CRM"}
LONG_URL = "https://93.184.215.14/" + "a" * (2049 - len("https://93.184.215.14/"))
assert len(LONG_URL) == 2049


def _with(**changes: Any) -> dict[str, Any]:
    body = {**GOOD, **changes}
    return {k: v for k, v in body.items() if v is not ...}


# (body, the field the 422 names)
BAD_CREATES = [
    pytest.param(_with(url=...), "url", id="no-url"),
    pytest.param(_with(event_types=...), "event_types", id="no-event-types"),
    pytest.param(_with(url=42), "url", id="url-number"),
    pytest.param(_with(url=None), "url", id="url-null"),
    pytest.param(_with(url={"href": PUBLIC_URL}), "url", id="url-object"),
    pytest.param(_with(url=[PUBLIC_URL]), "url", id="url-list"),
    pytest.param(_with(url=""), "url", id="url-empty"),
    pytest.param(_with(url=LONG_URL), "url", id="url-2049"),
    pytest.param(_with(url="not a url"), "url", id="url-no-scheme"),
    pytest.param(_with(url="ftp://93.184.215.14/x"), "url", id="url-ftp"),
    pytest.param(_with(url="javascript:alert(1)"), "url", id="url-javascript"),
    pytest.param(_with(url="https:///path"), "url", id="url-no-host"),
    pytest.param(_with(url="https://u:p@93.184.215.14/"), "url", id="url-credentials"),
    pytest.param(_with(url="https://u@93.184.215.14/"), "url", id="url-user"),
    pytest.param(_with(url="https://93.184.215.14/#frag"), "url", id="url-fragment"),
    pytest.param(_with(event_types=7), "event_types", id="types-number"),
    pytest.param(_with(event_types=None), "event_types", id="types-null"),
    pytest.param(_with(event_types={"order.paid": True}), "event_types", id="types-object"),
    pytest.param(_with(event_types="order.paid"), "event_types", id="types-string"),
    pytest.param(_with(event_types=[1]), "event_types", id="types-of-numbers"),
    pytest.param(_with(event_types=[None]), "event_types", id="types-of-null"),
    pytest.param(_with(event_types=[]), "event_types", id="types-empty"),
    pytest.param(_with(event_types=["order.shipped"]), "event_types", id="types-unknown"),
    pytest.param(_with(event_types=["ORDER.PAID"]), "event_types", id="types-case"),
    pytest.param(_with(event_types=["webhook.test"]), "event_types", id="types-test-event"),
    pytest.param(_with(event_types=["order.paid", "order.paid"]), "event_types", id="types-dup"),
    pytest.param(_with(event_types=["*", "*"]), "event_types", id="types-dup-star"),
    pytest.param(_with(event_types=["*", "order.paid"]), "event_types", id="types-star-mixed"),
    pytest.param(_with(event_types=["order.*"]), "event_types", id="types-glob"),
    pytest.param(_with(event_types=["x" * 10_000]), "event_types", id="types-huge"),
    pytest.param(
        _with(event_types=[*EVENT_TYPES, *EVENT_TYPES]), "event_types", id="types-all-twice"
    ),
    pytest.param(_with(description=7), "description", id="description-number"),
    pytest.param(_with(description=None), "description", id="description-null"),
    pytest.param(_with(description={"a": 1}), "description", id="description-object"),
    pytest.param(_with(description="d" * 501), "description", id="description-501"),
    pytest.param(_with(description="bad\x00nul"), "description", id="description-nul"),
    pytest.param(_with(secret="whsec_mine"), "secret", id="unknown-secret"),
    pytest.param(_with(enabled=False), "enabled", id="unknown-enabled-on-create"),
    pytest.param(_with(id=5), "id", id="unknown-id"),
    pytest.param(_with(created_by_id=1), "created_by_id", id="unknown-created-by"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CREATES)
async def test_a_bad_create_is_422_and_writes_nothing(
    users: Users, body: dict[str, Any], field: str
) -> None:
    admin = await users.signed_in("admin")
    problem = await expect_problem(await call(admin, "POST", HOOKS, body), 422)
    assert field in problem.get("errors", {}), problem
    assert await rows() == (0, 0)


@pytest.mark.parametrize("body", [[GOOD], "x", 1, None, True], ids=repr)
async def test_a_create_body_that_is_no_object_is_422(users: Users, body: Any) -> None:
    admin = await users.signed_in("admin")
    answer = await admin.client.post(
        HOOKS,
        data=json.dumps(body),
        headers={**admin.csrf_headers(), "Content-Type": "application/json"},
    )
    await expect_problem(answer, 422)
    assert await rows() == (0, 0)


@pytest.mark.parametrize("method", ["POST", "PATCH", "REPLAY"])
@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        pytest.param(json.dumps(GOOD), "text/plain", 415, id="text-plain"),
        pytest.param(
            "url=https://93.184.215.14/", "application/x-www-form-urlencoded", 415, id="form"
        ),
        pytest.param(None, None, 415, id="no-body"),
        pytest.param('{"url": ', "application/json", 400, id="truncated"),
        pytest.param("{'url': 1}", "application/json", 400, id="single-quotes"),
        pytest.param(b"\xff\xfe{}", "application/json", 400, id="not-utf8"),
        pytest.param('{"url": "\\ud800"}', "application/json", 400, id="lone-surrogate"),
    ],
)
async def test_a_body_that_is_not_json_is_refused_and_writes_nothing(
    users: Users, method: str, data: Any, content_type: str | None, status: int
) -> None:
    admin = await users.signed_in("admin")
    hook, _ = await hook_with_delivery(admin)
    stored = await WebhookEndpoint.get(id=hook["id"]).values()
    path = {"POST": HOOKS, "PATCH": one(hook["id"]), "REPLAY": one(hook["id"]) + "/replay"}
    headers = admin.csrf_headers()
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = await admin.client.request(
        "PATCH" if method == "PATCH" else "POST", path[method], data=data, headers=headers
    )
    await expect_problem(answer, status)
    assert await rows() == (1, 1)
    assert await WebhookEndpoint.get(id=hook["id"]).values() == stored


BAD_PATCHES = [
    pytest.param({"url": None}, "url", id="url-null"),
    pytest.param({"url": 1}, "url", id="url-number"),
    pytest.param({"url": {}}, "url", id="url-object"),
    pytest.param({"url": ""}, "url", id="url-empty"),
    pytest.param({"url": LONG_URL}, "url", id="url-2049"),
    pytest.param({"url": "ftp://93.184.215.14/x"}, "url", id="url-ftp"),
    pytest.param({"url": "https://u:p@93.184.215.14/"}, "url", id="url-credentials"),
    pytest.param({"url": "https://93.184.215.14/#x"}, "url", id="url-fragment"),
    pytest.param({"event_types": []}, "event_types", id="types-empty"),
    pytest.param({"event_types": None}, "event_types", id="types-null"),
    pytest.param({"event_types": "*"}, "event_types", id="types-string"),
    pytest.param({"event_types": ["nope"]}, "event_types", id="types-unknown"),
    pytest.param({"event_types": ["*", "order.paid"]}, "event_types", id="types-star-mixed"),
    pytest.param({"event_types": ["order.paid"] * 2}, "event_types", id="types-dup"),
    pytest.param({"description": "d" * 501}, "description", id="description-501"),
    pytest.param({"description": None}, "description", id="description-null"),
    pytest.param({"enabled": "false"}, "enabled", id="enabled-string"),
    pytest.param({"enabled": 0}, "enabled", id="enabled-number"),
    pytest.param({"enabled": None}, "enabled", id="enabled-null"),
    pytest.param({"secret": "whsec_mine"}, "secret", id="unknown-secret"),
    pytest.param({"disabled_reason": None}, "disabled_reason", id="unknown-disabled-reason"),
    pytest.param({"previous_secret": "x"}, "previous_secret", id="unknown-previous-secret"),
    pytest.param({"enabled": True, "id": 2}, "id", id="unknown-id-beside-good"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PATCHES)
async def test_a_bad_patch_is_422_and_changes_nothing(
    users: Users, body: dict[str, Any], field: str
) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL, ["order.paid"], description="before")
    stored = await WebhookEndpoint.get(id=hook["id"]).values()
    problem = await expect_problem(await call(admin, "PATCH", one(hook["id"]), body), 422)
    assert field in problem.get("errors", {}), problem
    assert await WebhookEndpoint.get(id=hook["id"]).values() == stored
    assert await rows() == (1, 0)


@pytest.mark.parametrize(
    "since",
    [
        pytest.param(..., id="missing"),
        pytest.param(None, id="null"),
        pytest.param(1700000000, id="number"),
        pytest.param("", id="empty"),
        pytest.param("yesterday", id="words"),
        pytest.param("2026-13-01T00:00:00Z", id="month-13"),
        pytest.param("2026-02-30T00:00:00Z", id="feb-30"),
        pytest.param("2026-01-01T00:00:00Z" + " " * 40, id="too-long"),
        pytest.param(past(days=-1), id="tomorrow"),
        pytest.param("9999-12-31T23:59:59+00:00", id="year-9999"),
    ],
)
async def test_a_bad_replay_since_is_422_and_writes_nothing(users: Users, since: Any) -> None:
    admin = await users.signed_in("admin")
    hook, _ = await hook_with_delivery(admin)
    before = await WebhookDelivery.all().values()
    body = {} if since is ... else {"since": since}
    problem = await expect_problem(
        await call(admin, "POST", one(hook["id"]) + "/replay", body), 422
    )
    assert "since" in problem.get("errors", {}), problem
    assert await WebhookDelivery.all().values() == before


async def test_a_replay_with_an_unknown_field_is_422(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook, _ = await hook_with_delivery(admin)
    body = {"since": past(hours=1), "until": past(minutes=1)}
    problem = await expect_problem(
        await call(admin, "POST", one(hook["id"]) + "/replay", body), 422
    )
    assert "until" in problem["errors"], problem


async def test_a_replay_since_the_past_is_accepted(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook, _ = await hook_with_delivery(admin)
    for since in [past(hours=1), "2020-01-01T00:00:00", "2020-01-01T00:00:00+05:00"]:
        answer = await call(admin, "POST", one(hook["id"]) + "/replay", {"since": since})
        assert answer.status == 202, await answer.text()
        assert await answer.json() == {"replayed": 0, "complete": True, "next_since": None}


@pytest.mark.parametrize("query", ["?status=bogus", "?status=", "?page=0", "?per_page=x"])
async def test_a_bad_deliveries_query_is_422(users: Users, query: str) -> None:
    admin = await users.signed_in("admin")
    hook, _ = await hook_with_delivery(admin)
    await expect_problem(await call(admin, "GET", one(hook["id"]) + "/deliveries" + query), 422)


async def test_limits_exactly_are_accepted(users: Users) -> None:
    admin = await users.signed_in("admin")
    url = LONG_URL[:-1]
    hook = await register(admin, url, list(EVENT_TYPES), description="d" * 500)
    assert hook["url"] == url and len(hook["description"]) == 500
    assert hook["event_types"] == list(EVENT_TYPES)


async def test_a_url_that_grows_past_the_limit_when_encoded_is_422(users: Users) -> None:
    admin = await users.signed_in("admin")
    body = _with(url="https://93.184.215.14/" + "é" * 1000)
    problem = await expect_problem(await call(admin, "POST", HOOKS, body), 422)
    assert "url" in problem["errors"]
    assert await rows() == (0, 0)


async def test_a_repeated_create_without_a_key_makes_a_second_endpoint(users: Users) -> None:
    admin = await users.signed_in("admin")
    first = await call(admin, "POST", HOOKS, GOOD)
    second = await call(admin, "POST", HOOKS, GOOD)
    assert first.status == second.status == 201
    one_, two = await first.json(), await second.json()
    assert one_["id"] != two["id"] and one_["secret"] != two["secret"]
    assert first.headers["Location"] == one(one_["id"])
    assert second.headers["Location"] == one(two["id"])
    assert await rows() == (2, 0)


async def test_a_repeated_create_with_the_same_key_is_replayed_without_the_secret(
    users: Users,
) -> None:
    admin = await users.signed_in("admin")
    key = {"Idempotency-Key": "hook-1"}
    first = await call(admin, "POST", HOOKS, GOOD, **key)
    again = await call(admin, "POST", HOOKS, GOOD, **key)
    assert first.status == again.status == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.headers["Location"] == first.headers["Location"]
    made, replayed = await first.json(), await again.json()
    _secret_ok(made["secret"])
    assert replayed == {**made, "secret": None}, "a secret is shown once, and kept nowhere"
    assert await rows() == (1, 0)
    kept = await IdempotencyKey.all().values_list("response_body", flat=True)
    assert kept and not any(made["secret"].encode() in bytes(body or b"") for body in kept)
    other = await call(admin, "POST", HOOKS, _with(description="else"), **key)
    await expect_problem(other, 422)
    assert await rows() == (1, 0)


async def test_a_rotation_with_the_same_key_rotates_once(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL)
    key = {"Idempotency-Key": "rotate-1"}
    path = one(hook["id"]) + "/rotate-secret"
    first = await (await call(admin, "POST", path, **key)).json()
    again = await call(admin, "POST", path, **key)
    assert again.status == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert (await again.json())["secret"] is None
    stored = await WebhookEndpoint.get(id=hook["id"])
    assert (stored.secret, stored.previous_secret) == (first["secret"], hook["secret"])


# Secrets ------------------------------------------------------------------------------------


def _secret_ok(secret: str) -> None:
    assert secret.startswith("whsec_"), secret
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


async def test_the_secret_is_shown_only_on_create_and_rotate(users: Users) -> None:
    admin = await users.signed_in("admin")
    created = await call(admin, "POST", HOOKS, GOOD)
    hook = await created.json()
    _secret_ok(hook["secret"])
    hook_id = hook["id"]
    rotated = await (await call(admin, "POST", one(hook_id) + "/rotate-secret")).json()
    _secret_ok(rotated["secret"])
    secrets = {hook["secret"], rotated["secret"]}
    bare = {s.removeprefix("whsec_") for s in secrets}
    _ = await call(admin, "POST", one(hook_id) + "/test")
    answers = [
        await call(admin, "GET", one(hook_id)),
        await call(admin, "GET", HOOKS),
        await call(admin, "PATCH", one(hook_id), {"description": "new"}),
        await call(admin, "PATCH", one(hook_id), {"enabled": False}),
        await call(admin, "PATCH", one(hook_id), {"enabled": True}),
        await call(admin, "GET", one(hook_id) + "/deliveries"),
        await call(admin, "POST", one(hook_id) + "/test"),
        await call(admin, "POST", one(hook_id) + "/replay", {"since": past(hours=1)}),
    ]
    for answer in answers:
        assert answer.status < 300, await answer.text()
        text = await answer.text()
        assert '"secret"' not in text and 'previous_secret"' not in text, text
        assert not any(part in text for part in bare), text
    assert set(rotated) == set(hook), "the same fields, besides"
    assert "secret" not in (await answers[1].json())["items"][0]


async def test_rotate_gives_a_new_secret_and_the_old_one_signs_for_24_hours(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL)
    assert hook["previous_secret_expires_at"] is None
    answer = await call(admin, "POST", one(hook["id"]) + "/rotate-secret")
    assert answer.status == 200, await answer.text()
    rotated = await answer.json()
    assert rotated["secret"] != hook["secret"]
    until = datetime.fromisoformat(rotated["previous_secret_expires_at"])
    expected = datetime.now(UTC) + timedelta(hours=24)
    assert abs(until - expected) < timedelta(minutes=1), until
    shown = await (await call(admin, "GET", one(hook["id"]))).json()
    assert shown["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
    stored = await WebhookEndpoint.get(id=hook["id"])
    assert (stored.secret, stored.previous_secret) == (rotated["secret"], hook["secret"])
    again = await (await call(admin, "POST", one(hook["id"]) + "/rotate-secret")).json()
    assert len({hook["secret"], rotated["secret"], again["secret"]}) == 3
    stored = await WebhookEndpoint.get(id=hook["id"])
    assert (stored.secret, stored.previous_secret) == (again["secret"], rotated["secret"])


async def test_the_previous_secret_expiry_is_hidden_once_past(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL)
    _ = await call(admin, "POST", one(hook["id"]) + "/rotate-secret")
    await WebhookEndpoint.filter(id=hook["id"]).update(
        previous_secret_until=datetime.now(UTC) - timedelta(hours=1)
    )
    shown = await (await call(admin, "GET", one(hook["id"]))).json()
    # Still shown (a past time), or hidden: never a time in the future.
    until = shown["previous_secret_expires_at"]
    assert until is None or datetime.fromisoformat(until) < datetime.now(UTC)


# PATCH and DELETE ---------------------------------------------------------------------------


async def test_enabling_clears_why_ocp_turned_it_off(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL)
    await WebhookEndpoint.filter(id=hook["id"]).update(
        enabled=False,
        disabled_reason="failing",
        failing_since=datetime.now(UTC) - timedelta(days=6),
    )
    shown = await (await call(admin, "GET", one(hook["id"]))).json()
    assert (shown["enabled"], shown["disabled_reason"]) == (False, "failing")
    assert shown["failing_since"] is not None
    answer = await call(admin, "PATCH", one(hook["id"]), {"enabled": True})
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert (body["enabled"], body["disabled_reason"], body["failing_since"]) == (True, None, None)
    stored = await WebhookEndpoint.get(id=hook["id"])
    assert (stored.enabled, stored.disabled_reason, stored.failing_since) == (True, None, None)


async def test_an_admin_turning_it_off_gives_no_reason_and_blocks_test_retry_replay(
    users: Users,
) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    await WebhookEndpoint.filter(id=hook["id"]).update(disabled_reason="gone")
    body = await (await call(admin, "PATCH", one(hook["id"]), {"enabled": False})).json()
    assert (body["enabled"], body["disabled_reason"]) == (False, None)
    before = await WebhookDelivery.all().values()
    for path, payload in [
        ("/test", None),
        (f"/deliveries/{delivery_id}/retry", None),
        ("/replay", {"since": past(hours=1)}),
    ]:
        await expect_problem(await call(admin, "POST", one(hook["id"]) + path, payload), 409)
    assert await WebhookDelivery.all().values() == before
    answer = await call(admin, "PATCH", one(hook["id"]), {"enabled": True})
    assert answer.status == 200
    answer = await call(admin, "POST", one(hook["id"]) + "/test")
    assert answer.status == 202, await answer.text()


async def test_a_patch_changes_only_what_it_names(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook = await register(admin, PUBLIC_URL, ["order.paid"], description="first")
    answer = await call(
        admin,
        "PATCH",
        one(hook["id"]),
        {"url": "https://93.184.215.15/other", "event_types": ["*"], "description": "  second "},
    )
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert body["url"] == "https://93.184.215.15/other"
    assert body["event_types"] == ["*"] and body["description"] == "second"
    assert body["enabled"] is True and body["created_at"] == hook["created_at"]
    empty = await call(admin, "PATCH", one(hook["id"]), {})
    assert empty.status == 200
    assert {k: v for k, v in (await empty.json()).items() if k != "updated_at"} == {
        k: v for k, v in body.items() if k != "updated_at"
    }
    stored = await WebhookEndpoint.get(id=hook["id"])
    assert stored.secret == hook["secret"], "a PATCH does not touch the secret"


async def test_delete_removes_the_endpoint_and_its_deliveries(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    kept, kept_delivery = await hook_with_delivery(admin)
    answer = await call(admin, "DELETE", one(hook["id"]))
    assert answer.status == 204 and await answer.read() == b""
    await expect_problem(await call(admin, "GET", one(hook["id"])), 404)
    await expect_problem(await call(admin, "GET", one(hook["id"]) + "/deliveries"), 404)
    await expect_problem(await call(admin, "DELETE", one(hook["id"])), 404)
    assert await WebhookDelivery.filter(endpoint_id=hook["id"]).count() == 0
    assert not await WebhookDelivery.filter(id=delivery_id).exists()
    assert await WebhookDelivery.filter(id=kept_delivery).exists()
    listed = await (await call(admin, "GET", HOOKS)).json()
    assert [item["id"] for item in listed["items"]] == [kept["id"]]


async def test_after_a_rotation_both_secrets_sign(
    users: Users, client: TestClient, run_jobs: Callable[[], Awaitable[int]]
) -> None:
    admin = await users.signed_in("admin")
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks")
        rotated = await (await call(admin, "POST", one(hook["id"]) + "/rotate-secret")).json()
        assert (await call(admin, "POST", one(hook["id"]) + "/test")).status == 202
        await catch_up(client.app)
        await run_jobs()
        assert len(target.received) == 1
        assert target.verify(rotated["secret"])["type"] == "webhook.test"
        assert target.verify(hook["secret"])["type"] == "webhook.test"
        assert len(target.received[0].headers["webhook-signature"].split(" ")) == 2


async def test_the_hundred_and_first_endpoint_is_409(users: Users) -> None:
    admin = await users.signed_in("admin")
    await WebhookEndpoint.bulk_create(
        [
            WebhookEndpoint(url=PUBLIC_URL, event_types=["*"], secret=f"whsec_{n}")
            for n in range(100)
        ]
    )
    await expect_problem(await call(admin, "POST", HOOKS, GOOD), 409)
    assert await rows() == (100, 0)
