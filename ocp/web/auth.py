"""Who is calling, and may they: session cookie or Bearer token, role rules, CSRF and Origin.

Every route is declared with an ``Access`` (see ``ocp.web.endpoint``); a route without one
is refused (deny by default). A credential that does not hold is a 401 wherever it is sent,
public routes included, whatever else the request carries: an unknown or revoked token, or a
session cookie whose session has ended (that answer also clears the cookie).
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from aiohttp import web

from ocp.appkeys import CALLER, IDENTITIES, SESSIONS, SETTINGS
from ocp.errors import Forbidden, Unauthorized
from ocp.users import service as users_service
from ocp.users.models import User
from ocp.web.endpoint import Endpoint, endpoint_of
from ocp.web.problems import DEFAULT_CHALLENGE as CHALLENGE
from ocp.web.problems import problem_response
from ocp.web.sessions import SessionState

CSRF_HEADER = "X-CSRF-Token"
# RFC 6750 challenges; no error code (CHALLENGE) when no credential, or another scheme's, came.
REFUSED_BEARER = 'Bearer realm="ocp", error="invalid_token"'
MALFORMED_BEARER = 'Bearer realm="ocp", error="invalid_request"'


@dataclass(frozen=True)
class Caller:
    user: User
    via: Literal["session", "token", "ticket"]
    session: SessionState | None = None
    token_id: int | None = None
    epoch: int | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def role(self) -> str:
        return str(self.user.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def caller_of(request: web.Request) -> Caller:
    """The signed-in caller of an endpoint whose access rule demanded one."""
    caller = request.get(CALLER)
    if caller is None:
        raise Unauthorized()
    return caller


def client_address(request: web.Request) -> str:
    """The client's address; the proxy's ``X-Forwarded-For`` only when told to trust it."""
    if request.app[SETTINGS].trust_forwarded:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.remote or "unknown"


async def _bearer_caller(request: web.Request, header: str) -> Caller:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized(
            "Authorization must be 'Bearer <token>'", headers={"WWW-Authenticate": CHALLENGE}
        )
    if not secret.strip():
        raise Unauthorized(
            "Authorization must be 'Bearer <token>'", headers={"WWW-Authenticate": MALFORMED_BEARER}
        )
    secret = secret.strip()
    identities = request.app[IDENTITIES]
    token_hash = users_service.hash_token(secret) if secret.isascii() else None
    known = identities.get(token_hash) if token_hash is not None else None
    if known is not None:
        return Caller(user=copy.copy(known.user), via="token", token_id=known.token_id)
    found = await users_service.authenticate_token(secret=secret)
    if found is None:
        raise Unauthorized(
            "The token is unknown, revoked, or its owner is deactivated",
            headers={"WWW-Authenticate": REFUSED_BEARER},
        )
    user, token_id = found
    if token_hash is not None:
        identities.put(token_hash, copy.copy(user), token_id)
    return Caller(user=user, via="token", token_id=token_id)


async def _session_caller(request: web.Request) -> Caller | None:
    state = await request.app[SESSIONS].read(request)
    if state is None:
        return None
    user = await users_service.get(user_id=state.user_id)
    if user is None or not user.is_active or user.auth_epoch != state.epoch:
        await request.app[SESSIONS].end(request)
        return None
    return Caller(user=user, via="session", session=state)


def origin_allowed(request: web.Request, origin: str) -> bool:
    """The Origin is this host or one of ``OCP_ALLOWED_ORIGINS``."""
    origin = origin.rstrip("/")
    if origin in request.app[SETTINGS].allowed_origins:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


def _check_browser_request(request: web.Request, endpoint: Endpoint, caller: Caller | None) -> None:
    """Unsafe requests without a token: the Origin (if sent) must be ours, and a session's
    CSRF token must match."""
    origin = request.headers.get("Origin")
    if origin is not None and not origin_allowed(request, origin):
        raise Forbidden("Cross-origin request refused (Origin not allowed)")
    if caller is not None and caller.session is not None and endpoint.csrf:
        given = request.headers.get(CSRF_HEADER, "")
        expected = caller.session.csrf_token.encode()
        if not secrets.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            raise Forbidden(f"Missing or wrong {CSRF_HEADER} header")


def _session_ended(request: web.Request) -> web.Response:
    """401 for a session cookie that no longer holds; the answer clears the cookie (returned,
    not raised, so that the session middleware still sees the ended session)."""
    response = problem_response(
        request,
        status=401,
        code="unauthorized",
        title=Unauthorized.title,
        detail="The session has ended (signed out, expired or replaced): sign in again",
        headers={"WWW-Authenticate": CHALLENGE},
    )
    request.app[SESSIONS].clear_cookie(response)
    return response


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Resolve the caller, then enforce the endpoint's access rule, CSRF and Origin."""
    if request.match_info.http_exception is not None:
        return await handler(request)  # 404/405 become problems
    endpoint = endpoint_of(request)
    if endpoint is None:
        raise Forbidden("This route has no access rule")
    if endpoint.own_credentials:
        request[CALLER] = None
        return await handler(request)
    header = request.headers.get("Authorization")
    caller = await _bearer_caller(request, header) if header is not None else None
    if request.app[SESSIONS].presented(request):
        from_cookie = await _session_caller(request)
        if from_cookie is None and not endpoint.ignores_stale_session:
            return _session_ended(request)
        caller = caller or from_cookie
    if header is None and endpoint.unsafe:
        _check_browser_request(request, endpoint, caller)
    request[CALLER] = caller
    if endpoint.access.authenticated:
        if caller is None:
            credential = endpoint.query_credential
            if credential is not None and request.query.get(credential):
                return await handler(request)  # the handler redeems it, or answers 401
            raise Unauthorized(headers={"WWW-Authenticate": CHALLENGE})
        if not endpoint.access.allows_role(caller.role):
            raise Forbidden(
                f"This needs one of the roles: {', '.join(sorted(endpoint.access.roles))}"
            )
    return await handler(request)
