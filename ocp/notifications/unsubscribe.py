"""Signed one-click unsubscribe links (RFC 8058): one per user and notification type."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

PATH = "/api/v1/notifications/unsubscribe"


def _mac(secret: str, user_id: int, type: str) -> str:
    key = hashlib.sha256(b"ocp-unsubscribe:" + secret.encode()).digest()
    digest = hmac.new(key, f"{user_id}:{type}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def link(base: str, secret: str, *, user_id: int, type: str) -> str:
    """The URL that turns ``type``'s email off for ``user_id``, with no session."""
    query = urlencode({"user": user_id, "type": type, "sig": _mac(secret, user_id, type)})
    return f"{base}{PATH}?{query}"


def holds(secret: str, *, user_id: int, type: str, signature: str) -> bool:
    """Whether ``signature`` is the one this service gave for (user, type)."""
    return hmac.compare_digest(_mac(secret, user_id, type).encode(), signature.encode())
