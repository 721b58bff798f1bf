"""Schema migrations with aerich: a folder per dialect (docs/development.md), picked by URL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from aerich import Command
from tortoise import Tortoise
from tortoise.exceptions import OperationalError

from ocp.db import APP_LABEL, tortoise_config

T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def dialect_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


def location(dialect: str, root: Path = MIGRATIONS_DIR) -> Path:
    return root / dialect


def _command(database_url: str, root: Path = MIGRATIONS_DIR) -> Command:
    return Command(
        tortoise_config=tortoise_config(database_url),
        app=APP_LABEL,
        location=str(location(dialect_of(database_url), root)),
    )


def _prepare(database_url: str) -> None:
    if database_url.startswith("sqlite://"):
        path = Path(database_url.removeprefix("sqlite://"))
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)


async def _run(database_url: str, work: Callable[[Command], Awaitable[T]]) -> T:
    """Run ``work`` with an initialised aerich command, in a task of its own, so the ORM
    context aerich opens never leaks into the caller's."""
    _prepare(database_url)

    async def run() -> T:
        command = _command(database_url)
        await command.init()
        try:
            return await work(command)
        finally:
            await Tortoise.close_connections()

    return await asyncio.create_task(run())


async def upgrade(database_url: str) -> list[str]:
    """Apply every migration not yet applied; return their file names."""
    return await _run(database_url, lambda command: command.upgrade(run_in_transaction=True))


async def pending(database_url: str) -> list[str]:
    """Migration files not yet applied to the database."""

    async def heads(command: Command) -> list[str]:
        try:
            return await command.heads()
        except OperationalError:  # no aerich table yet: everything is pending
            return await command.history()

    return await _run(database_url, heads)


async def make(database_url: str, name: str, root: Path = MIGRATIONS_DIR) -> str | None:
    """Bring a scratch database of one dialect to head, then write the next migration for the
    models' changes under ``root``; return its file name, or None when nothing changed."""
    _prepare(database_url)

    async def run() -> str | None:
        folder = location(dialect_of(database_url), root) / APP_LABEL
        command = _command(database_url, root)
        try:
            if not any(folder.glob("*.py")):
                await command.init_db(safe=True)
                return sorted(p.name for p in folder.glob("*.py"))[-1]
            await command.init()
            await command.upgrade(run_in_transaction=True)
            await command.init()  # again: aerich reads the last models state from the database
            return await command.migrate(name, no_input=True) or None
        finally:
            with contextlib.suppress(Exception):
                await Tortoise.close_connections()

    return await asyncio.create_task(run())
