"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import web

from ocp.appkeys import REQUEST_ID
from ocp.errors import OCPError
from ocp.web.cors import add_cors_headers
from ocp.web.outages import unavailable

log = logging.getLogger("ocp.web")

PROBLEM_TYPE = "application/problem+json"
DEFAULT_CHALLENGE = 'Bearer realm="ocp"'
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
RETRY_AFTER = 5  # seconds a client waits before retrying while a backing service is down
_AIOHTTP_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
}


def problem_type(code: str) -> str:
    """A stable URI per kind of problem; clients may switch on it."""
    return f"urn:ocp:problem:{code}"


def problem_response(
    request: web.Request,
    *,
    status: int,
    code: str,
    title: str | None = None,
    detail: str | None = None,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or title or HTTPStatus(status).phrase,
        "request_id": request.get(REQUEST_ID),
    }
    if errors:
        body["errors"] = errors
    headers = dict(headers or {})
    if status == 401:  # RFC 9110: a 401 always names how to authenticate
        headers.setdefault("WWW-Authenticate", DEFAULT_CHALLENGE)
    return web.Response(
        status=status, text=json.dumps(body), content_type=PROBLEM_TYPE, headers=headers
    )


def _request_id(request: web.Request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex


@web.middleware
async def problem_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Give every request an id and turn every error into problem+json (never a traceback)."""
    request[REQUEST_ID] = _request_id(request)
    try:
        return await handler(request)
    except (OCPError, web.HTTPException) as error:
        return error_response(request, error)
    except Exception as error:
        if (service := unavailable(error)) is not None:
            return _unavailable(request, service, error)
        log.exception(
            "unhandled error on %s %s (request %s)",
            request.method,
            request.path,
            request[REQUEST_ID],
        )
        return problem_response(
            request,
            status=500,
            code="internal-error",
            detail=f"Something went wrong on our side; quote request id {request[REQUEST_ID]}.",
        )


def error_response(request: web.Request, error: OCPError | web.HTTPException) -> web.StreamResponse:
    """The answer to an error a caller may see: problem+json (a redirect stays itself)."""
    if isinstance(error, OCPError):
        return problem_response(
            request,
            status=error.status,
            code=error.code,
            title=error.title,
            detail=error.detail,
            errors=error.errors,
            headers=error.headers,
        )
    if error.status < 400:
        return error
    headers = {k: v for k, v in error.headers.items() if k in {"Allow", "Retry-After"}}
    code = _AIOHTTP_CODES.get(
        error.status, HTTPStatus(error.status).phrase.lower().replace(" ", "-")
    )
    detail = error.text if error.text and not error.text.startswith(f"{error.status}:") else None
    return problem_response(request, status=error.status, code=code, detail=detail, headers=headers)


def _unavailable(request: web.Request, service: str, error: Exception) -> web.Response:
    """503 for a request that failed because ``service`` is down: logged in one line."""
    log.warning(
        "%s unavailable on %s %s (request %s): %r",
        service,
        request.method,
        request.path,
        request[REQUEST_ID],
        error,
    )
    return problem_response(
        request,
        status=503,
        code="service-unavailable",
        title="Service unavailable",
        detail=f"Temporarily unavailable ({service} down); try again in {RETRY_AFTER} s.",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


async def add_standard_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: request id and security headers on every response."""
    rid = request.get(REQUEST_ID)
    if rid:
        response.headers["X-Request-ID"] = rid
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault(
        "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox"
    )
    if request.path.startswith("/api/v1/"):
        headers.setdefault("Cache-Control", "no-store")
    if request.secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    add_cors_headers(request, response)
