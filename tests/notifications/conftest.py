"""Notification fixtures: a real SMTP server (aiosmtpd) in this process, settings that
point at it, and a real arq worker that mails through it.

Only tests that ask for ``smtp_settings`` or ``mail_worker`` use SMTP; every other test of
this folder keeps the ``settings`` of ``tests/conftest.py`` (mail to the Maildir).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Worker

from ocp.config import Settings
from workers import main as worker_main

MAIL_FROM = "OCP Notifications <notify@ocp.test>"
PUBLIC_URL = "https://ocp.test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message the server accepted: its envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Sink:
    """The aiosmtpd handler: refuses the next ``refuse`` messages with 451, keeps the rest."""

    received: list[Received] = field(default_factory=list)
    attempts: list[float] = field(default_factory=list)  # monotonic time of every DATA
    refuse: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts.append(time.monotonic())
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), cast(EmailMessage, message))
            )
        return "250 OK"


class SmtpServer:
    """An aiosmtpd server on a port of its own, which can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sink = Sink()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, count: int) -> None:
        """Answer 451 to the next ``count`` messages, then accept again."""
        with self.sink.lock:
            self.sink.refuse = count

    @property
    def received(self) -> list[Received]:
        with self.sink.lock:
            return list(self.sink.received)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``."""
        return [r.message for r in self.received if address in r.rcpt_tos]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SMTP server that records what it receives."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    """The test settings, mailing through ``smtp_server`` from MAIL_FROM, links to PUBLIC_URL."""
    return dataclasses.replace(
        settings, smtp_url=smtp_server.url, mail_from=MAIL_FROM, public_url=PUBLIC_URL
    )


class MailWorker:
    """A real arq worker with ``smtp_settings`` (as ``run_jobs``), and its queue."""

    def __init__(self, pool: ArqRedis, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings

    async def run(self) -> int:
        """Run until the queue is empty (waiting out retries); how many jobs ran."""
        worker = Worker(
            functions=worker_main.functions(),
            redis_pool=self.pool,
            burst=True,
            poll_delay=0,
            handle_signals=False,
            on_startup=worker_main.startup,
            on_shutdown=worker_main.shutdown,
            ctx={"orm": None, "settings": self.settings},
        )
        try:
            await worker.main()
            return worker.jobs_complete + worker.jobs_failed
        finally:
            await worker.close()

    async def settle(self) -> None:
        """Run until a run finds nothing to do: reactions, then the mail jobs they start."""
        for _ in range(5):
            if not await self.run():
                return
        raise AssertionError("the queue never emptied")

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        _ = await self.pool.enqueue_job(name, *args, _job_id=job_id)


@pytest.fixture
async def mail_worker(redis_url: str, smtp_settings: Settings) -> AsyncIterator[MailWorker]:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    yield MailWorker(pool, smtp_settings)
    await pool.aclose()
