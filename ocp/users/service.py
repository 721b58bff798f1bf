"""Account operations: register, sign in, profiles, passwords, API tokens, admin changes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from ocp import ratelimit
from ocp.config import Settings
from ocp.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.ratelimit import Limiter
from ocp.realtime import control
from ocp.users import passwords
from ocp.users.models import ApiToken, Role, User

if TYPE_CHECKING:
    from ocp.realtime.bus import Bus

TOKEN_PREFIX = "ocp_"  # noqa: S105 (a marker, not a secret)
MAX_TOKENS_PER_USER = 50
TOKEN_TOUCH_EVERY = timedelta(minutes=1)
WRONG_CREDENTIALS = "Wrong email or password"
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600  # an address an account signed in from stays known


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def get(*, user_id: int) -> User | None:
    return await User.get_or_none(id=user_id)


async def get_or_raise(*, user_id: int) -> User:
    user = await get(user_id=user_id)
    if user is None:
        raise NotFound("No such user")
    return user


async def get_by_email(*, email: str) -> User | None:
    return await User.get_or_none(email=email.strip().lower())


async def register(
    *, email: str, password: str, full_name: str, address: str, limiter: Limiter, settings: Settings
) -> User:
    """Create a student account; 409 when the email is taken (also under parallel requests)."""
    count, retry = await limiter.hit(
        ratelimit.key("register-addr", address), settings.register_window
    )
    if count > settings.register_max_per_address:
        raise TooManyRequests("Too many accounts registered from this address", retry_after=retry)
    email = email.strip().lower()
    if await User.exists(email=email):
        raise Conflict("An account with this email already exists")
    password_hash = await passwords.hash_password(password)
    try:
        return await User.create(
            email=email, password_hash=password_hash, full_name=full_name, role=Role.STUDENT
        )
    except IntegrityError:
        raise Conflict("An account with this email already exists") from None


async def _count_sign_in(
    email: str, address: str, limiter: Limiter, settings: Settings
) -> tuple[str, str | None]:
    """Count one sign-in attempt, before the password is checked (so parallel guesses
    cannot slip past a limit); 429 past a limit. Returns the keys it was counted under that a
    success clears and takes back: ``(account key, address key or None)``.

    An account that signed in from this address before (in the last 30 days) has a budget of
    its own there, and neither the address's nor the account's shared budget applies: other
    people's failures from the same address (a campus, an office) or guesses at the account
    from elsewhere do not lock out its owner. Every other attempt counts against the account
    (5 failures from unknown addresses) and against the address (30): credential stuffing
    from one address stops after 30 tries, as its victims never signed in from there.
    """
    window = settings.login_failure_window
    pair = f"{address}\n{email}"
    if await limiter.remembered(ratelimit.key("login-known", pair)):
        pair_key = ratelimit.key("login-pair", pair)
        count, retry = await limiter.hit(pair_key, window)
        if count > settings.login_max_failures_per_email:
            raise TooManyRequests("Too many failed sign-ins for this account", retry_after=retry)
        return pair_key, None
    email_key = ratelimit.key("login-email", email)
    address_key = ratelimit.key("login-addr", address)
    by_email, email_retry = await limiter.hit(email_key, window)
    by_address, address_retry = await limiter.hit(address_key, window)
    if by_email > settings.login_max_failures_per_email:
        raise TooManyRequests("Too many failed sign-ins for this account", retry_after=email_retry)
    if by_address > settings.login_max_failures_per_address:
        raise TooManyRequests(
            "Too many failed sign-ins from this address", retry_after=address_retry
        )
    return email_key, address_key


async def login(
    *, email: str, password: str, address: str, limiter: Limiter, settings: Settings
) -> User:
    """Check credentials under attempt limits (see ``_count_sign_in``); a success takes its
    attempt back and makes the address known for the account. Unknown email and wrong
    password answer alike."""
    email = email.strip().lower()
    account_key, address_key = await _count_sign_in(email, address, limiter, settings)
    user = await User.get_or_none(email=email)
    if user is None:
        await passwords.verify_nothing(password)
        raise Unauthorized(WRONG_CREDENTIALS)
    matches, new_hash = await passwords.verify(password, user.password_hash)
    if not matches:
        raise Unauthorized(WRONG_CREDENTIALS)
    await limiter.reset(account_key)
    if address_key is not None:
        await limiter.undo(address_key)
    if not user.is_active:
        raise Forbidden("This account is deactivated")
    await limiter.remember(
        ratelimit.key("login-known", f"{address}\n{email}"), KNOWN_ADDRESS_SECONDS
    )
    user.last_login_at = _now()
    update_fields = ["last_login_at"]
    if new_hash:
        user.password_hash = new_hash
        update_fields.append("password_hash")
    await user.save(update_fields=update_fields)
    return user


async def update_profile(*, user: User, changes: Mapping[str, Any], events: EventLog) -> User:
    """Change the caller's own profile fields (``full_name``, ``bio``, ``avatar_url``); a new
    name is the event ``user.renamed`` (on no channel: the catalog reacts to it)."""
    if not changes:
        return user
    renamed = "full_name" in changes and changes["full_name"] != user.full_name
    async with in_transaction() as conn:
        for name, value in changes.items():
            setattr(user, name, value)
        await user.save(update_fields=[*changes, "updated_at"], using_db=conn)
        if renamed:
            data = {"user_id": user.id, "role": str(user.role), "full_name": user.full_name}
            await event_log.record(conn, type="user.renamed", data=data, channels=[])
    if renamed:
        _ = await events.flush()
    return user


async def change_password(
    *, user: User, current_password: str, new_password: str, limiter: Limiter, settings: Settings
) -> User:
    """Set a new password and bump ``auth_epoch``, which ends every other session.

    Wrong current passwords have a budget of their own per account (the sign-in limit's
    size), so guesses at sign-in from elsewhere never block the owner's change."""
    attempts_key = ratelimit.key("password-change", str(user.id))
    count, retry = await limiter.hit(attempts_key, settings.login_failure_window)
    if count > settings.login_max_failures_per_email:
        raise TooManyRequests("Too many wrong passwords for this account", retry_after=retry)
    matches, _ = await passwords.verify(current_password, user.password_hash)
    if not matches:
        raise Forbidden(
            "The current password is wrong", errors={"current_password": ["Wrong password."]}
        )
    await limiter.reset(attempts_key)
    if current_password == new_password:
        raise ValidationFailed(errors={"new_password": ["Must differ from the current password."]})
    user.password_hash = await passwords.hash_password(new_password)
    await User.filter(id=user.id).update(
        password_hash=user.password_hash, auth_epoch=F("auth_epoch") + 1, updated_at=_now()
    )
    await user.refresh_from_db(fields=["auth_epoch", "updated_at"])
    return user


async def list_users(
    *, role: str | None = None, q: str | None = None, offset: int, limit: int
) -> tuple[list[User], int]:
    """Users by id, optionally of one role or matching ``q`` in email or name; and the total."""
    query = User.all()
    if role:
        query = query.filter(role=role)
    if q:
        query = query.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
    total = await query.count()
    users = await query.order_by("id").offset(offset).limit(limit)
    return users, total


async def update_by_admin(*, user_id: int, changes: Mapping[str, Any], bus: Bus) -> User:
    """Change a user's ``role`` or ``is_active``; the last active admin cannot be removed.

    Every active admin row is locked (in id order, so two such changes cannot deadlock)
    before the check, so two admins demoting each other at once leave one admin. The
    user's WebSockets re-check their rights at once.
    """
    async with in_transaction() as conn:
        # Whole rows: Tortoise drops FOR UPDATE from values_list() and count() queries.
        admins = (
            await User.filter(role=Role.ADMIN, is_active=True)
            .order_by("id")
            .select_for_update()
            .using_db(conn)
        )
        admin_ids = [admin.id for admin in admins]
        user = await User.filter(id=user_id).select_for_update().using_db(conn).first()
        if user is None:
            raise NotFound("No such user")
        loses_admin = user.id in admin_ids and (
            changes.get("role", user.role) != Role.ADMIN or changes.get("is_active") is False
        )
        if loses_admin and not [i for i in admin_ids if i != user.id]:
            raise Conflict("The last active admin cannot be demoted or deactivated")
        if changes:
            for name, value in changes.items():
                setattr(user, name, value)
            await user.save(update_fields=[*changes, "updated_at"], using_db=conn)
    if changes:
        await control.rights_changed(bus, user_id=user.id)
    return user


async def create_admin(
    *, email: str, password: str | None, full_name: str | None
) -> tuple[User, bool]:
    """Create an admin, or promote (and reactivate) an existing account; True when created."""
    email = email.strip().lower()
    user = await User.get_or_none(email=email)
    if user is None:
        if not password:
            raise ValidationFailed(errors={"password": ["A new admin needs a password."]})
        user = await User.create(
            email=email,
            password_hash=await passwords.hash_password(password),
            full_name=full_name or email.split("@")[0],
            role=Role.ADMIN,
        )
        return user, True
    user.role = Role.ADMIN
    user.is_active = True
    fields = ["role", "is_active", "updated_at"]
    if password:
        user.password_hash = await passwords.hash_password(password)
        user.auth_epoch += 1
        fields += ["password_hash", "auth_epoch"]
    if full_name:
        user.full_name = full_name
        fields.append("full_name")
    await user.save(update_fields=fields)
    return user, False


async def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned here once and only its SHA-256 is kept.

    The owner's row is locked while counting, so parallel requests cannot pass the cap.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction() as conn:
        await User.filter(id=user.id).select_for_update().using_db(conn).first()
        active = await ApiToken.filter(user_id=user.id, revoked_at=None).using_db(conn).count()
        if active >= MAX_TOKENS_PER_USER:
            raise Conflict(f"At most {MAX_TOKENS_PER_USER} active tokens; revoke one first")
        token = await ApiToken.create(
            user_id=user.id,
            name=name,
            token_hash=hash_token(secret),
            prefix=secret[:12],
            using_db=conn,
        )
    return token, secret


async def list_tokens(*, user: User) -> list[ApiToken]:
    return await ApiToken.filter(user_id=user.id, revoked_at=None).order_by("id")


async def revoke_token(*, user: User, token_id: int, bus: Bus) -> None:
    """Revoke one of the user's own active tokens; any other id is a 404. The sockets opened
    with it (or with tickets issued through it) close at once."""
    revoked = await ApiToken.filter(id=token_id, user_id=user.id, revoked_at=None).update(
        revoked_at=_now()
    )
    if not revoked:
        raise NotFound("No such token")
    await control.rights_changed(bus, user_id=user.id)


# A presented token's owner in one plain statement (every request with a cache miss in
# ocp/web/identities.py runs it): the owner's columns, as User loads them, and the token's.
# A dialect pair: on PostgreSQL the same statement also touches the token's last use (at
# most once per TOKEN_TOUCH_EVERY, only for an active owner); SQLite touches it after.
_OWNER_OF_HASH_POSTGRES = """
WITH owner AS (
    SELECT u.*, t.id AS ocp_token_id, t.last_used_at AS ocp_token_used
    FROM api_token t JOIN "user" u ON u.id = t.user_id
    WHERE t.token_hash = $1 AND t.revoked_at IS NULL
), touched AS (
    UPDATE api_token SET last_used_at = $2
    WHERE id = (SELECT ocp_token_id FROM owner WHERE is_active)
      AND (last_used_at IS NULL OR last_used_at < $3)
)
SELECT * FROM owner
"""
_OWNER_OF_HASH_SQLITE = (
    "SELECT u.*, t.id AS ocp_token_id, t.last_used_at AS ocp_token_used FROM api_token t "
    'JOIN "user" u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL'
)
_LAST_USED = ApiToken._meta.fields_map["last_used_at"]


async def authenticate_token(*, secret: str) -> tuple[User, int] | None:
    """The active owner and token id for a presented secret, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200 or not secret.isascii():
        return None
    client = ApiToken._meta.db
    now = _now()
    postgres = client.capabilities.dialect == "postgres"
    if postgres:
        values = [hash_token(secret), now, now - TOKEN_TOUCH_EVERY]
        rows = await client.execute_query_dict(_OWNER_OF_HASH_POSTGRES, values)
    else:
        rows = await client.execute_query_dict(_OWNER_OF_HASH_SQLITE, [hash_token(secret)])
    if not rows or not rows[0]["is_active"]:
        return None
    user = User._init_from_db(**rows[0])
    token_id = int(rows[0]["ocp_token_id"])
    if not postgres:
        last_used = _LAST_USED.to_python_value(rows[0]["ocp_token_used"])
        if last_used is None or now - last_used > TOKEN_TOUCH_EVERY:
            await ApiToken.filter(id=token_id).update(last_used_at=now)
    return user, token_id


async def token_active(*, token_id: int) -> bool:
    """Whether an API token is still unrevoked (long-lived connections re-check this)."""
    return await ApiToken.exists(id=token_id, revoked_at=None)
