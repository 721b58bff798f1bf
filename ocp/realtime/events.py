"""What travels on the bus: an event on a channel, with the id its history gave it."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

CHANNEL = re.compile(r"(?:user|course|forum|thread):([1-9][0-9]{0,9})|admin")
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


def new_event_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Event:
    """An event as a channel holds it: ``id`` is its place in the channel's history,
    ``event_id`` the event's own name, the same on every channel and every publication."""

    channel: str
    id: str
    type: str
    data: dict[str, Any]
    event_id: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "channel": self.channel,
                "id": self.id,
                "event_id": self.event_id,
                "type": self.type,
                "data": self.data,
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        raw = json.loads(text)
        return cls(
            channel=raw["channel"],
            id=raw["id"],
            type=raw["type"],
            data=raw["data"],
            event_id=raw.get("event_id", ""),
        )


def id_key(event_id: str) -> tuple[int, int]:
    """Stream ids ("<ms>-<seq>") in their order."""
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)
