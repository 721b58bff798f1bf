"""A small local fake of Stripe's API (Checkout Sessions and Refunds) as an aiohttp app.

Tests point the official ``stripe`` package at it (``base_addresses={"api": fake.url}``).
It answers as Stripe's API reference documents: form-encoded bodies with nested keys
(``metadata[order_id]=5``, ``line_items[0][price_data][unit_amount]=1999``), JSON objects
shaped like Stripe's published fixtures (``stripe/openapi``, ``fixtures3.json``), Stripe's
error bodies and statuses, ``Authorization: Bearer sk_...`` and ``Idempotency-Key``.

What a buyer does on Stripe's side (paying, letting a session expire, a failed payment, a
refund confirmed) is played by plain methods (:meth:`StripeFake.pay` and the like) that
return the event Stripe would send to a webhook endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import hmac
import json
import re
import secrets
import string
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from aiohttp import web
from aiohttp.test_utils import TestServer

JSON = dict[str, Any]
Handler = Callable[["StripeFake", web.Request, JSON], Awaitable[JSON]]

MIN_SESSION_LIFETIME = 30 * 60  # seconds: Stripe's shortest expires_at, from creation
MAX_SESSION_LIFETIME = 24 * 3600  # and its longest (also the default)
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
CHECKOUT_MODES = ("payment", "setup", "subscription")
_KEY_PATH = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_ALPHANUMERIC = string.ascii_letters + string.digits


class StripeFakeError(Exception):
    """An error answer in Stripe's shape: ``{"error": {"type", "code", "message", "param"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        saved: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSON = {"type": type, "message": message}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["param"] = param
        # Stripe keeps no idempotent result for a request that failed validation.
        self.saved = saved


def missing(param: str) -> StripeFakeError:
    return StripeFakeError(
        400,
        f"Missing required param: {param}.",
        code="parameter_missing",
        param=param,
        saved=False,
    )


def invalid(param: str, message: str, code: str | None = None) -> StripeFakeError:
    return StripeFakeError(400, message, code=code, param=param, saved=False)


def no_such(kind: str, object_id: str, param: str) -> StripeFakeError:
    return StripeFakeError(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def new_id(prefix: str, length: int = 24) -> str:
    """An id the way Stripe writes them: a prefix and random letters and digits."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def parse_params(pairs: list[tuple[str, str]]) -> JSON:
    """Stripe's form encoding back to nested dicts and lists (``a[b][0][c]=v``)."""
    root: JSON = {}
    for key, value in pairs:
        *parents, last = _key_path(key)
        node = root
        for name in parents:
            node = node.setdefault(name or str(len(node)), {})
        node[last or str(len(node))] = value
    return _with_lists(root, parent="")


def _key_path(key: str) -> list[str]:
    match = _KEY_PATH.match(key)
    if not match:
        return [key]
    return [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]


def _with_lists(node: Any, parent: str) -> Any:
    """Dicts keyed 0, 1, 2... are arrays (``line_items[0]``); metadata keys stay keys."""
    if not isinstance(node, dict):
        return node
    converted = {name: _with_lists(value, name) for name, value in node.items()}
    if parent != "metadata" and converted and all(name.isdigit() for name in converted):
        return [converted[name] for name in sorted(converted, key=int)]
    return converted


def webhook_body(event: JSON) -> bytes:
    """An event as Stripe posts it: pretty-printed JSON."""
    return json.dumps(event, indent=2).encode()


def stripe_signature(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe puts on a webhook (its documented scheme)."""
    at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


@dataclass(frozen=True)
class ReceivedRequest:
    """One API call the fake answered, for assertions."""

    method: str
    path: str
    params: JSON
    headers: dict[str, str]


@dataclass
class _Saved:
    fingerprint: tuple[str, str, str]
    status: int
    body: JSON


@dataclass
class StripeFake:
    """Stripe's state for one test, and the switches a test flips."""

    api_version: str = stripe.api_version
    down: bool = False  # every call answers 500 api_error
    refunds_pending: bool = False  # new refunds come back "pending"
    stall_seconds: float = 0.0  # every call waits this long before it is answered
    url: str = ""  # set once the server runs
    requests: list[ReceivedRequest] = field(default_factory=list)
    events: list[JSON] = field(default_factory=list)
    sessions: dict[str, JSON] = field(default_factory=dict)
    payment_intents: dict[str, JSON] = field(default_factory=dict)
    charges: dict[str, JSON] = field(default_factory=dict)
    refunds: dict[str, JSON] = field(default_factory=dict)
    payment_metadata: dict[str, JSON] = field(default_factory=dict)
    _idempotent: dict[tuple[str, str], _Saved] = field(default_factory=dict)
    _refund_requests: dict[str, JSON] = field(default_factory=dict)

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._route(create_session))
        app.router.add_get("/v1/checkout/sessions/{id}", self._route(retrieve_session))
        app.router.add_post("/v1/refunds", self._route(create_refund))
        app.router.add_route("*", "/{tail:.*}", self._route(unknown_url))
        return app

    def requests_to(self, method: str, path: str) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # What happens on Stripe's side, each returning the event Stripe would send.

    def pay(self, session_id: str) -> JSON:
        """The buyer pays: the session completes, with a payment intent and its charge."""
        session = self._open_session(session_id)
        intent = self._new_payment_intent(session, status="succeeded")
        charge = self._new_charge(intent)
        intent["latest_charge"] = charge["id"]
        intent["amount_received"] = intent["amount"]
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        return self._event("checkout.session.completed", session)

    def expire(self, session_id: str) -> JSON:
        """Nobody paid before ``expires_at``."""
        session = self._open_session(session_id)
        session["status"] = "expired"
        return self._event("checkout.session.expired", session)

    def fail(self, session_id: str) -> JSON:
        """A delayed payment (a bank debit, say) completed the session, then failed."""
        session = self._open_session(session_id)
        intent = self._new_payment_intent(session, status="requires_payment_method")
        session.update(status="complete", payment_status="unpaid", payment_intent=intent["id"])
        return self._event("checkout.session.async_payment_failed", session)

    def refunded_event(self, payment_intent_id: str) -> JSON:
        """``charge.refunded``: pending refunds of the payment settle; with none asked for
        through the API, the rest is refunded (as from Stripe's Dashboard)."""
        charge = self.charge_of(self.payment_intents[payment_intent_id])
        assert charge is not None, f"{payment_intent_id} has no successful charge"
        if not charge["refunds"]["data"]:
            self.new_refund(charge, charge["amount"] - charge["amount_refunded"], None, {})
        for refund in charge["refunds"]["data"]:
            if refund["status"] == "pending":
                refund.update(status="succeeded", balance_transaction=new_id("txn_"))
        request = self._refund_requests.get(charge["refunds"]["data"][-1]["id"])
        return self._event("charge.refunded", charge, request=request)

    def signed_webhook(self, event: JSON, secret: str) -> tuple[bytes, dict[str, str]]:
        """The body and headers of Stripe's POST of ``event`` to a webhook endpoint."""
        body = webhook_body(event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": stripe_signature(body, secret),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        return body, headers

    # The HTTP side.

    def _route(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def answer(request: web.Request) -> web.Response:
            return await self._answer(request, handler)

        return answer

    async def _answer(self, request: web.Request, handler: Handler) -> web.Response:
        params = await _read_params(request)
        self.requests.append(
            ReceivedRequest(request.method, request.path, params, dict(request.headers))
        )
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        headers = {
            "Request-Id": new_id("req_", 14),
            "Stripe-Version": request.headers.get("Stripe-Version", self.api_version),
        }
        try:
            if self.down:
                raise StripeFakeError(
                    500,
                    "An unknown error occurred while processing your request.",
                    type="api_error",
                    saved=False,
                )
            api_key = _api_key(request)
            key = request.headers.get("Idempotency-Key")
            if request.method == "POST" and key:
                headers["Idempotency-Key"] = key
                replay = self._replay(api_key, key, request, params)
                if replay is not None:
                    headers["Idempotent-Replayed"] = "true"
                    return web.json_response(replay.body, status=replay.status, headers=headers)
            status, body = await self._run(handler, request, params, headers["Request-Id"])
            if request.method == "POST" and key:
                self._idempotent[(api_key, key)] = _Saved(
                    _fingerprint(request, params), status, body
                )
        except StripeFakeError as error:
            return web.json_response({"error": error.body}, status=error.status, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    async def _run(
        self, handler: Handler, request: web.Request, params: JSON, request_id: str
    ) -> tuple[int, JSON]:
        try:
            body = await handler(self, request, params)
        except StripeFakeError as error:
            if not error.saved:
                raise
            return error.status, {"error": error.body}
        if body.get("object") == "refund":
            key = request.headers.get("Idempotency-Key")
            self._refund_requests[body["id"]] = {"id": request_id, "idempotency_key": key}
        return 200, body

    def _replay(self, api_key: str, key: str, request: web.Request, params: JSON) -> _Saved | None:
        saved = self._idempotent.get((api_key, key))
        if saved is None:
            return None
        if saved.fingerprint != _fingerprint(request, params):
            raise StripeFakeError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
                saved=False,
            )
        return saved

    # Objects.

    def _open_session(self, session_id: str) -> JSON:
        session = self.sessions[session_id]
        assert session["status"] == "open", f"{session_id} is {session['status']}"
        return session

    def _new_payment_intent(self, session: JSON, *, status: str) -> JSON:
        intent = payment_intent_object(
            amount=session["amount_total"],
            currency=session["currency"],
            metadata=self.payment_metadata.get(session["id"], {}),
            status=status,
        )
        self.payment_intents[intent["id"]] = intent
        return intent

    def _new_charge(self, intent: JSON) -> JSON:
        charge = charge_object(intent)
        self.charges[charge["id"]] = charge
        return charge

    def charge_of(self, intent: JSON) -> JSON | None:
        charge_id = intent.get("latest_charge")
        return self.charges.get(charge_id) if charge_id else None

    def new_refund(self, charge: JSON, amount: int, reason: str | None, metadata: JSON) -> JSON:
        refund = refund_object(charge, amount, reason, metadata, pending=self.refunds_pending)
        self.refunds[refund["id"]] = refund
        charge["refunds"]["data"].append(refund)
        charge["refunds"]["total_count"] = len(charge["refunds"]["data"])
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return refund

    def _event(self, type: str, obj: JSON, *, request: JSON | None = None) -> JSON:
        event = {
            "id": new_id("evt_"),
            "object": "event",
            "api_version": self.api_version,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": request or {"id": None, "idempotency_key": None},
            "type": type,
        }
        self.events.append(event)
        return event


async def _read_params(request: web.Request) -> JSON:
    pairs = parse_qsl(request.query_string, keep_blank_values=True)
    if request.method == "POST":
        pairs += parse_qsl(await request.text(), keep_blank_values=True)
    return parse_params(pairs)


def _api_key(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    if not header:
        raise StripeFakeError(
            401,
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
            saved=False,
        )
    scheme, _, key = header.partition(" ")
    if scheme != "Bearer" or not key.startswith("sk_"):
        shown = f"{key[:8]}{'*' * 12}{key[-4:]}" if len(key) > 12 else key
        raise StripeFakeError(401, f"Invalid API Key provided: {shown}", saved=False)
    return key


def _fingerprint(request: web.Request, params: JSON) -> tuple[str, str, str]:
    return request.method, request.path, json.dumps(params, sort_keys=True)


# Request parameters, read the way Stripe reads them: an empty string is no value.


def _text(params: JSON, name: str, *, required: bool = False, label: str = "") -> str | None:
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise missing(label or name)
        return None
    if not isinstance(value, str):
        raise invalid(label or name, f"Invalid string: {value!r}")
    return value


def _integer(params: JSON, name: str, *, required: bool = False, label: str = "") -> int | None:
    raw = _text(params, name, required=required, label=label)
    if raw is None:
        return None
    if not re.fullmatch(r"-?\d+", raw):
        raise invalid(label or name, f"Invalid integer: {raw}", "parameter_invalid_integer")
    return int(raw)


def _object(params: JSON, name: str, *, label: str = "") -> JSON:
    value = params.get(name)
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise invalid(label or name, f"Invalid object: {label or name}")
    return value


def _metadata(params: JSON, name: str = "metadata") -> dict[str, str]:
    metadata = _object(params, name)
    for key, value in metadata.items():
        if not isinstance(value, str) or len(key) > 40 or len(value) > 500:
            raise invalid(
                f"{name}[{key}]",
                "Metadata keys are at most 40 characters and "
                "values strings of at most 500 characters.",
            )
    return {key: value for key, value in metadata.items() if value != ""}


def _url(params: JSON, name: str, *, required: bool = False) -> str | None:
    value = _text(params, name, required=required)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(name, "Not a valid URL", "url_invalid")
    return value


# Endpoints.


async def create_session(fake: StripeFake, request: web.Request, params: JSON) -> JSON:
    """``POST /v1/checkout/sessions`` (payment mode, line items with ``price_data``)."""
    mode = _text(params, "mode", required=True)
    if mode not in CHECKOUT_MODES:
        raise invalid("mode", "Invalid mode: must be one of payment, setup, or subscription")
    if mode != "payment":
        raise invalid("mode", f"This fake of Stripe answers mode=payment only, not {mode}")
    created = int(time.time())
    items = [_line_item(item, index) for index, item in enumerate(_line_items(params))]
    currencies = {item["price"]["currency"] for item in items}
    if len(currencies) > 1:
        raise invalid("line_items", "All line items must use the same currency.")
    session = session_object(
        created=created,
        expires_at=_expiry(params, created),
        items=items,
        client_reference_id=_client_reference(params),
        metadata=_metadata(params),
        success_url=_url(params, "success_url", required=True),
        cancel_url=_url(params, "cancel_url"),
    )
    fake.sessions[session["id"]] = session
    payment_data = _object(params, "payment_intent_data")
    fake.payment_metadata[session["id"]] = _metadata(payment_data)
    return copy.deepcopy(session)


async def retrieve_session(fake: StripeFake, request: web.Request, params: JSON) -> JSON:
    """``GET /v1/checkout/sessions/{id}``."""
    session_id = request.match_info["id"]
    if session_id not in fake.sessions:
        raise no_such("checkout.session", session_id, "session")
    return copy.deepcopy(fake.sessions[session_id])


async def create_refund(fake: StripeFake, request: web.Request, params: JSON) -> JSON:
    """``POST /v1/refunds`` of a payment intent's (or a charge's) successful charge."""
    charge = _charge_to_refund(fake, params)
    left = charge["amount"] - charge["amount_refunded"]
    if left <= 0:
        raise StripeFakeError(
            400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = _integer(params, "amount")
    if amount is not None and amount <= 0:
        raise invalid("amount", "Invalid positive integer", "parameter_invalid_integer")
    if amount is not None and amount > left:
        raise StripeFakeError(
            400,
            f"Refund amount ({amount} {charge['currency']}) is greater than unrefunded amount "
            f"on charge ({left} {charge['currency']})",
            code="amount_too_large",
            param="amount",
        )
    reason = _text(params, "reason")
    if reason is not None and reason not in REFUND_REASONS:
        raise invalid(
            "reason",
            "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
        )
    refund = fake.new_refund(charge, amount or left, reason, _metadata(params))
    return copy.deepcopy(refund)


async def unknown_url(fake: StripeFake, request: web.Request, params: JSON) -> JSON:
    raise StripeFakeError(
        404,
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        saved=False,
    )


def _line_items(params: JSON) -> list[Any]:
    items = params.get("line_items")
    if items in (None, "", []):
        raise missing("line_items")
    if not isinstance(items, list):
        raise invalid("line_items", "Invalid array")
    return items


def _line_item(item: Any, index: int) -> JSON:
    at = f"line_items[{index}]"
    if not isinstance(item, dict):
        raise invalid(at, f"Invalid object: {at}")
    if "price" in item:
        raise no_such("price", str(item["price"]), f"{at}[price]")
    data = _object(item, "price_data", label=f"{at}[price_data]")
    if not data:
        raise missing(f"{at}[price_data]")
    currency = _text(data, "currency", required=True, label=f"{at}[price_data][currency]")
    assert currency is not None
    if not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise invalid(f"{at}[price_data][currency]", f"Invalid currency: {currency.lower()}")
    unit_amount = _integer(
        data, "unit_amount", required=True, label=f"{at}[price_data][unit_amount]"
    )
    product = _object(data, "product_data", label=f"{at}[price_data][product_data]")
    name = _text(product, "name", required=True, label=f"{at}[price_data][product_data][name]")
    quantity = _integer(item, "quantity", required=True, label=f"{at}[quantity]")
    assert unit_amount is not None and quantity is not None and name is not None
    if unit_amount < 0:
        raise invalid(
            f"{at}[price_data][unit_amount]",
            "This value must be greater than or equal to 0.",
            "parameter_invalid_integer",
        )
    if quantity < 1:
        raise invalid(
            f"{at}[quantity]",
            "This value must be greater than or equal to 1.",
            "parameter_invalid_integer",
        )
    return line_item_object(currency.lower(), unit_amount, quantity, name)


def _expiry(params: JSON, created: int) -> int:
    expires_at = _integer(params, "expires_at")
    if expires_at is None:
        return created + MAX_SESSION_LIFETIME
    if expires_at - created < MIN_SESSION_LIFETIME:
        raise invalid(
            "expires_at",
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
            "creation.",
        )
    if expires_at - created > MAX_SESSION_LIFETIME:
        raise invalid(
            "expires_at",
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
        )
    return expires_at


def _client_reference(params: JSON) -> str | None:
    reference = _text(params, "client_reference_id")
    if reference is not None and len(reference) > 200:
        raise invalid("client_reference_id", "client_reference_id is at most 200 characters.")
    return reference


def _charge_to_refund(fake: StripeFake, params: JSON) -> JSON:
    intent_id = _text(params, "payment_intent")
    charge_id = _text(params, "charge")
    if intent_id is None and charge_id is None:
        raise StripeFakeError(
            400,
            "One of the following params should be provided for this request: "
            "payment_intent or charge.",
            code="parameter_missing",
            saved=False,
        )
    if charge_id is not None:
        if charge_id not in fake.charges:
            raise no_such("charge", charge_id, "charge")
        return fake.charges[charge_id]
    assert intent_id is not None
    if intent_id not in fake.payment_intents:
        raise no_such("payment_intent", intent_id, "payment_intent")
    charge = fake.charge_of(fake.payment_intents[intent_id])
    if charge is None:
        raise invalid(
            "payment_intent",
            f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
        )
    return charge


# Objects, in the shapes of Stripe's published fixtures (fixtures3.json), with our values.


def line_item_object(currency: str, unit_amount: int, quantity: int, name: str) -> JSON:
    return {
        "id": new_id("li_"),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": unit_amount * quantity,
        "amount_tax": 0,
        "amount_total": unit_amount * quantity,
        "currency": currency,
        "description": name,
        "price": {
            "id": new_id("price_"),
            "object": "price",
            "currency": currency,
            "unit_amount": unit_amount,
            "product": new_id("prod_", 14),
            "type": "one_time",
        },
        "quantity": quantity,
    }


def session_object(
    *,
    created: int,
    expires_at: int,
    items: list[JSON],
    client_reference_id: str | None,
    metadata: dict[str, str],
    success_url: str | None,
    cancel_url: str | None,
) -> JSON:
    session_id = "cs_test_" + new_id("a1", 56)
    total = sum(item["amount_total"] for item in items)
    return {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
        "billing_address_collection": None,
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "client_secret": None,
        "created": created,
        "currency": items[0]["currency"],
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": None,
        "discounts": [],
        "expires_at": expires_at,
        "invoice": None,
        "livemode": False,
        "locale": None,
        "metadata": metadata,
        "mode": "payment",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "recovered_from": None,
        "setup_intent": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": success_url,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }


def payment_intent_object(*, amount: int, currency: str, metadata: JSON, status: str) -> JSON:
    intent_id = new_id("pi_")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_{new_id('', 25)}",
        "confirmation_method": "automatic",
        "created": int(time.time()),
        "currency": currency,
        "customer": None,
        "description": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": dict(metadata),
        "payment_method": new_id("pm_"),
        "payment_method_types": ["card"],
        "status": status,
    }


def charge_object(intent: JSON) -> JSON:
    charge_id = new_id("ch_")
    return {
        "id": charge_id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"],
        "amount_refunded": 0,
        "balance_transaction": new_id("txn_"),
        "captured": True,
        "created": int(time.time()),
        "currency": intent["currency"],
        "customer": None,
        "description": None,
        "disputed": False,
        "failure_code": None,
        "failure_message": None,
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "outcome": {"network_status": "approved_by_network", "type": "authorized"},
        "paid": True,
        "payment_intent": intent["id"],
        "payment_method": intent["payment_method"],
        "receipt_url": f"https://pay.stripe.com/receipts/payment/{new_id('', 40)}",
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/charges/{charge_id}/refunds",
        },
        "status": "succeeded",
    }


def refund_object(
    charge: JSON, amount: int, reason: str | None, metadata: JSON, *, pending: bool
) -> JSON:
    return {
        "id": new_id("re_"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": None if pending else new_id("txn_"),
        "charge": charge["id"],
        "created": int(time.time()),
        "currency": charge["currency"],
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "metadata": dict(metadata),
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "pending" if pending else "succeeded",
        "transfer_reversal": None,
    }


@contextlib.asynccontextmanager
async def running_stripe_fake() -> AsyncIterator[StripeFake]:
    """A :class:`StripeFake` served on 127.0.0.1; its base URL is ``fake.url``."""
    fake = StripeFake()
    server = TestServer(fake.make_app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()
