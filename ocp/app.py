"""The application factory."""

from __future__ import annotations

from aiohttp import web

from ocp import db
from ocp.appkeys import CATALOG_CACHE, ENDPOINTS, LIMITER, REDIS, SESSIONS, SETTINGS
from ocp.config import Settings
from ocp.courses import views as courses_views
from ocp.courses.cache import CatalogCache
from ocp.ratelimit import MemoryLimiter, RedisLimiter
from ocp.redis_pool import connect, redis_ctx
from ocp.users import views as users_views
from ocp.web import docs, health
from ocp.web.auth import auth_middleware
from ocp.web.cors import cors_preflight_middleware
from ocp.web.endpoint import Endpoint, add_endpoints
from ocp.web.problems import add_standard_headers, problem_middleware
from ocp.web.sessions import SessionStore


def all_endpoints() -> list[Endpoint]:
    """Every route of the service; each domain adds its ``routes`` here."""
    return [*health.routes, *docs.routes, *users_views.routes, *courses_views.routes]


def create_app(settings: Settings) -> web.Application:
    """A ready-to-run app for ``settings``; resources open on start-up and close on cleanup."""
    if settings.embedded:
        settings = settings.with_secret_key()
    settings.check_production()
    app = web.Application(
        middlewares=[problem_middleware, cors_preflight_middleware],
        client_max_size=settings.max_body_kb * 1024,
    )
    app[SETTINGS] = settings
    redis = connect(settings.redis_url) if settings.redis_url else None
    app[REDIS] = redis
    app[LIMITER] = RedisLimiter(redis) if redis is not None else MemoryLimiter()
    app[SESSIONS] = SessionStore(settings, redis)
    app[CATALOG_CACHE] = CatalogCache(redis, enabled=settings.catalog_cache)
    app[SESSIONS].install(app)
    app.middlewares.append(auth_middleware)
    app[ENDPOINTS] = {}
    add_endpoints(app, all_endpoints())
    app.cleanup_ctx.append(db.tortoise_ctx)
    app.cleanup_ctx.append(redis_ctx)
    app.on_startup.append(docs.build_on_startup)
    app.on_response_prepare.append(add_standard_headers)
    return app
