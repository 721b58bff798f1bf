"""Tortoise configuration: the models of every domain (``ocp/domains.py``), plus aerich's
own table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from aiohttp import web
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url

from ocp import domains
from ocp.appkeys import SETTINGS

APP_LABEL = "models"


def connection_name(database_url: str) -> str:
    """The connection is named after its dialect: Tortoise caches SQL per connection name and
    table process-wide, so SQLite and PostgreSQL in one process (tests) must not share one."""
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise (and aerich) configuration for one database URL."""
    name = connection_name(database_url)
    return {
        "connections": {name: database_url},
        "apps": {
            APP_LABEL: {
                "models": [*domains.model_modules(), "aerich.models"],
                "default_connection": name,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection: asyncpg.Connection) -> None:
    """asyncpg's pool reset without its reset query (``pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL``), one round trip on every release: OCP leaves no session state
    on a connection (no SET, LISTEN, session advisory lock or open cursor; the event log's
    lock is transaction-scoped), and asyncpg still rolls back an unfinished transaction."""


def serving_config(database_url: str) -> dict[str, Any]:
    """:func:`tortoise_config` for the web service: on PostgreSQL, connections go back to
    the pool without the session reset query (see :func:`_keep_session`)."""
    config = tortoise_config(database_url)
    name = connection_name(database_url)
    if name == "postgres":
        connection = expand_db_url(database_url)
        connection["credentials"]["reset"] = _keep_session
        config["connections"][name] = connection
    return config


def __getattr__(name: str) -> Any:
    """``TORTOISE_ORM`` for the aerich CLI, built from the environment only when asked for."""
    if name == "TORTOISE_ORM":
        from ocp.config import Settings

        return tortoise_config(Settings.from_env().effective_database_url)
    raise AttributeError(name)


async def tortoise_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the ORM for the app's lifetime and close exactly the context that was opened.

    The global fallback lets request tasks (started outside this task) reach the context.
    """
    settings = app[SETTINGS]
    orm = await Tortoise.init(
        config=serving_config(settings.effective_database_url), _enable_global_fallback=True
    )
    try:
        yield
    finally:
        await orm.close_connections()


async def ping(database_url: str) -> None:
    """Raise if the database does not answer a trivial query."""
    await connections.get(connection_name(database_url)).execute_query("SELECT 1")
