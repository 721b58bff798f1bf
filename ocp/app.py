"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from ocp import db, domains
from ocp.appkeys import (
    ACTIVITY,
    BUS,
    CATALOG_CACHE,
    CHANNEL_RULES,
    ENDPOINTS,
    EVENTS,
    FILE_GRANTS,
    HUB,
    IDENTITIES,
    JOBS,
    LIMITER,
    PAYMENT_PROVIDER,
    REDIS,
    SESSIONS,
    SETTINGS,
    STORAGE,
    TICKETS,
)
from ocp.config import Settings
from ocp.courses.cache import CatalogCache
from ocp.events.log import EventLog
from ocp.events.reactions import Reactions
from ocp.idempotency.middleware import idempotency_middleware
from ocp.jobs import InProcessJobQueue, JobContext, JobQueue, JobSpec, arq_queue
from ocp.media import views as media_views
from ocp.media.storage import LocalStorage
from ocp.payments.providers import make_provider
from ocp.ratelimit import MemoryLimiter, RedisLimiter
from ocp.realtime.bus import Bus, MemoryBus, RedisBus
from ocp.realtime.hub import Hub
from ocp.realtime.tickets import TicketStore
from ocp.redis_pool import connect, redis_ctx
from ocp.web import docs, health, metrics
from ocp.web.auth import auth_middleware
from ocp.web.cors import cors_preflight_middleware
from ocp.web.endpoint import Endpoint, add_endpoints
from ocp.web.forwarded import forwarded_warning_middleware
from ocp.web.identities import Identities
from ocp.web.observe import Activity, observe_middleware
from ocp.web.problems import add_standard_headers, problem_middleware
from ocp.web.sessions import SessionStore


def all_endpoints() -> list[Endpoint]:
    """Every route of the service: the plumbing's and each domain's (``ocp/domains.py``)."""
    return [*health.routes, *docs.routes, *domains.routes(), *metrics.routes]


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
    queue = app[JOBS]
    if isinstance(queue, InProcessJobQueue):
        queue.start_schedule()
    yield
    await app[HUB].close()
    await app[JOBS].close()
    await app[EVENTS].close()
    await app[EVENTS].flush()
    await app[BUS].close()


async def close_payment_provider(app: web.Application) -> None:
    await app[PAYMENT_PROVIDER].close()


async def close_websockets(app: web.Application) -> None:
    """Shutdown, before in-flight requests are awaited: sockets close with 1001 at once."""
    await app[HUB].close()


def create_app(settings: Settings, *, jobs: list[JobSpec] | None = None) -> web.Application:
    """A ready-to-run app for ``settings``; resources open on start-up and close on cleanup.

    With Redis, jobs go to arq (the worker runs them); embedded, they run in this process:
    the domains' jobs, or ``jobs`` (tests).
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
        bus,
        dialect=settings.dialect,
        retention_days=settings.event_retention_days,
        hold_ms=settings.test_publish_hold_ms,
    )
    app[HUB] = Hub(bus)
    app[IDENTITIES] = Identities()
    bus.on_control(app[IDENTITIES].on_control)
    app[TICKETS] = TicketStore(redis)
    app[STORAGE] = LocalStorage(settings.effective_media_dir)
    queue: JobQueue
    if redis is not None:
        queue = arq_queue(redis)
    else:
        queue = InProcessJobQueue(jobs if jobs is not None else domains.jobs())
    app[JOBS] = queue
    context = JobContext(
        settings=settings,
        storage=app[STORAGE],
        bus=bus,
        events=app[EVENTS],
        jobs=queue,
        cache=app[CATALOG_CACHE],
        redis=redis,
    )
    if isinstance(queue, InProcessJobQueue):
        queue.bind(context)
    app[EVENTS].bind(context, Reactions.of(domains.reactions()))
    if isinstance(queue, InProcessJobQueue):  # embedded: this process is the worker too
        app[EVENTS].run_consumers(domains.consumers())
    app[CHANNEL_RULES] = domains.channel_rules()
    app[FILE_GRANTS] = domains.file_grants()
    app[PAYMENT_PROVIDER] = make_provider(settings)
    app[SESSIONS].install(app)
    app.middlewares.append(auth_middleware)
    app.middlewares.append(idempotency_middleware)
    app[ENDPOINTS] = {}
    add_endpoints(app, all_endpoints())
    app.cleanup_ctx.append(db.tortoise_ctx)
    app.cleanup_ctx.append(redis_ctx)  # closes last: the bus below stops before it
    app.cleanup_ctx.append(bus_ctx)
    app.on_startup.append(docs.build_on_startup)
    app.on_startup.append(media_views.prepare_storage)
    app.on_response_prepare.append(add_standard_headers)
    app.on_shutdown.append(close_websockets)
    app.on_cleanup.append(close_payment_provider)
    return app
