"""A proxy's X-Forwarded-For, while OCP_TRUST_FORWARDED is off, is worth one warning."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings

ClientFactory = Callable[..., Awaitable[TestClient]]
FORWARDED = {"X-Forwarded-For": "203.0.113.9"}


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "ocp.web" and r.levelno == logging.WARNING and "X-Forwarded-For" in r.message
    ]


async def test_warned_once_per_process(
    aiohttp_client: ClientFactory, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ocp.web")
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/healthz")).status == 200
    assert warnings_of(caplog) == []  # nothing forwarded, nothing said
    for path in ("/healthz", "/api/v1/courses", "/api/v1/users/me"):
        await (await client.get(path, headers=FORWARDED)).read()
    said = warnings_of(caplog)
    assert len(said) == 1, said
    assert "OCP_TRUST_FORWARDED" in said[0] and "203.0.113.9" not in said[0]
    # Another process (app) says it again, once.
    other = await aiohttp_client(create_app(settings))
    await (await other.get("/healthz", headers=FORWARDED)).read()
    assert len(warnings_of(caplog)) == 2


async def test_no_warning_when_forwarded_addresses_are_trusted(
    aiohttp_client: ClientFactory, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ocp.web")
    client = await aiohttp_client(create_app(replace(settings, trust_forwarded=True)))
    await (await client.get("/healthz", headers=FORWARDED)).read()
    assert warnings_of(caplog) == []
