"""Password hashing: argon2id at OWASP's floor or above, off the event loop."""

from __future__ import annotations

import asyncio

from passlib.context import CryptContext

context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19 * 1024,
    argon2__time_cost=2,
    argon2__parallelism=1,
)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(context.hash, password)


async def verify(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one uses weaker parameters than today's)."""
    return await asyncio.to_thread(context.verify_and_update, password, password_hash)


async def verify_nothing(password: str) -> None:
    """Spend the time a real check takes, so an unknown email answers like a wrong password."""
    await asyncio.to_thread(context.dummy_verify)
