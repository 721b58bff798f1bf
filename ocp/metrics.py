"""Prometheus metrics: what each process counts (the ``GET /metrics`` endpoint that adds them
up is ``ocp.web.metrics``; this module is a leaf, free of the web layer).

Web-process metrics (requests, WebSockets, events, enqueued jobs) live in prometheus-client.
When ``PROMETHEUS_MULTIPROC_DIR`` is set before prometheus-client is first imported (``serve
--workers N`` does that before forking), every process writes its values to files in that
folder and :func:`exposition` sums them (multiprocess mode); otherwise they stay in this process.

Job outcomes must be visible even when workers run elsewhere: workers count them in a Redis
hash (``ocp:metrics:jobs``, fields ``<name>:<outcome>``) that the endpoint reads at scrape time.
Embedded mode (no Redis) counts them in memory (:func:`local_job_outcomes`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter as Tally
from collections.abc import Awaitable, Iterable, Sequence
from typing import cast

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.metrics_core import Metric
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ocp import redis_keys

log = logging.getLogger("ocp.metrics")

OUTCOMES = ("succeeded", "failed", "retried")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Multiprocess mode is decided by prometheus-client when it is imported: trust what it chose
# (the values live in files), and remember the folder it writes them to.
MULTIPROCESS_DIR: str | None = (
    os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if values.ValueClass is not values.MutexValue
    else None
)
if MULTIPROCESS_DIR:
    # Metrics without labels open their file as they are made, below: in any process that
    # imports this module (``migrate`` too), before ``serve`` has made the folder.
    os.makedirs(MULTIPROCESS_DIR, exist_ok=True)

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


# (method, route, status) -> the request counter's and duration histogram's children: the
# labels are looked up once per combination, not per request. Bounded: methods are folded into
# METHODS, routes are templates, statuses are HTTP's.
_request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request; ``route`` is its template (or ``unmatched``), never a path."""
    method = method if method in METHODS else "other"  # clients may send any method token
    key = (method, route, status)
    children = _request_children.get(key)
    if children is None:
        children = (
            HTTP_REQUESTS.labels(method, route, str(status)),
            HTTP_DURATION.labels(method, route),
        )
        _request_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


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


def local_job_outcomes() -> Tally[tuple[str, str]]:
    """Embedded mode: this process's job runs so far, by (name, outcome)."""
    return Tally(_local_outcomes)


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
