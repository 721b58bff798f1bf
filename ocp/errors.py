"""Domain errors. Services raise these; ``ocp.web.problems`` maps them to HTTP once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class OCPError(Exception):
    """Base of every error a caller may see; ``status`` and ``code`` pick the HTTP answer."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Mapping[str, Sequence[str] | Mapping[str, object]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = dict(headers or {})


class BadRequest(OCPError):
    status, code, title = 400, "bad-request", "Bad request"


class Unauthorized(OCPError):
    status, code, title = 401, "unauthorized", "Not authenticated"


class PaymentRequired(OCPError):
    status, code, title = 402, "payment-required", "Payment required"


class Forbidden(OCPError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(OCPError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(OCPError):
    status, code, title = 409, "conflict", "Conflict"


class PayloadTooLarge(OCPError):
    status, code, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(OCPError):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(OCPError):
    status, code, title = 422, "validation-failed", "Validation failed"


class TooManyRequests(OCPError):
    status, code, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class InsufficientStorage(OCPError):
    status, code, title = 507, "insufficient-storage", "Insufficient storage"


class ServiceUnavailable(OCPError):
    status, code, title = 503, "service-unavailable", "Service unavailable"


class NotImplementedYet(OCPError):
    status, code, title = 501, "not-implemented", "Not implemented yet"
