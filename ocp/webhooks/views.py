"""HTTP handlers for webhook endpoints (admins only): parse, call the service, serialize."""

from __future__ import annotations

from aiohttp import web

from ocp.appkeys import SETTINGS
from ocp.web.auth import caller_of
from ocp.web.endpoint import Endpoint, only
from ocp.web.pagination import offset, page_response, window
from ocp.web.parsing import path_id, read_body, read_query
from ocp.web.responses import dumped, no_content
from ocp.web.schemas import PageQuerySchema
from ocp.webhooks import endpoints
from ocp.webhooks.schemas import (
    DeliveryQuerySchema,
    DeliverySchema,
    ReplayResultSchema,
    ReplaySchema,
    WebhookCreateSchema,
    WebhookSchema,
    WebhookUpdateSchema,
    WebhookWithSecretSchema,
)

WEBHOOKS = "Webhooks"
ADMINS = only("admin")
ONE = "/api/v1/webhooks/{id}"
DELIVERY = ONE + "/deliveries/{delivery_id}"


async def create_webhook(request: web.Request) -> web.Response:
    values = await read_body(request, WebhookCreateSchema())
    endpoint = await endpoints.create(
        admin=caller_of(request).user, values=values, settings=request.app[SETTINGS]
    )
    response = dumped(WebhookWithSecretSchema(), endpoint, status=201)
    response.headers["Location"] = f"/api/v1/webhooks/{endpoint.id}"
    return response


async def list_webhooks(request: web.Request) -> web.Response:
    page, per_page = window(read_query(request, PageQuerySchema()))
    items, total = await endpoints.list_all(offset=offset(page, per_page), limit=per_page)
    return page_response(
        request, items=items, schema=WebhookSchema(), page=page, per_page=per_page, total=total
    )


async def get_webhook(request: web.Request) -> web.Response:
    return dumped(WebhookSchema(), await endpoints.get(path_id(request)))


async def update_webhook(request: web.Request) -> web.Response:
    endpoint_id = path_id(request)
    values = await read_body(request, WebhookUpdateSchema())
    endpoint = await endpoints.update(endpoint_id, values, request.app[SETTINGS])
    return dumped(WebhookSchema(), endpoint)


async def delete_webhook(request: web.Request) -> web.Response:
    await endpoints.delete(path_id(request))
    return no_content()


async def rotate_secret(request: web.Request) -> web.Response:
    return dumped(WebhookWithSecretSchema(), await endpoints.rotate_secret(path_id(request)))


async def send_test(request: web.Request) -> web.Response:
    return dumped(DeliverySchema(), await endpoints.send_test(path_id(request)), status=202)


async def list_deliveries(request: web.Request) -> web.Response:
    endpoint_id = path_id(request)
    query = read_query(request, DeliveryQuerySchema())
    page, per_page = window(query)
    items, total = await endpoints.list_deliveries(
        endpoint_id, status=query.get("status"), offset=offset(page, per_page), limit=per_page
    )
    return page_response(
        request, items=items, schema=DeliverySchema(), page=page, per_page=per_page, total=total
    )


async def retry_delivery(request: web.Request) -> web.Response:
    endpoint_id = path_id(request)
    delivery = await endpoints.retry(endpoint_id, path_id(request, "delivery_id"))
    return dumped(DeliverySchema(), delivery, status=202)


async def replay(request: web.Request) -> web.Response:
    endpoint_id = path_id(request)
    values = await read_body(request, ReplaySchema())
    result = await endpoints.replay(endpoint_id, values["since"])
    return dumped(ReplayResultSchema(), result, status=202)


SIGNING = (
    'Each delivery is a `POST` of `{"type", "timestamp", "data"}` with the Standard '
    "Webhooks headers `webhook-id` (the event's id, the same on every try and replay), "
    "`webhook-timestamp` (unix seconds of the try) and `webhook-signature` (`v1,` + base64 "
    "HMAC-SHA256 of `id.timestamp.body` keyed with the base64-decoded part of the secret after "
    "`whsec_`; two, space-separated, for 24 h after a rotation)."
)
URL_422 = (
    "Validation failed; also when the URL is not https://, carries credentials, does not "
    "resolve, or resolves to a loopback, private, link-local, multicast or metadata address."
)
OFF_409 = "The endpoint is disabled: enable it first."

routes = [
    Endpoint(
        "POST",
        "/api/v1/webhooks",
        create_webhook,
        ADMINS,
        "Register a webhook endpoint",
        WEBHOOKS,
        body=WebhookCreateSchema,
        status=201,
        response=WebhookWithSecretSchema,
        secret_fields=("secret",),
        errors=(409,),
        error_notes={422: URL_422, 409: "100 endpoints already."},
        description=(
            "Answers the endpoint with its `secret`, shown this once. From now on every event "
            f"of its types is delivered to it. {SIGNING}"
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/webhooks",
        list_webhooks,
        ADMINS,
        "Webhook endpoints",
        WEBHOOKS,
        query=PageQuerySchema,
        response=WebhookSchema,
        paginated=True,
        description="Oldest first. Secrets are never listed.",
    ),
    Endpoint(
        "GET",
        ONE,
        get_webhook,
        ADMINS,
        "A webhook endpoint",
        WEBHOOKS,
        response=WebhookSchema,
        errors=(404,),
    ),
    Endpoint(
        "PATCH",
        ONE,
        update_webhook,
        ADMINS,
        "Change a webhook endpoint",
        WEBHOOKS,
        body=WebhookUpdateSchema,
        response=WebhookSchema,
        errors=(404,),
        error_notes={422: URL_422},
        description=(
            "`enabled: true` turns back on an endpoint OCP turned off (410, or 5 days failing); "
            "its pending deliveries then go out. While off, no deliveries are made for it."
        ),
    ),
    Endpoint(
        "DELETE",
        ONE,
        delete_webhook,
        ADMINS,
        "Delete a webhook endpoint",
        WEBHOOKS,
        status=204,
        errors=(404,),
        description="Its deliveries go with it.",
    ),
    Endpoint(
        "POST",
        ONE + "/rotate-secret",
        rotate_secret,
        ADMINS,
        "Rotate a webhook's secret",
        WEBHOOKS,
        response=WebhookWithSecretSchema,
        secret_fields=("secret",),
        errors=(404,),
        description=(
            "Answers the new `secret`. The one before keeps signing beside it for 24 hours, "
            "so receivers can switch without losing a delivery. A second rotation within "
            "those hours drops the oldest secret."
        ),
    ),
    Endpoint(
        "POST",
        ONE + "/test",
        send_test,
        ADMINS,
        "Send a test event",
        WEBHOOKS,
        status=202,
        response=DeliverySchema,
        errors=(404, 409),
        error_notes={409: OFF_409},
        description="A `webhook.test` delivery to this endpoint alone, sent within a second.",
    ),
    Endpoint(
        "GET",
        ONE + "/deliveries",
        list_deliveries,
        ADMINS,
        "A webhook's deliveries",
        WEBHOOKS,
        query=DeliveryQuerySchema,
        response=DeliverySchema,
        paginated=True,
        errors=(404,),
        description=(
            "Newest first; finished ones are kept 30 days. A failed try waits about 5 s, "
            "5 min, 30 min, 2 h, 5 h, 10 h and 10 h before the next; after the eighth the "
            "delivery is `failed`."
        ),
    ),
    Endpoint(
        "POST",
        DELIVERY + "/retry",
        retry_delivery,
        ADMINS,
        "Send a delivery again",
        WEBHOOKS,
        status=202,
        response=DeliverySchema,
        errors=(404, 409),
        error_notes={409: OFF_409 + " Or the delivery is being sent right now."},
        description="Pending again, sent within a second, on a fresh schedule of tries.",
    ),
    Endpoint(
        "POST",
        ONE + "/replay",
        replay,
        ADMINS,
        "Replay events since a time",
        WEBHOOKS,
        body=ReplaySchema,
        status=202,
        response=ReplayResultSchema,
        errors=(404, 409),
        error_notes={409: OFF_409},
        description=(
            "Every event of the endpoint's types since `since` still in the event log (kept "
            "`OCP_EVENT_RETENTION_DAYS`, 7 by default) is delivered again with its original "
            "`webhook-id`, up to 10,000 per call."
        ),
    ),
]
