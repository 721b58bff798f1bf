"""A per-process cache of Bearer tokens to their owners, for bursts of requests.

A token's owner is read from the database at most once per ``ttl`` seconds per process;
within that time a request carries the snapshot of the user read then. Rights changes end
that at once: every rights change (a revoked token, a role change, a deactivation) sends
the control message ``{"user_id": N}`` (``ocp/realtime/control.py``), which every process
hears and which drops that user's entries here: the process that made the change at once,
before its answer goes out; the others (with Redis) within milliseconds. When the message cannot
travel (Redis down), or the change was made straight in the database, an entry still lives
at most ``ttl`` seconds: that is the bound on serving a revoked token or a stale role.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ocp.users.models import User

TTL = 1.0  # seconds an owner, once read, answers for its token in this process
MAX_ENTRIES = 10_000  # past this, the cache starts over (a burst of many distinct tokens)


@dataclass(frozen=True)
class Identity:
    user: User
    token_id: int
    expires: float  # time.monotonic()


class Identities:
    """Token hash -> (owner, token id), each for ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, Identity] = {}

    def get(self, token_hash: str) -> Identity | None:
        found = self._entries.get(token_hash)
        if found is None:
            return None
        if found.expires <= time.monotonic():
            del self._entries[token_hash]
            return None
        return found

    def put(self, token_hash: str, user: User, token_id: int) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[token_hash] = Identity(user, token_id, time.monotonic() + self.ttl)

    def forget_user(self, user_id: int) -> None:
        """Drop every token of ``user_id``: the next request reads the owner again."""
        for key in [k for k, v in self._entries.items() if v.user.id == user_id]:
            del self._entries[key]

    def on_control(self, message: dict[str, Any]) -> None:
        """A bus control handler: ``{"user_id": N}`` says N's rights changed."""
        user_id = message.get("user_id")
        if isinstance(user_id, int):
            self.forget_user(user_id)
