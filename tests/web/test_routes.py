"""Function rights are deny-by-default: every route carries an explicit access rule."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from ocp.appkeys import ENDPOINTS
from ocp.web.endpoint import PUBLIC
from ocp.web.openapi import documented_path

# The only routes anyone may call without signing in; adding one is a deliberate act.
PUBLIC_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/init.js"),
    ("GET", "/api/docs/{name}"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/courses"),
    ("GET", "/api/v1/courses/{id}"),
    ("GET", "/api/v1/categories"),
    ("GET", "/api/v1/courses/{id}/lessons"),
    ("GET", "/api/v1/courses/{id}/lessons/{lesson_id}"),
    ("GET", "/media/{key}"),  # checks rights itself: covers of published courses are public
    ("HEAD", "/media/{key}"),
    ("GET", "/metrics"),  # checks its own credentials: OCP_METRICS_TOKEN, else loopback only
    # checks its own credentials: the provider's signature over the body
    ("POST", "/api/v1/payments/webhooks/{provider}"),
    # checks its own credential: the signed link in a notification email (RFC 8058)
    ("GET", "/api/v1/notifications/unsubscribe"),
    ("POST", "/api/v1/notifications/unsubscribe"),
    # the dashboard's page and files: it signs in through the API like any client
    ("GET", "/dashboard"),
    ("GET", "/dashboard/dashboard.js"),
    ("GET", "/dashboard/dashboard.css"),
}


async def test_every_route_has_an_access_rule(client: TestClient) -> None:
    app = client.server.app
    registry = app[ENDPOINTS]
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        assert route in registry, f"{route.method} {route.resource} has no access rule"


async def test_public_routes_are_exactly_the_known_ones(client: TestClient) -> None:
    public = {
        (endpoint.method, documented_path(endpoint.path))
        for endpoint in client.server.app[ENDPOINTS].values()
        if endpoint.access == PUBLIC
    }
    assert public == PUBLIC_ROUTES


async def test_every_non_public_route_refuses_anonymous_callers(client: TestClient) -> None:
    for endpoint in client.server.app[ENDPOINTS].values():
        if endpoint.access == PUBLIC:
            continue
        path = re.sub(r"\{[a-z_]+\}", "1", documented_path(endpoint.path))
        response = await client.request(endpoint.method, path)
        assert response.status == 401, f"{endpoint.method} {path}: {response.status}"
