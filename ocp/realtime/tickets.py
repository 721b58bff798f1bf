"""Short-lived single-use tickets for WebSockets opened by browsers that cannot send headers."""

from __future__ import annotations

import hashlib
import secrets
import time

from redis.asyncio import Redis

from ocp import redis_keys

TICKET_TTL = 30  # seconds


def _key(ticket: str) -> str:
    return redis_keys.WS_TICKET_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


class TicketStore:
    """Redis when there is one (any process may redeem), else this process's memory."""

    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis
        self._memory: dict[str, tuple[str, float]] = {}

    async def issue(self, *, user_id: int, epoch: int) -> str:
        ticket = secrets.token_urlsafe(32)
        value = f"{user_id}:{epoch}"
        if self._redis is not None:
            await self._redis.set(_key(ticket), value, ex=TICKET_TTL)
        else:
            now = time.monotonic()
            self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
            self._memory[_key(ticket)] = (value, now + TICKET_TTL)
        return ticket

    async def redeem(self, ticket: str) -> tuple[int, int] | None:
        """(user id, auth epoch) once per ticket while it is fresh; None otherwise."""
        if not ticket.isascii() or len(ticket) > 100:
            return None
        if self._redis is not None:
            raw = await self._redis.getdel(_key(ticket))
            value = raw.decode() if raw is not None else None
        else:
            stored = self._memory.pop(_key(ticket), None)
            value = stored[0] if stored and stored[1] > time.monotonic() else None
        if value is None:
            return None
        user_id, _, epoch = value.partition(":")
        return int(user_id), int(epoch)
