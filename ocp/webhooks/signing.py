"""Secrets and signatures of the Standard Webhooks specification (standardwebhooks.com).

A secret is ``whsec_`` and the base64 of 32 random bytes; those bytes are the HMAC key. The
signature of a message is ``v1,`` and the base64 of HMAC-SHA256 over
``<webhook-id>.<webhook-timestamp>.<body>``; during a rotation the header carries one per
secret, space-separated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
KEY_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of a message."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(
    secrets_in_use: list[str], *, message_id: str, timestamp: int, body: bytes
) -> str:
    """The ``webhook-signature`` header: one signature per secret in use."""
    return " ".join(
        sign(secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in secrets_in_use
    )
