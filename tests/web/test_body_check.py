"""Lone surrogates in a JSON body are a client error however they travel: the check that
finds them is skipped only for short plain-ASCII bodies, which cannot hold one."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from ocp.users.models import User
from tests.helpers import expect_problem

REGISTER = "/api/v1/auth/register"
TEXT = '{"email": "s@example.com", "password": "correct horse battery", "full_name": "Bad\\ud800"}'


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(TEXT.encode(), id="escape"),
        pytest.param(
            TEXT.replace("\\ud800", "").encode()[:-2] + b'\xed\xa0\x80"}', id="utf-8 bytes"
        ),
        pytest.param(TEXT.encode("utf-16-le"), id="utf-16"),
        pytest.param(TEXT.encode() + b" " * 300, id="long"),
    ],
)
async def test_a_lone_surrogate_is_refused(client: TestClient, raw: bytes) -> None:
    response = await client.post(REGISTER, data=raw, headers={"Content-Type": "application/json"})
    assert response.status in (400, 422), await response.text()
    await expect_problem(response, response.status)
    assert await User.all().count() == 0
