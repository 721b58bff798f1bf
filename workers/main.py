"""arq's ``WorkerSettings``: ``arq workers.main.WorkerSettings``.

This is a process entry point, so it reads the settings from the environment on import,
as arq needs its Redis settings on the class.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from arq import cli as arq_cli
from arq import func
from arq.connections import RedisSettings
from tortoise import Tortoise

from ocp import db, logs, redis_keys
from ocp.config import Settings
from ocp.events.log import EventLog
from ocp.jobs import MAX_TRIES, ArqJobQueue
from ocp.media.storage import LocalStorage
from ocp.realtime.bus import RedisBus
from workers import uploads
from workers.jobs import FUNCTIONS
from workers.observed import observed

log = logging.getLogger("ocp.worker")


async def startup(ctx: dict[str, Any]) -> None:
    """Open the ORM, the bus and the queue. The ORM's context is kept to close it with:
    Tortoise 1.x closes connections only from the context that opened them.

    A ctx that arrives with ``"orm"`` (tests running a worker beside an app) keeps it.
    """
    settings = ctx.get("settings") or Settings.from_env()
    ctx["settings"] = settings
    if "orm" not in ctx:
        if not settings.redis_url or settings.embedded:
            raise SystemExit("ocp worker: set OCP_DATABASE_URL and OCP_REDIS_URL")
        ctx["orm"] = await Tortoise.init(
            config=db.tortoise_config(settings.effective_database_url),
            _enable_global_fallback=True,
        )
    ctx["storage"] = LocalStorage(settings.effective_media_dir)
    ctx["bus"] = RedisBus(ctx["redis"])
    ctx["events"] = EventLog(
        ctx["bus"], dialect=settings.dialect, retention_days=settings.event_retention_days
    )
    ctx["events"].start()  # this worker, too, publishes what a dead process left behind
    ctx["jobs"] = ArqJobQueue(ctx["redis"])


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("events") is not None:
        await ctx["events"].close()
    if ctx.get("orm") is not None:
        await ctx["orm"].close_connections()


def functions() -> list[Any]:
    """The jobs as arq registers them: none keeps a result (one kept blocks re-enqueues)."""
    tries = {"process_upload": uploads.ARQ_MAX_TRIES}
    return [
        func(
            cast(Any, observed(name, job, max_tries=tries.get(name, MAX_TRIES))),
            name=name,
            keep_result=0,
            max_tries=tries.get(name, MAX_TRIES),
        )
        for name, job in FUNCTIONS.items()
    ]


def redis_settings(settings: Settings) -> RedisSettings:
    """From ``OCP_REDIS_URL`` (``startup`` refuses to run without it)."""
    return RedisSettings.from_dsn(settings.redis_url) if settings.redis_url else RedisSettings()


def _arq_command_line_logging(verbose: bool) -> dict[str, Any]:
    """What arq's command line asks for before it starts a worker: our logging instead
    (``OCP_LOG_FORMAT``, ``OCP_LOG_LEVEL``), so that even its first lines are in our format."""
    settings = Settings.from_env()
    logs.configure(level="DEBUG" if verbose else settings.log_level, format=settings.log_format)
    return {"version": 1, "disable_existing_loggers": False}


# arq's command line (``arq workers.main.WorkerSettings``, the Procfile's worker) imports this
# module, then configures logging with this function; nothing else calls it.
arq_cli.default_log_config = _arq_command_line_logging


class WorkerSettings:
    functions = functions()
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings(Settings.from_env())
    health_check_key = redis_keys.WORKER_HEALTH_KEY
    health_check_interval = 30
    job_timeout = 300
    poll_delay = 0.1  # seconds between queue polls: bounds the completion lag
    max_tries = MAX_TRIES
