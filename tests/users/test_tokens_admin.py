"""Adversarial HTTP tests: API tokens (create, use, list, revoke) and the admin user API.

Everything goes through the real app over HTTP; the database is read (and, to set up a
state, written) only where the contract is about what is stored.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.users import service as users_service
from ocp.users.models import ApiToken, User
from ocp.web.identities import TTL as IDENTITY_TTL
from tests.helpers import Account, Users, expect_problem

TOKENS = "/api/v1/auth/tokens"
ME = "/api/v1/users/me"
USERS = "/api/v1/users"

TOKEN_KEYS = {"id", "name", "prefix", "created_at", "last_used_at"}
USER_KEYS = {
    "id",
    "email",
    "full_name",
    "bio",
    "avatar_url",
    "role",
    "is_active",
    "created_at",
    "updated_at",
    "last_login_at",
    "timezone",
}
# Path ids that cannot name anything: all must be a plain 404, never a 500 or an alias.
ODD_IDS = [
    "abc",
    "-1",
    "0",
    "1.0",
    "0x1",
    "1e3",
    "99999999999999999999",
    "2147483648",  # one past PostgreSQL's int4, which the id columns are
    "999999999999999999",  # 18 digits: passes the length check, still no such row
    "%C2%B2",  # "²": str.isdigit() says yes, int() says no
]
_LINK_RE = re.compile(r'<([^>]*)>;\s*rel="([^"]+)"')


def links(response: Any) -> dict[str, str]:
    """The ``Link`` header as rel -> URL."""
    header = response.headers.get("Link", "")
    return {rel: url for url, rel in _LINK_RE.findall(header)}


async def create_token(account: Account, name: str = "ci") -> dict[str, Any]:
    response = await account.client.post(
        TOKENS, json={"name": name}, headers=account.csrf_headers()
    )
    assert response.status == 201, await response.text()
    return dict(await response.json())


async def bearer_client(users: Users) -> TestClient:
    """A client with an empty cookie jar, for requests authenticated only by a Bearer token."""
    return await users.make_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --------------------------------------------------------------------------------------------
# Creating and listing tokens
# --------------------------------------------------------------------------------------------


async def test_create_token_returns_the_secret_once_and_stores_only_its_sha256(
    users: Users,
) -> None:
    account = await users.signed_in()
    created = await create_token(account, name="  laptop  ")

    assert set(created) == TOKEN_KEYS | {"token"}
    assert created["name"] == "laptop"
    assert created["last_used_at"] is None
    secret = created["token"]
    assert secret.startswith("ocp_")
    random_part = secret.removeprefix("ocp_")
    raw = base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))
    assert len(raw) * 8 >= 128, secret
    assert 4 < len(created["prefix"]) < len(secret) - 16
    assert secret.startswith(created["prefix"])
    datetime.fromisoformat(created["created_at"])

    row = await ApiToken.get(id=created["id"])
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.user_id == account.id  # type: ignore[attr-defined]
    values = await ApiToken.filter(id=created["id"]).values()
    assert len(values) == 1
    for column, value in values[0].items():
        assert secret not in str(value), f"the secret is stored in {column}"
        assert random_part not in str(value), f"the secret is stored in {column}"

    second = await create_token(account, name="laptop")
    assert second["token"] != secret
    assert second["id"] != created["id"]


async def test_list_tokens_shows_own_active_tokens_without_secrets(users: Users) -> None:
    account = await users.signed_in()
    other = await users.signed_in()
    first = await create_token(account, "first")
    second = await create_token(account, "second")
    foreign = await create_token(other, "foreign")

    response = await account.client.get(TOKENS)
    assert response.status == 200
    text = await response.text()
    listed = await response.json()
    assert [t["id"] for t in listed] == [first["id"], second["id"]]
    assert [t["name"] for t in listed] == ["first", "second"]
    for item in listed:
        assert set(item) == TOKEN_KEYS, item
    for secret in (first["token"], second["token"], foreign["token"]):
        assert secret not in text
        assert hashlib.sha256(secret.encode()).hexdigest() not in text
    assert foreign["id"] not in [t["id"] for t in listed]

    # The same list through a Bearer token.
    api = await bearer_client(users)
    response = await api.get(TOKENS, headers=bearer(first["token"]))
    assert response.status == 200
    assert [t["id"] for t in await response.json()] == [first["id"], second["id"]]


async def test_token_name_is_validated(users: Users) -> None:
    account = await users.signed_in()
    bad_bodies: list[Any] = [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": None},
        {"name": 5},
        {"name": ["a"]},
        {"name": "ok", "extra": 1},
        {"name": "ok", "user_id": 1},
        {"name": "ok", "token_hash": "0" * 64},
        {"name": "bad\x00name"},
        ["name"],
    ]
    for body in bad_bodies:
        response = await account.client.post(TOKENS, json=body, headers=account.csrf_headers())
        problem = await expect_problem(response, 422)
        assert problem["type"] == "urn:ocp:problem:validation-failed", body
    assert await ApiToken.filter(user_id=account.id).count() == 0

    assert (await create_token(account, "x" * 100))["name"] == "x" * 100


async def test_create_token_needs_a_caller_and_csrf(users: Users) -> None:
    anonymous = await users.make_client()
    response = await anonymous.post(TOKENS, json={"name": "x"})
    await expect_problem(response, 401)
    assert "Bearer" in response.headers.get("WWW-Authenticate", "")
    response = await anonymous.get(TOKENS)
    await expect_problem(response, 401)

    account = await users.signed_in()
    response = await account.client.post(TOKENS, json={"name": "x"})
    await expect_problem(response, 403)
    response = await account.client.post(
        TOKENS,
        json={"name": "x"},
        headers={"X-CSRF-Token": account.csrf[:-1] + ("A" if account.csrf[-1] != "A" else "B")},
    )
    await expect_problem(response, 403)
    response = await account.client.post(TOKENS, json={"name": "x"}, headers={"X-CSRF-Token": ""})
    await expect_problem(response, 403)
    assert await ApiToken.filter(user_id=account.id).count() == 0


async def test_at_most_50_active_tokens(users: Users) -> None:
    account = await users.signed_in()
    made = [await create_token(account, f"t{i}") for i in range(50)]
    response = await account.client.post(
        TOKENS, json={"name": "one too many"}, headers=account.csrf_headers()
    )
    await expect_problem(response, 409)
    assert await ApiToken.filter(user_id=account.id).count() == 50

    # A revoked token frees its slot.
    response = await account.client.delete(
        f"{TOKENS}/{made[0]['id']}", headers=account.csrf_headers()
    )
    assert response.status == 204
    await create_token(account, "replacement")
    response = await account.client.post(
        TOKENS, json={"name": "again too many"}, headers=account.csrf_headers()
    )
    await expect_problem(response, 409)
    assert await ApiToken.filter(user_id=account.id, revoked_at=None).count() == 50


async def test_token_limit_holds_under_parallel_creation(users: Users) -> None:
    """The count-then-insert check must not let parallel requests past the limit.

    A race needs luck, so this tries a few rounds; each starts again from 49 active tokens.
    """
    account = await users.signed_in()
    for i in range(49):
        await ApiToken.create(
            user_id=account.id, name=f"t{i}", token_hash=f"{i:064x}", prefix="ocp_xxxxxxxx"
        )
    for attempt in range(5):
        responses = await asyncio.gather(
            *(
                account.client.post(TOKENS, json={"name": f"p{i}"}, headers=account.csrf_headers())
                for i in range(15)
            )
        )
        statuses = sorted(r.status for r in responses)
        active = await ApiToken.filter(user_id=account.id, revoked_at=None).count()
        assert active <= 50, f"round {attempt}: {active} active tokens; statuses {statuses}"
        assert statuses == [201] + [409] * 14, statuses
        extra = await ApiToken.filter(user_id=account.id, name__startswith="p").values_list(
            "id", flat=True
        )
        await ApiToken.filter(id__in=list(extra)).update(revoked_at=datetime.now(UTC))


# --------------------------------------------------------------------------------------------
# Using tokens
# --------------------------------------------------------------------------------------------


async def test_bearer_token_authenticates_and_needs_no_csrf(users: Users) -> None:
    account = await users.with_token()
    assert account.token is not None
    api = await bearer_client(users)

    response = await api.get(ME, headers=account.headers)
    assert response.status == 200
    assert (await response.json())["email"] == account.email

    response = await api.patch(ME, json={"full_name": "Via Token"}, headers=account.headers)
    assert response.status == 200, await response.text()
    assert (await response.json())["full_name"] == "Via Token"
    assert (await User.get(id=account.id)).full_name == "Via Token"

    response = await api.get("/api/v1/auth/session", headers=account.headers)
    assert response.status == 200
    assert (await response.json())["csrf_token"] is None

    # Without the token the same client is anonymous: it was the token that authenticated.
    response = await api.get(ME)
    await expect_problem(response, 401)
    response = await api.patch(ME, json={"full_name": "Nobody"})
    await expect_problem(response, 401)
    assert (await User.get(id=account.id)).full_name == "Via Token"


async def test_bearer_token_wins_over_the_cookie_of_someone_else(users: Users) -> None:
    owner = await users.with_token()
    other = await users.signed_in()
    response = await other.client.get(ME, headers=owner.headers)
    assert response.status == 200
    assert (await response.json())["id"] == owner.id


@pytest.mark.parametrize(
    "header",
    [
        "Basic x",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Bearer nonsense",
        "Bearer ocp_nonsense",
        "Bearer ocp_" + "A" * 43,
        "Bearer ocp_" + "a" * 400,
        "Token ocp_abc",
        "",
    ],
)
async def test_malformed_authorization_header_is_401(users: Users, header: str) -> None:
    api = await bearer_client(users)
    for method, path in (("GET", ME), ("GET", TOKENS), ("PATCH", ME), ("GET", USERS)):
        kwargs: dict[str, Any] = {"headers": {"Authorization": header}}
        if method == "PATCH":
            kwargs["json"] = {"full_name": "x"}
        response = await api.request(method, path, **kwargs)
        await expect_problem(response, 401)


async def test_malformed_authorization_header_does_not_fall_back_to_the_cookie(
    users: Users,
) -> None:
    account = await users.with_token()
    assert account.token is not None
    for header in ("Basic x", "Bearer", f"Bearer {account.token}x", f"Bearer {account.token[:-1]}"):
        response = await account.client.get(ME, headers={"Authorization": header})
        await expect_problem(response, 401)
    # ... and the cookie itself is still good.
    response = await account.client.get(ME)
    assert response.status == 200


async def test_missing_authentication_is_401_with_www_authenticate(users: Users) -> None:
    api = await bearer_client(users)
    for path in (ME, TOKENS, USERS, f"{USERS}/1"):
        response = await api.get(path)
        await expect_problem(response, 401)
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), path


async def test_last_used_at_is_set_after_use(users: Users) -> None:
    account = await users.signed_in()
    created = await create_token(account)
    response = await account.client.get(TOKENS)
    assert (await response.json())[0]["last_used_at"] is None

    before = datetime.now(UTC) - timedelta(seconds=5)
    api = await bearer_client(users)
    response = await api.get(ME, headers=bearer(created["token"]))
    assert response.status == 200

    response = await account.client.get(TOKENS)
    (listed,) = await response.json()
    assert listed["last_used_at"] is not None
    used = datetime.fromisoformat(listed["last_used_at"])
    assert before <= used <= datetime.now(UTC) + timedelta(seconds=5)
    row = await ApiToken.get(id=created["id"])
    assert row.last_used_at is not None


async def test_a_use_touches_the_token_at_most_once_a_minute_and_only_for_an_active_owner(
    users: Users,
) -> None:
    account = await users.signed_in()
    created = await create_token(account)
    secret, token_id = created["token"], created["id"]

    async def last_used() -> datetime | None:
        return (await ApiToken.get(id=token_id)).last_used_at

    assert await users_service.authenticate_token(secret=secret) is not None
    first = await last_used()
    assert first is not None
    assert await users_service.authenticate_token(secret=secret) is not None
    assert await last_used() == first  # within the minute: not touched again

    old = first - users_service.TOKEN_TOUCH_EVERY - timedelta(seconds=1)
    await ApiToken.filter(id=token_id).update(last_used_at=old)
    assert await users_service.authenticate_token(secret=secret) is not None
    touched = await last_used()
    assert touched is not None and touched > old

    await ApiToken.filter(id=token_id).update(last_used_at=old)
    await User.filter(id=account.id).update(is_active=False)
    assert await users_service.authenticate_token(secret=secret) is None
    assert await last_used() == old  # a deactivated owner's token is refused, not touched


# --------------------------------------------------------------------------------------------
# Revoking tokens
# --------------------------------------------------------------------------------------------


async def test_revoked_token_is_refused_everywhere(users: Users) -> None:
    account = await users.signed_in()
    doomed = await create_token(account, "doomed")
    kept = await create_token(account, "kept")
    api = await bearer_client(users)
    assert (await api.get(ME, headers=bearer(doomed["token"]))).status == 200

    response = await account.client.delete(
        f"{TOKENS}/{doomed['id']}", headers=account.csrf_headers()
    )
    assert response.status == 204
    assert await response.read() == b""

    attempts: list[tuple[str, str, Any]] = [
        ("GET", ME, None),
        ("GET", TOKENS, None),
        ("PATCH", ME, {"full_name": "x"}),
        ("POST", TOKENS, {"name": "x"}),
        ("DELETE", f"{TOKENS}/{kept['id']}", None),
    ]
    for method, path, body in attempts:
        response = await api.request(method, path, json=body, headers=bearer(doomed["token"]))
        await expect_problem(response, 401)

    response = await account.client.delete(
        f"{TOKENS}/{doomed['id']}", headers=account.csrf_headers()
    )
    await expect_problem(response, 404)

    response = await account.client.get(TOKENS)
    assert [t["id"] for t in await response.json()] == [kept["id"]]
    assert (await api.get(ME, headers=bearer(kept["token"]))).status == 200
    assert (await ApiToken.get(id=doomed["id"])).revoked_at is not None


async def test_a_token_can_revoke_itself(users: Users) -> None:
    account = await users.with_token()
    listed = await (await account.client.get(TOKENS)).json()
    api = await bearer_client(users)
    response = await api.delete(f"{TOKENS}/{listed[0]['id']}", headers=account.headers)
    assert response.status == 204
    await expect_problem(await api.get(ME, headers=account.headers), 401)


async def test_cannot_revoke_another_users_token(users: Users) -> None:
    owner = await users.signed_in()
    attacker = await users.with_token()
    target = await create_token(owner, "victim")

    response = await attacker.client.delete(
        f"{TOKENS}/{target['id']}", headers=attacker.csrf_headers()
    )
    await expect_problem(response, 404)
    api = await bearer_client(users)
    response = await api.delete(f"{TOKENS}/{target['id']}", headers=attacker.headers)
    await expect_problem(response, 404)

    assert (await ApiToken.get(id=target["id"])).revoked_at is None
    response = await api.get(ME, headers=bearer(target["token"]))
    assert response.status == 200
    assert (await response.json())["id"] == owner.id
    assert [t["id"] for t in await (await owner.client.get(TOKENS)).json()] == [target["id"]]


async def test_revoke_needs_csrf_with_a_cookie(users: Users) -> None:
    account = await users.signed_in()
    created = await create_token(account)
    response = await account.client.delete(f"{TOKENS}/{created['id']}")
    await expect_problem(response, 403)
    anonymous = await users.make_client()
    response = await anonymous.delete(f"{TOKENS}/{created['id']}")
    await expect_problem(response, 401)
    assert (await ApiToken.get(id=created["id"])).revoked_at is None


@pytest.mark.parametrize("odd_id", ODD_IDS)
async def test_revoke_odd_token_ids_is_404(users: Users, odd_id: str) -> None:
    account = await users.signed_in()
    created = await create_token(account)
    response = await account.client.delete(f"{TOKENS}/{odd_id}", headers=account.csrf_headers())
    await expect_problem(response, 404)
    assert (await ApiToken.get(id=created["id"])).revoked_at is None


async def test_token_of_a_deactivated_owner_is_refused(users: Users) -> None:
    account = await users.with_token()
    api = await bearer_client(users)
    assert (await api.get(ME, headers=account.headers)).status == 200

    await User.filter(id=account.id).update(is_active=False)
    await asyncio.sleep(IDENTITY_TTL)  # behind the service's back: no control message
    await expect_problem(await api.get(ME, headers=account.headers), 401)
    await expect_problem(await api.get(TOKENS, headers=account.headers), 401)
    await expect_problem(await account.client.get(ME), 401)


# --------------------------------------------------------------------------------------------
# Admin: listing users
# --------------------------------------------------------------------------------------------


async def test_admin_list_walks_pages_without_gaps_or_duplicates(users: Users) -> None:
    admin = await users.signed_in("admin")
    for _ in range(4):
        await users.register()
    await users.register(full_name="Sixth")
    expected = sorted(await User.all().values_list("id", flat=True))
    assert len(expected) == 6

    seen: list[int] = []
    url: str | None = f"{USERS}?per_page=2"
    pages = 0
    while url is not None:
        response = await admin.client.get(url)
        assert response.status == 200, await response.text()
        body = await response.json()
        assert set(body) == {"items", "page", "per_page", "total"}
        assert body["total"] == 6
        assert body["per_page"] == 2
        assert len(body["items"]) == 2
        assert body["page"] == pages + 1
        for item in body["items"]:
            assert set(item) == USER_KEYS, item
        seen += [item["id"] for item in body["items"]]
        rels = links(response)
        assert "page=1" in rels["first"]
        assert "page=3" in rels["last"]
        assert ("prev" in rels) == (body["page"] > 1)
        url = rels.get("next")
        pages += 1
        assert pages <= 3
    assert seen == expected

    # Past the end: an empty page, the same total.
    response = await admin.client.get(f"{USERS}?per_page=2&page=4")
    body = await response.json()
    assert body["items"] == [] and body["total"] == 6
    assert "next" not in links(response)


async def test_admin_list_filters_by_role_and_q(users: Users) -> None:
    admin = await users.signed_in("admin")
    alice = await users.register(email="alice.wonder@example.com", full_name="Alice Liddell")
    bob = await users.register(email="bob@example.org", full_name="Robert WONDERS")
    carol = await users.register(email="carol@example.net", full_name="Carol")
    await User.filter(id=carol["id"]).update(role="instructor")
    await User.filter(id=bob["id"]).update(role="instructor")

    async def ids(query: str) -> tuple[list[int], int]:
        response = await admin.client.get(f"{USERS}?{query}")
        assert response.status == 200, await response.text()
        body = await response.json()
        return [item["id"] for item in body["items"]], body["total"]

    assert await ids("role=instructor") == ([bob["id"], carol["id"]], 2)
    assert await ids("role=admin") == ([admin.id], 1)
    assert await ids("role=student") == ([alice["id"]], 1)
    assert await ids("q=wonder") == ([alice["id"], bob["id"]], 2)
    assert await ids("q=WoNdEr") == ([alice["id"], bob["id"]], 2)
    assert await ids("q=LIDDELL") == ([alice["id"]], 1)
    assert await ids("q=example.org") == ([bob["id"]], 1)
    assert await ids("q=wonder&role=instructor") == ([bob["id"]], 1)
    assert await ids("q=nobody-matches") == ([], 0)
    # LIKE wildcards are literal characters, not patterns.
    assert await ids("q=%25") == ([], 0)
    assert await ids("q=_") == ([], 0)
    assert await ids("q=a%25e") == ([], 0)

    # The filters survive into the Link header.
    response = await admin.client.get(f"{USERS}?role=instructor&q=o&per_page=1")
    rels = links(response)
    assert "role=instructor" in rels["next"] and "q=o" in rels["next"]
    assert "per_page=1" in rels["next"] and "page=2" in rels["next"]


async def test_admin_list_caps_per_page_at_100(users: Users) -> None:
    admin = await users.signed_in("admin")
    for per_page in ("101", "1000", "99999999999999999999999"):
        response = await admin.client.get(f"{USERS}?per_page={per_page}")
        assert response.status == 200, await response.text()
        body = await response.json()
        assert body["per_page"] == 100
        assert body["total"] == 1
        assert "per_page=100" in links(response)["last"]


@pytest.mark.parametrize(
    "query",
    [
        "per_page=0",
        "per_page=-5",
        "per_page=abc",
        "per_page=1.5",
        "page=0",
        "page=-1",
        "page=abc",
        "page=",
        "page=1000001",
        "role=wizard",
        "role=ADMIN",
        "role=",
        "page=1&page=2",
        "role=student&role=admin",
        "q=a&q=b",
        "foo=bar",
        "sort=password_hash",
        "q=" + "x" * 101,
    ],
)
async def test_admin_list_rejects_bad_query(users: Users, query: str) -> None:
    admin = await users.signed_in("admin")
    response = await admin.client.get(f"{USERS}?{query}")
    problem = await expect_problem(response, 422)
    assert problem["errors"], problem


# --------------------------------------------------------------------------------------------
# Admin: one user, and changing users
# --------------------------------------------------------------------------------------------


async def test_admin_gets_one_user(users: Users) -> None:
    admin = await users.signed_in("admin")
    other = await users.register(full_name="Someone")
    response = await admin.client.get(f"{USERS}/{other['id']}")
    assert response.status == 200
    body = await response.json()
    assert set(body) == USER_KEYS
    assert body["id"] == other["id"] and body["full_name"] == "Someone"
    await expect_problem(await admin.client.get(f"{USERS}/{other['id'] + 1000}"), 404)


@pytest.mark.parametrize("odd_id", ODD_IDS)
async def test_admin_odd_user_ids_are_404(users: Users, odd_id: str) -> None:
    admin = await users.signed_in("admin")
    await expect_problem(await admin.client.get(f"{USERS}/{odd_id}"), 404)
    response = await admin.client.patch(
        f"{USERS}/{odd_id}", json={"role": "student"}, headers=admin.csrf_headers()
    )
    await expect_problem(response, 404)
    assert (await User.get(id=admin.id)).role == "admin"


async def test_admin_patch_unknown_user_is_404(users: Users) -> None:
    admin = await users.signed_in("admin")
    response = await admin.client.patch(
        f"{USERS}/{admin.id + 1000}", json={"role": "student"}, headers=admin.csrf_headers()
    )
    await expect_problem(response, 404)


async def test_demoted_instructor_is_a_student_from_the_next_request(users: Users) -> None:
    admin = await users.signed_in("admin")
    instructor = await users.with_token("instructor")
    api = await bearer_client(users)
    assert (await (await instructor.client.get(ME)).json())["role"] == "instructor"

    response = await admin.client.patch(
        f"{USERS}/{instructor.id}", json={"role": "student"}, headers=admin.csrf_headers()
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["role"] == "student"
    assert (await User.get(id=instructor.id)).role == "student"

    assert (await (await instructor.client.get(ME)).json())["role"] == "student"
    assert (await (await api.get(ME, headers=instructor.headers)).json())["role"] == "student"
    response = await admin.client.get(f"{USERS}/{instructor.id}")
    assert (await response.json())["role"] == "student"


async def test_promoted_student_can_use_admin_endpoints_at_once(users: Users) -> None:
    admin = await users.signed_in("admin")
    student = await users.with_token("student")
    api = await bearer_client(users)
    await expect_problem(await student.client.get(USERS), 403)
    await expect_problem(await api.get(USERS, headers=student.headers), 403)

    response = await admin.client.patch(
        f"{USERS}/{student.id}", json={"role": "admin"}, headers=admin.csrf_headers()
    )
    assert response.status == 200, await response.text()

    assert (await (await student.client.get(ME)).json())["role"] == "admin"
    response = await student.client.get(USERS)
    assert response.status == 200
    assert (await response.json())["total"] == 2
    assert (await api.get(USERS, headers=student.headers)).status == 200


async def test_deactivating_a_user_ends_their_session_and_token_at_once(users: Users) -> None:
    admin = await users.signed_in("admin")
    target = await users.with_token("instructor")
    api = await bearer_client(users)
    assert (await target.client.get(ME)).status == 200
    assert (await api.get(ME, headers=target.headers)).status == 200

    response = await admin.client.patch(
        f"{USERS}/{target.id}", json={"is_active": False}, headers=admin.csrf_headers()
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["is_active"] is False and body["role"] == "instructor"

    await expect_problem(await target.client.get(ME), 401)
    await expect_problem(await api.get(ME, headers=target.headers), 401)
    response = await target.client.patch(
        ME, json={"full_name": "Still here"}, headers=target.csrf_headers()
    )
    await expect_problem(response, 401)
    relogin = await users.make_client()
    response = await relogin.post(
        "/api/v1/auth/login", json={"email": target.email, "password": target.password}
    )
    await expect_problem(response, 403)
    response = await admin.client.get(f"{USERS}?q={target.email}")
    assert (await response.json())["items"][0]["is_active"] is False


async def test_admin_patch_accepts_only_role_and_strict_is_active(users: Users) -> None:
    admin = await users.signed_in("admin")
    target = await users.register(full_name="Target")
    before = await User.get(id=target["id"])
    bad_bodies: list[Any] = [
        {"email": "evil@example.com"},
        {"password_hash": "x"},
        {"auth_epoch": 99},
        {"id": 1},
        {"full_name": "Renamed"},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"role": "admin", "email": "evil@example.com"},
        {"role": "superuser"},
        {"role": "ADMIN"},
        {"role": " admin"},
        {"role": None},
        {"role": 1},
        {"is_active": "yes"},
        {"is_active": "true"},
        {"is_active": 1},
        {"is_active": 0},
        {"is_active": None},
        {"role": "admin", "is_active": "false"},
        [],
        "role",
    ]
    for body in bad_bodies:
        response = await admin.client.patch(
            f"{USERS}/{target['id']}", json=body, headers=admin.csrf_headers()
        )
        problem = await expect_problem(response, 422)
        assert problem["type"] == "urn:ocp:problem:validation-failed", body
    after = await User.get(id=target["id"])
    for column in ("email", "password_hash", "auth_epoch", "full_name", "role", "is_active"):
        assert getattr(after, column) == getattr(before, column), column

    response = await admin.client.patch(
        f"{USERS}/{target['id']}",
        json={"role": "instructor", "is_active": False},
        headers=admin.csrf_headers(),
    )
    assert response.status == 200
    after = await User.get(id=target["id"])
    assert (after.role, after.is_active) == ("instructor", False)
    response = await admin.client.patch(
        f"{USERS}/{target['id']}", json={"is_active": True}, headers=admin.csrf_headers()
    )
    assert (await response.json())["is_active"] is True


@pytest.mark.parametrize(
    "change",
    [
        {"role": "student"},
        {"role": "instructor"},
        {"is_active": False},
        {"role": "admin", "is_active": False},
        {"role": "student", "is_active": True},
    ],
)
async def test_last_active_admin_cannot_remove_themselves(
    users: Users, change: dict[str, Any]
) -> None:
    admin = await users.signed_in("admin")
    # A deactivated admin does not count as another admin.
    dormant = await users.register()
    await User.filter(id=dormant["id"]).update(role="admin", is_active=False)

    response = await admin.client.patch(
        f"{USERS}/{admin.id}", json=change, headers=admin.csrf_headers()
    )
    await expect_problem(response, 409)
    row = await User.get(id=admin.id)
    assert (row.role, row.is_active) == ("admin", True)
    assert (await (await admin.client.get(ME)).json())["role"] == "admin"
    assert (await admin.client.get(USERS)).status == 200

    # Harmless changes to oneself are fine.
    response = await admin.client.patch(
        f"{USERS}/{admin.id}",
        json={"role": "admin", "is_active": True},
        headers=admin.csrf_headers(),
    )
    assert response.status == 200


async def test_with_two_admins_one_can_demote_the_other(users: Users) -> None:
    first = await users.signed_in("admin")
    second = await users.with_token("admin")
    api = await bearer_client(users)

    response = await first.client.patch(
        f"{USERS}/{second.id}", json={"role": "instructor"}, headers=first.csrf_headers()
    )
    assert response.status == 200, await response.text()
    await expect_problem(await second.client.get(USERS), 403)
    await expect_problem(await api.get(USERS, headers=second.headers), 403)
    response = await second.client.patch(
        f"{USERS}/{second.id}", json={"role": "admin"}, headers=second.csrf_headers()
    )
    await expect_problem(response, 403)
    assert (await User.get(id=second.id)).role == "instructor"

    # Now the first one is the last admin.
    response = await first.client.patch(
        f"{USERS}/{first.id}", json={"role": "student"}, headers=first.csrf_headers()
    )
    await expect_problem(response, 409)


async def test_with_two_admins_one_can_deactivate_the_other(users: Users) -> None:
    first = await users.signed_in("admin")
    second = await users.signed_in("admin")
    response = await second.client.patch(
        f"{USERS}/{first.id}", json={"is_active": False}, headers=second.csrf_headers()
    )
    assert response.status == 200
    await expect_problem(await first.client.get(USERS), 401)
    response = await second.client.patch(
        f"{USERS}/{second.id}", json={"is_active": False}, headers=second.csrf_headers()
    )
    await expect_problem(response, 409)


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(users: Users) -> None:
    """Parallel demotions must never leave no admin; a few rounds, since races need luck."""
    first = await users.signed_in("admin")
    second = await users.signed_in("admin")
    for attempt in range(10):
        await User.filter(id__in=[first.id, second.id]).update(role="admin", is_active=True)
        responses = await asyncio.gather(
            first.client.patch(
                f"{USERS}/{second.id}", json={"role": "student"}, headers=first.csrf_headers()
            ),
            second.client.patch(
                f"{USERS}/{first.id}", json={"role": "student"}, headers=second.csrf_headers()
            ),
        )
        statuses = sorted(r.status for r in responses)
        admins = await User.filter(role="admin", is_active=True).count()
        assert admins == 1, f"round {attempt}: {admins} active admins left; statuses {statuses}"
        # The loser is refused: 409 (last admin) or 403 (already demoted when it arrived).
        assert statuses in ([200, 403], [200, 409]), statuses


async def test_two_admins_stepping_down_at_once_leave_one_admin(users: Users) -> None:
    first = await users.signed_in("admin")
    second = await users.signed_in("admin")
    for attempt in range(10):
        await User.filter(id__in=[first.id, second.id]).update(role="admin")
        responses = await asyncio.gather(
            *(
                admin.client.patch(
                    f"{USERS}/{admin.id}", json={"role": "student"}, headers=admin.csrf_headers()
                )
                for admin in (first, second)
            )
        )
        statuses = sorted(r.status for r in responses)
        admins = await User.filter(role="admin", is_active=True).count()
        assert admins == 1, f"round {attempt}: {admins} active admins left; statuses {statuses}"
        assert statuses == [200, 409], statuses


@pytest.mark.parametrize("role", ["student", "instructor"])
async def test_non_admins_get_403_on_admin_endpoints(users: Users, role: str) -> None:
    caller = await users.with_token(role)
    other = await users.register()
    api = await bearer_client(users)
    for target in (caller.id, other["id"]):
        for client, headers in (
            (caller.client, caller.csrf_headers()),
            (api, caller.headers),
        ):
            await expect_problem(await client.get(USERS, headers=headers), 403)
            await expect_problem(await client.get(f"{USERS}?role=admin", headers=headers), 403)
            await expect_problem(await client.get(f"{USERS}/{target}", headers=headers), 403)
            for body in ({"role": "admin"}, {"is_active": False}):
                response = await client.patch(f"{USERS}/{target}", json=body, headers=headers)
                await expect_problem(response, 403)
    assert (await User.get(id=caller.id)).role == role
    row = await User.get(id=other["id"])
    assert (row.role, row.is_active) == ("student", True)


async def test_anonymous_gets_401_on_admin_endpoints(users: Users) -> None:
    target = await users.register()
    anonymous = await users.make_client()
    await expect_problem(await anonymous.get(USERS), 401)
    await expect_problem(await anonymous.get(f"{USERS}/{target['id']}"), 401)
    response = await anonymous.patch(f"{USERS}/{target['id']}", json={"role": "admin"})
    await expect_problem(response, 401)
    assert (await User.get(id=target["id"])).role == "student"


async def test_admin_patch_with_cookie_needs_csrf_and_our_origin(users: Users) -> None:
    admin = await users.signed_in("admin")
    target = await users.register()
    url = f"{USERS}/{target['id']}"
    await expect_problem(await admin.client.patch(url, json={"role": "admin"}), 403)
    response = await admin.client.patch(
        url, json={"role": "admin"}, headers={"X-CSRF-Token": "nope"}
    )
    await expect_problem(response, 403)
    response = await admin.client.patch(
        url,
        json={"role": "admin"},
        headers={**admin.csrf_headers(), "Origin": "https://evil.example"},
    )
    await expect_problem(response, 403)
    assert (await User.get(id=target["id"])).role == "student"


# --------------------------------------------------------------------------------------------
# Request ids and security headers
# --------------------------------------------------------------------------------------------


async def test_sane_request_id_is_echoed_in_headers_and_problems(users: Users) -> None:
    api = await bearer_client(users)
    rid = "abc12345-trace"
    response = await api.get(ME, headers={"X-Request-ID": rid})
    assert response.headers["X-Request-ID"] == rid
    assert (await expect_problem(response, 401))["request_id"] == rid

    account = await users.signed_in()
    response = await account.client.get(ME, headers={"X-Request-ID": "trace.ABC_123-xyz"})
    assert response.status == 200
    assert response.headers["X-Request-ID"] == "trace.ABC_123-xyz"

    response = await api.get("/api/v1/no-such-route", headers={"X-Request-ID": rid})
    assert (await expect_problem(response, 404))["request_id"] == rid


@pytest.mark.parametrize(
    "given",
    ["has spaces in it", "a" * 200, "short", "semi;colon-12345", "<script>alert(1)</script>"],
)
async def test_insane_request_id_is_replaced(users: Users, given: str) -> None:
    api = await bearer_client(users)
    response = await api.get(ME, headers={"X-Request-ID": given})
    rid = response.headers["X-Request-ID"]
    assert rid and rid != given and given not in rid
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", rid)
    assert (await expect_problem(response, 401))["request_id"] == rid


async def test_every_response_has_a_fresh_request_id(users: Users) -> None:
    admin = await users.signed_in("admin")
    seen = set()
    for method, path in (
        ("GET", ME),
        ("GET", USERS),
        ("GET", f"{USERS}/abc"),
        ("GET", "/api/v1/nothing-here"),
        ("PUT", ME),
    ):
        response = await admin.client.request(method, path)
        assert response.status < 500
        rid = response.headers.get("X-Request-ID")
        assert rid, (method, path)
        seen.add(rid)
    assert len(seen) == 5


async def test_security_headers_on_api_responses(users: Users) -> None:
    admin = await users.with_token("admin")
    api = await bearer_client(users)
    responses = [
        await admin.client.get(ME),
        await api.get(USERS, headers=admin.headers),
        await api.get(TOKENS, headers=admin.headers),
        await api.get(ME),  # 401 problem
        await admin.client.post(TOKENS, json={"name": "x"}),  # 403 problem
        await admin.client.post(TOKENS, json={"name": "x"}, headers=admin.csrf_headers()),
        await api.get(f"{USERS}/999999", headers=admin.headers),  # 404 problem
    ]
    for response in responses:
        where = f"{response.method} {response.url.path} -> {response.status}"
        assert response.headers.get("X-Content-Type-Options") == "nosniff", where
        assert "no-store" in response.headers.get("Cache-Control", ""), where
        assert response.headers.get("Content-Security-Policy"), where
