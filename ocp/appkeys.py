"""Every typed key on the application and on requests, in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from ocp.config import Settings
    from ocp.courses.cache import CatalogCache
    from ocp.domains import ChannelRule, FileGrant
    from ocp.events.log import EventLog
    from ocp.jobs import JobQueue
    from ocp.media.storage import LocalStorage
    from ocp.payments.providers import Provider
    from ocp.ratelimit import Limiter
    from ocp.realtime.bus import Bus
    from ocp.realtime.hub import Hub
    from ocp.realtime.tickets import TicketStore
    from ocp.web.auth import Caller
    from ocp.web.endpoint import Endpoint
    from ocp.web.identities import Identities
    from ocp.web.observe import Activity
    from ocp.web.sessions import SessionStore

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
REDIS: web.AppKey[Redis | None] = web.AppKey("redis")
LIMITER: web.AppKey[Limiter] = web.AppKey("limiter")
SESSIONS: web.AppKey[SessionStore] = web.AppKey("sessions")
ENDPOINTS: web.AppKey[dict[web.AbstractRoute, Endpoint]] = web.AppKey("endpoints")
OPENAPI: web.AppKey[dict[str, object]] = web.AppKey("openapi")
CATALOG_CACHE: web.AppKey[CatalogCache] = web.AppKey("catalog_cache")
BUS: web.AppKey[Bus] = web.AppKey("bus")
EVENTS: web.AppKey[EventLog] = web.AppKey("events")
HUB: web.AppKey[Hub] = web.AppKey("hub")
TICKETS: web.AppKey[TicketStore] = web.AppKey("tickets")
JOBS: web.AppKey[JobQueue] = web.AppKey("jobs")
STORAGE: web.AppKey[LocalStorage] = web.AppKey("storage")
ACTIVITY: web.AppKey[Activity] = web.AppKey("activity")
IDENTITIES: web.AppKey[Identities] = web.AppKey("identities")
CHANNEL_RULES: web.AppKey[Mapping[str, ChannelRule]] = web.AppKey("channel_rules")
PAYMENT_PROVIDER: web.AppKey[Provider] = web.AppKey("payment_provider")
FILE_GRANTS: web.AppKey[Sequence[FileGrant]] = web.AppKey("file_grants")

REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id")
CALLER: web.RequestKey[Caller | None] = web.RequestKey("caller")
