"""Adversarial HTTP tests for accounts: registration, sign-in, throttling, sessions, CSRF,
password changes and the caller's own profile."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from ocp.users.models import Role, User
from ocp.web.identities import TTL as IDENTITY_TTL
from tests.helpers import PASSWORD, Account, Users, expect_problem

MakeClient = Callable[[], Awaitable[TestClient]]

COOKIE = "ocp_session"
REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
SESSION = "/api/v1/auth/session"
TOKENS = "/api/v1/auth/tokens"
ME = "/api/v1/users/me"
PASSWORD_CHANGE = "/api/v1/users/me/password"
NEW_PASSWORD = "a brand new passphrase"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """A connection to the test's own Redis db (the one the app uses)."""
    connection = Redis.from_url(redis_url)
    try:
        yield connection
    finally:
        await connection.aclose()


def session_cookie(client: TestClient) -> str | None:
    """The ``ocp_session`` value in ``client``'s cookie jar, or None."""
    morsel = client.session.cookie_jar.filter_cookies(client.make_url("/")).get(COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def set_cookie_header(response: ClientResponse) -> str:
    """The Set-Cookie header that sets ``ocp_session`` (there must be exactly one)."""
    headers = [h for h in response.headers.getall("Set-Cookie", []) if h.startswith(f"{COOKIE}=")]
    assert len(headers) == 1, response.headers
    return headers[0]


async def login(
    client: TestClient,
    email: str,
    password: str = PASSWORD,
    headers: dict[str, str] | None = None,
) -> ClientResponse:
    response = await client.post(
        LOGIN, json={"email": email, "password": password}, headers=headers
    )
    await response.read()
    return response


async def me_with_cookie(make_client: MakeClient, value: str) -> ClientResponse:
    """GET /users/me from a fresh browser that presents ``value`` as its session cookie."""
    fresh = await make_client()
    response = await fresh.get(ME, headers={"Cookie": f"{COOKIE}={value}"})
    await response.read()
    return response


async def session_exists(redis: Redis, value: str) -> bool:
    return bool(await redis.exists(f"{COOKIE}_{value}"))


async def user_row(user_id: int) -> User:
    return await User.get(id=user_id)


# --------------------------------------------------------------------------- registration


async def test_register_returns_user_without_password_fields(client: TestClient) -> None:
    response = await client.post(
        REGISTER,
        json={"email": "alice@example.com", "password": PASSWORD, "full_name": "Alice"},
    )
    assert response.status == 201, await response.text()
    text = await response.text()
    body = json.loads(text)
    assert body["email"] == "alice@example.com"
    assert body["full_name"] == "Alice"
    assert body["role"] == "student"
    assert body["is_active"] is True
    assert not [key for key in body if "password" in key or "hash" in key], body
    assert "auth_epoch" not in body
    row = await User.get(email="alice@example.com")
    assert row.password_hash not in text
    assert "$argon2" not in text
    # Registering does not sign anybody in.
    assert COOKIE not in response.cookies


async def test_register_trims_and_lowercases_email(client: TestClient) -> None:
    response = await client.post(
        REGISTER, json={"email": " Foo@Example.COM ", "password": PASSWORD, "full_name": "Foo"}
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["email"] == "foo@example.com"
    assert await User.filter(email="foo@example.com").count() == 1
    assert await User.filter(email=" Foo@Example.COM ").count() == 0


@pytest.mark.parametrize(
    ("length", "status"), [(9, 422), (10, 201), (128, 201), (129, 422)], ids=str
)
async def test_register_password_length_bounds(
    client: TestClient, length: int, status: int
) -> None:
    email = f"len{length}@example.com"
    password = "p" * length
    response = await client.post(
        REGISTER, json={"email": email, "password": password, "full_name": "Len"}
    )
    if status == 422:
        body = await expect_problem(response, 422)
        assert "password" in body["errors"], body
        assert await User.filter(email=email).count() == 0
    else:
        assert response.status == 201, await response.text()
        assert (await login(client, email, password)).status == 200


@pytest.mark.parametrize("second", ["dup@example.com", "DUP@example.com", "  Dup@Example.Com"])
async def test_register_duplicate_email_is_409(client: TestClient, second: str) -> None:
    first = await client.post(
        REGISTER, json={"email": "dup@example.com", "password": PASSWORD, "full_name": "One"}
    )
    assert first.status == 201, await first.text()
    response = await client.post(
        REGISTER, json={"email": second, "password": "another password", "full_name": "Two"}
    )
    await expect_problem(response, 409)
    rows = await User.filter(email="dup@example.com")
    assert len(rows) == 1
    assert rows[0].full_name == "One"
    # The original password still works; the second registration changed nothing.
    assert (await login(client, "dup@example.com")).status == 200


async def test_parallel_registrations_of_one_email_leave_one_row(client: TestClient) -> None:
    email = "race@example.com"

    async def attempt(number: int) -> int:
        response = await client.post(
            REGISTER,
            json={"email": email, "password": f"password-{number:04d}", "full_name": "Racer"},
        )
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(attempt(n) for n in range(20)))
    assert sorted(statuses) == [201] + [409] * 19, statuses
    assert await User.filter(email=email).count() == 1


BAD_REGISTER_BODIES: list[tuple[str, Any, int, str | None]] = [
    ("missing-password", {"email": "x@example.com", "full_name": "X"}, 422, "password"),
    ("missing-email", {"password": PASSWORD, "full_name": "X"}, 422, "email"),
    ("missing-full-name", {"email": "x@example.com", "password": PASSWORD}, 422, "full_name"),
    ("number-email", {"email": 12345, "password": PASSWORD, "full_name": "X"}, 422, "email"),
    ("list-password", {"email": "x@example.com", "password": [PASSWORD], "full_name": "X"}, 422,
     "password"),
    ("null-email", {"email": None, "password": PASSWORD, "full_name": "X"}, 422, "email"),
    ("not-an-email", {"email": "nobody", "password": PASSWORD, "full_name": "X"}, 422, "email"),
    ("blank-name", {"email": "x@example.com", "password": PASSWORD, "full_name": "  "}, 422,
     "full_name"),
    ("array", [{"email": "x@example.com", "password": PASSWORD, "full_name": "X"}], 422, None),
    ("json-null", None, 422, None),
    ("json-string", "x@example.com", 422, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [pytest.param(body, field, id=name) for name, body, _, field in BAD_REGISTER_BODIES],
)
async def test_register_rejects_invalid_json_bodies(
    client: TestClient, body: Any, field: str | None
) -> None:
    response = await client.post(
        REGISTER, data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    problem = await expect_problem(response, 422)
    assert problem["type"] == "urn:ocp:problem:validation-failed"
    if field is not None:
        assert field in problem["errors"], problem
    assert await User.all().count() == 0


async def test_register_unknown_role_field_is_422_and_nobody_is_admin(
    client: TestClient,
) -> None:
    response = await client.post(
        REGISTER,
        json={
            "email": "mallory@example.com",
            "password": PASSWORD,
            "full_name": "Mallory",
            "role": "admin",
        },
    )
    body = await expect_problem(response, 422)
    assert "role" in body["errors"], body
    assert await User.filter(email="mallory@example.com").count() == 0
    assert await User.filter(role=Role.ADMIN).count() == 0


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        pytest.param(b'{"email": "x@example.com", "password": ', "application/json", 400,
                     id="truncated-json"),
        pytest.param(b"email=x@example.com&password=0123456789", "application/json", 400,
                     id="form-as-json"),
        pytest.param(b"", "application/json", 400, id="empty-body"),
        pytest.param(json.dumps({"email": "x@example.com", "password": PASSWORD,
                                 "full_name": "X"}).encode(), "text/plain", 415,
                     id="json-as-text-plain"),
        pytest.param(b"email=x%40example.com&password=0123456789&full_name=X",
                     "application/x-www-form-urlencoded", 415, id="form-urlencoded"),
    ],
)  # fmt: skip
async def test_register_rejects_malformed_requests(
    client: TestClient, data: bytes, content_type: str, status: int
) -> None:
    response = await client.post(REGISTER, data=data, headers={"Content-Type": content_type})
    await expect_problem(response, status)
    assert await User.all().count() == 0


async def test_register_oversized_body_is_413(client: TestClient) -> None:
    body = json.dumps(
        {"email": "big@example.com", "password": PASSWORD, "full_name": "X" * (5 * 1024 * 1024)}
    ).encode()
    assert len(body) > 5 * 1024 * 1024
    response = await client.post(
        REGISTER, data=io.BytesIO(body), headers={"Content-Type": "application/json"}
    )
    await expect_problem(response, 413)
    assert await User.filter(email="big@example.com").count() == 0


async def test_password_is_stored_as_argon2id(users: Users) -> None:
    user = await users.register()
    row = await user_row(user["id"])
    assert row.password_hash.startswith("$argon2id$"), row.password_hash
    params = dict(
        part.split("=") for part in row.password_hash.split("$")[3].split(",")
    )  # "m=19456,t=2,p=1"
    assert int(params["m"]) >= 19456, row.password_hash
    assert int(params["t"]) >= 2, row.password_hash
    assert int(params["p"]) >= 1, row.password_hash
    assert PASSWORD not in row.password_hash


# --------------------------------------------------------------------------- sign-in


async def test_login_returns_user_and_csrf_and_sets_a_safe_cookie(
    users: Users, make_client: MakeClient
) -> None:
    user = await users.register()
    browser = await make_client()
    response = await login(browser, user["email"])
    assert response.status == 200
    body = await response.json()
    assert set(body) == {"user", "csrf_token"}
    assert body["user"]["id"] == user["id"]
    assert body["user"]["last_login_at"] is not None
    assert not [key for key in body["user"] if "password" in key or "hash" in key]
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) >= 32
    header = set_cookie_header(response)
    attributes = [part.strip().lower() for part in header.split(";")]
    assert "httponly" in attributes, header
    assert "samesite=lax" in attributes, header
    assert "path=/" in attributes, header
    value = session_cookie(browser)
    assert value and len(value) >= 32
    # The cookie does not carry the CSRF token or the user id in the clear.
    assert body["csrf_token"] not in header
    assert (await browser.get(ME)).status == 200


async def test_login_unknown_email_and_wrong_password_look_alike(
    users: Users, make_client: MakeClient
) -> None:
    user = await users.register()
    browser = await make_client()
    wrong = await expect_problem(await login(browser, user["email"], "not the password"), 401)
    unknown = await expect_problem(await login(browser, "ghost@example.com", PASSWORD), 401)
    assert wrong["detail"] == unknown["detail"]
    assert wrong["title"] == unknown["title"]
    assert wrong["type"] == unknown["type"]
    assert set(wrong) == set(unknown)
    assert session_cookie(browser) is None


async def test_login_email_is_case_insensitive(users: Users, make_client: MakeClient) -> None:
    user = await users.register(email="casey@example.com")
    browser = await make_client()
    response = await login(browser, "  CASEY@Example.Com ")
    assert response.status == 200, await response.text()
    assert (await response.json())["user"]["id"] == user["id"]


async def test_login_inactive_account(users: Users, make_client: MakeClient) -> None:
    user = await users.register()
    await User.filter(id=user["id"]).update(is_active=False)
    browser = await make_client()
    right = await login(browser, user["email"])
    await expect_problem(right, 403)
    assert COOKIE not in right.cookies
    assert session_cookie(browser) is None
    # A wrong password must not reveal that the account exists but is deactivated.
    await expect_problem(await login(browser, user["email"], "not the password"), 401)
    await expect_problem(await browser.get(ME), 401)


# --------------------------------------------------------------------------- throttling


async def test_login_throttled_after_five_failures_per_email(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    victim = await users.register()
    other = await users.register()
    browser = await make_client()
    for _ in range(5):
        await expect_problem(await login(browser, victim["email"], "wrong password!"), 401)
    # The counter lives in Redis (shared by every process), under a key without the email.
    email_keys = [key async for key in redis.scan_iter(match="ocp:rl:login-email:*")]
    assert len(email_keys) == 1, email_keys
    assert int(await redis.get(email_keys[0])) == 5
    assert 0 < await redis.ttl(email_keys[0]) <= 15 * 60
    keys = [key.decode() async for key in redis.scan_iter(match="ocp:rl:*")]
    assert not any(victim["email"] in key for key in keys), keys
    # The sixth attempt is refused even with the right password, and signs nobody in.
    response = await login(browser, victim["email"])
    await expect_problem(response, 429)
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit() and 0 < int(retry_after) <= 15 * 60, retry_after
    assert session_cookie(browser) is None
    # Email matching for the counter ignores case and spaces.
    await expect_problem(await login(browser, f" {victim['email'].upper()} "), 429)
    # Another account from the same address is unaffected.
    assert (await login(browser, other["email"])).status == 200


async def test_login_throttled_after_thirty_failures_per_address(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    user = await users.register()
    browser = await make_client()
    results = await asyncio.gather(
        *(login(browser, f"nobody{n}@example.com", "wrong password!") for n in range(30))
    )
    assert [r.status for r in results] == [401] * 30
    assert [key async for key in redis.scan_iter(match="ocp:rl:login-addr:*")]
    response = await login(browser, "nobody-else@example.com", "wrong password!")
    await expect_problem(response, 429)
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit() and int(retry_after) > 0, retry_after
    # The address is blocked for every account, even with the right password.
    await expect_problem(await login(browser, user["email"]), 429)
    assert session_cookie(browser) is None


async def test_login_success_resets_the_per_email_count(
    users: Users, make_client: MakeClient
) -> None:
    user = await users.register()
    browser = await make_client()
    for _ in range(4):
        await expect_problem(await login(browser, user["email"], "wrong password!"), 401)
    first = await login(browser, user["email"])
    assert first.status == 200, await first.text()
    fresh = await make_client()
    for _ in range(5):
        await expect_problem(await login(fresh, user["email"], "wrong password!"), 401)
    await expect_problem(await login(fresh, user["email"]), 429)
    # The lockout stops new sign-ins, not the session already made.
    assert (await browser.get(ME)).status == 200
    assert (await browser.get(SESSION)).status == 200


async def test_throttle_cannot_be_dodged_with_parallel_guesses(
    users: Users, make_client: MakeClient
) -> None:
    user = await users.register()
    browser = await make_client()
    results = await asyncio.gather(
        *(login(browser, user["email"], f"guess number {n}") for n in range(12))
    )
    statuses = sorted(r.status for r in results)
    assert statuses == [401] * 5 + [429] * 7, statuses


# --------------------------------------------------------------------------- sessions


async def test_login_rotates_the_session_id(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    user = await users.register()
    browser = await make_client()
    first = await login(browser, user["email"])
    assert first.status == 200
    old_csrf = (await first.json())["csrf_token"]
    old = session_cookie(browser)
    assert old is not None
    assert await session_exists(redis, old)
    second = await login(browser, user["email"], headers={"X-CSRF-Token": old_csrf})
    assert second.status == 200, await second.text()
    new = session_cookie(browser)
    assert new is not None and new != old
    assert (await second.json())["csrf_token"] != old_csrf
    assert not await session_exists(redis, old)
    assert await session_exists(redis, new)
    await expect_problem(await me_with_cookie(make_client, old), 401)
    assert (await me_with_cookie(make_client, new)).status == 200
    assert (await browser.get(ME)).status == 200


async def test_login_never_adopts_a_planted_cookie(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    user = await users.register()
    browser = await make_client()
    planted = "attacker-chosen-session-id-0123456789abcdef"
    browser.session.cookie_jar.update_cookies({COOKIE: planted}, browser.make_url("/"))
    assert session_cookie(browser) == planted
    response = await login(browser, user["email"])
    assert response.status == 200, await response.text()
    value = session_cookie(browser)
    assert value is not None and value != planted
    assert not await session_exists(redis, planted)
    await expect_problem(await me_with_cookie(make_client, planted), 401)


async def test_login_over_another_users_session_replaces_it(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    """An attacker's own session planted in a victim's browser does not survive sign-in."""
    attacker = await users.signed_in()
    victim = await users.register()
    attacker_id = session_cookie(attacker.client)
    assert attacker_id is not None
    browser = await make_client()
    browser.session.cookie_jar.update_cookies({COOKIE: attacker_id}, browser.make_url("/"))
    response = await login(browser, victim["email"], headers=attacker.csrf_headers())
    assert response.status == 200, await response.text()
    value = session_cookie(browser)
    assert value is not None and value != attacker_id
    me = await browser.get(ME)
    assert (await me.json())["id"] == victim["id"]


async def test_signing_in_over_a_session_needs_no_csrf_token_but_our_origin(
    users: Users,
) -> None:
    """Login starts a session, so it takes no CSRF token (a reloaded page has none); the
    Origin check still keeps other sites from signing a browser in."""
    account = await users.signed_in()
    other = await users.register()
    before = session_cookie(account.client)
    refused = await login(
        account.client, other["email"], headers={"Origin": "https://evil.example"}
    )
    await expect_problem(refused, 403)
    response = await login(account.client, other["email"])
    assert response.status == 200, await response.text()
    assert session_cookie(account.client) not in (None, before)
    me = await account.client.get(ME)
    assert (await me.json())["id"] == other["id"]


async def test_session_endpoint_repeats_the_csrf_token(users: Users) -> None:
    account = await users.signed_in()
    response = await account.client.get(SESSION)
    assert response.status == 200
    body = await response.json()
    assert body["user"]["id"] == account.id
    assert body["csrf_token"] == account.csrf


async def test_session_endpoint_anonymous_is_401(client: TestClient) -> None:
    response = await client.get(SESSION)
    await expect_problem(response, 401)
    assert "Bearer" in response.headers.get("WWW-Authenticate", "")


async def test_garbage_session_cookie_is_anonymous(make_client: MakeClient) -> None:
    for value in ["x", "a" * 4000, "..%2F..%2F", '"quoted"']:
        await expect_problem(await me_with_cookie(make_client, value), 401)


async def test_bearer_session_endpoint_has_no_csrf_token(users: Users) -> None:
    account = await users.with_token()
    fresh = await users.make_client()
    response = await fresh.get(SESSION, headers=account.headers)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["user"]["id"] == account.id
    assert body["csrf_token"] is None


# --------------------------------------------------------------------------- CSRF and Origin


UNSAFE_COOKIE_REQUESTS = [
    pytest.param("PATCH", ME, {"full_name": "Changed Name"}, 200, id="patch-me"),
    pytest.param("POST", TOKENS, {"name": "sneaky"}, 201, id="create-token"),
    pytest.param("POST", LOGOUT, None, 204, id="logout"),
    pytest.param(
        "POST",
        PASSWORD_CHANGE,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        204,
        id="change-password",
    ),
]


async def _unchanged(account: Account) -> None:
    """Nothing that an unsafe request could have done happened."""
    me = await account.client.get(ME)
    assert me.status == 200, "still signed in"
    body = await me.json()
    assert body["full_name"] == account.user["full_name"]
    tokens = await account.client.get(TOKENS)
    assert await tokens.json() == []
    row = await user_row(account.id)
    assert row.auth_epoch == 0


@pytest.mark.parametrize(("method", "path", "body", "success"), UNSAFE_COOKIE_REQUESTS)
async def test_unsafe_cookie_request_needs_the_csrf_token(
    users: Users, method: str, path: str, body: Any, success: int
) -> None:
    account = await users.signed_in()
    send = account.client.request
    kwargs: dict[str, Any] = {"json": body} if body is not None else {}

    refused = await send(method, path, **kwargs)
    problem = await expect_problem(refused, 403)
    assert "X-CSRF-Token" in problem["detail"]
    await _unchanged(account)

    for wrong in ["", "wrong", account.csrf[:-1], account.csrf + "x", account.csrf.upper()]:
        if wrong == account.csrf:
            continue
        response = await send(method, path, headers={"X-CSRF-Token": wrong}, **kwargs)
        await expect_problem(response, 403)
    await _unchanged(account)

    # Another user's valid token is no good either.
    other = await users.signed_in()
    response = await send(method, path, headers=other.csrf_headers(), **kwargs)
    await expect_problem(response, 403)
    await _unchanged(account)

    response = await send(method, path, headers=account.csrf_headers(), **kwargs)
    assert response.status == success, await response.text()


async def test_safe_requests_need_no_csrf_token(users: Users) -> None:
    account = await users.signed_in()
    for path in [ME, SESSION, TOKENS]:
        response = await account.client.get(path)
        assert response.status == 200, (path, await response.text())


async def test_bearer_requests_need_no_csrf_token(users: Users) -> None:
    account = await users.with_token()
    fresh = await users.make_client()
    response = await fresh.patch(ME, json={"full_name": "Via Token"}, headers=account.headers)
    assert response.status == 200, await response.text()
    assert (await response.json())["full_name"] == "Via Token"
    response = await fresh.post(TOKENS, json={"name": "second"}, headers=account.headers)
    assert response.status == 201, await response.text()
    # A bad bearer token is not rescued by a cookie session on the same request.
    response = await account.client.get(ME, headers={"Authorization": "Bearer ocp_not-a-token"})
    await expect_problem(response, 401)


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "http://127.0.0.1.evil.example", "http://evil.example:80"],
)
async def test_foreign_origin_is_refused_even_with_csrf(users: Users, origin: str) -> None:
    account = await users.signed_in()
    response = await account.client.patch(
        ME,
        json={"full_name": "Hijacked"},
        headers={**account.csrf_headers(), "Origin": origin},
    )
    problem = await expect_problem(response, 403)
    assert "Origin" in problem["detail"]
    await _unchanged(account)


async def test_foreign_origin_cannot_sign_a_browser_in(
    users: Users, make_client: MakeClient
) -> None:
    """Login CSRF: a foreign page posting the attacker's credentials is refused."""
    user = await users.register()
    browser = await make_client()
    response = await login(browser, user["email"], headers={"Origin": "https://evil.example"})
    await expect_problem(response, 403)
    assert session_cookie(browser) is None
    response = await browser.post(
        REGISTER,
        json={"email": "csrf@example.com", "password": PASSWORD, "full_name": "X"},
        headers={"Origin": "https://evil.example"},
    )
    await expect_problem(response, 403)
    assert await User.filter(email="csrf@example.com").count() == 0


async def test_same_origin_is_allowed(users: Users) -> None:
    account = await users.signed_in()
    origin = str(account.client.make_url("/")).rstrip("/")
    response = await account.client.patch(
        ME,
        json={"full_name": "Same Origin"},
        headers={**account.csrf_headers(), "Origin": origin},
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["full_name"] == "Same Origin"


# --------------------------------------------------------------------------- logout


async def test_logout_ends_the_session_on_the_server(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    account = await users.signed_in()
    value = session_cookie(account.client)
    assert value is not None
    assert await session_exists(redis, value)
    response = await account.client.post(LOGOUT, headers=account.csrf_headers())
    assert response.status == 204, await response.text()
    assert not await session_exists(redis, value)
    assert session_cookie(account.client) is None
    await expect_problem(await me_with_cookie(make_client, value), 401)
    await expect_problem(await account.client.get(ME), 401)


async def test_logout_without_a_session_and_twice_is_204(
    users: Users, make_client: MakeClient
) -> None:
    anonymous = await make_client()
    assert (await anonymous.post(LOGOUT)).status == 204
    account = await users.signed_in()
    value = session_cookie(account.client)
    assert value is not None
    assert (await account.client.post(LOGOUT, headers=account.csrf_headers())).status == 204
    assert (await account.client.post(LOGOUT, headers=account.csrf_headers())).status == 204
    assert (await account.client.post(LOGOUT)).status == 204
    # A browser still presenting the dead cookie can log out too.
    stale = await make_client()
    response = await stale.post(LOGOUT, headers={"Cookie": f"{COOKIE}={value}"})
    assert response.status == 204, await response.text()


# --------------------------------------------------------------------------- password change


async def test_change_password_wrong_current_is_403(users: Users) -> None:
    """Well-formed input refused for who the caller is (no proof of the password): 403, not
    the 422 of input that breaks the documented schema."""
    account = await users.signed_in()
    response = await account.client.post(
        PASSWORD_CHANGE,
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=account.csrf_headers(),
    )
    body = await expect_problem(response, 403)
    assert "current_password" in body["errors"], body
    await expect_problem(await login(await users.make_client(), account.email, NEW_PASSWORD), 401)
    assert (await login(await users.make_client(), account.email)).status == 200
    assert (await account.client.get(ME)).status == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"current_password": PASSWORD, "new_password": "short"}, id="too-short"),
        pytest.param({"current_password": PASSWORD, "new_password": "x" * 129}, id="too-long"),
        pytest.param({"current_password": PASSWORD}, id="missing-new"),
        pytest.param({"new_password": NEW_PASSWORD}, id="missing-current"),
        pytest.param(
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "user_id": 1},
            id="unknown-field",
        ),
        pytest.param({"current_password": PASSWORD, "new_password": PASSWORD}, id="unchanged"),
    ],
)
async def test_change_password_invalid_bodies_are_422(users: Users, body: Any) -> None:
    account = await users.signed_in()
    response = await account.client.post(PASSWORD_CHANGE, json=body, headers=account.csrf_headers())
    await expect_problem(response, 422)
    row = await user_row(account.id)
    assert row.auth_epoch == 0
    assert (await account.client.get(ME)).status == 200
    assert (await login(await users.make_client(), account.email)).status == 200


async def test_change_password_ends_other_sessions_and_keeps_this_one(
    users: Users, make_client: MakeClient, redis: Redis
) -> None:
    account = await users.signed_in()
    other = await make_client()
    assert (await login(other, account.email)).status == 200
    assert (await other.get(ME)).status == 200
    old_cookie = session_cookie(account.client)
    assert old_cookie is not None

    response = await account.client.post(
        PASSWORD_CHANGE,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.csrf_headers(),
    )
    assert response.status == 204, await response.text()

    # The other browser is signed out.
    await expect_problem(await other.get(ME), 401)
    # This browser continues under a new session id and a new CSRF token.
    new_cookie = session_cookie(account.client)
    assert new_cookie is not None and new_cookie != old_cookie
    assert not await session_exists(redis, old_cookie)
    await expect_problem(await me_with_cookie(make_client, old_cookie), 401)
    assert (await account.client.get(ME)).status == 200
    session = await account.client.get(SESSION)
    assert session.status == 200
    new_csrf = (await session.json())["csrf_token"]
    assert new_csrf and new_csrf != account.csrf
    stale = await account.client.patch(
        ME, json={"full_name": "Old Token"}, headers=account.csrf_headers()
    )
    await expect_problem(stale, 403)
    fresh = await account.client.patch(
        ME, json={"full_name": "New Token"}, headers={"X-CSRF-Token": new_csrf}
    )
    assert fresh.status == 200, await fresh.text()

    # Only the new password signs in.
    browser = await make_client()
    await expect_problem(await login(browser, account.email, PASSWORD), 401)
    assert (await login(browser, account.email, NEW_PASSWORD)).status == 200


async def test_change_password_over_bearer_keeps_the_token(users: Users) -> None:
    account = await users.with_token()
    fresh = await users.make_client()
    response = await fresh.post(
        PASSWORD_CHANGE,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.headers,
    )
    assert response.status == 204, await response.text()
    assert COOKIE not in response.cookies
    assert (await fresh.get(ME, headers=account.headers)).status == 200
    # The cookie session that made the token is over.
    await expect_problem(await account.client.get(ME), 401)


async def test_change_password_requires_csrf_and_a_caller(
    users: Users, make_client: MakeClient
) -> None:
    account = await users.signed_in()
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    await expect_problem(await account.client.post(PASSWORD_CHANGE, json=body), 403)
    anonymous = await make_client()
    await expect_problem(await anonymous.post(PASSWORD_CHANGE, json=body), 401)
    row = await user_row(account.id)
    assert row.auth_epoch == 0
    assert (await login(await make_client(), account.email)).status == 200


async def test_change_password_guessing_is_throttled(users: Users) -> None:
    """The current-password check cannot be used to brute-force a stolen session's owner."""
    account = await users.signed_in()
    for n in range(5):
        response = await account.client.post(
            PASSWORD_CHANGE,
            json={"current_password": f"guess number {n}", "new_password": NEW_PASSWORD},
            headers=account.csrf_headers(),
        )
        await expect_problem(response, 403)
    response = await account.client.post(
        PASSWORD_CHANGE,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.csrf_headers(),
    )
    await expect_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert (await user_row(account.id)).auth_epoch == 0


# --------------------------------------------------------------------------- profile


async def test_me_anonymous_is_401(client: TestClient) -> None:
    await expect_problem(await client.get(ME), 401)
    await expect_problem(await client.patch(ME, json={"full_name": "Nobody"}), 401)


async def test_patch_me_changes_the_profile(users: Users) -> None:
    account = await users.signed_in()
    changes = {
        "full_name": "  New Name  ",
        "bio": "Teaches things.",
        "avatar_url": "https://cdn.example.com/a.png",
    }
    response = await account.client.patch(ME, json=changes, headers=account.csrf_headers())
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["full_name"] == "New Name"
    assert body["bio"] == "Teaches things."
    assert body["avatar_url"] == "https://cdn.example.com/a.png"
    again = await (await account.client.get(ME)).json()
    assert again == body
    row = await user_row(account.id)
    assert (row.full_name, row.bio, row.avatar_url) == (
        "New Name",
        "Teaches things.",
        "https://cdn.example.com/a.png",
    )
    # null clears the avatar.
    response = await account.client.patch(
        ME, json={"avatar_url": None}, headers=account.csrf_headers()
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["avatar_url"] is None


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"role": "admin"}, id="role"),
        pytest.param({"is_active": False}, id="is_active"),
        pytest.param({"email": "new@example.com"}, id="email"),
        pytest.param({"full_name": "Sneaky", "role": "instructor"}, id="name-and-role"),
        pytest.param({"auth_epoch": 5}, id="auth_epoch"),
        pytest.param({"password_hash": "$argon2id$x"}, id="password_hash"),
        pytest.param({"id": 999}, id="id"),
    ],
)
async def test_patch_me_refuses_privileged_fields(users: Users, changes: dict[str, Any]) -> None:
    account = await users.signed_in()
    before = await user_row(account.id)
    response = await account.client.patch(ME, json=changes, headers=account.csrf_headers())
    body = await expect_problem(response, 422)
    assert set(changes) - {"full_name"} <= set(body["errors"]), body
    after = await user_row(account.id)
    for name in ["email", "role", "is_active", "full_name", "auth_epoch", "password_hash", "id"]:
        assert getattr(after, name) == getattr(before, name), name
    assert after.role == Role.STUDENT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"avatar_url": "javascript:alert(1)"}, "avatar_url", id="javascript-url"),
        pytest.param({"avatar_url": "data:text/html,<script>1</script>"}, "avatar_url",
                     id="data-url"),
        pytest.param({"avatar_url": "//evil.example/a.png"}, "avatar_url", id="relative-url"),
        pytest.param({"avatar_url": "https://e.example/" + "a" * 2100}, "avatar_url",
                     id="long-url"),
        pytest.param({"bio": "b" * 2001}, "bio", id="bio-too-long"),
        pytest.param({"full_name": ""}, "full_name", id="empty-name"),
        pytest.param({"full_name": "   "}, "full_name", id="blank-name"),
        pytest.param({"full_name": "n" * 101}, "full_name", id="long-name"),
        pytest.param({"full_name": None}, "full_name", id="null-name"),
        pytest.param({"full_name": "a\x00b"}, "full_name", id="control-char"),
        pytest.param({"bio": 5}, "bio", id="bio-number"),
    ],
)  # fmt: skip
async def test_patch_me_refuses_invalid_values(
    users: Users, changes: dict[str, Any], field: str
) -> None:
    account = await users.signed_in()
    response = await account.client.patch(ME, json=changes, headers=account.csrf_headers())
    body = await expect_problem(response, 422)
    assert field in body["errors"], body
    row = await user_row(account.id)
    assert row.full_name == account.user["full_name"]
    assert row.bio == ""
    assert row.avatar_url is None


async def test_patch_me_bio_accepts_the_limit(users: Users) -> None:
    account = await users.signed_in()
    response = await account.client.patch(
        ME, json={"bio": "b" * 2000}, headers=account.csrf_headers()
    )
    assert response.status == 200, await response.text()
    assert len((await response.json())["bio"]) == 2000


async def test_html_in_bio_is_returned_verbatim_as_json(users: Users) -> None:
    account = await users.signed_in()
    html = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    response = await account.client.patch(ME, json={"bio": html}, headers=account.csrf_headers())
    assert response.status == 200, await response.text()
    assert (await response.json())["bio"] == html
    response = await account.client.get(ME)
    assert response.content_type == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (await response.json())["bio"] == html
    assert "&lt;script" not in await response.text()


# --------------------------------------------------------------------------- deactivation


async def test_deactivation_ends_existing_sessions(users: Users) -> None:
    account = await users.signed_in()
    assert (await account.client.get(ME)).status == 200
    await User.filter(id=account.id).update(is_active=False)
    await expect_problem(await account.client.get(ME), 401)
    await expect_problem(await account.client.get(SESSION), 401)
    response = await account.client.patch(
        ME, json={"full_name": "Ghost"}, headers=account.csrf_headers()
    )
    await expect_problem(response, 401)
    assert (await user_row(account.id)).full_name == account.user["full_name"]


async def test_deactivation_ends_bearer_tokens(users: Users) -> None:
    account = await users.with_token()
    fresh = await users.make_client()
    assert (await fresh.get(ME, headers=account.headers)).status == 200
    await User.filter(id=account.id).update(is_active=False)
    await asyncio.sleep(IDENTITY_TTL)  # behind the service's back: no control message
    await expect_problem(await fresh.get(ME, headers=account.headers), 401)


async def test_deactivation_removes_the_session_server_side(users: Users, redis: Redis) -> None:
    """The refused session is removed, so reactivating the account does not revive it."""
    account = await users.signed_in()
    value = session_cookie(account.client)
    assert value is not None
    await User.filter(id=account.id).update(is_active=False)
    await expect_problem(await account.client.get(ME), 401)
    assert not await session_exists(redis, value), "the refused session is still in Redis"
    await User.filter(id=account.id).update(is_active=True)
    await expect_problem(await account.client.get(ME), 401)


# --------------------------------------------------------------------------- session timeouts


async def _age_session(redis: Redis, value: str, **fields: int) -> None:
    """Rewrite fields of the stored session (keeping its TTL), as if time had passed."""
    key = f"{COOKIE}_{value}"
    raw = await redis.get(key)
    assert raw is not None
    stored = json.loads(raw)
    stored["session"].update(fields)
    await redis.set(key, json.dumps(stored), keepttl=True)


async def test_idle_session_expires(users: Users, redis: Redis) -> None:
    account = await users.signed_in()
    value = session_cookie(account.client)
    assert value is not None
    stored = json.loads(await redis.get(f"{COOKIE}_{value}"))
    await _age_session(redis, value, seen=stored["session"]["seen"] - 2 * 24 * 3600 - 5)
    await expect_problem(await account.client.get(ME), 401)


async def test_session_expires_at_its_absolute_age(users: Users, redis: Redis) -> None:
    account = await users.signed_in()
    value = session_cookie(account.client)
    assert value is not None
    stored = json.loads(await redis.get(f"{COOKIE}_{value}"))
    # Seen a moment ago, but started more than 14 days ago.
    await _age_session(redis, value, iat=stored["session"]["iat"] - 14 * 24 * 3600 - 5)
    await expect_problem(await account.client.get(ME), 401)


async def test_active_session_slides_its_idle_window(users: Users, redis: Redis) -> None:
    account = await users.signed_in()
    value = session_cookie(account.client)
    assert value is not None
    stored = json.loads(await redis.get(f"{COOKIE}_{value}"))
    old_seen = stored["session"]["seen"] - 2 * 24 * 3600 + 120  # two minutes left
    await _age_session(redis, value, seen=old_seen)
    assert (await account.client.get(ME)).status == 200
    stored = json.loads(await redis.get(f"{COOKIE}_{value}"))
    assert stored["session"]["seen"] > old_seen + 3600


async def test_session_stored_in_redis_holds_no_secrets(users: Users, redis: Redis) -> None:
    account = await users.signed_in()
    value = session_cookie(account.client)
    raw = (await redis.get(f"{COOKIE}_{value}")).decode()
    assert PASSWORD not in raw
    assert "argon2" not in raw
    assert 0 < await redis.ttl(f"{COOKIE}_{value}") <= 14 * 24 * 3600


# --------------------------------------------------------------------------- more throttling


async def test_forwarded_for_is_not_trusted_by_default(make_client: MakeClient) -> None:
    """Spoofed X-Forwarded-For values do not give an attacker fresh per-address budgets."""
    browser = await make_client()

    async def attempt(n: int) -> ClientResponse:
        return await login(
            browser,
            f"spoof{n}@example.com",
            "wrong password!",
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )

    results = await asyncio.gather(*(attempt(n) for n in range(30)))
    assert [r.status for r in results] == [401] * 30
    await expect_problem(await attempt(200), 429)


async def test_registrations_are_throttled_per_address(client: TestClient) -> None:
    async def attempt(n: int) -> ClientResponse:
        response = await client.post(
            REGISTER,
            json={"email": f"bulk{n}@example.com", "password": PASSWORD, "full_name": "Bulk"},
        )
        await response.read()
        return response

    results = await asyncio.gather(*(attempt(n) for n in range(20)))
    assert [r.status for r in results] == [201] * 20
    response = await attempt(20)
    await expect_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert await User.filter(email="bulk20@example.com").count() == 0


async def test_unknown_email_costs_as_much_as_a_wrong_password(
    users: Users, make_client: MakeClient
) -> None:
    """No timing shortcut for unknown emails (which would let anyone list accounts)."""
    user = await users.register()

    async def timed(email: str) -> float:
        browser = await make_client()
        started = time.perf_counter()
        response = await login(browser, email, "wrong password!")
        elapsed = time.perf_counter() - started
        assert response.status == 401
        return elapsed

    wrong = sorted([await timed(user["email"]) for _ in range(3)])[1]
    unknown = sorted([await timed(f"ghost{n}@example.com") for n in range(3)])[1]
    assert unknown > 0.5 * wrong, (unknown, wrong)


# --------------------------------------------------------------------------- hostile input


async def test_deeply_nested_json_is_a_client_error(client: TestClient) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    for path in [REGISTER, LOGIN]:
        response = await client.post(path, data=body, headers={"Content-Type": "application/json"})
        assert response.status in (400, 422), (path, await response.text())
        await expect_problem(response, response.status)


SURROGATE = "\ud800"  # a lone UTF-16 surrogate: valid JSON escape, not encodable text

SURROGATE_REQUESTS = [
    pytest.param(
        "POST", REGISTER,
        {"email": "s@example.com", "password": PASSWORD, "full_name": f"Bad{SURROGATE}"},
        id="register-full-name",
    ),
    pytest.param(
        "POST", REGISTER,
        {"email": "s@example.com", "password": PASSWORD + SURROGATE, "full_name": "Bad"},
        id="register-password",
    ),
    pytest.param(
        "POST", REGISTER,
        {"email": f"s{SURROGATE}@example.com", "password": PASSWORD, "full_name": "Bad"},
        id="register-email",
    ),
    pytest.param("POST", LOGIN, {"email": "{email}", "password": PASSWORD + SURROGATE},
                 id="login-password"),
    pytest.param("POST", LOGIN, {"email": f"x{SURROGATE}@example.com", "password": PASSWORD},
                 id="login-email"),
    pytest.param("PATCH", ME, {"bio": f"hi {SURROGATE}"}, id="patch-bio"),
    pytest.param("PATCH", ME, {"full_name": f"hi {SURROGATE}"}, id="patch-full-name"),
    pytest.param("POST", PASSWORD_CHANGE,
                 {"current_password": SURROGATE, "new_password": NEW_PASSWORD},
                 id="password-current"),
    pytest.param("POST", PASSWORD_CHANGE,
                 {"current_password": PASSWORD, "new_password": NEW_PASSWORD + SURROGATE},
                 id="password-new"),
    pytest.param("POST", TOKENS, {"name": SURROGATE}, id="token-name"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), SURROGATE_REQUESTS)
async def test_lone_surrogates_are_a_client_error(
    users: Users, make_client: MakeClient, method: str, path: str, body: dict[str, Any]
) -> None:
    account = await users.signed_in()
    browser = account.client if path not in (REGISTER, LOGIN) else await make_client()
    if body.get("email") == "{email}":
        body = {**body, "email": account.email}
    data = json.dumps(body)  # ensure_ascii: the surrogate travels as the escape \ud800
    assert "\\ud800" in data
    response = await browser.request(
        method,
        path,
        data=data,
        headers={"Content-Type": "application/json", **account.csrf_headers()},
    )
    assert response.status in (400, 422), await response.text()
    await expect_problem(response, response.status)
    assert await User.all().count() == 1
    row = await user_row(account.id)
    assert (row.full_name, row.bio, row.auth_epoch) == (account.user["full_name"], "", 0)
    assert (await account.client.get(ME)).status == 200


async def raw_request(client: TestClient, head: list[bytes], body: bytes = b"") -> int:
    """Send bytes the aiohttp client would refuse to send; return the response status."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        lines = [
            *head,
            f"Host: {client.host}:{client.port}".encode(),
            f"Content-Length: {len(body)}".encode(),
            b"Connection: close",
        ]
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    return int(answer.split(b" ", 2)[1])


async def test_non_utf8_csrf_header_is_403(users: Users) -> None:
    account = await users.signed_in()
    cookie = session_cookie(account.client)
    assert cookie is not None
    status = await raw_request(
        account.client,
        [
            b"PATCH /api/v1/users/me HTTP/1.1",
            b"Cookie: ocp_session=" + cookie.encode(),
            b"Content-Type: application/json",
            b"X-CSRF-Token: \xff\xfe" + account.csrf.encode(),
        ],
        b'{"full_name": "Raw"}',
    )
    assert status == 403
    assert (await user_row(account.id)).full_name == account.user["full_name"]


async def test_non_utf8_bearer_token_is_401(client: TestClient) -> None:
    status = await raw_request(
        client, [b"GET /api/v1/users/me HTTP/1.1", b"Authorization: Bearer ocp_\xff\xfe"]
    )
    assert status == 401
