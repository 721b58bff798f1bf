"""Browser sessions: Redis-backed in production, an encrypted cookie when embedded.

A session holds the user id, the user's ``auth_epoch`` when it was made (a password change
bumps it and so ends every other session), a CSRF token, and its start and last-seen times
(absolute and idle timeouts).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session import setup as aiohttp_session_setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.redis_storage import RedisStorage
from redis.asyncio import Redis

from ocp.config import Settings

COOKIE_NAME = "ocp_session"
SEEN_EVERY = 60  # seconds between writes of the last-seen time


class ServerSideRedisStorage(RedisStorage):
    """RedisStorage that deletes a session's key when it is emptied (logout) or replaced, and
    clears the cookie of an emptied session, also one whose key was already gone."""

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        if session.empty:
            if session.identity is not None:
                await self.discard(str(session.identity))
            if session.identity is not None or COOKIE_NAME in request.cookies:
                self.save_cookie(response, "", max_age=session.max_age)  # also a stale one
            return
        await super().save_session(request, response, session)

    async def discard(self, identity: str) -> None:
        await self._redis.delete(f"{self.cookie_name}_{identity}")


class EmptyAwareCookieStorage(EncryptedCookieStorage):
    """Never send a cookie for a session that holds nothing, but clear one that came."""

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        if session.empty and session.new and COOKIE_NAME not in request.cookies:
            return
        await super().save_session(request, response, session)

    async def discard(self, identity: str) -> None:
        """A cookie session lives only in the cookie; replacing the cookie discards it."""


@dataclass(frozen=True)
class SessionState:
    user_id: int
    epoch: int
    csrf_token: str


class SessionStore:
    """What the rest of the service needs from sessions, over either storage."""

    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.settings = settings
        common: dict[str, Any] = {
            "cookie_name": COOKIE_NAME,
            "max_age": settings.session_max_age,
            "httponly": True,
            "samesite": "Lax",
            "secure": settings.cookie_secure or None,
        }
        self.storage: ServerSideRedisStorage | EmptyAwareCookieStorage
        if redis is not None:
            self.storage = ServerSideRedisStorage(
                redis, key_factory=lambda: secrets.token_urlsafe(32), **common
            )
        else:
            assert settings.secret_key, "the secret key is set before the app is built"
            key = hashlib.sha256(b"ocp-session:" + settings.secret_key.encode()).digest()
            self.storage = EmptyAwareCookieStorage(key, **common)

    def install(self, app: web.Application) -> None:
        aiohttp_session_setup(app, self.storage)

    def presented(self, request: web.Request) -> bool:
        """The request carries our session cookie (empty or not)."""
        return COOKIE_NAME in request.cookies

    def clear_cookie(self, response: web.StreamResponse) -> None:
        """Tell the browser to drop the session cookie."""
        self.storage.save_cookie(response, "")

    async def read(self, request: web.Request) -> SessionState | None:
        """The signed-in state, or None; expired sessions are emptied on the way."""
        if COOKIE_NAME not in request.cookies:
            return None
        session = await get_session(request)
        uid, epoch, csrf = session.get("uid"), session.get("epoch"), session.get("csrf")
        if not isinstance(uid, int) or not isinstance(epoch, int) or not isinstance(csrf, str):
            if not session.empty:
                session.invalidate()
            return None
        now = int(time.time())
        started, seen = int(session.get("iat", 0)), int(session.get("seen", 0))
        if (
            now - started > self.settings.session_max_age
            or now - seen > self.settings.session_idle_timeout
        ):
            session.invalidate()
            return None
        if now - seen >= SEEN_EVERY:
            session["seen"] = now
        return SessionState(user_id=uid, epoch=epoch, csrf_token=csrf)

    async def start(self, request: web.Request, *, user_id: int, epoch: int) -> str:
        """Sign in with a brand-new session id (the old one is discarded); return its CSRF token."""
        old_identity = None
        if COOKIE_NAME in request.cookies:
            old_identity = (await get_session(request)).identity
        session = await new_session(request)
        now = int(time.time())
        csrf = secrets.token_urlsafe(32)
        session.update({"uid": user_id, "epoch": epoch, "csrf": csrf, "iat": now, "seen": now})
        if old_identity is not None:
            await self.storage.discard(str(old_identity))
        return csrf

    async def end(self, request: web.Request) -> None:
        """Sign out: the session is removed on the server side at once (even if the request
        then fails) and the cookie cleared."""
        if COOKIE_NAME in request.cookies:
            session = await get_session(request)
            if session.identity is not None:
                await self.storage.discard(str(session.identity))
            session.invalidate()
