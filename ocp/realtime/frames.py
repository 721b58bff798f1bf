"""Outgoing WebSocket frames, encoded once however many sockets they go to.

A server's frames are not masked (RFC 6455, section 5.1) and our sockets negotiate no
compression (``compress=False`` in views.py), so a text frame is the same bytes for every
socket: the JSON is encoded once, and the frame header put in front of it once.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

import orjson

_FIN_TEXT = 0x81  # FIN bit and opcode 1 (text)
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A text frame: its JSON ``payload`` and the whole frame as it goes on the ``wire``."""

    payload: bytes
    wire: bytes

    @classmethod
    def of(cls, frame: dict[str, Any]) -> Outgoing:
        payload = encode(frame)
        return cls(payload, text_frame(payload))


def encode(frame: dict[str, Any]) -> bytes:
    """``frame`` as JSON (UTF-8)."""
    try:
        return orjson.dumps(frame, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # integers past 64 bits: the standard library takes them
        return json.dumps(frame).encode()


def text_frame(payload: bytes) -> bytes:
    """A final, unmasked, uncompressed text frame carrying ``payload``."""
    size = len(payload)
    if size < 126:
        header = _SHORT.pack(_FIN_TEXT, size)
    elif size < 1 << 16:
        header = _MEDIUM.pack(_FIN_TEXT, 126, size)
    else:
        header = _LONG.pack(_FIN_TEXT, 127, size)
    return header + payload
