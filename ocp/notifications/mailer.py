"""Sending mail: an SMTP server (``OCP_SMTP_URL``) or, embedded, a Maildir on disk."""

from __future__ import annotations

import asyncio
import logging
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from ocp.config import Settings

log = logging.getLogger("ocp.mail")

SMTP_TIMEOUT = 20  # seconds for the whole conversation with the server
_TOLD: set[Path] = set()  # Maildirs this process has named in the log (once each)


class MailNotSent(Exception):
    """The server refused the message or could not be reached: try again later."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """One connection per message through aiosmtplib: ``smtp://`` (with
    ``?starttls=true``) or ``smtps://`` (TLS from the start)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.host = parts.hostname or "localhost"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 587)
        self.start_tls = not self.use_tls and query.get("starttls", "").lower() in {"1", "true"}
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(self, message: EmailMessage) -> None:
        try:
            _ = await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=SMTP_TIMEOUT,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailNotSent(f"{self.host}:{self.port}: {error!r}") from error


class MaildirMailer:
    """Embedded mode: each message is a file in a Maildir (``new/``), for any mail client."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: EmailMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.path, create=True)  # makes new/, cur/ and tmp/ too
        box.add(message)
        if self.path not in _TOLD:
            _TOLD.add(self.path)
            log.info("no OCP_SMTP_URL: mail is delivered to the Maildir %s", self.path)


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url)
    return MaildirMailer(settings.effective_mail_dir)
