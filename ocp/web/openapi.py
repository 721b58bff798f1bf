"""The OpenAPI 3 document, generated from the endpoint declarations and their schemas."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from ocp import __version__
from ocp.web.auth import CSRF_HEADER
from ocp.web.endpoint import Endpoint
from ocp.web.schemas import MAX_ID, PageSchema, ProblemSchema
from ocp.web.sessions import COOKIE_NAME

PROBLEM_MEDIA_TYPE = "application/problem+json"
ERROR_TEXT = {
    400: "Malformed request (for example, a body that is not JSON).",
    401: (
        "Not signed in, or a credential that does not hold: an unknown or revoked token, a "
        "malformed `Authorization` header, or the cookie of an ended session (this answer "
        "clears it)."
    ),
    402: "Payment required: this needs a payment first.",
    403: "Authenticated but not allowed (role, CSRF token, or Origin).",
    404: "Not found, or not visible to the caller.",
    409: "Conflicts with the current state.",
    413: "The body is too large.",
    415: "The body is not of the media type this operation takes.",
    422: "Validation failed; `errors` maps each field to its messages.",
    429: "Too many attempts; retry after `Retry-After` seconds.",
    503: "A dependency is down, or busy: try again (`Retry-After` when known).",
    507: "The server has no room to store this now.",
}
PUBLIC_401 = (
    "A credential was sent that does not hold (an unknown or revoked token, a malformed "
    "`Authorization` header, or the cookie of an ended session, which this answer clears). "
    "This operation needs none, but refuses a bad one: send none instead."
)
HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": (
                'RFC 6750: `Bearer realm="ocp"`, with `error="invalid_token"` for a token '
                'that does not hold and `error="invalid_request"` for a malformed one.'
            ),
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}
DESCRIPTION = f"""
The OCP REST API. JSON in, JSON out; every error is an RFC 9457 problem
(`application/problem+json`) with `type`, `title`, `status`, `detail`, `request_id` and, for
validation errors, `errors` (field -> messages). Unknown fields in a body are refused (422).

**Authentication.** Browsers sign in with `POST /api/v1/auth/login`, which sets the
`{COOKIE_NAME}` cookie and returns a CSRF token: send it as `{CSRF_HEADER}` on every
POST/PUT/PATCH/DELETE made with the cookie. Scripts and dashboards use a personal API token
(`POST /api/v1/auth/tokens`) as `Authorization: Bearer <token>`, which needs no CSRF token.
To try the API from this page, create a token and use **Authorize**. A credential that does
not hold (an unknown or revoked token, the cookie of an ended session) is refused with 401 on
every operation, public ones included, whatever else comes with it.

**Retrying safely.** Every signed-in POST and PATCH takes an `Idempotency-Key` header (1-255
printable ASCII characters; a UUID does). Sent again within 24 hours with the same method,
path and body, it answers what the first request answered (status, body, `Location`) with
`Idempotent-Replayed: true`, and runs nothing again: retry a checkout after a timeout and no
second order is made. The same key with another request is a 422
(`urn:ocp:problem:idempotency-key-reused`); while the first request still runs, a 409
(`urn:ocp:problem:idempotency-key-in-use`) with `Retry-After`. Answers of 500 and up and 429
are not kept. Keys belong to the caller: a session's user, or the Bearer token.

**Lists** take `page` (from 1) and `per_page` (1-100; larger values are capped) and answer
`{{items, page, per_page, total}}` with an RFC 8288 `Link` header (first, prev, next, last).
""".strip()


@cache
def page_schema(item: type[Schema]) -> type[Schema]:
    """The list envelope for ``item``, as its own named schema."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item), required=True)})


PATH_VARIABLE = re.compile(r"{(\w+)(?::[^{}]*)?}")


def _error_statuses(endpoint: Endpoint) -> list[int]:
    # 401 everywhere: a credential that does not hold is refused on public operations too.
    statuses = {*endpoint.errors, *endpoint.error_notes, 401}
    if endpoint.body is not None or endpoint.form is not None:
        statuses |= {400, 413, 415, 422}
    if endpoint.query is not None:
        statuses.add(422)
    if endpoint.access.roles or endpoint.unsafe:
        statuses.add(403)
    if "{" in endpoint.path:
        statuses.add(404)
    return sorted(statuses)


def _error_response(endpoint: Endpoint, status: int) -> dict[str, Any]:
    text = endpoint.error_notes.get(status) or ERROR_TEXT.get(status, "Error.")
    if status == 401 and not endpoint.access.authenticated:
        text = PUBLIC_401
    response: dict[str, Any] = {
        "description": text,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": "Problem"}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def documented_path(path: str) -> str:
    """The route's path without the router's regular expressions: ``{id:\\d+}`` -> ``{id}``."""
    return PATH_VARIABLE.sub(r"{\1}", path)


def _path_schema(name: str) -> dict[str, Any]:
    if name == "id" or name.endswith("_id"):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"type": "string"}


def _security(endpoint: Endpoint) -> list[dict[str, list[str]]]:
    if not endpoint.access.authenticated:
        return []
    schemes: list[dict[str, list[str]]] = [{"session": []}, {"bearer": []}]
    if endpoint.query_credential is not None:
        schemes.append({endpoint.query_credential: []})
    return schemes


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True, "schema": _path_schema(name)}
        for name in PATH_VARIABLE.findall(endpoint.path)
    ]
    if endpoint.query is not None:
        parameters.append({"in": "query", "schema": endpoint.query})
    if endpoint.unsafe and endpoint.csrf:
        parameters.append(
            {
                "in": "header",
                "name": CSRF_HEADER,
                "required": False,
                "schema": {"type": "string"},
                "description": "Required with the session cookie; not with a Bearer token.",
            }
        )
    success: dict[str, Any] = {"description": "Success." if endpoint.status != 204 else "Done."}
    if endpoint.response is None and endpoint.media_type != "application/json":
        success["content"] = {endpoint.media_type: {"schema": {"type": "string"}}}
    if endpoint.response is not None:
        schema: Any = endpoint.response
        if endpoint.paginated:
            schema = page_schema(endpoint.response)
        elif endpoint.response_many:
            schema = {"type": "array", "items": endpoint.response}
        success["content"] = {endpoint.media_type: {"schema": schema}}
    for other in endpoint.also_media_types:
        success.setdefault("content", {})[other] = {"schema": {"type": "string"}}
    if endpoint.paginated:
        success["headers"] = {
            "Link": {"description": "RFC 8288 links to other pages.", "schema": {"type": "string"}}
        }
    responses: dict[str, Any] = {str(endpoint.status): success}
    responses.update({str(code): dict(answer) for code, answer in endpoint.other_responses.items()})
    for status in _error_statuses(endpoint):
        responses[str(status)] = _error_response(endpoint, status)
    operation: dict[str, Any] = {
        "operationId": f"{endpoint.handler.__module__.split('.')[-2]}.{endpoint.handler.__name__}",
        "summary": endpoint.summary,
        "description": f"{endpoint.description}\n\nAccess: {endpoint.access.describe()}".strip(),
        "tags": [endpoint.tag],
        "parameters": parameters,
        "responses": responses,
        "security": _security(endpoint),
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": endpoint.body_required,
            "content": {"application/json": {"schema": endpoint.body}},
        }
    if endpoint.form is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {endpoint.form_media_type: {"schema": endpoint.form}},
        }
    return operation


def _declared_schema(converter: Any, field: fields.Field, ret: dict[str, Any], **_: Any) -> Any:
    """A field that spells out its JSON Schema (metadata ``json_schema``) is documented so."""
    declared = field.metadata.get("json_schema")
    if declared is None:
        return {}
    kept = {key: ret[key] for key in ("description", "nullable", "default") if key in ret}
    ret.clear()
    return {**declared, **kept}


def build(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    """The whole document, as a dict ready for JSON."""
    marshmallow = MarshmallowPlugin()
    spec = APISpec(
        title="OCP API",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={
            "description": DESCRIPTION,
            "license": {"name": "MIT", "url": "https://spdx.org/licenses/MIT.html"},
        },
        servers=[{"url": "/"}],
    )
    assert marshmallow.converter is not None
    marshmallow.converter.add_attribute_function(_declared_schema)
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME}
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    endpoints = list(endpoints)
    for name in sorted({e.query_credential for e in endpoints if e.query_credential}):
        spec.components.security_scheme(name, {"type": "apiKey", "in": "query", "name": name})
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        path = documented_path(endpoint.path)
        paths.setdefault(path, {})[endpoint.method.lower()] = _operation(endpoint)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
