"""``GET /metrics``: who may scrape, and the answer that adds up every process's counters.

The counters themselves live in ``ocp.metrics``. Job outcomes and the queue depth come from
Redis at scrape time (every worker counts there), or from this process when embedded.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections import Counter as Tally

from aiohttp import web
from arq.constants import default_queue_name
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ocp import metrics, redis_keys
from ocp.appkeys import JOBS, REDIS, SETTINGS
from ocp.errors import Forbidden, Unauthorized
from ocp.jobs import InProcessJobQueue
from ocp.web.endpoint import PUBLIC, Endpoint

log = logging.getLogger("ocp.metrics")

# The classic text format (0.0.4): what ``generate_latest`` writes and every scraper reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
REDIS_TIMEOUT = 2.0  # seconds a scrape waits for the job counts before going without them
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


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
        jobs = app[JOBS]
        pending = jobs.pending if isinstance(jobs, InProcessJobQueue) else 0
        return job_families(metrics.local_job_outcomes(), pending)
    try:
        return await asyncio.wait_for(_redis_job_families(redis), REDIS_TIMEOUT)
    except (RedisError, OSError, TimeoutError) as error:
        log.warning("metrics: job counts unavailable from Redis: %r", error)
        return []


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


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
    body = await asyncio.get_running_loop().run_in_executor(None, metrics.exposition, extra)
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
