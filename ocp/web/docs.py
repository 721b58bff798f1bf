"""``/api/openapi.json`` and interactive docs from Swagger UI's packaged assets (no internet)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path

from ocp.appkeys import ENDPOINTS, OPENAPI
from ocp.errors import NotFound
from ocp.web import openapi
from ocp.web.endpoint import PUBLIC, Endpoint

ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>OCP API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
"""
INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
});
"""


async def build_on_startup(app: web.Application) -> None:
    """Build the document once, when every route is known (a broken schema fails start-up)."""
    app[OPENAPI] = openapi.build(app[ENDPOINTS].values())


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


async def docs_page(request: web.Request) -> web.Response:
    return web.Response(
        text=PAGE, content_type="text/html", headers={"Content-Security-Policy": DOCS_CSP}
    )


async def docs_init(request: web.Request) -> web.Response:
    return web.Response(text=INIT, content_type="text/javascript")


async def docs_asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise NotFound()
    body = (Path(str(swagger_ui_path)) / name).read_bytes()
    return web.Response(
        body=body,
        content_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )


routes = [
    Endpoint(
        "GET",
        "/api/openapi.json",
        openapi_json,
        PUBLIC,
        "This OpenAPI document",
        "Docs",
        description="Generated from the same schemas that validate requests.",
    ),
    Endpoint(
        "GET", "/api/docs", docs_page, PUBLIC, "Interactive docs", "Docs", media_type="text/html"
    ),
    Endpoint(
        "GET",
        "/api/docs/init.js",
        docs_init,
        PUBLIC,
        "Docs start-up",
        "Docs",
        media_type="text/javascript",
    ),
    Endpoint(
        "GET",
        "/api/docs/{name}",
        docs_asset,
        PUBLIC,
        "Docs assets (Swagger UI)",
        "Docs",
        errors=(404,),
    ),
]
