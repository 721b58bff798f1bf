"""The app's Redis client (production mode only)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis

from ocp.appkeys import REDIS


def connect(url: str) -> Redis:
    """A client with short timeouts, so a dead Redis gives a 503 rather than a hang.

    It connects lazily, so it can be made in ``create_app`` (the session store needs it there).
    """
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """Close the client made in ``create_app`` when the app stops."""
    yield
    client = app[REDIS]
    if client is not None:
        await client.aclose()
