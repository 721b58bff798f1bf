"""Rights that end at once, and resumes of many missed events, across two serve processes.

    .venv/bin/python bench/rights.py            # about a minute; prints the figures

Run by hand, not in CI. It recreates the database ``ocp_bench_rights`` on ``OCP_BENCH_PG``
(default ``postgres://postgres@127.0.0.1:5432``), migrates it, makes an admin, flushes Redis
db 12 and starts two ``python -m ocp serve`` processes, A and B, on the same database and
Redis. Then, in the same run:

1. **rights latency**: an instructor's socket on B watches their course; the admin demotes
   them through A (``PATCH /api/v1/users/{id}``). Measured: from A's answer to the
   ``forbidden`` frame on B; 30 times (promoted back, resubscribed between). The bare
   ceiling beside it: a raw Redis ``PUBLISH`` to a redis-py subscriber in this process.
2. **resume**: 1,000 events on a channel; a socket on B subscribes with ``since`` = the first
   one and receives the 999 others. Measured: from the subscribe frame to the last event,
   5 times. The bare ceiling beside it: ``XRANGE`` of the same 999 entries from this process.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realtime as kit  # bench/realtime.py: the server and database helpers

from ocp import redis_keys
from ocp.realtime.bus import RedisBus

kit.DB_NAME = "ocp_bench_rights"
ADMIN = "admin@bench.example"
ROUNDS = 30
RESUMES = 5
MISSED = 1000


async def call(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Any:
    async with http.request(method, url, **kwargs) as response:
        text = await response.text()
        if response.status >= 300:
            sys.exit(f"bench: {method} {url}: {response.status} {text}")
        return await response.json() if text else None


async def token_of(base: str, email: str) -> tuple[int, str]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        login = await call(
            http,
            "POST",
            f"{base}/api/v1/auth/login",
            json={"email": email, "password": kit.PASSWORD},
        )
        made = await call(
            http,
            "POST",
            f"{base}/api/v1/auth/tokens",
            json={"name": "bench"},
            headers={"X-CSRF-Token": login["csrf_token"]},
        )
    return int(login["user"]["id"]), made["token"]


async def raw_latencies(redis_url: str, count: int) -> list[float]:
    """PUBLISH to a subscriber in this process: the floor of any cross-process message."""
    sender, listener = Redis.from_url(redis_url), Redis.from_url(redis_url)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("ocp-bench-rights-raw")
    out = []
    for _ in range(count):
        started = time.perf_counter()
        await sender.publish("ocp-bench-rights-raw", "x")
        while await pubsub.get_message(timeout=1) is None:
            pass
        out.append(time.perf_counter() - started)
    await pubsub.aclose()
    await sender.aclose()
    await listener.aclose()
    return out


async def rights_latencies(a: str, b: str, admin: str, teacher: tuple[int, str]) -> list[float]:
    teacher_id, token = teacher
    out = []
    async with aiohttp.ClientSession() as http:
        course = await call(
            http,
            "POST",
            f"{a}/api/v1/courses",
            json={"title": "Watched"},
            headers={"Authorization": f"Bearer {token}"},
        )
        channel = f"course:{course['id']}"
        async with http.ws_connect(
            f"{b}/api/v1/ws", headers={"Authorization": f"Bearer {token}"}
        ) as ws:
            for _ in range(ROUNDS):
                await ws.send_json({"op": "subscribe", "channel": channel})
                assert (await ws.receive_json(timeout=5))["op"] == "subscribed"
                await call(
                    http,
                    "PATCH",
                    f"{a}/api/v1/users/{teacher_id}",
                    json={"role": "student"},
                    headers={"Authorization": f"Bearer {admin}"},
                )
                answered = time.perf_counter()
                frame = await ws.receive_json(timeout=5)
                out.append(time.perf_counter() - answered)
                assert frame["code"] == "forbidden", frame
                await call(
                    http,
                    "PATCH",
                    f"{a}/api/v1/users/{teacher_id}",
                    json={"role": "instructor"},
                    headers={"Authorization": f"Bearer {admin}"},
                )
    return out


async def resume_times(b: str, user: tuple[int, str], redis_url: str) -> tuple[list, list]:
    user_id, token = user
    channel = f"user:{user_id}"
    redis = Redis.from_url(redis_url)
    bus = RedisBus(redis)
    events = [await bus.publish(channel, "bench.tick", {"n": n}) for n in range(MISSED)]
    served, bare = [], []
    async with aiohttp.ClientSession() as http:
        for _ in range(RESUMES):
            async with http.ws_connect(
                f"{b}/api/v1/ws", headers={"Authorization": f"Bearer {token}"}
            ) as ws:
                started = time.perf_counter()
                await ws.send_json({"op": "subscribe", "channel": channel, "since": events[0].id})
                assert (await ws.receive_json(timeout=5))["reset"] is False
                for _ in range(MISSED - 1):
                    frame = await ws.receive_json(timeout=10)
                served.append(time.perf_counter() - started)
                assert frame["id"] == events[-1].id
            started = time.perf_counter()
            entries = await redis.xrange(
                redis_keys.EVENT_STREAM_PREFIX + channel, f"({events[0].id}", "+"
            )
            bare.append(time.perf_counter() - started)
            assert len(entries) == MISSED - 1
    await redis.aclose()
    return served, bare


def ms(values: list[float], q: float) -> str:
    return f"{kit.quantile(sorted(values), q) * 1000:.1f} ms"


async def main() -> None:
    pg = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    await kit.recreate_database(pg)
    env = kit.ocp_env(f"{pg}/{kit.DB_NAME}")
    kit.run_ocp("migrate", env=env)
    kit.run_ocp("createadmin", "--email", ADMIN, "--password", kit.PASSWORD, env=env)
    flush = Redis.from_url(kit.REDIS_URL)
    await flush.flushdb()
    await flush.aclose()
    with tempfile.TemporaryDirectory() as folder:
        servers = [
            kit.Server.start(kit.free_port(), env, Path(folder) / name, 1)
            for name in ("a", "b")
            if (Path(folder) / name).mkdir() is None
        ]
        try:
            a, b = (f"http://127.0.0.1:{s.port}" for s in servers)
            for server, base in zip(servers, (a, b), strict=True):
                await kit.wait_healthy(server, base)
            async with aiohttp.ClientSession() as http:
                for email in ("teacher@bench.example", "student@bench.example"):
                    await call(
                        http,
                        "POST",
                        f"{a}/api/v1/auth/register",
                        json={"email": email, "password": kit.PASSWORD, "full_name": "B"},
                    )
            _, admin = await token_of(a, ADMIN)
            teacher = await token_of(a, "teacher@bench.example")
            async with aiohttp.ClientSession() as http:
                await call(
                    http,
                    "PATCH",
                    f"{a}/api/v1/users/{teacher[0]}",
                    json={"role": "instructor"},
                    headers={"Authorization": f"Bearer {admin}"},
                )
            student = await token_of(a, "student@bench.example")
            rights = await rights_latencies(a, b, admin, teacher)
            raw = await raw_latencies(kit.REDIS_URL, ROUNDS)
            served, bare = await resume_times(b, student, kit.REDIS_URL)
        finally:
            for server in servers:
                server.stop()
    await kit.drop_database(pg)
    print(f"machine: {kit.machine()}")
    print(f"rights lost through A, applied on B ({ROUNDS} demotions):")
    print(f"  OCP   p50 {ms(rights, 0.5)}  p99 {ms(rights, 0.99)}  max {ms(rights, 1.0)}")
    print(f"  raw Redis PUBLISH->receive  p50 {ms(raw, 0.5)}  p99 {ms(raw, 0.99)}")
    print(f"resume of {MISSED - 1} missed events on B ({RESUMES} times):")
    print(f"  OCP   p50 {ms(served, 0.5)}  max {ms(served, 1.0)}")
    print(f"  bare XRANGE of the same entries  p50 {ms(bare, 0.5)}")


if __name__ == "__main__":
    asyncio.run(main())
