"""Password storage: argon2id at OWASP's floor, upgraded on sign-in when parameters rise."""

from __future__ import annotations

from passlib.hash import argon2

from ocp.users.models import User
from tests.helpers import PASSWORD, Users


async def test_weaker_hash_is_upgraded_at_sign_in(users: Users) -> None:
    user = await users.register()
    weak = argon2.using(type="ID", memory_cost=8 * 1024, time_cost=1, parallelism=1).hash(PASSWORD)
    await User.filter(id=user["id"]).update(password_hash=weak)

    response = await users.client.post(
        "/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD}
    )
    assert response.status == 200
    stored = (await User.get(id=user["id"])).password_hash
    assert stored != weak
    assert stored.startswith("$argon2id$") and "m=19456,t=2,p=1" in stored


async def test_same_password_gives_different_hashes(users: Users) -> None:
    first = await users.register()
    second = await users.register()
    hashes = {(await User.get(id=u["id"])).password_hash for u in (first, second)}
    assert len(hashes) == 2
