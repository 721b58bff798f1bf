"""arq's ``WorkerSettings``: ``arq workers.main.WorkerSettings``.

This is a process entry point, so it reads the settings from the environment on import,
as arq needs its Redis settings on the class.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from arq import Retry, cron, func
from arq import cli as arq_cli
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function
from tortoise import Tortoise

from ocp import db, domains, logs, redis_keys
from ocp.config import Settings
from ocp.courses.cache import CatalogCache
from ocp.events.log import EventLog
from ocp.events.reactions import Reactions
from ocp.jobs import MAX_TRIES, ArqJobQueue, JobContext, JobSpec, run_try
from ocp.media.storage import LocalStorage
from ocp.realtime.bus import RedisBus
from workers import resilient

log = logging.getLogger("ocp.worker")

# arq counts a try that a killed worker never finished: room for a few such deaths beyond
# the tries the runner makes (``ocp/jobs.py``).
KILLED_TRIES = 3
CONTEXT = "ocp"  # the key of the JobContext in arq's ctx


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
    bus = RedisBus(ctx["redis"])
    events = EventLog(bus, dialect=settings.dialect, retention_days=settings.event_retention_days)
    context = JobContext(
        settings=settings,
        storage=LocalStorage(settings.effective_media_dir),
        bus=bus,
        events=events,
        jobs=ArqJobQueue(ctx["redis"]),
        cache=CatalogCache(ctx["redis"]),
        redis=ctx["redis"],
    )
    events.bind(context, Reactions.of(domains.reactions()))
    events.run_consumers(domains.consumers())
    events.start()  # this worker, too, publishes what a dead process left behind
    ctx[CONTEXT] = context


async def shutdown(ctx: dict[str, Any]) -> None:
    if (context := ctx.get(CONTEXT)) is not None:
        await context.events.close()
    if ctx.get("orm") is not None:
        await ctx["orm"].close_connections()


def arq_function(spec: JobSpec) -> Function:
    """``spec`` as arq runs it: through the one runner, its "again" as arq's ``Retry``. None
    keeps a result (one kept blocks re-enqueues)."""

    async def run(ctx: dict[str, Any], *args: Any) -> None:
        context: JobContext = ctx[CONTEXT]
        job_try = int(ctx.get("job_try", 1))
        delay = await run_try(
            spec, context.for_try(ctx.get("job_id"), job_try, spec.max_tries), args
        )
        if delay is not None:
            raise Retry(defer=delay)

    run.__qualname__ = run.__name__ = spec.name
    return func(
        cast(Any, run), name=spec.name, keep_result=0, max_tries=spec.max_tries + KILLED_TRIES
    )


def functions() -> list[Function]:
    """Every domain's jobs (``ocp/domains.py``)."""
    return [arq_function(spec) for spec in domains.jobs()]


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
# module, then configures logging with this function; nothing else calls it. It then runs a
# worker through these names, which make it one that rides out Redis outages (arq's command
# line has no setting for the worker class).
arq_cli.default_log_config = _arq_command_line_logging
arq_cli.run_worker = resilient.run_worker
arq_cli.create_worker = resilient.create_worker


def cron_jobs() -> list[CronJob]:
    """The scheduled jobs (``JobSpec.minutes``), each run by one worker at its minutes."""
    return [
        cron(
            arq_function(spec).coroutine,
            name=f"cron:{spec.name}",
            minute=set(spec.minutes),
            second=0,
            unique=True,
            run_at_startup=False,
        )
        for spec in domains.jobs()
        if spec.minutes
    ]


class WorkerSettings:
    functions = functions()
    cron_jobs = cron_jobs()
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings(Settings.from_env())
    health_check_key = redis_keys.WORKER_HEALTH_KEY
    health_check_interval = 30
    job_timeout = 300
    poll_delay = 0.1  # seconds between queue polls: bounds the completion lag
    max_tries = MAX_TRIES
