"""The ``Idempotency-Key`` header on every POST and PATCH under ``/api/v1``.

A signed-in caller's key (its user's for a session, its token's for a Bearer token) replays
the answer its first request gave: the same status, body, ``Content-Type`` and ``Location``,
with ``Idempotent-Replayed: true``, and nothing runs again. What is compared is the method,
the path with its query and the body (for uploads, the body's length: the file is streamed,
not held). Answers of 500 and more, 429 and those without a plain body are not kept: the
key may be sent again and runs again. Anonymous requests (sign-in, registration) ignore the
header: a key belongs to a caller. A secret shown once (a new API token, a webhook's signing
secret) is not kept: its replay has it null.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from typing import Any

import orjson
from aiohttp import web

from ocp.appkeys import CALLER
from ocp.errors import BadRequest, OCPError, PayloadTooLarge
from ocp.idempotency import store
from ocp.web.endpoint import endpoint_of
from ocp.web.problems import error_response

log = logging.getLogger("ocp.web")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PATCH"})
PREFIX = "/api/v1/"
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
KEPT_HEADERS = ("Content-Type", "Location")
NOT_KEPT = frozenset({429})


def scope_of(request: web.Request) -> str | None:
    """Whose keys a request's belong to: its token's, its user's; None when anonymous."""
    caller = request.get(CALLER)
    if caller is None:
        return None
    if caller.via == "token" and caller.token_id is not None:
        return f"token:{caller.token_id}"
    return f"user:{caller.id}"


async def fingerprint(request: web.Request) -> str:
    """What must match for a key to replay: method, path and query, and the body."""
    digest = hashlib.sha256(f"{request.method}\n{request.path_qs}\n".encode())
    endpoint = endpoint_of(request)
    if (
        endpoint is not None
        and endpoint.form is not None
        and endpoint.form_media_type.startswith("multipart/")
    ):
        if request.content_length is None:
            raise BadRequest(
                f"An upload sent with {HEADER} needs a Content-Length (not chunked): its "
                "length is what a retry is compared by"
            )
        digest.update(f"length:{request.content_length}".encode())
        return digest.hexdigest()
    try:
        digest.update(await request.read())
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(f"The body is larger than {request.client_max_size} bytes") from None
    return digest.hexdigest()


def replay(answer: store.Answer) -> web.Response:
    response = web.Response(status=answer.status, body=answer.body)
    for name, value in answer.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def _without_secrets(body: bytes, fields: tuple[str, ...]) -> bytes:
    """The JSON body with the secret fields null (a secret is shown once, and kept nowhere)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if isinstance(data, dict):
        data.update({name: None for name in fields if name in data})
    return orjson.dumps(data)


def keepable(
    response: web.StreamResponse, secret_fields: tuple[str, ...] = ()
) -> store.Answer | None:
    """The answer to keep for the key, or None when it is not kept."""
    if not isinstance(response, web.Response) or response.prepared:
        return None
    if response.status >= 500 or response.status in NOT_KEPT:
        return None
    body = response.body
    if body is None:
        body = b""
    if not isinstance(body, bytes):
        return None
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    if secret_fields and response.status < 300:
        body = _without_secrets(body, secret_fields)
    return store.Answer(status=response.status, headers=headers, body=body)


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    key = request.headers.get(HEADER)
    if key is None or request.method not in METHODS or not request.path.startswith(PREFIX):
        return await handler(request)
    scope = scope_of(request)
    if scope is None:
        return await handler(request)
    if not _KEY.fullmatch(key):
        raise BadRequest(f"{HEADER} must be 1 to 255 printable ASCII characters")
    claimed = await store.claim(scope, key, await fingerprint(request))
    if isinstance(claimed, store.Answer):
        return replay(claimed)
    answer: store.Answer | None = None
    renewing = asyncio.create_task(_renew(claimed))
    try:
        try:
            response = await handler(request)
        except (OCPError, web.HTTPException) as error:
            response = error_response(request, error)
        endpoint = endpoint_of(request)
        answer = keepable(response, endpoint.secret_fields if endpoint is not None else ())
        return response
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            if answer is not None:
                await store.finish(claimed, answer)
            else:
                await store.release(claimed)
        except Exception:  # the answer still goes out; the key's claim lapses by itself
            log.warning("could not keep or free an Idempotency-Key's answer", exc_info=True)


async def _renew(claimed: store.Claim) -> None:
    """While the request runs, keep its claim: a third of the lease at a time."""
    every = store.RUNNING_LEASE.total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        try:
            if not await store.renew(claimed):
                return  # taken over: this request ran past a lease it could not renew
        except Exception:  # the database is briefly down: the lease still runs
            log.warning("could not renew an Idempotency-Key's claim", exc_info=True)
