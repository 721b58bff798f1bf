"""Short-lived single-use tickets for WebSockets opened by browsers that cannot send headers.

A ticket carries the credential it was issued to (the session or the API token), so the
socket it opens ends with that credential.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from redis.asyncio import Redis

from ocp import redis_keys
from ocp.realtime.credentials import Credential

TICKET_TTL = 30  # seconds


def _key(ticket: str) -> str:
    return redis_keys.WS_TICKET_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


class TicketStore:
    """Redis when there is one (any process may redeem), else this process's memory."""

    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis
        self._memory: dict[str, tuple[str, float]] = {}

    async def issue(self, credential: Credential) -> str:
        ticket = secrets.token_urlsafe(32)
        value = credential.to_json()
        if self._redis is not None:
            await self._redis.set(_key(ticket), value, ex=TICKET_TTL)
        else:
            now = time.monotonic()
            self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
            self._memory[_key(ticket)] = (value, now + TICKET_TTL)
        return ticket

    async def redeem(self, ticket: str) -> Credential | None:
        """The credential a ticket was issued to, once per ticket while it is fresh."""
        if not ticket.isascii() or len(ticket) > 100:
            return None
        value: str | bytes | None
        if self._redis is not None:
            value = await self._redis.getdel(_key(ticket))
        else:
            stored = self._memory.pop(_key(ticket), None)
            value = stored[0] if stored and stored[1] > time.monotonic() else None
        return Credential.from_json(value) if value is not None else None
