"""One try of one delivery: the signed POST, and what came of it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import orjson
from yarl import URL

from ocp.webhooks import addresses, signing

TIMEOUT = 10.0  # seconds for the whole try: connect, send, the answer's head and kept body
KEEP_BODY = 1024  # bytes of the answer kept
USER_AGENT = "OCP-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the answer's status; None when there was no answer
    body: str | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def payload(type: str, occurred_at: datetime, data: object) -> bytes:
    """The body: ``{"type", "timestamp", "data"}``, the event's time in ISO 8601."""
    return orjson.dumps(
        {"type": type, "timestamp": occurred_at.isoformat().replace("+00:00", "Z"), "data": data}
    )


def _kept(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


async def send(
    url: str, *, message_id: str, body: bytes, secrets_in_use: list[str], allow_private: bool
) -> Outcome:
    """POST ``body`` to ``url`` signed with each secret; never raises for the receiver's
    faults. Redirects are not followed; an address that is not public is not called."""
    started = time.perf_counter()

    def outcome(status: int | None, kept: str | None, error: str | None) -> Outcome:
        return Outcome(status, kept, error, round((time.perf_counter() - started) * 1000))

    try:
        target = addresses.parse(url, allow_private=allow_private)
    except addresses.AddressRefused as refused:
        return outcome(None, None, str(refused))
    if (why := addresses.literal_refused(target, allow_private=allow_private)) is not None:
        return outcome(None, None, why)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            secrets_in_use, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
    connector = aiohttp.TCPConnector(
        resolver=addresses.PublicResolver(allow_private=allow_private), force_close=True
    )
    try:
        async with (
            aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
                trust_env=False,
            ) as session,
            session.post(
                URL(url, encoded=True), data=body, headers=headers, allow_redirects=False
            ) as answer,
        ):
            kept = _kept(await answer.content.read(KEEP_BODY))
            error = None
            if 300 <= answer.status < 400:
                error = f"redirects are not followed ({answer.status})"
            elif not 200 <= answer.status < 300:
                error = f"the receiver answered {answer.status}"
            return outcome(answer.status, kept, error)
    except TimeoutError:
        return outcome(None, None, f"no answer within {TIMEOUT:g} s")
    except aiohttp.ClientConnectorError as failed:
        if isinstance(failed.os_error, addresses.AddressRefused):
            return outcome(None, None, str(failed.os_error))
        return outcome(None, None, f"could not connect: {failed.os_error or failed}")
    except (aiohttp.ClientError, OSError, ValueError) as failed:
        return outcome(None, None, f"{type(failed).__name__}: {failed}"[:500])
