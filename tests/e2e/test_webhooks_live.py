"""Webhooks across real processes: a ``serve`` process and an arq worker on PostgreSQL and
Redis, a receiver on loopback. An admin registers the receiver; a student's enrollment (by
HTTP, through a retried checkout-free enrollment with an Idempotency-Key) reaches it signed
within seconds, verified with the ``standardwebhooks`` package; a receiver that fails first
gets the same ``webhook-id`` again on the worker's retry about 5 s later."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from tests.e2e.test_events_durable import Worker
from tests.e2e.test_forum_live import published_course
from tests.e2e.test_realtime import call, make_cast, prepare, production_env, servers
from tests.e2e.test_serve import empty_database  # noqa: F401  (fixture)
from tests.webhooks.receiver import Receiver, receiver

DELIVERED_WITHIN = 30.0  # seconds: the worker's pass is about one a second; a retry waits ~5 s


async def arrivals(target: Receiver, count: int) -> None:
    deadline = time.monotonic() + DELIVERED_WITHIN
    while len(target.received) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def test_an_enrollment_reaches_a_receiver_signed_and_a_failure_is_retried(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
) -> None:
    env = {**production_env(empty_database, redis_url), "OCP_WEBHOOKS_ALLOW_PRIVATE": "true"}
    prepare(env, tmp_path)
    worker = Worker(env, tmp_path)
    try:
        with servers(1, env, tmp_path) as [(server, base)]:
            await server.wait_healthy(base)
            async with aiohttp.ClientSession() as http, receiver() as target:
                cast = await make_cast(http, base)
                target.statuses = [503]  # the first try fails; the retry succeeds
                hook = await call(
                    http,
                    "POST",
                    f"{base}/api/v1/webhooks",
                    token=cast.admin.token,
                    json={"url": target.url + "/ocp", "event_types": ["enrollment.created"]},
                    expect=201,
                )
                course_id = await published_course(http, base, cast.teacher)
                key = {"Authorization": f"Bearer {cast.student.token}", "Idempotency-Key": "k1"}
                answers = []
                for _ in range(2):  # a client retrying after a lost answer
                    async with http.post(
                        f"{base}/api/v1/courses/{course_id}/enrollment", headers=key
                    ) as answer:
                        answers.append((answer.status, answer.headers.get("Idempotent-Replayed")))
                assert answers == [(201, None), (201, "true")], answers

                await arrivals(target, 2)
                assert len(target.received) == 2, worker.output()[-3000:]
                first, retried = target.received
                assert first.headers["webhook-id"] == retried.headers["webhook-id"]
                payload = target.verify(hook["secret"])
                assert payload["type"] == "enrollment.created"
                assert payload["data"]["course_id"] == course_id
                await asyncio.sleep(1.5)
                assert len(target.received) == 2, "one enrollment, one event: no more deliveries"
                listed = await call(
                    http,
                    "GET",
                    f"{base}/api/v1/webhooks/{hook['id']}/deliveries",
                    token=cast.admin.token,
                )
                [delivery] = listed["items"]
                assert delivery["status"] == "succeeded" and delivery["attempts"] == 2, delivery
            assert server.process.poll() is None, server.output()
        assert worker.process.poll() is None, worker.output()
    finally:
        worker.stop()
