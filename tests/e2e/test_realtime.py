"""The real-time WebSocket across real processes: two ``serve`` processes sharing PostgreSQL
and Redis, resuming with ``since`` on the other process, and surviving a Redis restart."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SECRET
from tests.e2e.processes import Server, clean_env, free_port, run_ocp
from tests.e2e.test_serve import empty_database  # noqa: F401  (fixture)
from tests.helpers import PASSWORD

ADMIN = "admin@example.com"
FRAME_TIMEOUT = 10.0
WS_PATH = "/api/v1/ws"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    token: str | None = None,
    json: Mapping[str, Any] | None = None,
    expect: int = 200,
) -> Any:
    """One REST call that must answer ``expect``; its JSON body (None when empty)."""
    headers = bearer(token) if token else {}
    async with http.request(
        method, url, json=json, headers=headers, timeout=aiohttp.ClientTimeout(total=15)
    ) as response:
        text = await response.text()
        assert response.status == expect, f"{method} {url}: {response.status} {text}"
        return await response.json() if text else None


@dataclass
class Account:
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def sign_in(base: str, email: str) -> Account:
    """Log in with a cookie session just long enough to create an API token."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        login = await call(
            http, "POST", f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        async with http.post(
            f"{base}/api/v1/auth/tokens",
            json={"name": "e2e"},
            headers={"X-CSRF-Token": login["csrf_token"]},
        ) as created:
            assert created.status == 201, await created.text()
            token = (await created.json())["token"]
    return Account(id=int(login["user"]["id"]), token=token)


async def register(http: aiohttp.ClientSession, base: str, email: str) -> None:
    await call(
        http,
        "POST",
        f"{base}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": email.split("@")[0]},
        expect=201,
    )


@dataclass
class Cast:
    admin: Account
    teacher: Account
    student: Account
    other: Account


async def make_cast(http: aiohttp.ClientSession, base: str) -> Cast:
    """The admin (made by createadmin), an instructor (promoted by the admin), two students."""
    for email in ("teacher@example.com", "student@example.com", "other@example.com"):
        await register(http, base, email)
    admin = await sign_in(base, ADMIN)
    teacher = await sign_in(base, "teacher@example.com")
    await call(
        http,
        "PATCH",
        f"{base}/api/v1/users/{teacher.id}",
        token=admin.token,
        json={"role": "instructor"},
    )
    return Cast(
        admin=admin,
        teacher=teacher,
        student=await sign_in(base, "student@example.com"),
        other=await sign_in(base, "other@example.com"),
    )


async def create_course(http: aiohttp.ClientSession, base: str, teacher: Account) -> int:
    course = await call(
        http,
        "POST",
        f"{base}/api/v1/courses",
        token=teacher.token,
        json={"title": "Realtime Course"},
        expect=201,
    )
    return int(course["id"])


async def create_lesson(
    http: aiohttp.ClientSession, base: str, teacher: Account, course_id: int, title: str
) -> int:
    lesson = await call(
        http,
        "POST",
        f"{base}/api/v1/courses/{course_id}/lessons",
        token=teacher.token,
        json={"title": title},
        expect=201,
    )
    return int(lesson["id"])


async def frame(ws: aiohttp.ClientWebSocketResponse, timeout: float = FRAME_TIMEOUT) -> Any:
    message = await asyncio.wait_for(ws.receive(), timeout)
    assert message.type == aiohttp.WSMsgType.TEXT, f"{message.type} {message.data!r}"
    return message.json()


async def nothing_more(ws: aiohttp.ClientWebSocketResponse, wait: float = 0.7) -> None:
    with pytest.raises(TimeoutError):
        extra = await asyncio.wait_for(ws.receive(), wait)
        pytest.fail(f"unexpected frame: {extra.type} {extra.data!r}")


async def subscribe(
    ws: aiohttp.ClientWebSocketResponse,
    channel: str,
    since: str | None = None,
    *,
    reset: bool = False,
) -> None:
    request: dict[str, str] = {"op": "subscribe", "channel": channel}
    if since is not None:
        request["since"] = since
    await ws.send_json(request)
    answer = await frame(ws)
    assert answer == {"op": "subscribed", "channel": channel, "reset": reset}, answer


@contextlib.asynccontextmanager
async def socket(
    http: aiohttp.ClientSession, base: str, account: Account
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    ws = await asyncio.wait_for(
        http.ws_connect(f"{base}{WS_PATH}", headers=account.headers), FRAME_TIMEOUT
    )
    try:
        yield ws
    finally:
        await ws.close()


def production_env(database_url: str, redis_url: str) -> dict[str, str]:
    return clean_env(OCP_DATABASE_URL=database_url, OCP_REDIS_URL=redis_url, OCP_SECRET_KEY=SECRET)


def prepare(env: Mapping[str, str], cwd: Path) -> None:
    migrated = run_ocp("migrate", env=env, cwd=cwd)
    assert migrated.returncode == 0, migrated.stderr
    admin = run_ocp("createadmin", "--email", ADMIN, "--password", PASSWORD, env=env, cwd=cwd)
    assert admin.returncode == 0, admin.stderr


@contextlib.contextmanager
def servers(count: int, env: Mapping[str, str], cwd: Path) -> Iterator[list[tuple[Server, str]]]:
    """``count`` serve processes on ports of their own; stopped (and checked) at the end."""
    started: list[tuple[Server, str]] = []
    try:
        for _ in range(count):
            port = free_port()
            server = Server("--port", str(port), env=env, cwd=cwd)
            started.append((server, f"http://127.0.0.1:{port}"))
        yield started
    finally:
        for server, _ in started:
            server.stop()


async def test_events_cross_processes_and_rights_are_checked(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
) -> None:
    env = production_env(empty_database, redis_url)
    prepare(env, tmp_path)
    with servers(2, env, tmp_path) as [(server_a, a), (server_b, b)]:
        await server_a.wait_healthy(a)
        await server_b.wait_healthy(b)
        async with aiohttp.ClientSession() as http:
            cast = await make_cast(http, a)
            course_id = await create_course(http, a, cast.teacher)
            async with (
                socket(http, b, cast.teacher) as teacher_ws,
                socket(http, b, cast.student) as student_ws,
                socket(http, b, cast.other) as other_ws,
            ):
                # The instructor watches the course on B; the lesson is made through A.
                await subscribe(teacher_ws, f"course:{course_id}")
                lesson_id = await create_lesson(http, a, cast.teacher, course_id, "First")
                created = await frame(teacher_ws)
                assert created["op"] == "event" and created["type"] == "lesson.created"
                assert created["channel"] == f"course:{course_id}"
                assert created["data"] == {"course_id": course_id, "lesson_id": lesson_id}
                await call(
                    http,
                    "PATCH",
                    f"{a}/api/v1/courses/{course_id}",
                    token=cast.teacher.token,
                    json={"status": "published"},
                )
                assert (await frame(teacher_ws))["type"] == "course.published"

                # A student's own channel on B; another user may not read it.
                await subscribe(student_ws, f"user:{cast.student.id}")
                await other_ws.send_json({"op": "subscribe", "channel": f"user:{cast.student.id}"})
                refused = await frame(other_ws)
                assert refused["op"] == "error" and refused["code"] == "forbidden", refused
                assert refused["channel"] == f"user:{cast.student.id}"
                assert not other_ws.closed
                await subscribe(other_ws, f"user:{cast.other.id}")  # still open and usable

                await call(
                    http,
                    "POST",
                    f"{a}/api/v1/courses/{course_id}/enrollment",
                    token=cast.student.token,
                    expect=201,
                )
                enrolled = await frame(student_ws)
                assert enrolled["op"] == "event" and enrolled["type"] == "enrollment.created"
                assert enrolled["channel"] == f"user:{cast.student.id}"
                assert enrolled["data"]["user_id"] == cast.student.id
                assert enrolled["data"]["course_id"] == course_id
                on_course = await frame(teacher_ws)
                assert on_course["type"] == "enrollment.created"
                assert on_course["data"]["user_id"] == cast.student.id
                await nothing_more(other_ws)
                await nothing_more(student_ws, 0.1)
        assert server_a.process.poll() is None, server_a.output()
        assert server_b.process.poll() is None, server_b.output()


async def test_rights_lost_through_one_process_end_on_the_other_within_a_second(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
) -> None:
    """The control message crosses processes: a demotion, a logout and a token revocation
    made through A end what B's sockets may receive at once (the periodic re-check, 30 s,
    would be far too late)."""
    env = production_env(empty_database, redis_url)
    prepare(env, tmp_path)
    with servers(2, env, tmp_path) as [(server_a, a), (server_b, b)]:
        await server_a.wait_healthy(a)
        await server_b.wait_healthy(b)
        async with aiohttp.ClientSession() as http:
            cast = await make_cast(http, a)
            course_id = await create_course(http, a, cast.teacher)
            async with socket(http, b, cast.teacher) as teacher_ws:
                await subscribe(teacher_ws, f"course:{course_id}")
                await call(
                    http,
                    "PATCH",
                    f"{a}/api/v1/users/{cast.teacher.id}",
                    token=cast.admin.token,
                    json={"role": "student"},
                )
                dropped = await frame(teacher_ws, timeout=1.0)
                assert dropped["code"] == "forbidden", dropped
                assert dropped["channel"] == f"course:{course_id}"

            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as browser:
                login = await call(
                    browser,
                    "POST",
                    f"{a}/api/v1/auth/login",
                    json={"email": "student@example.com", "password": PASSWORD},
                )
                csrf = {"X-CSRF-Token": login["csrf_token"]}
                # The cookie is A's; the socket opens on B with the same session.
                cookie_ws = await browser.ws_connect(
                    f"{b}{WS_PATH}", headers={"Cookie": f"ocp_session={cookie_of(jar)}"}
                )
                async with browser.post(f"{a}/api/v1/auth/logout", headers=csrf) as out:
                    assert out.status == 204
                closing = await asyncio.wait_for(cookie_ws.receive(), 1.0)
                assert closing.type == aiohttp.WSMsgType.CLOSE, closing
                assert closing.data == aiohttp.WSCloseCode.POLICY_VIOLATION
                await cookie_ws.close()

            async with socket(http, b, cast.other) as token_ws:
                tokens = await call(http, "GET", f"{a}/api/v1/auth/tokens", token=cast.other.token)
                await call(
                    http,
                    "DELETE",
                    f"{a}/api/v1/auth/tokens/{tokens[0]['id']}",
                    token=cast.other.token,
                    expect=204,
                )
                closing = await asyncio.wait_for(token_ws.receive(), 1.0)
                assert closing.type == aiohttp.WSMsgType.CLOSE, closing
                assert closing.data == aiohttp.WSCloseCode.POLICY_VIOLATION
        assert server_a.process.poll() is None, server_a.output()
        assert server_b.process.poll() is None, server_b.output()


def cookie_of(jar: aiohttp.CookieJar) -> str:
    (cookie,) = [c for c in jar if c.key == "ocp_session"]
    return cookie.value


async def test_reconnecting_with_since_to_the_other_process_replays_what_was_missed(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
    redis_url: str,
) -> None:
    env = production_env(empty_database, redis_url)
    prepare(env, tmp_path)
    with servers(2, env, tmp_path) as [(server_a, a), (server_b, b)]:
        await server_a.wait_healthy(a)
        await server_b.wait_healthy(b)
        async with aiohttp.ClientSession() as http:
            cast = await make_cast(http, a)
            course_id = await create_course(http, a, cast.teacher)
            channel = f"course:{course_id}"
            seen: list[str] = []
            async with socket(http, a, cast.teacher) as ws:
                await subscribe(ws, channel)
                for n in range(2):
                    lesson_id = await create_lesson(http, a, cast.teacher, course_id, f"Seen {n}")
                    event = await frame(ws)
                    assert event["data"]["lesson_id"] == lesson_id
                    seen.append(event["id"])
            # Disconnected: three events happen, through both processes.
            missed = [
                await create_lesson(http, base, cast.teacher, course_id, f"Missed {n}")
                for n, base in enumerate((b, a, b))
            ]
            async with socket(http, b, cast.teacher) as ws:
                await subscribe(ws, channel, since=seen[-1])
                replayed = [await frame(ws) for _ in missed]
                assert [e["type"] for e in replayed] == ["lesson.created"] * 3
                assert [e["data"]["lesson_id"] for e in replayed] == missed
                ids = [e["id"] for e in replayed]
                assert len(set(ids + seen)) == 5
                assert sorted(ids, key=_id_key) == ids
                assert _id_key(ids[0]) > _id_key(seen[-1])
                await nothing_more(ws)
                # Then live events continue, published by either process.
                live = [
                    await create_lesson(http, base, cast.teacher, course_id, f"Live {n}")
                    for n, base in enumerate((a, b))
                ]
                after = [await frame(ws) for _ in live]
                assert [e["data"]["lesson_id"] for e in after] == live
                assert _id_key(after[0]["id"]) > _id_key(ids[-1])
                await nothing_more(ws)


def _id_key(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq)


class RedisServer:
    """A redis-server of our own, on a port of our own, which the test may stop and restart.
    ``persistent`` keeps its data across a restart (an append-only file, synced on every
    write), as a production Redis configured for it would."""

    def __init__(self, port: int, cwd: Path, *, persistent: bool = False) -> None:
        self.port = port
        self.cwd = cwd
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.cwd / f"redis-{time.monotonic_ns()}.log").open("w")
        appendonly = ("yes", "--appendfsync", "always") if self.persistent else ("no",)
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", *appendonly, "--daemonize", "no", "--dir", str(self.cwd)),
            ],
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    async def wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, "redis-server died"
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", self.port), 1
                )
                writer.write(b"PING\r\n")
                await writer.drain()
                answer = await asyncio.wait_for(reader.readline(), 1)
                writer.close()
                if answer.startswith(b"+PONG"):
                    return
            except (OSError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"redis-server on port {self.port} did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


async def wait_ready(http: aiohttp.ClientSession, base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with http.get(f"{base}/readyz", timeout=aiohttp.ClientTimeout(total=5)) as ready:
                if ready.status == 200:
                    return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{base}/readyz did not turn 200 within {timeout}s")


async def test_live_events_survive_a_redis_restart(
    tmp_path: Path,
    empty_database: str,  # noqa: F811
) -> None:
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    try:
        await redis.wait_ready()
        env = production_env(empty_database, f"redis://127.0.0.1:{redis.port}/0")
        prepare(env, tmp_path)
        with servers(1, env, tmp_path) as [(server, base)]:
            await server.wait_healthy(base)
            async with aiohttp.ClientSession() as http:
                cast = await make_cast(http, base)
                course_id = await create_course(http, base, cast.teacher)
                channel = f"course:{course_id}"
                ws = await http.ws_connect(f"{base}{WS_PATH}", headers=cast.teacher.headers)
                try:
                    await subscribe(ws, channel)
                    before = await create_lesson(http, base, cast.teacher, course_id, "Before")
                    event = await frame(ws)
                    assert event["data"]["lesson_id"] == before
                    last_id = event["id"]

                    redis.stop()
                    await asyncio.sleep(1)
                    redis.start()
                    await redis.wait_ready()
                    await wait_ready(http, base)

                    after = await create_lesson(http, base, cast.teacher, course_id, "After")
                    try:
                        message = await asyncio.wait_for(ws.receive(), FRAME_TIMEOUT)
                    except TimeoutError:
                        pytest.fail(
                            "the event published after the Redis restart never reached the "
                            f"open socket (which was not closed either):\n{server.output()}"
                        )
                    if message.type in (
                        aiohttp.WSMsgType.CLOSE,
                        aiohttp.WSMsgType.CLOSED,
                        aiohttp.WSMsgType.CLOSING,
                    ):
                        # The server closed the socket: the client resumes with ``since``.
                        # Redis kept nothing on disk, so the history after ``since`` is gone:
                        # the answer says so (reload by REST), and live events go on.
                        await ws.close()
                        ws = await http.ws_connect(f"{base}{WS_PATH}", headers=cast.teacher.headers)
                        await subscribe(ws, channel, since=last_id, reset=True)
                        after = await create_lesson(http, base, cast.teacher, course_id, "Later")
                        received = await frame(ws)
                    else:
                        assert message.type == aiohttp.WSMsgType.TEXT, message
                        received = message.json()
                    assert received["op"] == "event" and received["type"] == "lesson.created"
                    assert received["data"]["lesson_id"] == after, received
                    assert _id_key(received["id"]) > _id_key(last_id)
                    await nothing_more(ws)
                finally:
                    await ws.close()
            assert server.process.poll() is None, server.output()
    finally:
        redis.stop()
