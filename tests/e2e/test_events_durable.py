"""The event log across real processes: no committed event is lost, none is doubled.

A ``serve`` process (and an arq worker) on PostgreSQL and Redis, driven over HTTP with API
tokens. Redis goes away in the middle of a run of progress updates; a web process is killed
while the events of answered requests sit unpublished. Either way, once the bus is back,
each committed change has its event on the course's stream exactly once, and the
reactions to them (an enrollment's completion) still happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from redis.asyncio import Redis

from ocp.realtime.bus import RedisBus
from ocp.realtime.events import Event
from tests.e2e.processes import REPO, Server, free_port
from tests.e2e.test_realtime import (
    ADMIN,
    Account,
    call,
    create_course,
    create_lesson,
    prepare,
    production_env,
    register,
    sign_in,
)
from tests.outages import RedisServer

PROGRESS = "progress.updated"
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=30)


class Worker:
    """``arq workers.main.WorkerSettings`` in a child process, as the Procfile runs it. It
    rides out the Redis outage (``workers/resilient.py``): the test ends by checking that
    it is still the same, living process."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self._start()

    def _start(self) -> None:
        self.log = self.cwd / f"worker-{time.monotonic_ns()}.log"
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "arq", "workers.main.WorkerSettings"],
            env=self.env,
            cwd=REPO,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


@dataclass
class Student:
    account: Account
    enrollment_id: int


@dataclass
class Classroom:
    course_id: int
    lessons: list[int]
    students: list[Student]

    @property
    def channel(self) -> str:
        return f"course:{self.course_id}"


async def build_classroom(
    http: aiohttp.ClientSession, base: str, *, lessons: int, students: int
) -> Classroom:
    """An instructor (promoted by the admin) with a published free course of ``lessons``
    lessons, and ``students`` students enrolled, each holding an API token."""
    emails = [f"student{n}@example.com" for n in range(students)]
    for email in ("teacher@example.com", *emails):
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
    course_id = await create_course(http, base, teacher)
    lesson_ids = [
        await create_lesson(http, base, teacher, course_id, f"Lesson {n}") for n in range(lessons)
    ]
    await call(
        http,
        "PATCH",
        f"{base}/api/v1/courses/{course_id}",
        token=teacher.token,
        json={"status": "published"},
    )
    enrolled = []
    for email in emails:
        account = await sign_in(base, email)
        enrollment = await call(
            http,
            "POST",
            f"{base}/api/v1/courses/{course_id}/enrollment",
            token=account.token,
            expect=201,
        )
        enrolled.append(Student(account, int(enrollment["id"])))
    return Classroom(course_id, lesson_ids, enrolled)


@dataclass
class Answer:
    """What one progress update got: a status, or ``error`` when no answer came."""

    student: Student
    lesson_id: int
    status: int | None
    content_type: str = ""
    body: str = ""
    error: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.student.enrollment_id, self.lesson_id)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def __str__(self) -> str:
        return f"{self.key}: {self.status} {self.content_type} {self.body or self.error}"[:500]


async def complete(
    http: aiohttp.ClientSession, base: str, classroom: Classroom, student: Student, lesson_id: int
) -> Answer:
    """``PUT .../progress {"completed": true}`` by token; never raises."""
    url = f"{base}/api/v1/courses/{classroom.course_id}/lessons/{lesson_id}/progress"
    try:
        async with http.put(
            url, json={"completed": True}, headers=student.account.headers, timeout=HTTP_TIMEOUT
        ) as response:
            return Answer(
                student, lesson_id, response.status, response.content_type, await response.text()
            )
    except (aiohttp.ClientError, TimeoutError) as error:
        return Answer(student, lesson_id, None, error=repr(error))


@contextlib.asynccontextmanager
async def bus_of(redis_url: str) -> AsyncIterator[RedisBus]:
    """A bus client of our own, to read the channels' histories."""
    client = Redis.from_url(redis_url)
    bus = RedisBus(client)
    try:
        yield bus
    finally:
        await bus.close()
        await client.aclose()


def progress_by_key(events: list[Event]) -> dict[tuple[int, int], list[str]]:
    """The event_ids of each (enrollment_id, lesson_id)'s ``progress.updated`` events."""
    found: dict[tuple[int, int], list[str]] = {}
    for event in events:
        if event.type == PROGRESS:
            key = (int(event.data["enrollment_id"]), int(event.data["lesson_id"]))
            found.setdefault(key, []).append(event.event_id)
    return found


async def unpublished(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return int(await connection.fetchval(_UNPUBLISHED))
    finally:
        await connection.close()


_UNPUBLISHED = "SELECT count(*) FROM event_log WHERE published_at IS NULL"


async def logged_progress(database_url: str) -> dict[str, dict[str, Any]]:
    """Every ``progress.updated`` in the event log: its data and publication, by event_id."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT event_id, data, published_at FROM event_log WHERE type = $1", PROGRESS
        )
    finally:
        await connection.close()
    return {
        str(row["event_id"]): {"data": json.loads(row["data"]), "published": row["published_at"]}
        for row in rows
    }


def assert_once_each(
    events: list[Event], answered: list[Answer], logged: dict[str, dict[str, Any]]
) -> None:
    """Each 2xx update, and each progress event the log holds, is on the stream exactly
    once; no event_id is there twice; nothing is there for an update that was refused."""
    ids = Counter(event.event_id for event in events)
    doubled = {event_id: n for event_id, n in ids.items() if n > 1}
    assert not doubled, f"event_ids on the stream more than once: {doubled}"
    by_key = progress_by_key(events)
    missing = [str(a) for a in answered if a.ok and a.key not in by_key]
    assert not missing, f"2xx updates without their event on the stream: {missing}"
    twice = {str(a): by_key[a.key] for a in answered if a.ok and len(by_key[a.key]) != 1}
    assert not twice, f"2xx updates with more than one event on the stream: {twice}"
    refused = [str(a) for a in answered if a.status == 503 and a.key in by_key]
    assert not refused, f"updates answered 503 have an event on the stream: {refused}"
    not_streamed = [event_id for event_id in logged if event_id not in ids]
    assert not not_streamed, f"logged progress events missing from the stream: {not_streamed}"


async def test_progress_updates_through_a_redis_outage_lose_no_event(
    tmp_path: Path, database_url: str
) -> None:
    """100 progress updates by token (10 students x 10 lessons, in rounds of 10 parallel
    requests); Redis is stopped after round 3 and started again before round 8, 3 s later
    (rounds 4-7 spread over the outage). Redis keeps its data across the restart (an
    append-only file), as a production Redis would: what was on the streams before the
    outage stays there.

    Every answer is 2xx or a 503 problem that changed nothing. The outage's events wait in
    the log; once Redis is back, the sweepers alone publish them (no request comes until
    they have, 15 s at most). At the end each 2xx update has its ``progress.updated`` on the
    course's stream exactly once, and each student whose ten updates all succeeded ends
    ``completed`` (the worker's reaction), within 15 s of the last answer."""
    outage = 3.0
    redis = RedisServer(free_port(), tmp_path, persistent=True)
    redis.start()
    worker: Worker | None = None
    server: Server | None = None
    try:
        await redis.wait_ready()
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
        env = production_env(database_url, redis_url)
        prepare(env, tmp_path)
        worker = Worker(env, tmp_path)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = Server("--port", str(port), env=env, cwd=tmp_path)
        await server.wait_healthy(base)
        async with aiohttp.ClientSession() as http:
            classroom = await build_classroom(http, base, lessons=10, students=10)
            answers: list[Answer] = []
            stopped_at = 0.0
            for round_, lesson_id in enumerate(classroom.lessons):
                if round_ == 3:
                    redis.stop()
                    stopped_at = time.monotonic()
                if 3 <= round_ <= 6:  # spread the outage's rounds over it
                    await asyncio.sleep(
                        max(0.0, stopped_at + (round_ - 3) * outage / 4 - time.monotonic())
                    )
                if round_ == 7:
                    await asyncio.sleep(max(0.0, stopped_at + outage - time.monotonic()))
                    held = await unpublished(database_url)
                    assert held >= sum(a.ok for a in answers[30:]), "the outage held nothing"
                    redis.start()
                    await redis.wait_ready()
                    restored_at = time.monotonic()
                    # No request comes meanwhile: the sweepers alone publish the backlog.
                    while (pending := await unpublished(database_url)) and (
                        time.monotonic() < restored_at + 15
                    ):
                        await asyncio.sleep(0.1)
                    backlog_seconds = time.monotonic() - restored_at
                    assert pending == 0, (
                        f"{pending} of the outage's {held} events still unpublished "
                        f"{backlog_seconds:.1f}s after Redis returned\n{server.output()[-3000:]}"
                    )
                answers += await asyncio.gather(
                    *(complete(http, base, classroom, s, lesson_id) for s in classroom.students)
                )
            finished_at = time.monotonic()

            wrong = [
                str(a)
                for a in answers
                if not a.ok
                and not (a.status == 503 and a.content_type == "application/problem+json")
            ]
            assert not wrong, "answers neither 2xx nor a 503 problem:\n" + "\n".join(wrong)

            # A 503 changed nothing; a 2xx did. Read back by token (Redis is up again).
            expected = {a.key: a.ok for a in answers}
            for student in classroom.students:
                progress = await call(
                    http,
                    "GET",
                    f"{base}/api/v1/courses/{classroom.course_id}/progress",
                    token=student.account.token,
                )
                for lesson in progress["lessons"]:
                    key = (student.enrollment_id, lesson["lesson_id"])
                    assert lesson["completed"] == expected[key], (key, lesson)

            # Within a bounded wait: every 2xx update's event is on the stream, nothing is
            # left unpublished, and the fully completed enrollments are completed.
            deadline = finished_at + 15
            wanted = {a.key for a in answers if a.ok}
            finishers = [
                s for s in classroom.students if all(a.ok for a in answers if a.student is s)
            ]
            async with bus_of(redis_url) as bus:
                while True:
                    events = await bus.history(classroom.channel, since=None)
                    streamed = set(progress_by_key(events))
                    pending = await unpublished(database_url)
                    statuses = [
                        (
                            await call(
                                http,
                                "GET",
                                f"{base}/api/v1/courses/{classroom.course_id}/progress",
                                token=s.account.token,
                            )
                        )["status"]
                        for s in finishers
                    ]
                    settled = (
                        wanted <= streamed
                        and pending == 0
                        and all(status == "completed" for status in statuses)
                    )
                    if settled or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.25)
                seconds = time.monotonic() - finished_at
                assert wanted <= streamed, (
                    f"after {seconds:.1f}s, {len(wanted - streamed)} of {len(wanted)} 2xx "
                    f"updates have no event on the stream; {pending} events unpublished\n"
                    f"{server.output()[-3000:]}"
                )
                assert pending == 0, f"{pending} events still unpublished after {seconds:.1f}s"
                assert statuses == ["completed"] * len(finishers), (
                    f"after {seconds:.1f}s: {statuses}\n{worker.output()[-3000:]}"
                )
                assert_once_each(
                    await bus.history(classroom.channel, since=None),
                    answers,
                    await logged_progress(database_url),
                )
            statuses_seen = Counter(a.status for a in answers)
            print(
                f"answers {dict(statuses_seen)}; {held} events held by the outage, published "
                f"{backlog_seconds:.1f}s after Redis returned; all settled {seconds:.1f}s after "
                "the last answer"
            )
        assert server.process.poll() is None, server.output()
        assert worker.process.poll() is None, worker.output()
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            worker.stop()
        redis.stop()


async def test_a_killed_web_process_loses_no_committed_event(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    """SIGKILL a web process while the events of requests it answered 2xx sit unpublished;
    a new web process's sweeper publishes them, each exactly once.

    How the window is forced: the victim runs with ``OCP_TEST_PUBLISH_HOLD_MS=3000``, so
    its publisher, having read the pending events (under the relay's advisory lock), sleeps
    3 s before putting any on the bus, while a request waits at most ``FLUSH_WAIT`` (2 s)
    for its events and then answers 200 anyway. A first wave of parallel updates therefore
    answers 2xx at ~2 s with every one of its events still unpublished (checked in the
    table after the kill). A second wave is sent and, once its changes are committed (seen
    in the table) but before any answer, the process is killed: those clients get no answer
    although the change happened. Then a new ``serve`` (no hold) starts, and its sweeper
    must publish both waves' events within 5 s, once each (by event_id)."""
    env = production_env(database_url, redis_url)
    prepare(env, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    servers: list[Server] = []
    try:
        # Set up on a process without the hold (each event would cost its request 2 s).
        servers.append(Server("--port", str(port), env=env, cwd=tmp_path))
        await servers[-1].wait_healthy(base)
        async with aiohttp.ClientSession() as http:
            classroom = await build_classroom(http, base, lessons=6, students=4)
        assert servers[-1].stop() == 0, servers[-1].output()

        victim = Server(
            "--port", str(port), env={**env, "OCP_TEST_PUBLISH_HOLD_MS": "3000"}, cwd=tmp_path
        )
        servers.append(victim)
        await victim.wait_healthy(base)
        assert await unpublished(database_url) == 0
        async with aiohttp.ClientSession() as http:
            first = await asyncio.gather(
                *(
                    complete(http, base, classroom, s, lesson_id)
                    for s in classroom.students
                    for lesson_id in classroom.lessons[:4]
                )
            )
            assert all(a.ok for a in first), "\n".join(map(str, first))
            second = [
                asyncio.ensure_future(complete(http, base, classroom, s, lesson_id))
                for s in classroom.students
                for lesson_id in classroom.lessons[4:]
            ]
            deadline = time.monotonic() + 10
            while len(await logged_progress(database_url)) < len(first) + len(second):
                assert time.monotonic() < deadline, "the second wave did not commit"
                await asyncio.sleep(0.02)
            assert not any(task.done() for task in second), "the hold did not hold"
            victim.process.kill()
            victim.process.wait()
            unanswered = await asyncio.gather(*second)

        logged = await logged_progress(database_url)
        held = [event_id for event_id, row in logged.items() if row["published"] is None]
        assert len(held) == len(first) + len(second), (
            f"the window was not forced: {len(held)} of {len(logged)} progress events were "
            f"unpublished when the process died"
        )
        assert not any(a.ok for a in unanswered), "\n".join(map(str, unanswered))

        servers.append(Server("--port", str(port), env=env, cwd=tmp_path))
        await servers[-1].wait_healthy(base)
        started = time.monotonic()
        while (pending := await unpublished(database_url)) and time.monotonic() < started + 5:
            await asyncio.sleep(0.1)
        print(
            f"{len(held)} events held at the kill; published {time.monotonic() - started:.1f}s "
            "after the new process answered"
        )
        assert pending == 0, (
            f"{pending} events still unpublished 5 s after the new process started\n"
            f"{servers[-1].output()[-3000:]}"
        )
        async with bus_of(redis_url) as bus:
            events = await bus.history(classroom.channel, since=None)
        assert_once_each(events, first, await logged_progress(database_url))
        # The killed process's unanswered updates had committed: their events are there too.
        by_key = progress_by_key(events)
        assert all(len(by_key.get(a.key, [])) == 1 for a in unanswered), by_key
    finally:
        for server in servers:
            server.stop()
