"""A credential that does not hold is a 401 wherever it is sent and whatever comes with it.

Public operations refuse it too (the client believes it is signed in: better to say so than
to answer as if anonymous), and a session cookie that no longer holds is cleared by that
answer. Every 401 names how to authenticate (RFC 9110), in RFC 6750's terms for tokens.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.web.sessions import COOKIE_NAME
from tests.helpers import PASSWORD, Users, expect_problem

ME = "/api/v1/users/me"
COURSES = "/api/v1/courses"
PUBLIC = (COURSES, "/healthz", "/api/v1/categories", "/api/openapi.json")
MakeClient = Callable[[], Awaitable[TestClient]]


def challenge(response: aiohttp.ClientResponse) -> tuple[str, dict[str, str]]:
    """The scheme and auth-params of the response's one ``WWW-Authenticate`` challenge."""
    header = response.headers.getall("WWW-Authenticate")
    assert len(header) == 1, header
    scheme, _, rest = header[0].partition(" ")
    return scheme, dict(re.findall(r'(\w+)="([^"]*)"', rest))


def cleared_cookie(response: aiohttp.ClientResponse) -> bool:
    cookie = response.cookies.get(COOKIE_NAME)
    return cookie is not None and cookie.value == "" and cookie["max-age"] == "0"


async def stale_cookie(users: Users) -> str:
    """The cookie of a session that has ended (signed out)."""
    account = await users.signed_in()
    cookie = account.client.session.cookie_jar.filter_cookies(account.client.make_url("/"))
    value = cookie[COOKIE_NAME].value
    out = await account.client.post("/api/v1/auth/logout", headers=account.csrf_headers())
    assert out.status == 204
    return value


async def test_a_bad_token_is_refused_with_rfc_6750_invalid_token(users: Users) -> None:
    account = await users.with_token()
    listed = await (await account.client.get("/api/v1/auth/tokens", headers=account.headers)).json()
    tokens = f"/api/v1/auth/tokens/{listed[0]['id']}"
    assert (await account.client.delete(tokens, headers=account.headers)).status == 204
    anonymous = await users.make_client()
    for token in ("ocp_made-up", str(account.token)):
        for path in (ME, *PUBLIC):
            response = await anonymous.get(path, headers={"Authorization": f"Bearer {token}"})
            await expect_problem(response, 401)
            assert challenge(response) == ("Bearer", {"realm": "ocp", "error": "invalid_token"})


async def test_a_malformed_authorization_header_is_refused(client: TestClient) -> None:
    for header, params in (
        ("Bearer", {"realm": "ocp", "error": "invalid_request"}),
        ("Bearer    ", {"realm": "ocp", "error": "invalid_request"}),
        ("Basic dXNlcjpwYXNz", {"realm": "ocp"}),  # another scheme: no error code (RFC 6750)
        ("", {"realm": "ocp"}),
    ):
        for path in (ME, COURSES):
            response = await client.get(path, headers={"Authorization": header})
            await expect_problem(response, 401)
            assert challenge(response) == ("Bearer", params), header


async def test_every_401_names_a_challenge(users: Users, client: TestClient) -> None:
    await expect_problem(response := await client.get(ME), 401)
    assert challenge(response) == ("Bearer", {"realm": "ocp"})
    account = await users.signed_in()
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": "wrong password"}
    )
    await expect_problem(wrong, 401)
    assert challenge(wrong)[0] == "Bearer"


async def test_a_bad_session_cookie_is_refused_next_to_a_good_token(
    users: Users, make_client: MakeClient
) -> None:
    account = await users.with_token()
    other = await make_client()
    for cookie in ("garbage", "", await stale_cookie(users)):
        for path in (ME, COURSES, "/api/v1/auth/tokens"):
            response = await other.get(
                path, headers={**account.headers, "Cookie": f"{COOKIE_NAME}={cookie}"}
            )
            await expect_problem(response, 401)
            assert cleared_cookie(response), (cookie, path)
    assert (await other.get(ME, headers=account.headers)).status == 200
    # A good token next to a good cookie (of the same account) is fine, as it always was.
    assert (await account.client.get(ME, headers=account.headers)).status == 200


async def test_an_ended_session_is_refused_once_then_the_cookie_is_gone(
    users: Users, make_client: MakeClient
) -> None:
    browser = await make_client()
    browser.session.cookie_jar.update_cookies(
        {COOKIE_NAME: await stale_cookie(users)}, browser.make_url("/")
    )
    refused = await browser.get(COURSES)
    body = await expect_problem(refused, 401)
    assert "session has ended" in body["detail"]
    assert cleared_cookie(refused)
    assert (await browser.get(COURSES)).status == 200  # the jar dropped the cookie


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/logout"])
async def test_signing_in_or_out_takes_a_stale_cookie(
    users: Users, make_client: MakeClient, path: str
) -> None:
    account = await users.signed_in()
    browser = await make_client()
    browser.session.cookie_jar.update_cookies(
        {COOKIE_NAME: await stale_cookie(users)}, browser.make_url("/")
    )
    response = await browser.post(path, json={"email": account.email, "password": PASSWORD})
    assert response.status in {200, 204}, await response.text()
    if path.endswith("login"):
        assert (await browser.get(ME)).status == 200
    else:
        assert cleared_cookie(response)


async def test_registering_takes_a_stale_cookie(users: Users, make_client: MakeClient) -> None:
    browser = await make_client()
    browser.session.cookie_jar.update_cookies(
        {COOKIE_NAME: await stale_cookie(users)}, browser.make_url("/")
    )
    response = await browser.post(
        "/api/v1/auth/register",
        json={"email": users.new_email(), "password": PASSWORD, "full_name": "New"},
    )
    assert response.status == 201, await response.text()


async def test_the_websocket_needs_a_credential_and_says_when_it_is_no_handshake(
    users: Users, client: TestClient
) -> None:
    account = await users.with_token()
    plain = await client.get("/api/v1/ws", headers=account.headers)
    body = await expect_problem(plain, 400)
    assert "upgrade" in body["detail"].lower()
    await expect_problem(await client.get("/api/v1/ws"), 401)
    await expect_problem(await client.get("/api/v1/ws?ticket=made-up"), 401)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/api/v1/ws", headers={"Authorization": "Bearer ocp_made-up"})
    assert refused.value.status == 401
    ws = await client.ws_connect("/api/v1/ws", headers=account.headers)
    await ws.close()


async def test_a_token_caller_gets_a_null_csrf_token(users: Users, make_client: MakeClient) -> None:
    account = await users.with_token()
    other = await make_client()
    session = await other.get("/api/v1/auth/session", headers=account.headers)
    assert session.status == 200
    assert (await session.json())["csrf_token"] is None


async def test_allow_lists_only_the_methods_of_the_path_itself(client: TestClient) -> None:
    """`.../lessons/order` is never taken for a lesson id: its Allow is PUT, not the lesson's
    GET, PATCH and DELETE."""
    for method in ("OPTIONS", "GET", "DELETE"):
        response = await client.request(method, "/api/v1/courses/1/lessons/order")
        await expect_problem(response, 405)
        assert response.headers["Allow"] == "PUT", method
    await expect_problem(await client.get("/api/v1/courses/1/lessons/abc"), 404)


@pytest.mark.embedded
async def test_embedded_cookie_sessions_refuse_a_bad_cookie_too(
    aiohttp_client: Callable[..., Awaitable[TestClient]], embedded_settings: Settings
) -> None:
    """Embedded mode keeps sessions in an encrypted cookie: one it cannot read is refused and
    cleared like an ended session in Redis, a good token beside it or not."""
    app = create_app(embedded_settings)
    browser = await aiohttp_client(app)
    users = Users(browser, lambda: aiohttp_client(browser.server))
    account = await users.with_token()
    other = await users.make_client()
    bad = {"Cookie": f"{COOKIE_NAME}=not-a-sealed-cookie"}
    for headers in (bad, {**bad, **account.headers}):
        response = await other.get(COURSES, headers=headers)
        await expect_problem(response, 401)
        assert cleared_cookie(response)
    out = await account.client.post("/api/v1/auth/logout", headers=account.csrf_headers())
    assert out.status == 204 and cleared_cookie(out)
    assert (await account.client.get(COURSES)).status == 200
