"""Shared steps of the Idempotency-Key tests: keyed requests and an upload held mid-body."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import BaseTestServer, TestClient

from ocp.idempotency.models import IdempotencyKey
from tests.helpers import Account
from tests.media.test_upload_input import MULTIPART, multipart, part

KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
REUSED = "urn:ocp:problem:idempotency-key-reused"
IN_USE = "urn:ocp:problem:idempotency-key-in-use"
UPLOADS = "/api/v1/uploads"


def keyed(account: Account, key: str, *, token: bool = False) -> dict[str, str]:
    """The account's credentials (its session's CSRF header, or its Bearer token) and a key."""
    base = account.headers if token else account.csrf_headers()
    return {**base, KEY: key}


@dataclass
class Answer:
    """What a client saw: status, headers and the raw body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def replayed(self) -> bool:
        return self.headers.get(REPLAYED) == "true"

    def same_as(self, other: Answer) -> None:
        """Everything a replay must repeat: status, body, Content-Type and Location."""
        assert self.status == other.status, (self.status, other.status)
        assert self.body == other.body, (self.body, other.body)
        assert self.headers.get("Content-Type") == other.headers.get("Content-Type")
        assert self.headers.get("Location") == other.headers.get("Location")


async def send(client: TestClient, method: str, path: str, **kwargs: Any) -> Answer:
    response = await client.request(method, path, **kwargs)
    body = await response.read()
    return Answer(response.status, dict(response.headers), body)


def upload_body(data: bytes, filename: str = "notes.txt") -> bytes:
    """A raw multipart/form-data body (boundary of ``MULTIPART``) with one text file."""
    return multipart(part(data=data, filename=filename))


async def wait_for_key(key: str, state: str = "running", seconds: float = 5.0) -> IdempotencyKey:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = await IdempotencyKey.filter(key=key, state=state).first()
        if row is not None:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"the key {key!r} was never {state}")


@dataclass
class HeldUpload:
    """A real upload sent over a raw socket: its head and the first bytes of its body go
    now, the rest when told. While held, its handler is running with the key claimed."""

    server: BaseTestServer
    authorization: str
    key: str
    body: bytes
    held_at: int = 100
    _reader: asyncio.StreamReader | None = field(default=None, repr=False)
    _writer: asyncio.StreamWriter | None = field(default=None, repr=False)

    async def start(self) -> None:
        assert self.server.host is not None and self.server.port is not None
        self._reader, self._writer = await asyncio.open_connection(
            self.server.host, self.server.port
        )
        head = (
            f"POST {UPLOADS} HTTP/1.1\r\n"
            f"Host: {self.server.host}:{self.server.port}\r\n"
            f"Authorization: {self.authorization}\r\n"
            f"{KEY}: {self.key}\r\n"
            f"Content-Type: {MULTIPART}\r\n"
            f"Content-Length: {len(self.body)}\r\n\r\n"
        ).encode()
        self._writer.write(head + self.body[: self.held_at])
        await self._writer.drain()

    async def finish(self) -> Answer:
        """Send the rest of the body; the answer."""
        assert self._reader is not None and self._writer is not None
        self._writer.write(self.body[self.held_at :])
        await self._writer.drain()
        status_line = await asyncio.wait_for(self._reader.readline(), 10)
        headers: dict[str, str] = {}
        while (line := await asyncio.wait_for(self._reader.readline(), 10)) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip()] = value.strip()
        lowered = {k.lower(): v for k, v in headers.items()}
        length = int(lowered.get("content-length", "0"))
        body = await asyncio.wait_for(self._reader.readexactly(length), 10)
        await self.close()
        return Answer(int(status_line.split()[1]), headers, body)

    async def close(self) -> None:
        """Hang up (mid-body if not finished)."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
            self._writer = None
