"""Declarative routes: one ``Endpoint`` says path, handler, who may call it and what it takes.

The same declaration drives routing, the access check (deny by default) and the OpenAPI
document, so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from marshmallow import Schema

from ocp.appkeys import ENDPOINTS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROLES = ("student", "instructor", "admin")


@dataclass(frozen=True)
class Access:
    """Who may call an endpoint: anyone, any signed-in user, or only some roles."""

    authenticated: bool
    roles: frozenset[str] = frozenset()

    def allows_role(self, role: str) -> bool:
        return not self.roles or role in self.roles

    def describe(self) -> str:
        if not self.authenticated:
            return "Public."
        if not self.roles:
            return "Any signed-in user."
        return "Roles: " + ", ".join(r for r in ROLES if r in self.roles) + "."


PUBLIC = Access(authenticated=False)
SIGNED_IN = Access(authenticated=True)


def only(*roles: str) -> Access:
    """Access for signed-in users with one of ``roles``."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return Access(authenticated=True, roles=frozenset(roles))


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    access: Access
    summary: str
    tag: str
    body: type[Schema] | None = None
    # False where the JSON body may be left out altogether (all its fields optional).
    body_required: bool = True
    # A form body (file uploads; a browser's plain form post), described by this schema in
    # the docs and sent as ``form_media_type``.
    form: type[Schema] | None = None
    form_media_type: str = "multipart/form-data"
    query: type[Schema] | None = None
    status: int = 200
    response: type[Schema] | None = None
    # Answers besides the success and the problem+json errors, as OpenAPI response objects by
    # status: a 206 with its headers, a 304 without a body.
    other_responses: Mapping[int, Mapping[str, object]] = field(default_factory=dict)
    response_many: bool = False
    # Other media types the success may come as, chosen by the query (``?format=csv``):
    # documented beside ``media_type`` as plain text bodies.
    also_media_types: tuple[str, ...] = ()
    paginated: bool = False
    errors: tuple[int, ...] = ()
    # What an error status means on this operation, where the generic text says too little
    # (402 on a paid course, say); a status named here is documented like those in ``errors``.
    error_notes: Mapping[int, str] = field(default_factory=dict)
    description: str = ""
    media_type: str = "application/json"
    # False only where a request starts a session (login, register): the Origin check stays.
    csrf: bool = True
    # True where the handler checks an Authorization header of its own (GET /metrics): no
    # caller is resolved from it.
    own_credentials: bool = False
    # A credential of the handler's own besides cookie and Bearer, passed as this query
    # parameter (the WebSocket's ``?ticket=``): a request that carries it and no other goes on
    # to the handler, which redeems it or answers 401.
    query_credential: str | None = None
    # True only where a session cookie that no longer holds is replaced or ended rather than
    # refused (login, register, logout).
    ignores_stale_session: bool = False
    # Fields of the answer that hold a secret shown once (a token, a signing secret): an
    # answer replayed for an Idempotency-Key has them null, and they are never kept.
    secret_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.query_credential is not None and self.access.roles:
            raise ValueError("a query credential is redeemed by the handler: no role rules")

    @property
    def unsafe(self) -> bool:
        return self.method not in {"GET", "HEAD", "OPTIONS"}


def add_endpoints(app: web.Application, endpoints: Iterable[Endpoint]) -> None:
    """Register every endpoint with the router and remember its declaration for the checks."""
    registry = app[ENDPOINTS]
    for endpoint in endpoints:
        route = app.router.add_route(endpoint.method, endpoint.path, endpoint.handler)
        registry[route] = endpoint


def endpoint_of(request: web.Request) -> Endpoint | None:
    return request.app[ENDPOINTS].get(request.match_info.route)
