"""``GET /metrics``: who may scrape, that it parses, and that its counters move."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.payload import AsyncIterablePayload
from aiohttp.test_utils import TestClient, make_mocked_request
from prometheus_client.parser import text_string_to_metric_families

from ocp import metrics
from ocp.app import create_app
from ocp.appkeys import BUS, JOBS, REDIS
from ocp.config import Settings
from ocp.jobs import JobContext, JobSpec
from ocp.web import metrics as endpoint
from ocp.web.endpoint import PUBLIC, Endpoint, add_endpoints
from tests.helpers import Users, expect_problem
from tests.media.test_uploads import get, upload

ClientFactory = Callable[..., Awaitable[TestClient]]
RunJobs = Callable[[], Awaitable[int]]
TOKEN = "metrics-token-0123456789abcdef"


def parse(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample as (name, labels, value), through prometheus-client's own parser."""
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def value(samples: list[tuple[str, dict[str, str], float]], metric: str, /, **labels: str) -> float:
    """The sum of ``metric``'s samples whose labels include ``labels`` (0 when there are none)."""
    return sum(
        v
        for n, got, v in samples
        if n == metric and all(got.get(k) == w for k, w in labels.items())
    )


async def scrape(client: TestClient, **headers: str) -> list[tuple[str, dict[str, str], float]]:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(await response.text())


async def test_a_metrics_token_is_required_when_set(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(replace(settings, metrics_token=TOKEN)))
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
    ):
        refused = await client.get("/metrics", headers=headers)
        await expect_problem(refused, 401)
        assert refused.headers["WWW-Authenticate"].startswith("Bearer"), headers
    samples = await scrape(client, Authorization=f"Bearer {TOKEN}")
    names = {name for name, _, _ in samples}
    assert {"ocp_websockets_open", "ocp_jobs_queued"} <= names
    # Through a proxy too: with a token, where the request comes from does not matter.
    await scrape(client, Authorization=f"Bearer {TOKEN}", **{"X-Forwarded-For": "203.0.113.9"})


async def test_without_a_token_only_this_machine_may_scrape(client: TestClient) -> None:
    await scrape(client)  # the test client is a loopback peer
    # A proxy on this machine forwarding someone else's request is not "this machine".
    await expect_problem(
        await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}), 403
    )
    await expect_problem(await client.get("/metrics", headers={"Forwarded": "for=1.2.3.4"}), 403)
    assert (await client.get("/api/v1/metrics")).status == 404


@pytest.mark.parametrize(
    ("peer", "local"),
    [
        (("127.0.0.1", 5000), True),
        (("::1", 5000, 0, 0), True),
        (("::ffff:127.0.0.1", 5000, 0, 0), True),
        (("10.0.0.7", 5000), False),
        (("2001:db8::1", 5000, 0, 0), False),
        ("", False),  # a Unix socket: perhaps a local proxy's, so not trusted
    ],
)
def test_loopback_is_judged_by_the_transport_peer(peer: Any, local: bool) -> None:
    transport = mock.Mock()
    transport.get_extra_info.return_value = peer
    request = make_mocked_request("GET", "/metrics", transport=transport)
    assert endpoint._from_loopback(request) is local


async def test_requests_are_counted_by_route_template(client: TestClient) -> None:
    before = await scrape(client)
    assert (await client.get("/api/v1/courses/987654")).status == 404
    assert (await client.get("/no/such/place/987654")).status == 404
    after = await scrape(client)
    template = {"method": "GET", "route": "/api/v1/courses/{id}"}
    for name, labels in (
        ("ocp_http_requests_total", {**template, "status": "404"}),
        ("ocp_http_request_duration_seconds_count", template),
        ("ocp_http_requests_total", {"route": "unmatched", "status": "404"}),
    ):
        assert value(after, name, **labels) == value(before, name, **labels) + 1, (name, labels)
    assert not any("987654" in v for _, labels, _ in after for v in labels.values())


async def test_websockets_and_events_are_counted(users: Users, client: TestClient) -> None:
    student = await users.signed_in()
    channel = f"user:{student.id}"
    before = await scrape(client)
    ws = await student.client.ws_connect("/api/v1/ws")
    await ws.send_json({"op": "subscribe", "channel": channel})
    assert (await asyncio.wait_for(ws.receive_json(), 5))["op"] == "subscribed"
    opened = await scrape(client)
    assert value(opened, "ocp_websockets_open") == value(before, "ocp_websockets_open") + 1

    await client.server.app[BUS].publish(channel, "metrics.checked", {"n": 1})
    assert (await asyncio.wait_for(ws.receive_json(), 5))["type"] == "metrics.checked"
    after = await scrape(client)
    published = "ocp_events_published_total"
    assert value(after, published, type="metrics.checked") == 1 + value(
        before, published, type="metrics.checked"
    )
    delivered = "ocp_events_delivered_total"
    assert value(after, delivered) == value(before, delivered) + 1

    await ws.close()
    for _ in range(50):  # the server notices the close on its own time
        closed = await scrape(client)
        if value(closed, "ocp_websockets_open") == value(before, "ocp_websockets_open"):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the open WebSockets gauge did not come back down")


async def _enroll_in_a_free_course(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    course = await (
        await teacher.client.post("/api/v1/courses", json={"title": "Metrics 101"}, headers=h)
    ).json()
    await teacher.client.post(
        f"/api/v1/courses/{course['id']}/lessons", json={"title": "A"}, headers=h
    )
    published = await teacher.client.patch(
        f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=h
    )
    assert published.status == 200, await published.text()
    student = await users.signed_in()
    enrolled = await student.client.post(
        f"/api/v1/courses/{course['id']}/enrollment", headers=student.csrf_headers()
    )
    assert enrolled.status == 201, await enrolled.text()


async def test_enqueued_jobs_and_the_queue_depth(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    before = await scrape(client)
    await _enroll_in_a_free_course(users)  # its event enqueues the completion reaction
    queued = await scrape(client)
    enqueued = ("ocp_jobs_enqueued_total", {"name": "react"})
    # The lesson made for the course and the enrollment: two reactions each (learning's
    # figures, and the notifications).
    added = value(queued, enqueued[0], **enqueued[1]) - value(before, enqueued[0], **enqueued[1])
    assert added == 4
    assert value(queued, "ocp_jobs_queued") == value(before, "ocp_jobs_queued") + added
    assert await run_jobs() >= 1
    assert value(await scrape(client), "ocp_jobs_queued") == 0


async def test_worker_outcomes_are_counted(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    labels = {"name": "react", "outcome": "succeeded"}
    before = value(await scrape(client), "ocp_jobs_total", **labels)
    await _enroll_in_a_free_course(users)
    await run_jobs()
    # Two reactions to the lesson, two to the enrollment (see the test above).
    assert value(await scrape(client), "ocp_jobs_total", **labels) == before + 4


async def test_job_outcomes_are_read_from_redis(client: TestClient) -> None:
    redis = client.server.app[REDIS]
    assert redis is not None
    await metrics.job_finished(redis, "process_upload", "failed")
    await metrics.job_finished(redis, "process_upload", "retried")
    await metrics.job_finished(redis, "process_upload", "retried")
    samples = await scrape(client)
    assert value(samples, "ocp_jobs_total", name="process_upload", outcome="retried") == 2
    assert value(samples, "ocp_jobs_total", name="process_upload", outcome="failed") == 1
    with pytest.raises(ValueError):
        await metrics.job_finished(redis, "process_upload", "exploded")


@pytest.mark.embedded
async def test_embedded_jobs_are_counted_in_memory(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    release = asyncio.Event()
    tries = {"n": 0}

    async def flaky(ctx: JobContext) -> None:
        tries["n"] += 1
        if tries["n"] == 1:
            raise OSError("once")

    async def waits(ctx: JobContext) -> None:
        await asyncio.wait_for(release.wait(), 10)  # bounded: a failed test must not hang

    app = create_app(embedded_settings, jobs=[JobSpec("flaky", flaky), JobSpec("waits", waits)])
    client = await aiohttp_client(app)
    before = await scrape(client)
    await app[JOBS].enqueue("waits")
    await app[JOBS].enqueue("flaky")
    during = await scrape(client)
    assert value(during, "ocp_jobs_queued") == 2
    assert value(during, "ocp_jobs_enqueued_total", name="flaky") == 1 + value(
        before, "ocp_jobs_enqueued_total", name="flaky"
    )
    release.set()
    await app[JOBS].close()  # drains
    after = await scrape(client)
    assert value(after, "ocp_jobs_queued") == 0
    for name, outcome in (("flaky", "retried"), ("flaky", "succeeded"), ("waits", "succeeded")):
        assert value(after, "ocp_jobs_total", name=name, outcome=outcome) == 1 + value(
            before, "ocp_jobs_total", name=name, outcome=outcome
        ), (name, outcome)


def test_the_counters_are_a_leaf_module() -> None:
    """Jobs, the bus and the hub count through ``ocp.metrics`` without the web layer."""
    code = (
        "import sys, ocp.metrics\n"
        "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'ocp.web'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two processes count into one folder; a third sums them, as ``/metrics`` does."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", f"from ocp import metrics\n{code}"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    opened = "metrics.websocket_opened()\n"
    count = "metrics.event_published('x')\nimport os; print(os.getpid())\n"
    pids = [int(run(opened * n + count)) for n in (1, 2)]
    show = "import sys; sys.stdout.write(metrics.exposition().decode())"
    samples = parse(run(show))
    assert value(samples, "ocp_events_published_total", type="x") == 2
    assert value(samples, "ocp_websockets_open") == 3
    run(f"from prometheus_client import multiprocess; multiprocess.mark_process_dead({pids[1]})")
    samples = parse(run(show))
    assert value(samples, "ocp_websockets_open") == 1  # a dead process's sockets are gone
    assert value(samples, "ocp_events_published_total", type="x") == 2  # counters stay


async def test_scrape_survives_a_redis_outage(client: TestClient) -> None:
    down = ConnectionRefusedError("Redis is down")
    with mock.patch.object(endpoint, "_redis_job_families", side_effect=down):
        samples = await scrape(client)
    names = {name for name, _, _ in samples}
    assert "ocp_websockets_open" in names and "ocp_jobs_queued" not in names


async def test_downloads_are_counted_with_the_status_sent(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    """aiohttp's FileResponse picks 206, 304 or 416 while it is sent, after the handler."""
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, b"a handout\n" * 100, "handout.txt", "text/plain")
    await run_jobs()
    url = (await get(teacher, created["id"]))["url"]
    etag = (await teacher.client.get(url)).headers["ETag"]
    before = await scrape(client)
    for headers, status in (
        ({"Range": "bytes=0-9"}, 206),
        ({"If-None-Match": etag}, 304),
        ({"Range": "bytes=5000-"}, 416),
        ({"Range": "bytes=5-1"}, 200),
    ):
        assert (await teacher.client.get(url, headers=headers)).status == status
    after = await scrape(client)
    route = {"method": "GET", "route": "/media/{key}"}
    for status in ("206", "304", "416", "200"):
        counted = value(after, "ocp_http_requests_total", **route, status=status)
        assert counted == value(before, "ocp_http_requests_total", **route, status=status) + 1


def _slow_body_app(settings: Settings) -> Any:
    """The real app plus two test endpoints whose bodies take SLOW_BODY_SECONDS to send."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            await asyncio.sleep(SLOW_BODY_SECONDS / 3)
            yield b"slow chunk\n"

    async def returned(request: web.Request) -> web.StreamResponse:
        return web.Response(body=AsyncIterablePayload(chunks()), content_type="text/plain")

    async def prepared(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        async for chunk in chunks():
            await response.write(chunk)
        await response.write_eof()
        return response

    app = create_app(settings)
    add_endpoints(
        app,
        [
            Endpoint("GET", "/test/slow/returned", returned, PUBLIC, "Slow", "Tests"),
            Endpoint("GET", "/test/slow/prepared", prepared, PUBLIC, "Slow", "Tests"),
        ],
    )
    return app


SLOW_BODY_SECONDS = 0.6


@pytest.mark.parametrize("kind", ["returned", "prepared"])
async def test_the_duration_covers_sending_the_body(
    aiohttp_client: ClientFactory,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    client = await aiohttp_client(_slow_body_app(settings))
    route = f"/test/slow/{kind}"
    before = value(await scrape(client), "ocp_http_request_duration_seconds_sum", route=route)
    caplog.set_level(logging.INFO, logger="ocp.access")
    response = await client.get(route)
    assert response.status == 200 and await response.read() == b"slow chunk\n" * 3
    after = value(await scrape(client), "ocp_http_request_duration_seconds_sum", route=route)
    assert after - before >= SLOW_BODY_SECONDS
    [fields] = [
        r.__dict__["fields"]
        for r in caplog.records
        if r.name == "ocp.access" and r.__dict__["fields"]["route"] == route
    ]
    assert fields["duration_ms"] >= SLOW_BODY_SECONDS * 1000
    assert fields["status"] == 200
