"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from aiohttp import web
from marshmallow import Schema, fields

from ocp import db
from ocp.appkeys import REDIS, SETTINGS
from ocp.errors import ServiceUnavailable
from ocp.web.endpoint import PUBLIC, Endpoint

log = logging.getLogger("ocp.health")
CHECK_TIMEOUT = 2.0


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    checks = fields.Dict(keys=fields.String(), values=fields.String())


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks: dict[str, Awaitable[object]] = {
        "database": db.ping(request.app[SETTINGS].effective_database_url)
    }
    redis = request.app[REDIS]
    if redis is not None:
        checks["redis"] = redis.ping()
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT)
            results[name] = "ok"
        except Exception as error:  # any failure means "not ready"; the reason goes to the log
            log.warning("readiness check %s failed: %r", name, error)
            results[name] = "down"
    down = [name for name, state in results.items() if state != "ok"]
    if down:
        raise ServiceUnavailable(f"Not ready: {', '.join(down)} down", headers={"Retry-After": "5"})
    return web.json_response({"status": "ready", "checks": results})


routes = [
    Endpoint(
        "GET",
        "/healthz",
        healthz,
        PUBLIC,
        "Liveness: the process answers",
        "Health",
        response=HealthSchema,
    ),
    Endpoint(
        "GET",
        "/readyz",
        readyz,
        PUBLIC,
        "Readiness: the database (and Redis) answer",
        "Health",
        response=HealthSchema,
        errors=(503,),
        description="503 names what is down in `detail`.",
    ),
]
