"""Browser sessions: Redis-backed in production, an encrypted cookie when embedded.

A session holds the user id, the user's ``auth_epoch`` when it was made (a password change
bumps it and so ends every other session), a CSRF token, its start and last-seen times
(absolute and idle timeouts), and ``sid``: the session's own id, which a password change's
re-issue keeps, so that the sockets opened with a session can ask whether it still stands
(:meth:`SessionStore.current`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session import setup as aiohttp_session_setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.redis_storage import RedisStorage
from redis.asyncio import Redis

from ocp import redis_keys
from ocp.config import Settings

COOKIE_NAME = "ocp_session"
SEEN_EVERY = 60  # seconds between writes of the last-seen time
MAX_MOVES = 5  # re-issues followed when looking a session up


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
        await self._redis.delete(self.key_of(identity))

    def new_identity(self) -> str:
        return self._key_factory()

    def key_of(self, identity: str) -> str:
        return f"{self.cookie_name}_{identity}"

    async def write_now(self, session: Session) -> None:
        """Store a session with an identity already set, before the response does."""
        assert session.identity is not None
        data = self._encoder(self._get_session_data(session))
        await self._redis.set(self.key_of(str(session.identity)), data, ex=session.max_age)

    async def load_data(self, identity: str) -> dict[str, Any] | None:
        """A stored session's data, or None when there is none (ended or expired)."""
        raw = await self._redis.get(self.key_of(identity))
        if raw is None:
            return None
        try:
            stored = json.loads(raw)
        except ValueError:
            return None
        data = stored.get("session") if isinstance(stored, dict) else None
        return data if isinstance(data, dict) else None

    async def moved_to(self, identity: str) -> str | None:
        """The identity a re-issued session continues under, if any."""
        raw = await self._redis.get(redis_keys.SESSION_MOVED_PREFIX + identity)
        return raw.decode() if isinstance(raw, bytes) else raw

    async def record_move(self, old: str, new: str, seconds: int) -> None:
        await self._redis.set(redis_keys.SESSION_MOVED_PREFIX + old, new, ex=seconds)


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
    sid: str = ""
    key: str | None = None  # the identity in server-side storage; None in cookie storage
    started_at: int = 0
    seen_at: int = 0


def _state(data: Any, key: str | None) -> SessionState | None:
    """The state a session's data describes, or None when it is not a signed-in session."""
    uid, epoch, csrf = data.get("uid"), data.get("epoch"), data.get("csrf")
    if not isinstance(uid, int) or not isinstance(epoch, int) or not isinstance(csrf, str):
        return None
    sid = data.get("sid")
    return SessionState(
        user_id=uid,
        epoch=epoch,
        csrf_token=csrf,
        sid=sid if isinstance(sid, str) else "",
        key=key,
        started_at=int(data.get("iat", 0)),
        seen_at=int(data.get("seen", 0)),
    )


class _CookieSessionChanges:
    """Cookie sessions cannot be deleted on a server, so this process remembers the ones
    that ended (logout) and the epoch of those re-issued (password change) until they
    would have expired anyway. Embedded mode is one process, so this is all of them."""

    def __init__(self, max_age: int) -> None:
        self._max_age = max_age
        self._known: dict[str, tuple[int | None, float]] = {}

    def ended(self, sid: str) -> None:
        self._remember(sid, None)

    def continued(self, sid: str, epoch: int) -> None:
        self._remember(sid, epoch)

    def lookup(self, sid: str) -> tuple[bool, int | None]:
        """(known, epoch): known with None means ended; with an epoch, re-issued."""
        entry = self._known.get(sid)
        if entry is None or entry[1] < time.monotonic():
            return False, None
        return True, entry[0]

    def _remember(self, sid: str, epoch: int | None) -> None:
        now = time.monotonic()
        if len(self._known) > 1024:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
        self._known[sid] = (epoch, now + self._max_age)


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
        self._cookie_sessions = _CookieSessionChanges(settings.session_max_age)

    def install(self, app: web.Application) -> None:
        aiohttp_session_setup(app, self.storage)

    def presented(self, request: web.Request) -> bool:
        """The request carries our session cookie (empty or not)."""
        return COOKIE_NAME in request.cookies

    def clear_cookie(self, response: web.StreamResponse) -> None:
        """Tell the browser to drop the session cookie."""
        self.storage.save_cookie(response, "")

    def _expired(self, state: SessionState, now: int) -> bool:
        return (
            now - state.started_at > self.settings.session_max_age
            or now - state.seen_at > self.settings.session_idle_timeout
        )

    async def read(self, request: web.Request) -> SessionState | None:
        """The signed-in state, or None; expired and ended sessions are emptied on the way."""
        if COOKIE_NAME not in request.cookies:
            return None
        session = await get_session(request)
        key = str(session.identity) if self._server_side and session.identity else None
        state = _state(session, key)
        now = int(time.time())
        if state is None or self._expired(state, now) or self._ended_cookie(state):
            if not session.empty:
                session.invalidate()
            return None
        if now - state.seen_at >= SEEN_EVERY:
            session["seen"] = now
        return state

    @property
    def _server_side(self) -> bool:
        return isinstance(self.storage, ServerSideRedisStorage)

    def _ended_cookie(self, state: SessionState) -> bool:
        """A cookie session that ended here (or a copy of one re-issued since) still comes
        back: the cookie cannot be taken from the client."""
        if self._server_side:
            return False
        known, epoch = self._cookie_sessions.lookup(state.sid)
        return known and (epoch is None or epoch != state.epoch)

    async def current(self, state: SessionState) -> SessionState | None:
        """The session ``state`` was read from as it stands now (following a password
        change's re-issue), or None when it ended or expired."""
        now = int(time.time())
        if isinstance(self.storage, ServerSideRedisStorage):
            identity = state.key
            for _ in range(MAX_MOVES):
                if identity is None:
                    return None
                data = await self.storage.load_data(identity)
                if data is not None:
                    found = _state(data, identity)
                    if found is None or found.sid != state.sid or self._expired(found, now):
                        return None
                    return found
                identity = await self.storage.moved_to(identity)
            return None
        known, epoch = self._cookie_sessions.lookup(state.sid)
        if known and epoch is None:
            return None
        # The cookie's last-seen time is not visible here: only the absolute limit applies.
        if now - state.started_at > self.settings.session_max_age:
            return None
        return replace(state, epoch=epoch) if epoch is not None else state

    async def start(
        self,
        request: web.Request,
        *,
        user_id: int,
        epoch: int,
        continues: SessionState | None = None,
    ) -> str:
        """Sign in with a brand-new session id (the old one is discarded); return its CSRF
        token. With ``continues`` (a password change), the new session carries on that one:
        same ``sid``, so sockets opened with it keep going under the new epoch."""
        old = await self._discard_current(request, ending=continues is None)
        session = await new_session(request)
        now = int(time.time())
        csrf = secrets.token_urlsafe(32)
        sid = continues.sid if continues is not None and continues.sid else _new_sid()
        session.update(
            {"uid": user_id, "epoch": epoch, "csrf": csrf, "iat": now, "seen": now, "sid": sid}
        )
        if continues is None:
            return csrf
        if isinstance(self.storage, ServerSideRedisStorage):
            # Stored now, not when the response is: sockets re-checking meanwhile find it.
            session.set_new_identity(self.storage.new_identity())
            await self.storage.write_now(session)
            if old is not None and old.key is not None:
                await self.storage.record_move(
                    old.key, str(session.identity), self.settings.session_max_age
                )
        else:
            self._cookie_sessions.continued(sid, epoch)
        return csrf

    async def end(self, request: web.Request) -> SessionState | None:
        """Sign out: the session is removed on the server side at once (even if the request
        then fails) and the cookie cleared. Returns what it was, if it was signed in."""
        return await self._discard_current(request, ending=True)

    async def _discard_current(self, request: web.Request, *, ending: bool) -> SessionState | None:
        if COOKIE_NAME not in request.cookies:
            return None
        session = await get_session(request)
        key = str(session.identity) if self._server_side and session.identity else None
        state = _state(session, key)
        if session.identity is not None:
            await self.storage.discard(str(session.identity))
        if state is not None and ending and not self._server_side:
            self._cookie_sessions.ended(state.sid)
        session.invalidate()
        return state


def _new_sid() -> str:
    return secrets.token_urlsafe(16)
