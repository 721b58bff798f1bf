"""What travels on the bus: an event on a channel, with the id its history gave it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

CHANNEL = re.compile(r"(?:user|course|thread):([1-9][0-9]{0,9})|admin")
EVENT_ID = re.compile(r"([0-9]{1,20})-([0-9]{1,20})")
MAX_OBJECT_ID = 2**31 - 1  # ids are 32-bit integers in the database
MAX_ID_PART = 2**64 - 1  # both halves of a stream id are unsigned 64-bit integers


def check_channel(channel: str) -> str:
    """``channel`` when it names a channel whose id an object could have; else ValueError."""
    match = CHANNEL.fullmatch(channel)
    if match is None or (match.group(1) is not None and int(match.group(1)) > MAX_OBJECT_ID):
        raise ValueError(f"not a channel name: {channel!r}")
    return channel


def parse_event_id(text: object) -> tuple[int, int] | None:
    """The order key of an event id (``"<ms>-<seq>"``), or None when it is not one."""
    if not isinstance(text, str):
        return None
    match = EVENT_ID.fullmatch(text)
    if match is None:
        return None
    ms, seq = int(match.group(1)), int(match.group(2))
    if ms > MAX_ID_PART or seq > MAX_ID_PART:
        return None
    return ms, seq


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def course_channel(course_id: int) -> str:
    return f"course:{course_id}"


@dataclass(frozen=True)
class Event:
    channel: str
    id: str
    type: str
    data: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {"channel": self.channel, "id": self.id, "type": self.type, "data": self.data}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        raw = json.loads(text)
        return cls(channel=raw["channel"], id=raw["id"], type=raw["type"], data=raw["data"])


def id_key(event_id: str) -> tuple[int, int]:
    """Stream ids ("<ms>-<seq>") in their order."""
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)
