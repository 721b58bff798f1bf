"""Prometheus metrics: what each process counts, and ``GET /metrics`` that adds them up.

Web-process metrics (requests, WebSockets, events, enqueued jobs) live in prometheus-client.
When ``PROMETHEUS_MULTIPROC_DIR`` is set before prometheus-client is first imported (``serve
--workers N`` does that before forking), every process writes its values to files in that
folder and ``/metrics`` sums them (multiprocess mode); otherwise they stay in this process.

Job outcomes and the queue depth must be visible even when workers run elsewhere: workers
count outcomes in a Redis hash (``ocp:metrics:jobs``, fields ``<name>:<outcome>``) that
``/metrics`` reads at scrape time, with the depth of arq's queue. Embedded mode (no Redis)
counts them in memory and takes the depth from the in-process runner.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import os
from collections import Counter as Tally
from collections.abc import Awaitable, Iterable, Sequence
from typing import cast

from aiohttp import web
from arq.constants import default_queue_name
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ocp import redis_keys
from ocp.appkeys import JOBS, REDIS, SETTINGS
from ocp.errors import Forbidden, Unauthorized
from ocp.web.endpoint import PUBLIC, Endpoint

log = logging.getLogger("ocp.metrics")

# The classic text format (0.0.4): what ``generate_latest`` writes and every scraper reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
OUTCOMES = ("succeeded", "failed", "retried")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REDIS_TIMEOUT = 2.0  # seconds a scrape waits for the job counts before going without them

# Multiprocess mode is decided by prometheus-client when it is imported: trust what it chose
# (the values live in files), and remember the folder it writes them to.
MULTIPROCESS_DIR: str | None = (
    os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if values.ValueClass is not values.MutexValue
    else None
)

_registry = CollectorRegistry()  # this process's metrics, exposed as is without multiprocess

HTTP_REQUESTS = Counter(
    "ocp_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=_registry,
)
HTTP_DURATION = Histogram(
    "ocp_http_request_duration_seconds",
    "Time to answer an HTTP request (a WebSocket counts its whole life), by route template.",
    ["method", "route"],
    buckets=DURATION_BUCKETS,
    registry=_registry,
)
WEBSOCKETS_OPEN = Gauge(
    "ocp_websockets_open",
    "WebSockets open now, over the live web processes.",
    multiprocess_mode="livesum",
    registry=_registry,
)
EVENTS_PUBLISHED = Counter(
    "ocp_events_published_total",
    "Events published on the bus by the web processes, by type.",
    ["type"],
    registry=_registry,
)
EVENTS_DELIVERED = Counter(
    "ocp_events_delivered_total",
    "Event frames handed to local WebSockets (live and replayed).",
    registry=_registry,
)
MESSAGES_DROPPED = Counter(
    "ocp_messages_dropped_total",
    "Messages dropped for slow consumers: a bus subscriber's event, or a WebSocket cut (1013).",
    registry=_registry,
)
JOBS_ENQUEUED = Counter(
    "ocp_jobs_enqueued_total",
    "Jobs enqueued by the web processes, by name.",
    ["name"],
    registry=_registry,
)

_local_outcomes: Tally[tuple[str, str]] = Tally()  # embedded mode: (name, outcome) -> count


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request; ``route`` is its template (or ``unmatched``), never a path."""
    method = method if method in METHODS else "other"  # clients may send any method token
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(method, route).observe(seconds)


def websocket_opened() -> None:
    """A WebSocket was upgraded in this process."""
    WEBSOCKETS_OPEN.inc()


def websocket_closed() -> None:
    """A WebSocket of this process ended."""
    WEBSOCKETS_OPEN.dec()


def event_published(type: str) -> None:
    """One ``bus.publish`` in this process."""
    EVENTS_PUBLISHED.labels(type).inc()


def events_delivered(count: int) -> None:
    """``count`` event frames were queued to local WebSockets by the hub."""
    if count > 0:
        EVENTS_DELIVERED.inc(count)


def message_dropped() -> None:
    """A slow consumer lost a message (a bus subscriber's event, or its socket was cut)."""
    MESSAGES_DROPPED.inc()


def job_enqueued(name: str) -> None:
    """A job named ``name`` was put on the queue by this process."""
    JOBS_ENQUEUED.labels(name).inc()


def _check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"job outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")


async def job_finished(redis: Redis | None, name: str, outcome: str) -> None:
    """Count a job run's ``outcome`` (succeeded | failed | retried) in Redis, or in memory
    when ``redis`` is None; a Redis failure is logged, never raised into the job."""
    _check_outcome(outcome)
    if redis is None:
        job_finished_locally(name, outcome)
        return
    try:
        await cast("Awaitable[int]", redis.hincrby(redis_keys.METRICS_JOBS, f"{name}:{outcome}", 1))
    except (RedisError, OSError) as error:
        log.warning("could not count job %s %s: %r", name, outcome, error)


def job_finished_locally(name: str, outcome: str) -> None:
    """Embedded mode: count a job run's ``outcome`` in this process."""
    _check_outcome(outcome)
    _local_outcomes[(name, outcome)] += 1


class _Fixed:
    """A collector that yields metric families computed before the scrape."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families


def exposition(extra: Sequence[Metric] = ()) -> bytes:
    """The text format of every process's metrics (summed in multiprocess mode) and ``extra``."""
    registry = CollectorRegistry()
    if MULTIPROCESS_DIR is not None:
        multiprocess.MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
    else:
        registry.register(_Fixed(list(_registry.collect())))
    registry.register(_Fixed(extra))
    return generate_latest(registry)


def job_families(outcomes: Tally[tuple[str, str]], queued: int) -> list[Metric]:
    """``ocp_jobs_total{name,outcome}`` and ``ocp_jobs_queued`` from fetched values."""
    finished = CounterMetricFamily(
        "ocp_jobs_total", "Job runs finished, by name and outcome, over all workers.",
        labels=["name", "outcome"],
    )  # fmt: skip
    for (name, outcome), count in sorted(outcomes.items()):
        finished.add_metric([name, outcome], count)
    depth = GaugeMetricFamily(
        "ocp_jobs_queued", "Jobs in the queue now: waiting, deferred for a retry, or running.",
        value=queued,
    )  # fmt: skip
    return [finished, depth]


async def _redis_job_families(redis: Redis) -> list[Metric]:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(redis_keys.METRICS_JOBS)
        pipe.zcard(default_queue_name)
        raw, queued = await pipe.execute()
    outcomes: Tally[tuple[str, str]] = Tally()
    for field, count in raw.items():
        name, _, outcome = _text(field).rpartition(":")
        outcomes[(name, outcome)] += int(count)
    return job_families(outcomes, int(queued))


async def scrape_jobs(app: web.Application) -> list[Metric]:
    """The job families: from Redis (all workers), or this process's runner when embedded."""
    redis = app[REDIS]
    if redis is None:
        from ocp.jobs import InProcessJobQueue  # not at the top: ocp.jobs imports this module

        jobs = app[JOBS]
        pending = jobs.pending if isinstance(jobs, InProcessJobQueue) else 0
        return job_families(_local_outcomes, pending)
    try:
        return await asyncio.wait_for(_redis_job_families(redis), REDIS_TIMEOUT)
    except (RedisError, OSError, TimeoutError) as error:
        log.warning("metrics: job counts unavailable from Redis: %r", error)
        return []


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def _from_loopback(request: web.Request) -> bool:
    """The TCP peer is this machine and no proxy forwarded the request for someone else."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if not isinstance(peer, tuple) or not peer:
        return False  # a Unix socket (a local proxy's, perhaps) or a closed transport
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_scraper(request: web.Request) -> None:
    """With ``OCP_METRICS_TOKEN``: its Bearer token or 401; without: loopback or 403."""
    token = request.app[SETTINGS].metrics_token
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8", "surrogateescape"), token.encode()
        ):
            raise Unauthorized(
                "Scraping needs 'Authorization: Bearer <OCP_METRICS_TOKEN>'",
                headers={"WWW-Authenticate": 'Bearer realm="ocp-metrics"'},
            )
        return
    if not _from_loopback(request):
        raise Forbidden("Without OCP_METRICS_TOKEN, metrics are only served to this machine")


async def scrape(request: web.Request) -> web.Response:
    """``GET /metrics``."""
    check_scraper(request)
    extra = await scrape_jobs(request.app)
    body = await asyncio.get_running_loop().run_in_executor(None, exposition, extra)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


routes = [
    Endpoint(
        "GET", "/metrics", scrape, PUBLIC, "Prometheus metrics", "Operations",
        media_type=CONTENT_TYPE, errors=(401, 403), own_credentials=True,
        description=(
            "Prometheus text format, summed over the web processes of `serve --workers N`: "
            "`ocp_http_requests_total{method,route,status}`, "
            "`ocp_http_request_duration_seconds{method,route}`, `ocp_websockets_open`, "
            "`ocp_events_published_total{type}`, `ocp_events_delivered_total`, "
            "`ocp_messages_dropped_total`, `ocp_jobs_enqueued_total{name}`, and from Redis "
            "(every worker) `ocp_jobs_total{name,outcome}` (succeeded, failed, retried) and "
            "`ocp_jobs_queued`. With `OCP_METRICS_TOKEN` set it needs "
            "`Authorization: Bearer <OCP_METRICS_TOKEN>` (else 401); unset, only callers on "
            "this machine (a loopback peer, not forwarded by a proxy) may scrape (else 403)."
        ),
    ),
]  # fmt: skip
