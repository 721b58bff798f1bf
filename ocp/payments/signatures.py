"""Stripe's webhook signature scheme, which the sandbox uses too.

``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, keyed with the
endpoint's secret (the whole ``whsec_...`` string). A header may carry several ``v1``
signatures (while a secret is being rolled); one that matches is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Stripe-Signature"
TOLERANCE = 300  # seconds a signature stays good, either way of now


class BadSignature(ValueError):
    """The signature is missing, malformed, wrong or too old."""


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The header value for ``body``."""
    at = int(time.time()) if timestamp is None else timestamp
    return f"t={at},v1={_mac(body, secret, at)}"


def verify(body: bytes, header: str | None, secret: str, *, now: float | None = None) -> None:
    """Raise :class:`BadSignature` unless ``header`` signs ``body`` with ``secret`` within
    :data:`TOLERANCE` seconds of ``now``."""
    if not header:
        raise BadSignature(f"missing {HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise BadSignature("malformed timestamp") from None
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise BadSignature("no timestamp or no v1 signature")
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE:
        raise BadSignature("timestamp outside the tolerance")
    expected = _mac(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise BadSignature("no signature matches")


def _mac(body: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
