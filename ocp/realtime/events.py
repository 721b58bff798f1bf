"""What travels on the bus: an event on a channel, with the id its history gave it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

CHANNEL = re.compile(r"^(?:user|course|thread):[1-9][0-9]{0,9}$|^admin$")


def check_channel(channel: str) -> str:
    if not CHANNEL.match(channel):
        raise ValueError(f"not a channel name: {channel!r}")
    return channel


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
