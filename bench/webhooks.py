"""Webhook deliveries and Idempotency-Key: what they cost, next to bare ceilings.

    .venv/bin/python bench/webhooks.py                   # 1,000 events, 500 requests
    .venv/bin/python bench/webhooks.py --events 5000 --live 500

Run by hand, not in CI. It creates the database ``ocp_bench_webhooks`` on the server in
``OCP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it, starts
``python -m ocp serve`` and one arq worker (``OCP_WEBHOOKS_ALLOW_PRIVATE=true``) and a
receiver in this process on loopback that answers 200 at once.

Deliveries: an admin renames themselves ``--events`` times (each rename is one
``user.renamed`` event), then registers the receiver and replays those events to it. It
times:

- OCP draining that backlog: from the replay's answer until the receiver has every event
  (the worker hands deliveries out about once a second and as each job ends, ten to a job,
  two jobs at a time per endpoint);
- the bare ceiling: this process POSTs the same number of signed bodies to the same receiver
  with aiohttp, two at a time on one kept-alive session: the network and receiver part alone;
- live lag: ``--live`` more renames at ten a second, each from its answer to its arrival.

Idempotency-Key: ``--requests`` ``POST /api/v1/notifications/read-all`` in turn without the
header, then each with a new key (the middleware's insert and update), then the same key again
(replays): p50 and p99 of each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg
import orjson
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ocp.webhooks import signing

SERVER = os.environ.get("OCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "ocp_bench_webhooks"
URL = f"{SERVER}/{DATABASE}"
REDIS = "redis://127.0.0.1:6379/13"
ADMIN, PASSWORD = "bench-admin@example.com", "bench-password-1"


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OCP_") and k != "PORT"}
    return {
        **base,
        "OCP_DATABASE_URL": URL,
        "OCP_REDIS_URL": REDIS,
        "OCP_SECRET_KEY": "b" * 40,
        "OCP_WEBHOOKS_ALLOW_PRIVATE": "true",
        "OCP_LOG_LEVEL": "WARNING",
    }


async def fresh_database() -> None:
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()
    for command in (["migrate"], ["createadmin", "--email", ADMIN, "--password", PASSWORD]):
        await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "ocp", *command], env=env(), check=True
        )
    flushed = await asyncio.to_thread(
        subprocess.run, ["redis-cli", "-n", "13", "FLUSHDB"], capture_output=True
    )
    assert flushed.returncode == 0, flushed.stderr


class Receiver:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle(self, request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        self.arrived[body["data"]["full_name"]] = time.perf_counter()
        return web.Response(text="ok")


async def start_receiver(receiver: Receiver) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{base}/readyz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("serve did not become ready")


async def admin_token(base: str) -> str:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{base}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
        ) as answer:
            csrf = (await answer.json())["csrf_token"]
        async with http.post(
            f"{base}/api/v1/auth/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf}
        ) as answer:
            return str((await answer.json())["token"])


def quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


async def rename(http: aiohttp.ClientSession, base: str, name: str) -> float:
    async with http.patch(f"{base}/api/v1/users/me", json={"full_name": name}) as answer:
        assert answer.status == 200, await answer.text()
    return time.perf_counter()


async def arrivals(receiver: Receiver, count: int) -> None:
    deadline = time.monotonic() + 120 + count / 10
    while len(receiver.arrived) < count and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    assert len(receiver.arrived) == count, f"only {len(receiver.arrived)} of {count} arrived"


async def bare_sends(target: str, secret: str, events: int) -> float:
    """Seconds for this process to POST ``events`` signed bodies, two at a time."""
    queue = [
        (
            n,
            orjson.dumps(
                {"type": "user.renamed", "timestamp": "now", "data": {"full_name": f"Bare {n}"}}
            ),
        )
        for n in range(events)
    ]
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:

        async def sender() -> None:
            while queue:
                n, body = queue.pop()
                stamp = int(time.time())
                headers = {
                    "webhook-id": f"msg_{n}",
                    "webhook-timestamp": str(stamp),
                    "webhook-signature": signing.sign(
                        secret, message_id=f"msg_{n}", timestamp=stamp, body=body
                    ),
                    "Content-Type": "application/json",
                }
                async with http.post(target + "/bare", data=body, headers=headers) as answer:
                    assert answer.status == 200

        await asyncio.gather(sender(), sender())
    return time.perf_counter() - started


async def deliveries(
    base: str, token: str, receiver: Receiver, target: str, events: int, live: int
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=auth) as http:
        since = datetime.now(UTC).isoformat()
        for n in range(events):  # the backlog: events made before the endpoint exists
            _ = await rename(http, base, f"Backlog {n}")
        async with http.post(
            f"{base}/api/v1/webhooks",
            json={"url": target + "/ocp", "event_types": ["user.renamed"]},
        ) as answer:
            assert answer.status == 201, await answer.text()
            hook = await answer.json()
        started = time.perf_counter()
        async with http.post(
            f"{base}/api/v1/webhooks/{hook['id']}/replay", json={"since": since}
        ) as answer:
            assert answer.status == 202, await answer.text()
            assert (await answer.json())["replayed"] == events
        await arrivals(receiver, events)
        drained = max(receiver.arrived.values()) - started
        receiver.arrived.clear()

        answered: dict[str, float] = {}
        for n in range(live):  # live: ten events a second, each timed to its arrival
            name = f"Live {n}"
            answered[name] = await rename(http, base, name)
            await asyncio.sleep(0.1)
        await arrivals(receiver, live)
        lags = [receiver.arrived[name] - answered[name] for name in answered]
        p50, p99 = quantiles(lags)
    bare = await bare_sends(target, hook["secret"], events)
    print(f"\nA backlog of {events} events replayed to one endpoint (user.renamed)\n")
    print("| | events/s | all delivered after |\n|---|---:|---:|")
    print(f"| OCP (serve + 1 worker) | {events / drained:.0f} | {drained:.1f} s |")
    print(f"| bare aiohttp, 2 in flight, kept alive | {events / bare:.0f} | {bare:.1f} s |")
    print(f"\n{live} live events at 10 a second: from the rename's answer to the receiver\n")
    print(f"| | p50 ms | p99 ms |\n|---|---:|---:|\n| OCP | {p50:.0f} | {p99:.0f} |")


async def idempotency(base: str, token: str, requests: int) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{base}/api/v1/notifications/read-all"
    rows = []
    async with aiohttp.ClientSession(headers=auth) as http:
        replay_key = str(uuid.uuid4())
        for label, key in (
            ("no Idempotency-Key", lambda: None),
            ("a new key each", lambda: str(uuid.uuid4())),
            ("the same key (replayed)", lambda: replay_key),
        ):
            times = []
            for n in range(requests + 20):
                given = key()
                headers = {"Idempotency-Key": given} if given else {}
                began = time.perf_counter()
                async with http.post(url, headers=headers) as answer:
                    assert answer.status == 200, await answer.text()
                if n >= 20:
                    times.append(time.perf_counter() - began)
            rows.append((label, *quantiles(times)))
    print(f"\nPOST /api/v1/notifications/read-all, {requests} in turn\n")
    print("| | p50 ms | p99 ms |\n|---|---:|---:|")
    for label, p50, p99 in rows:
        print(f"| {label} | {p50:.2f} | {p99:.2f} |")


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--live", type=int, default=200)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args(argv)
    await fresh_database()
    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    log = Path("/tmp") / f"ocp-bench-webhooks-{os.getpid()}.log"
    receiver = Receiver()
    runner, target = await start_receiver(receiver)
    with log.open("w") as out:
        serve = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "ocp", "serve", "--port", str(port)],
            env=env(), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "arq", "workers.main.WorkerSettings"],
            env=env(), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        await wait_healthy(base)
        token = await admin_token(base)
        await deliveries(base, token, receiver, target, args.events, args.live)
        await idempotency(base, token, args.requests)
    finally:
        for process in (serve, worker):
            process.terminate()
            process.wait(10)
        await runner.cleanup()
    print(f"\n(logs: {log})")


if __name__ == "__main__":
    asyncio.run(main())
