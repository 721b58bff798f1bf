"""HTTP handlers for payments: parse, call the payments service, serialize."""

from __future__ import annotations

from aiohttp import web

from ocp.appkeys import EVENTS, LIMITER, PAYMENT_PROVIDER, SETTINGS
from ocp.errors import NotFound, PayloadTooLarge
from ocp.payments import coupons, pages, service, webhooks
from ocp.payments.schemas import (
    CheckoutAnswerSchema,
    CheckoutSchema,
    CouponCreateSchema,
    CouponSchema,
    CouponWriteSchema,
    OrderQuerySchema,
    OrderSchema,
    RefundSchema,
)
from ocp.payments.signatures import HEADER as SIGNATURE_HEADER
from ocp.web.auth import caller_of
from ocp.web.endpoint import PUBLIC, SIGNED_IN, Endpoint, only
from ocp.web.pagination import offset, page_response, window
from ocp.web.parsing import path_id, read_body, read_query
from ocp.web.responses import dumped, json_body, no_content

PAYMENTS = "Payments"
COUPONS = "Coupons"
EDITORS = only("instructor", "admin")


def base_url(request: web.Request) -> str:
    """Where people reach this service: ``OCP_PUBLIC_URL``, else this request's address."""
    configured = request.app[SETTINGS].public_url
    return configured or f"{request.scheme}://{request.host}"


async def checkout(request: web.Request) -> web.Response:
    body = await read_body(request, CheckoutSchema()) if request.body_exists else {}
    result = await service.checkout(
        user=caller_of(request).user,
        course_id=path_id(request),
        coupon_code=body.get("coupon"),
        provider=request.app[PAYMENT_PROVIDER],
        base_url=base_url(request),
        events=request.app[EVENTS],
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    answer = {
        "order": result.order,
        "checkout_url": OrderSchema().dump(result.order)["checkout_url"],
    }
    return dumped(CheckoutAnswerSchema(), answer, status=201 if result.created else 200)


async def list_orders(request: web.Request) -> web.Response:
    query = read_query(request, OrderQuerySchema())
    page, per_page = window(query)
    items, total = await service.list_orders(
        actor=caller_of(request).user,
        user_id=query.get("user_id"),
        course_id=query.get("course_id"),
        status=query.get("status"),
        offset=offset(page, per_page),
        limit=per_page,
        events=request.app[EVENTS],
    )
    return page_response(
        request, items=items, schema=OrderSchema(), page=page, per_page=per_page, total=total
    )


async def get_order(request: web.Request) -> web.Response:
    order = await service.get_order(
        actor=caller_of(request).user, order_id=path_id(request), events=request.app[EVENTS]
    )
    return dumped(OrderSchema(), order)


async def refund(request: web.Request) -> web.Response:
    body = await read_body(request, RefundSchema())
    order, done = await service.refund(
        actor=caller_of(request).user,
        order_id=path_id(request),
        reason=body["reason"],
        provider=request.app[PAYMENT_PROVIDER],
        events=request.app[EVENTS],
        settings=request.app[SETTINGS],
    )
    return dumped(OrderSchema(), order, status=200 if done else 202)


async def webhook(request: web.Request) -> web.Response:
    provider = request.app[PAYMENT_PROVIDER]
    if request.match_info["provider"] != provider.name:
        raise NotFound(f"Webhooks are received for {provider.name}, the provider in use")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(f"The body is larger than {request.client_max_size} bytes") from None
    outcome = await webhooks.receive(
        provider=provider,
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER),
        events=request.app[EVENTS],
    )
    return json_body({"received": True, "outcome": outcome})


async def create_coupon(request: web.Request) -> web.Response:
    data = await read_body(request, CouponCreateSchema())
    coupon = await coupons.create(
        actor=caller_of(request).user, course_id=path_id(request), data=data
    )
    return dumped(CouponSchema(), coupon, status=201)


async def list_coupons(request: web.Request) -> web.Response:
    found = await coupons.list_for_course(actor=caller_of(request).user, course_id=path_id(request))
    return json_body(CouponSchema().dump(found, many=True))


async def update_coupon(request: web.Request) -> web.Response:
    data = await read_body(request, CouponWriteSchema())
    coupon = await coupons.update(
        actor=caller_of(request).user, coupon_id=path_id(request), data=data
    )
    return dumped(CouponSchema(), coupon)


async def delete_coupon(request: web.Request) -> web.Response:
    await coupons.delete(actor=caller_of(request).user, coupon_id=path_id(request))
    return no_content()


ORDER = "/api/v1/orders/{id}"
COUPON = "/api/v1/coupons/{id}"
COURSE_COUPONS = "/api/v1/courses/{id}/coupons"

routes = [
    Endpoint(
        "POST", "/api/v1/courses/{id}/checkout", checkout, SIGNED_IN, "Buy a course", PAYMENTS,
        body=CheckoutSchema, body_required=False, status=201, response=CheckoutAnswerSchema,
        errors=(404, 409, 422, 429, 503),
        other_responses={
            200: {"description": "You already had a pending order for this course: that one."}
        },
        error_notes={
            409: "The course is free (enroll instead), or you are already enrolled.",
            422: "On `coupon`: unknown, expired or used-up code.",
            503: "The payment provider could not open a checkout; nothing was kept.",
        },
        description=(
            "Opens a checkout for a published paid course: an order (`pending`) whose amount is "
            "frozen now, and `checkout_url` where the buyer pays. The body and `coupon` are "
            "optional. While an order of yours for the course is pending, you get it back (200), "
            "never a second one (also under parallel requests). A coupon that makes the price 0 "
            "pays the order at once (`checkout_url` null). Once the provider confirms the "
            "payment the order is `paid` and you are enrolled (source `paid`) within moments; "
            "watch `order.paid` and `enrollment.created` on `user:<id>`. A pending order "
            "expires after 23 hours 50 minutes. 20 checkouts per user and minute."
        ),
    ),
    Endpoint(
        "GET", "/api/v1/orders", list_orders, SIGNED_IN, "Orders", PAYMENTS,
        query=OrderQuerySchema, response=OrderSchema, paginated=True, errors=(403,),
        description="Yours, newest first. Admins see everyone's, or one user's with `user_id`.",
    ),
    Endpoint(
        "GET", ORDER, get_order, SIGNED_IN, "An order", PAYMENTS, response=OrderSchema,
        errors=(404,), description="Its buyer and admins; 404 for anyone else.",
    ),
    Endpoint(
        "POST", ORDER + "/refund", refund, SIGNED_IN, "Refund an order", PAYMENTS,
        body=RefundSchema, response=OrderSchema, errors=(403, 404, 409, 503),
        other_responses={
            202: {
                "description": (
                    "The provider accepted the refund and confirms it later: the order stays "
                    "`paid` with `refund_pending` true until then."
                )
            }
        },
        error_notes={
            403: "The buyer is past the refund window or has studied too much of the course.",
            409: "The order is not paid (pending, failed, expired or already refunded).",
        },
        description=(
            "Admins always; the buyer within `OCP_REFUND_DAYS` (14) days of paying and below "
            "`OCP_REFUND_MAX_PROGRESS` (30) percent of the course. Once refunded the "
            "enrollment is cancelled: lesson access and live channels end."
        ),
    ),
    Endpoint(
        "POST", "/api/v1/payments/webhooks/{provider}", webhook, PUBLIC,
        "Receive a payment provider's webhook", PAYMENTS, own_credentials=True,
        errors=(400, 404, 413),
        error_notes={
            400: "Missing, wrong or stale `Stripe-Signature`, or not an event: nothing changed.",
            404: "Not the provider in use (`OCP_PAYMENTS_PROVIDER`).",
        },
        description=(
            "For the provider, not for clients: `{provider}` is `stripe` or `sandbox`, the one "
            "in use. The body is verified (`Stripe-Signature`, 300 s tolerance) before it is "
            "read, and applied once per event id: a repeat answers 200 and changes nothing."
        ),
    ),
    Endpoint(
        "POST", COURSE_COUPONS, create_coupon, EDITORS, "Create a coupon", COUPONS,
        body=CouponCreateSchema, status=201, response=CouponSchema,
        errors=(403, 404, 409, 422),
        error_notes={409: "The course has a coupon with that code (in any case)."},
        description=(
            "The course's instructor and admins. `percent_off` (1-100) or `amount_off` (in the "
            "course's currency, which the coupon keeps)."
        ),
    ),
    Endpoint(
        "GET", COURSE_COUPONS, list_coupons, EDITORS, "A course's coupons", COUPONS,
        response=CouponSchema, response_many=True, errors=(403, 404),
        description="Newest first, with how often each has been redeemed.",
    ),
    Endpoint(
        "PATCH", COUPON, update_coupon, EDITORS, "Change a coupon", COUPONS,
        body=CouponWriteSchema, response=CouponSchema, errors=(403, 404, 409, 422),
        description=(
            "Orders already made keep their price. Setting `percent_off` clears `amount_off` "
            "and the other way round; `expires_at` and `max_redemptions` take null to lift "
            "them; a limit below `redeemed` is refused."
        ),
    ),
    Endpoint(
        "DELETE", COUPON, delete_coupon, EDITORS, "Delete a coupon", COUPONS, status=204,
        errors=(403, 404), description="Orders made with it keep its code and their price.",
    ),
    *pages.routes,
]  # fmt: skip
