"""What a WebSocket was opened with, and whether it still stands.

A socket remembers the session or the API token that let it in, also when it came through
a ticket (a ticket carries the credential it was issued to). Re-checks then end the socket
when that session ends (logout, password change elsewhere, expiry) or that token is
revoked, and never because of a change to another credential of the same user.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ocp.users import service as users_service
from ocp.users.models import User
from ocp.web.auth import Caller
from ocp.web.sessions import SessionState, SessionStore


@dataclass(frozen=True)
class Credential:
    user_id: int
    session: SessionState | None = None
    token_id: int | None = None

    @classmethod
    def of(cls, caller: Caller) -> Credential:
        return cls(user_id=caller.id, session=caller.session, token_id=caller.token_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> Credential | None:
        try:
            raw: Any = json.loads(text)
            session = raw["session"]
            return cls(
                user_id=int(raw["user_id"]),
                session=SessionState(**session) if session is not None else None,
                token_id=None if raw["token_id"] is None else int(raw["token_id"]),
            )
        except (ValueError, TypeError, KeyError):
            return None


async def standing(credential: Credential, sessions: SessionStore) -> User | None:
    """The credential's user, fresh from the database, while the user is active and the
    session (as it stands now) or the token still holds; else None."""
    user = await users_service.get(user_id=credential.user_id)
    if user is None or not user.is_active:
        return None
    if credential.session is not None:
        session = await sessions.current(credential.session)
        if session is None or session.epoch != user.auth_epoch:
            return None
    if credential.token_id is not None and not await users_service.token_active(
        token_id=credential.token_id
    ):
        return None
    if credential.session is None and credential.token_id is None:
        return None
    return user
