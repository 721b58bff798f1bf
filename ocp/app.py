"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from aiohttp import web

from ocp import db, metrics
from ocp.appkeys import (
    ACTIVITY,
    BUS,
    CATALOG_CACHE,
    ENDPOINTS,
    EVENTS,
    HUB,
    JOBS,
    LIMITER,
    REDIS,
    SESSIONS,
    SETTINGS,
    STORAGE,
    TICKETS,
)
from ocp.config import Settings, SettingsError
from ocp.courses import views as courses_views
from ocp.courses.cache import CatalogCache
from ocp.events.log import EventLog
from ocp.jobs import InProcessJobQueue, JobFunction, arq_queue, registered
from ocp.learning import views as learning_views
from ocp.media import views as media_views
from ocp.media.storage import LocalStorage
from ocp.ratelimit import MemoryLimiter, RedisLimiter
from ocp.realtime import views as realtime_views
from ocp.realtime.bus import Bus, MemoryBus, RedisBus
from ocp.realtime.hub import Hub
from ocp.realtime.tickets import TicketStore
from ocp.redis_pool import connect, redis_ctx
from ocp.users import views as users_views
from ocp.web import docs, health
from ocp.web.auth import auth_middleware
from ocp.web.cors import cors_preflight_middleware
from ocp.web.endpoint import Endpoint, add_endpoints
from ocp.web.forwarded import forwarded_warning_middleware
from ocp.web.observe import Activity, observe_middleware
from ocp.web.problems import add_standard_headers, problem_middleware
from ocp.web.sessions import SessionStore


def all_endpoints() -> list[Endpoint]:
    """Every route of the service; each domain adds its ``routes`` here."""
    return [
        *health.routes,
        *docs.routes,
        *users_views.routes,
        *courses_views.routes,
        *learning_views.routes,
        *media_views.routes,
        *realtime_views.routes,
        *metrics.routes,
    ]


async def bus_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start this process's event subscription, hub and event sweeper; at exit close the
    sockets (1001), drain in-process jobs, publish what is pending and stop."""
    await app[BUS].start()
    await app[HUB].start()
    bus = app[BUS]
    if isinstance(bus, RedisBus):
        events = app[EVENTS]

        async def sweep_now() -> None:
            events.wake()

        bus.on_resubscribed(sweep_now)
    app[EVENTS].start()
    yield
    await app[HUB].close()
    await app[JOBS].close()
    await app[EVENTS].close()
    await app[EVENTS].flush()
    await app[BUS].close()


async def close_websockets(app: web.Application) -> None:
    """Shutdown, before in-flight requests are awaited: sockets close with 1001 at once."""
    await app[HUB].close()


def create_app(
    settings: Settings, *, job_functions: Mapping[str, JobFunction] | None = None
) -> web.Application:
    """A ready-to-run app for ``settings``; resources open on start-up and close on cleanup.

    Embedded mode runs background jobs in this process: the job functions come from
    ``job_functions`` or from those registered by importing ``workers.jobs`` (which the
    entry points do; ``ocp`` never imports ``workers``). With Redis, jobs go to arq.
    """
    if settings.embedded:
        settings = settings.with_secret_key()
    settings.check_production()
    app = web.Application(
        middlewares=[observe_middleware, problem_middleware, cors_preflight_middleware],
        client_max_size=settings.max_body_kb * 1024,
    )
    app[SETTINGS] = settings
    app[ACTIVITY] = Activity()
    if (forwarded := forwarded_warning_middleware(settings)) is not None:
        app.middlewares.append(forwarded)
    redis = connect(settings.redis_url) if settings.redis_url else None
    app[REDIS] = redis
    app[LIMITER] = RedisLimiter(redis) if redis is not None else MemoryLimiter()
    app[SESSIONS] = SessionStore(settings, redis)
    app[CATALOG_CACHE] = CatalogCache(
        redis, enabled=settings.catalog_cache, max_age=settings.catalog_cache_max_age
    )
    bus: Bus = RedisBus(redis) if redis is not None else MemoryBus()
    app[BUS] = bus
    app[EVENTS] = EventLog(
        bus, dialect=settings.dialect, retention_days=settings.event_retention_days
    )
    app[HUB] = Hub(bus)
    app[TICKETS] = TicketStore(redis)
    app[STORAGE] = LocalStorage(settings.effective_media_dir)
    if redis is not None:
        app[JOBS] = arq_queue(redis)
    else:
        functions = job_functions if job_functions is not None else registered()
        if not functions:
            raise SettingsError("embedded mode runs jobs in-process: import workers.jobs first")
        app[JOBS] = InProcessJobQueue(
            functions,
            {"bus": bus, "events": app[EVENTS], "storage": app[STORAGE], "settings": settings},
        )
    app[SESSIONS].install(app)
    app.middlewares.append(auth_middleware)
    app[ENDPOINTS] = {}
    add_endpoints(app, all_endpoints())
    app.cleanup_ctx.append(db.tortoise_ctx)
    app.cleanup_ctx.append(redis_ctx)  # closes last: the bus below stops before it
    app.cleanup_ctx.append(bus_ctx)
    app.on_startup.append(docs.build_on_startup)
    app.on_startup.append(media_views.prepare_storage)
    app.on_response_prepare.append(add_standard_headers)
    app.on_shutdown.append(close_websockets)
    return app
