"""Who may call the webhook endpoints: admins only (by session or Bearer token), every route;
ids that name nothing, or a delivery of another endpoint, are 404s."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ocp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.helpers import Account, Users, expect_problem
from tests.webhooks.api_helpers import HOOKS, PUBLIC_URL, call, hook_with_delivery, one, past, rows
from tests.webhooks.helpers import register

# (method, path with {id} and {delivery}, body, the admin's status); DELETE last.
ROUTES: list[tuple[str, str, Any, int]] = [
    ("POST", HOOKS, {"url": PUBLIC_URL, "event_types": ["*"]}, 201),
    ("GET", HOOKS, None, 200),
    ("GET", HOOKS + "/{id}", None, 200),
    ("PATCH", HOOKS + "/{id}", {"description": "changed"}, 200),
    ("POST", HOOKS + "/{id}/rotate-secret", None, 200),
    ("POST", HOOKS + "/{id}/test", None, 202),
    ("GET", HOOKS + "/{id}/deliveries", None, 200),
    ("GET", HOOKS + "/{id}/deliveries?status=pending", None, 200),
    ("POST", HOOKS + "/{id}/deliveries/{delivery}/retry", None, 202),
    ("POST", HOOKS + "/{id}/replay", {"since": "2020-01-01T00:00:00Z"}, 202),
    ("DELETE", HOOKS + "/{id}", None, 204),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


def _path(template: str, hook_id: Any, delivery_id: Any = 1) -> str:
    return template.format(id=hook_id, delivery=delivery_id)


async def _snapshot() -> list[dict[str, Any]]:
    endpoints = await WebhookEndpoint.all().order_by("id").values()
    deliveries = await WebhookDelivery.all().order_by("id").values()
    return [*endpoints, *deliveries]


@pytest.mark.parametrize("role", ["anonymous", "student", "instructor"])
async def test_only_admins_may_call_any_route(users: Users, role: str) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    before = await _snapshot()
    if role == "anonymous":
        caller = Account(client=await users.make_client(), user={}, password="", csrf="")
        status = 401
    else:
        caller = await users.signed_in(role)
        status = 403
    for method, template, body, _ in ROUTES:
        answer = await call(caller, method, _path(template, hook["id"], delivery_id), body)
        await expect_problem(answer, status)
    assert await _snapshot() == before, "a refused request changed something"


async def test_an_admin_may_call_every_route(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    for method, template, body, status in ROUTES:
        answer = await call(admin, method, _path(template, hook["id"], delivery_id), body)
        assert answer.status == status, (method, template, await answer.text())
    assert await WebhookEndpoint.filter(id=hook["id"]).count() == 0


async def test_a_bearer_token_admin_may_call_every_route(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    holder = await users.with_token("admin")
    # Only the token: a client without the session cookie, and no CSRF header.
    bearer = dataclasses.replace(holder, client=await users.make_client(), csrf="")
    for method, template, body, status in ROUTES:
        answer = await call(bearer, method, _path(template, hook["id"], delivery_id), body)
        assert answer.status == status, (method, template, await answer.text())


@pytest.mark.parametrize("role", ["student", "instructor"])
async def test_a_bearer_token_of_another_role_is_refused(users: Users, role: str) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    before = await _snapshot()
    holder = await users.with_token(role)
    bearer = dataclasses.replace(holder, client=await users.make_client(), csrf="")
    for method, template, body, _ in ROUTES:
        answer = await call(bearer, method, _path(template, hook["id"], delivery_id), body)
        await expect_problem(answer, 403)
    assert await _snapshot() == before


async def test_a_wrong_bearer_token_is_401(users: Users) -> None:
    stranger = Account(
        client=await users.make_client(),
        user={},
        password="",
        csrf="",
        headers={"Authorization": "Bearer ocp_not-a-real-token"},
    )
    await expect_problem(await call(stranger, "GET", HOOKS), 401)
    answer = await call(stranger, "POST", HOOKS, {"url": PUBLIC_URL, "event_types": ["*"]})
    await expect_problem(answer, 401)
    assert await rows() == (0, 0)


async def test_an_admin_session_without_the_csrf_token_is_refused(users: Users) -> None:
    admin = await users.signed_in("admin")
    answer = await admin.client.post(HOOKS, json={"url": PUBLIC_URL, "event_types": ["*"]})
    await expect_problem(answer, 403)
    assert await rows() == (0, 0)


BAD_IDS = ["999999", "0", "-1", "abc", "1e3", "\u0661", "99999999999999999999999"]


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_an_endpoint_id_that_names_nothing_is_404(users: Users, bad: str) -> None:
    admin = await users.signed_in("admin")
    _, delivery_id = await hook_with_delivery(admin)
    before = await _snapshot()
    for method, template, body, _ in ROUTES[2:]:
        answer = await call(admin, method, _path(template, bad, delivery_id), body)
        await expect_problem(answer, 404)
    assert await _snapshot() == before


@pytest.mark.parametrize("bad", ["999999", "0", "abc", "99999999999999999999999"])
async def test_a_delivery_id_that_names_nothing_is_404(users: Users, bad: str) -> None:
    admin = await users.signed_in("admin")
    hook, _ = await hook_with_delivery(admin)
    answer = await call(admin, "POST", f"{one(hook['id'])}/deliveries/{bad}/retry")
    await expect_problem(answer, 404)


async def test_a_delivery_of_another_endpoint_is_404(users: Users) -> None:
    admin = await users.signed_in("admin")
    first, delivery_id = await hook_with_delivery(admin)
    other = await register(admin, PUBLIC_URL)
    await WebhookDelivery.filter(id=delivery_id).update(status="failed")
    answer = await call(admin, "POST", f"{one(other['id'])}/deliveries/{delivery_id}/retry")
    await expect_problem(answer, 404)
    assert (await WebhookDelivery.get(id=delivery_id)).status == "failed", "retried anyway"
    listed = await call(admin, "GET", f"{one(other['id'])}/deliveries")
    assert (await listed.json())["items"] == []
    mine = await call(admin, "GET", f"{one(first['id'])}/deliveries")
    assert [d["id"] for d in (await mine.json())["items"]] == [delivery_id]


async def test_a_deleted_endpoint_is_404_everywhere(users: Users) -> None:
    admin = await users.signed_in("admin")
    hook, delivery_id = await hook_with_delivery(admin)
    answer = await call(admin, "DELETE", one(hook["id"]))
    assert answer.status == 204
    for method, template, body, _ in ROUTES[2:]:
        answer = await call(admin, method, _path(template, hook["id"], delivery_id), body)
        await expect_problem(answer, 404)
    assert await rows() == (0, 0)


async def test_replay_of_an_unknown_endpoint_with_a_bad_since_is_not_a_500(users: Users) -> None:
    admin = await users.signed_in("admin")
    answer = await call(admin, "POST", one(999999) + "/replay", {"since": past(hours=-1)})
    assert answer.status in {404, 422}, await answer.text()
