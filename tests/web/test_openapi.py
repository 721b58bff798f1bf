"""The OpenAPI document is valid OpenAPI 3 and describes every route."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from ocp.appkeys import ENDPOINTS


async def test_document_validates_as_openapi_3(client: TestClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.")
    validate(document)


async def test_document_lists_every_route_with_its_method(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    for route in client.server.app.router.routes():
        if route.method == "HEAD":
            continue
        path = route.resource.canonical
        assert path in document["paths"], path
        assert route.method.lower() in document["paths"][path], (route.method, path)


async def test_operations_describe_bodies_auth_and_errors(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    register = document["paths"]["/api/v1/auth/register"]["post"]
    body_schema = register["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["$ref"].endswith("/Register")
    assert {"201", "400", "409", "413", "415", "422"} <= set(register["responses"])
    assert register["security"] == []
    problem = register["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem["$ref"].endswith("/Problem")

    users = document["paths"]["/api/v1/users"]["get"]
    assert {"session": []} in users["security"] and {"bearer": []} in users["security"]
    assert {"401", "403", "422"} <= set(users["responses"])
    names = {p["name"] for p in users["parameters"]}
    assert {"page", "per_page", "role", "q"} <= names
    page = users["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("/UserPage")

    patch = document["paths"]["/api/v1/users/{id}"]["patch"]
    assert any(p["name"] == "X-CSRF-Token" for p in patch["parameters"])
    assert any(p["name"] == "id" and p["in"] == "path" for p in patch["parameters"])


async def test_every_operation_is_summarised_and_has_an_error_answer(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    ids = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert operation["operationId"] not in ids
            ids.add(operation["operationId"])
    assert len(ids) == len(client.server.app[ENDPOINTS])


async def test_docs_page_and_assets_are_served_locally(client: TestClient) -> None:
    page = await client.get("/api/docs")
    assert page.status == 200
    html = await page.text()
    assert "/api/docs/swagger-ui-bundle.js" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http" not in html.replace("http-equiv", "")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        response = await client.get(f"/api/docs/{asset}")
        assert response.status == 200, asset
        assert len(await response.read()) > 1000
    init = await client.get("/api/docs/init.js")
    assert "/api/openapi.json" in await init.text()
    assert (await client.get("/api/docs/../../etc/passwd")).status == 404
    assert (await client.get("/api/docs/index.j2")).status == 404
