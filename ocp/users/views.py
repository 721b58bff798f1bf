"""HTTP handlers for accounts: parse, call ``users.service``, serialize."""

from __future__ import annotations

from aiohttp import web

from ocp import domains
from ocp.appkeys import BUS, EVENTS, LIMITER, SESSIONS, SETTINGS
from ocp.realtime import control
from ocp.users import service as users_service
from ocp.users.models import User
from ocp.users.schemas import (
    AdminUserUpdateSchema,
    LoginSchema,
    MeSchema,
    PasswordChangeSchema,
    ProfileUpdateSchema,
    RegisterSchema,
    SessionSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserListQuerySchema,
    UserSchema,
)
from ocp.web.auth import caller_of, client_address
from ocp.web.endpoint import PUBLIC, SIGNED_IN, Endpoint, only
from ocp.web.pagination import offset, page_response, window
from ocp.web.parsing import path_id, read_body, read_query
from ocp.web.responses import dumped, json_body, no_content

ACCOUNTS, TOKENS, ADMIN = "Accounts", "API tokens", "Admin: users"


async def register(request: web.Request) -> web.Response:
    data = await read_body(request, RegisterSchema())
    user = await users_service.register(
        **data,
        address=client_address(request),
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    return dumped(UserSchema(), user, status=201)


async def login(request: web.Request) -> web.Response:
    data = await read_body(request, LoginSchema())
    user = await users_service.login(
        **data,
        address=client_address(request),
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    replaced = await request.app[SESSIONS].end(request)  # signing in again ends the old one
    csrf_token = await request.app[SESSIONS].start(request, user_id=user.id, epoch=user.auth_epoch)
    if replaced is not None:
        await control.rights_changed(request.app[BUS], user_id=replaced.user_id)
    return dumped(SessionSchema(), {"user": user, "csrf_token": csrf_token})


async def logout(request: web.Request) -> web.Response:
    ended = await request.app[SESSIONS].end(request)
    if ended is not None:
        await control.rights_changed(request.app[BUS], user_id=ended.user_id)
    return no_content()


async def current_session(request: web.Request) -> web.Response:
    caller = caller_of(request)
    csrf_token = caller.session.csrf_token if caller.session else None
    return dumped(SessionSchema(), {"user": caller.user, "csrf_token": csrf_token})


async def _own_account(user: User) -> web.Response:
    """The caller's account, with the figures other domains keep for it (MeSchema)."""
    figures = {name: await get(user) for name, get in domains.account_fields().items()}
    return json_body({**UserSchema().dump(user), **figures})


async def me(request: web.Request) -> web.Response:
    return await _own_account(caller_of(request).user)


async def update_me(request: web.Request) -> web.Response:
    changes = await read_body(request, ProfileUpdateSchema())
    user = await users_service.update_profile(
        user=caller_of(request).user, changes=changes, events=request.app[EVENTS]
    )
    return await _own_account(user)


async def change_password(request: web.Request) -> web.Response:
    data = await read_body(request, PasswordChangeSchema())
    caller = caller_of(request)
    user = await users_service.change_password(
        user=caller.user,
        **data,
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    if caller.session is not None:
        await request.app[SESSIONS].start(
            request, user_id=user.id, epoch=user.auth_epoch, continues=caller.session
        )
    # After the re-issue, so the sockets of this session carry on and only the others end.
    await control.rights_changed(request.app[BUS], user_id=user.id)
    return no_content()


async def create_token(request: web.Request) -> web.Response:
    data = await read_body(request, TokenCreateSchema())
    token, secret = await users_service.create_token(
        user=caller_of(request).user, name=data["name"]
    )
    return web.json_response({**TokenSchema().dump(token), "token": secret}, status=201)


async def list_tokens(request: web.Request) -> web.Response:
    tokens = await users_service.list_tokens(user=caller_of(request).user)
    return dumped(TokenSchema(many=True), tokens)


async def revoke_token(request: web.Request) -> web.Response:
    await users_service.revoke_token(
        user=caller_of(request).user, token_id=path_id(request), bus=request.app[BUS]
    )
    return no_content()


async def list_users(request: web.Request) -> web.Response:
    query = read_query(request, UserListQuerySchema())
    page, per_page = window(query)
    users, total = await users_service.list_users(
        role=query.get("role"), q=query.get("q"), offset=offset(page, per_page), limit=per_page
    )
    return page_response(
        request, items=users, schema=UserSchema(), page=page, per_page=per_page, total=total
    )


async def get_user(request: web.Request) -> web.Response:
    return dumped(UserSchema(), await users_service.get_or_raise(user_id=path_id(request)))


async def update_user(request: web.Request) -> web.Response:
    changes = await read_body(request, AdminUserUpdateSchema())
    user = await users_service.update_by_admin(
        user_id=path_id(request), changes=changes, bus=request.app[BUS]
    )
    return dumped(UserSchema(), user)


routes = [
    Endpoint(
        "POST",
        "/api/v1/auth/register",
        register,
        PUBLIC,
        "Create a student account",
        ACCOUNTS,
        body=RegisterSchema,
        csrf=False,
        ignores_stale_session=True,
        status=201,
        response=UserSchema,
        errors=(409, 429),
        description="The email is trimmed and lower-cased; the password is 10-128 characters.",
    ),
    Endpoint(
        "POST",
        "/api/v1/auth/login",
        login,
        PUBLIC,
        "Sign in with a session cookie",
        ACCOUNTS,
        body=LoginSchema,
        csrf=False,
        ignores_stale_session=True,
        response=SessionSchema,
        errors=(401, 403, 429),
        description=(
            "Sets the `ocp_session` cookie under a fresh session id and returns the CSRF token "
            "to send as `X-CSRF-Token` on every unsafe cookie-authenticated request. Unknown "
            "email and wrong password both answer 401; a deactivated account 403. After 5 "
            "failed attempts for one email, or 30 from one address, within 15 minutes: 429 "
            "with `Retry-After`; an account keeps signing in from an address it signed in from "
            "in the last 30 days, with a budget of its own there (5 failures)."
        ),
    ),
    Endpoint(
        "POST",
        "/api/v1/auth/logout",
        logout,
        PUBLIC,
        "Sign out",
        ACCOUNTS,
        status=204,
        ignores_stale_session=True,
        description=(
            "Removes the session on the server side and clears the cookie. Answers 204 also "
            "without a session, or with the cookie of one that has already ended."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/auth/session",
        current_session,
        SIGNED_IN,
        "The current session",
        ACCOUNTS,
        response=SessionSchema,
        description=(
            "The caller and, for cookie sessions, the CSRF token again (for a page that was "
            "reloaded). `csrf_token` is null for Bearer tokens."
        ),
    ),
    Endpoint("GET", "/api/v1/users/me", me, SIGNED_IN, "My account", ACCOUNTS, response=MeSchema),
    Endpoint(
        "PATCH",
        "/api/v1/users/me",
        update_me,
        SIGNED_IN,
        "Change my profile",
        ACCOUNTS,
        body=ProfileUpdateSchema,
        response=MeSchema,
    ),
    Endpoint(
        "POST",
        "/api/v1/users/me/password",
        change_password,
        SIGNED_IN,
        "Change my password",
        ACCOUNTS,
        body=PasswordChangeSchema,
        status=204,
        errors=(429,),
        error_notes={
            403: (
                "The current password is wrong (`errors.current_password`; it counts toward "
                "the sign-in limit), or a missing CSRF token or a foreign Origin."
            ),
            422: "Validation failed, or the new password is the current one.",
        },
        description=(
            "Every other session of the account stops working; this one continues under a new "
            "session id and CSRF token (read it from `GET /api/v1/auth/session`). API tokens "
            "stay valid: revoke them separately."
        ),
    ),
    Endpoint(
        "POST",
        "/api/v1/auth/tokens",
        create_token,
        SIGNED_IN,
        "Create an API token",
        TOKENS,
        body=TokenCreateSchema,
        status=201,
        response=TokenCreatedSchema,
        errors=(409,),
        secret_fields=("token",),
        description=(
            "The secret is in this response only. Use it as `Authorization: Bearer <token>`. "
            "Sent again with the same `Idempotency-Key`, the answer is replayed with `token` "
            "null: if the first answer was lost, revoke that token and create another."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/auth/tokens",
        list_tokens,
        SIGNED_IN,
        "My active API tokens",
        TOKENS,
        response=TokenSchema,
        response_many=True,
    ),
    Endpoint(
        "DELETE",
        "/api/v1/auth/tokens/{id}",
        revoke_token,
        SIGNED_IN,
        "Revoke an API token",
        TOKENS,
        status=204,
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/api/v1/users",
        list_users,
        only("admin"),
        "List users",
        ADMIN,
        query=UserListQuerySchema,
        response=UserSchema,
        paginated=True,
        description="`q` matches part of the email or the full name.",
    ),
    Endpoint(
        "GET",
        "/api/v1/users/{id}",
        get_user,
        only("admin"),
        "One user",
        ADMIN,
        response=UserSchema,
        errors=(404,),
    ),
    Endpoint(
        "PATCH",
        "/api/v1/users/{id}",
        update_user,
        only("admin"),
        "Change a user's role or status",
        ADMIN,
        body=AdminUserUpdateSchema,
        response=UserSchema,
        errors=(404, 409),
        description=(
            "A deactivated user's sessions and tokens stop working at once; a role change "
            "applies from the next request. The last active admin cannot be demoted or "
            "deactivated (409)."
        ),
    ),
]
