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


async def test_document_names_its_server_and_license(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    assert document["servers"] == [{"url": "/"}]
    assert document["info"]["license"]["name"] == "MIT"


async def test_every_operation_documents_401_with_its_challenge(client: TestClient) -> None:
    """A credential that does not hold is refused on public operations too, so every
    operation documents 401, and every 401 (RFC 9110) carries WWW-Authenticate."""
    document = await (await client.get("/api/openapi.json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"]["401"]
            header = answer["headers"]["WWW-Authenticate"]
            assert header["required"] is True, (method, path)
            if not operation["security"]:
                assert "needs none, but refuses a bad one" in answer["description"], path
            if "429" in operation["responses"]:
                assert operation["responses"]["429"]["headers"]["Retry-After"]["required"]


async def test_statuses_carry_their_meaning(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    enroll = document["paths"]["/api/v1/courses/{id}/enrollment"]["post"]["responses"]
    assert "paid" in enroll["402"]["description"]
    password = document["paths"]["/api/v1/users/me/password"]["post"]["responses"]
    assert "current password is wrong" in password["403"]["description"]
    order = document["paths"]["/api/v1/courses/{id}/lessons/order"]["put"]["responses"]
    assert "every lesson" in order["422"]["description"]


async def test_the_websocket_is_documented_as_signed_in(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    ws = document["paths"]["/api/v1/ws"]["get"]
    assert ws["security"] == [{"session": []}, {"bearer": []}, {"ticket": []}]
    assert document["components"]["securitySchemes"]["ticket"] == {
        "type": "apiKey",
        "in": "query",
        "name": "ticket",
    }
    assert {"101", "400", "401", "403", "429"} <= set(ws["responses"])
    assert "Any signed-in user" in ws["description"]


async def test_paths_are_documented_without_router_expressions(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    assert all(":" not in path for path in document["paths"])
    lesson = document["paths"]["/api/v1/courses/{id}/lessons/{lesson_id}"]["get"]
    ids = {p["name"]: p["schema"] for p in lesson["parameters"] if p["in"] == "path"}
    assert ids["lesson_id"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


async def test_nullable_answers_are_documented_as_nullable(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    session = document["components"]["schemas"]["Session"]["properties"]["csrf_token"]
    assert session["nullable"] is True


async def test_a_busy_file_store_is_documented_on_uploads(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    assert "503" in document["paths"]["/api/v1/uploads"]["post"]["responses"]
