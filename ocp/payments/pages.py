"""The two pages OCP serves a buyer: the sandbox's checkout and an order's status.

Plain HTML without script. The sandbox page's Pay and Decline buttons are ``<form>``s that
post with the session cookie and carry the session's CSRF token as a field; pressing one
makes OCP send itself, over HTTP, the webhook Stripe would send, signed the same way, so
the sandbox runs the real path (``ocp/payments/webhooks.py``).
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import orjson
from aiohttp import web

from ocp.appkeys import EVENTS, PAYMENT_PROVIDER, SETTINGS
from ocp.courses.models import Course
from ocp.errors import BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable
from ocp.payments import money, orders, service, signatures
from ocp.payments.models import Order, OrderStatus
from ocp.payments.providers import STRIPE_API_VERSION
from ocp.payments.schemas import SandboxFormSchema
from ocp.web.auth import caller_of
from ocp.web.endpoint import SIGNED_IN, Endpoint
from ocp.web.pages import html_page
from ocp.web.parsing import load, path_id

PAGES = "Payment pages"
FORM_MAX = 4096  # bytes: a token and a word
OUTCOMES = {"pay": "checkout.session.completed", "decline": "checkout.session.async_payment_failed"}
SELF_CALL_TIMEOUT = 15  # seconds to deliver the sandbox's webhook to ourselves


def _price(order: Order) -> str:
    return f"{money.format_minor(order.amount_minor, order.currency)} {order.currency}"


async def _owned(request: web.Request) -> tuple[Order, Course]:
    order = await service.get_order(
        actor=caller_of(request).user, order_id=_order_id(request), events=request.app[EVENTS]
    )
    course = await Course.get(id=order.course_id)
    return order, course


def _order_id(request: web.Request) -> int:
    return path_id(request)


def _summary(order: Order, course: Course) -> str:
    lines = [f"<h1>{html.escape(course.title)}</h1>", f"<p>Order #{order.id}: {_price(order)}"]
    if order.coupon_code:
        discount = money.format_minor(order.discount_minor, order.currency)
        lines.append(f" (coupon {html.escape(order.coupon_code)}: -{discount})")
    lines.append("</p>")
    return "".join(lines)


async def sandbox_page(request: web.Request) -> web.Response:
    order, course = await _owned(request)
    head = '<p class="sandbox">Sandbox: no money moves. This page stands in for Stripe.</p>'
    if order.provider != "sandbox":
        raise NotFound("This order is not paid through the sandbox")
    if order.status != OrderStatus.PENDING or order.expires_at <= orders.now():
        note = f"<p>This checkout is closed: the order is {order.status.value}.</p>"
        link = f'<p><a href="/pay/orders/{order.id}">See the order</a></p>'
        return html_page("Checkout closed", head + _summary(order, course) + note + link)
    session = caller_of(request).session
    if session is None:
        note = "<p>Open this page in the browser you are signed in with to pay.</p>"
        return html_page("Sandbox checkout", head + _summary(order, course) + note)
    token = html.escape(session.csrf_token)
    forms = "".join(
        f'<form method="post" action="/pay/sandbox/{order.id}">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
        f'<input type="hidden" name="outcome" value="{outcome}">'
        f'<button type="submit">{label}</button></form>'
        for outcome, label in (("pay", f"Pay {_price(order)}"), ("decline", "Decline"))
    )
    return html_page("Sandbox checkout", head + _summary(order, course) + forms)


async def _form(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/x-www-form-urlencoded":
        raise BadRequest("Send the form as application/x-www-form-urlencoded")
    if (request.content_length or 0) > FORM_MAX:
        raise BadRequest("The form is too large")
    raw = await request.content.read(FORM_MAX + 1)
    if len(raw) > FORM_MAX:
        raise BadRequest("The form is too large")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("The form is not ASCII") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=8, strict_parsing=bool(text))
    except ValueError:
        raise BadRequest("The form is malformed") from None
    return load(SandboxFormSchema(), dict(pairs))


async def sandbox_submit(request: web.Request) -> web.Response:
    order, _ = await _owned(request)
    form = await _form(request)
    session = caller_of(request).session
    given = form.get("csrf_token", "").encode()
    if session is None or not secrets.compare_digest(given, session.csrf_token.encode()):
        raise Forbidden("Missing or wrong csrf_token field")
    outcome = form["outcome"]
    if order.provider != "sandbox":
        raise NotFound("This order is not paid through the sandbox")
    if order.status != OrderStatus.PENDING or order.expires_at <= orders.now():
        raise Conflict(f"This checkout is closed: the order is {order.status.value}")
    await _send_webhook(request, _event(OUTCOMES[outcome], order))
    return web.Response(status=303, headers={"Location": f"/pay/orders/{order.id}"})


def _event(type: str, order: Order) -> dict[str, Any]:
    """The event Stripe would send about this order's checkout session."""
    paid = type == "checkout.session.completed"
    session = {
        "id": order.provider_session_id,
        "object": "checkout.session",
        "amount_subtotal": order.amount_minor,
        "amount_total": order.amount_minor,
        "client_reference_id": str(order.id),
        "currency": order.currency.lower(),
        "livemode": False,
        "metadata": {
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "course_id": str(order.course_id),
        },
        "mode": "payment",
        "payment_intent": f"pi_sandbox_{order.id}" if paid else None,
        "payment_status": "paid" if paid else "unpaid",
        "status": "complete",
    }
    return {
        "id": f"evt_sandbox_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "type": type,
        "data": {"object": session},
    }


def _own_address(request: web.Request) -> str:
    """This server's address as the request reached it: the sandbox posts its webhook there."""
    local = request.transport.get_extra_info("sockname") if request.transport else None
    if isinstance(local, tuple) and len(local) >= 2:
        host = f"[{local[0]}]" if ":" in str(local[0]) else str(local[0])
        return f"http://{host}:{local[1]}"
    return str(request.app[SETTINGS].public_url or f"{request.scheme}://{request.host}")


async def _send_webhook(request: web.Request, event: dict[str, Any]) -> None:
    provider = request.app[PAYMENT_PROVIDER]
    body = orjson.dumps(event)
    url = f"{_own_address(request)}/api/v1/payments/webhooks/{provider.name}"
    headers = {
        "Content-Type": "application/json",
        signatures.HEADER: signatures.sign(body, provider.webhook_secret),
    }
    timeout = aiohttp.ClientTimeout(total=SELF_CALL_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as client,
            client.post(url, data=body, headers=headers) as answer,
        ):
            if answer.status != 200:
                raise ServiceUnavailable(f"The sandbox's webhook was answered {answer.status}")
    except (aiohttp.ClientError, TimeoutError) as error:
        raise ServiceUnavailable(f"The sandbox could not deliver its webhook: {error}") from None


async def order_page(request: web.Request) -> web.Response:
    order, course = await _owned(request)
    status = order.status
    words = {
        OrderStatus.PAID: "Paid. You are enrolled: the course is in your enrollments.",
        OrderStatus.FAILED: "The payment failed. You can check out again.",
        OrderStatus.EXPIRED: "The checkout expired before it was paid. You can check out again.",
        OrderStatus.REFUNDED: "Refunded.",
    }
    if status == OrderStatus.PENDING:
        note = "<p>Waiting for the payment provider to confirm the payment…</p>"
        if order.checkout_url and order.expires_at > orders.now():
            note += f'<p><a href="{html.escape(order.checkout_url)}">Back to the checkout</a></p>'
    else:
        note = f"<p>{words[status]}</p>"
    refresh = status == OrderStatus.PENDING and request.query.get("checkout") == "success"
    return html_page(f"Order #{order.id}", _summary(order, course) + note, refresh=refresh)


routes = [
    Endpoint(
        "GET", "/pay/sandbox/{id}", sandbox_page, SIGNED_IN, "The sandbox's checkout page", PAGES,
        media_type="text/html", errors=(404,),
        description=(
            "HTML for the order's buyer: Pay and Decline buttons (plain forms, no script). "
            "Only with `OCP_PAYMENTS_PROVIDER=sandbox`, the default."
        ),
    ),
    Endpoint(
        "POST", "/pay/sandbox/{id}", sandbox_submit, SIGNED_IN, "Press Pay or Decline", PAGES,
        csrf=False, errors=(400, 403, 404, 409, 503), status=303,
        form=SandboxFormSchema, form_media_type="application/x-www-form-urlencoded",
        description=(
            "A form post (`csrf_token`, `outcome` = `pay` or `decline`) with the session cookie. "
            "OCP sends itself the signed webhook Stripe would send, then redirects (303) to "
            "the order's page."
        ),
    ),
    Endpoint(
        "GET", "/pay/orders/{id}", order_page, SIGNED_IN, "An order's page", PAGES,
        media_type="text/html", errors=(404,),
        description=(
            "HTML for the buyer (and admins): the order's state. Stripe's checkout returns "
            "here (`?checkout=success` refreshes it until the payment is confirmed)."
        ),
    ),
]  # fmt: skip
