"""Settings, read once from the environment (``OCP_*``) by the entry points."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROVIDERS = ("sandbox", "stripe")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line a person can act on."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _url(name: str, raw: str) -> str:
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s):// URL, not {raw!r}")
    return url


def _payments_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if raw := env.get("OCP_PAYMENTS_PROVIDER", "").strip():
        if raw not in PROVIDERS:
            raise SettingsError(f"OCP_PAYMENTS_PROVIDER must be sandbox or stripe, not {raw!r}")
        values["payments_provider"] = raw
    for name, attr in (
        ("OCP_STRIPE_API_KEY", "stripe_api_key"),
        ("OCP_PAYMENTS_WEBHOOK_SECRET", "payments_webhook_secret"),
    ):
        if raw := env.get(name, "").strip():
            values[attr] = raw
    for name, attr in (
        ("OCP_PUBLIC_URL", "public_url"),
        ("OCP_STRIPE_API_BASE", "stripe_api_base"),
    ):
        if raw := env.get(name, "").strip():
            values[attr] = _url(name, raw)
    for name, attr, minimum in (
        ("OCP_REFUND_DAYS", "refund_days", 0),
        ("OCP_REFUND_MAX_PROGRESS", "refund_max_progress", 0),
        ("OCP_CHECKOUTS_PER_MINUTE", "checkouts_per_minute", 1),
        ("OCP_FORUM_POSTS_PER_MINUTE", "forum_posts_per_minute", 1),
    ):
        if number := env.get(name):
            values[attr] = _int(name, number, minimum)
    if values.get("refund_max_progress", 0) > 100:
        raise SettingsError("OCP_REFUND_MAX_PROGRESS must be at most 100 (percent)")
    return values


def _mail_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if raw := env.get("OCP_SMTP_URL", "").strip():
        parts = urlsplit(raw)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise SettingsError(f"OCP_SMTP_URL must be an smtp:// or smtps:// URL, not {raw!r}")
        values["smtp_url"] = raw
    if raw := env.get("OCP_MAIL_FROM", "").strip():
        if "@" not in raw or "\n" in raw or "\r" in raw:
            raise SettingsError("OCP_MAIL_FROM must be an address: OCP <no-reply@example.com>")
        values["mail_from"] = raw
    return values


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told. Build with :meth:`from_env` or directly in tests."""

    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    data_dir: Path = Path("var")
    cookie_secure: bool = False
    allowed_origins: tuple[str, ...] = ()
    session_max_age: int = 14 * 24 * 3600
    session_idle_timeout: int = 2 * 24 * 3600
    # The largest valid body fits even \u-escaped (a 200,000-character lesson body: 2.4 MB).
    max_body_kb: int = 4096
    login_max_failures_per_email: int = 5
    login_max_failures_per_address: int = 30
    login_failure_window: int = 15 * 60
    register_max_per_address: int = 20
    register_window: int = 3600
    enrollment_changes_per_minute: int = 30  # enroll and cancel together, per user
    trust_forwarded: bool = False
    catalog_cache: bool = True
    catalog_cache_max_age: int = 30  # seconds a cached list (and its enrollment counts) lives
    log_level: str = "INFO"
    # Uploads: stored under media_dir (``data_dir/media`` unless set), capped at max_upload_mb.
    media_dir: Path | None = None
    max_upload_mb: int = 2048
    # Published events are kept this long in the event log, then pruned.
    event_retention_days: int = 7
    # Tests only: milliseconds the publisher waits between reading pending events and
    # publishing them, to hold open the window a crash can fall into (tests/e2e).
    test_publish_hold_ms: int = 0
    # Operations: web processes for `serve`, graceful shutdown, log format, metrics access.
    web_workers: int = 1
    shutdown_timeout: int = 20
    log_format: str = "text"
    metrics_token: str | None = None
    # Payments: the provider ("sandbox" or "stripe"), its credentials, refund rules.
    payments_provider: str = "sandbox"
    stripe_api_key: str | None = None
    # Where the stripe package sends its API calls: Stripe's own unless set (tests: a fake).
    stripe_api_base: str | None = None
    # Verifies provider webhooks (Stripe-Signature); the sandbox derives one from the secret
    # key when it is not set.
    payments_webhook_secret: str | None = None
    # The address people reach the service at: Stripe's return URLs are built from it (the
    # sandbox uses the request's own address when it is not set).
    public_url: str | None = None
    refund_days: int = 14
    refund_max_progress: int = 30  # percent of the course studied, below which a student may
    checkouts_per_minute: int = 20  # per user
    forum_posts_per_minute: int = 10  # per user: threads and posts together
    # Mail: an SMTP server (smtp://user:pass@host:587?starttls=true, smtps://...) or, unset,
    # a Maildir under data_dir/mail; the sender; where links in mail point.
    smtp_url: str | None = None
    mail_from: str = "OCP <no-reply@localhost>"
    # Outbound webhooks: allow http:// and private addresses (development and tests only).
    webhooks_allow_private: bool = False
    # ffprobe for audio/video durations: found on PATH unless set ("" turns it off).
    ffprobe: str | None = field(default_factory=lambda: shutil.which("ffprobe"))

    @property
    def embedded(self) -> bool:
        """True when no PostgreSQL URL is set: SQLite under ``data_dir``, no Redis needed."""
        return self.database_url is None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'ocp.sqlite3').as_posix()}"

    @property
    def effective_media_dir(self) -> Path:
        return self.media_dir if self.media_dir is not None else self.data_dir / "media"

    @property
    def dialect(self) -> str:
        url = self.effective_database_url
        return "sqlite" if url.startswith("sqlite") else "postgres"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``OCP_*`` variable; unknown values raise :class:`SettingsError`."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if url := env.get("OCP_DATABASE_URL", "").strip():
            if not url.startswith(("postgres://", "postgresql://", "psycopg://", "asyncpg://")):
                raise SettingsError("OCP_DATABASE_URL must be a postgres:// URL")
            values["database_url"] = url.replace("postgresql://", "postgres://", 1)
        if url := env.get("OCP_REDIS_URL", "").strip():
            if not url.startswith(("redis://", "rediss://", "unix://")):
                raise SettingsError("OCP_REDIS_URL must be a redis:// URL")
            values["redis_url"] = url
        if key := env.get("OCP_SECRET_KEY", "").strip():
            values["secret_key"] = key
        if data_dir := env.get("OCP_DATA_DIR", "").strip():
            values["data_dir"] = Path(data_dir)
        if media_dir := env.get("OCP_MEDIA_DIR", "").strip():
            values["media_dir"] = Path(media_dir)
        if "OCP_FFPROBE" in env:
            values["ffprobe"] = env["OCP_FFPROBE"].strip() or None
        if raw := env.get("OCP_COOKIE_SECURE"):
            values["cookie_secure"] = _bool("OCP_COOKIE_SECURE", raw)
        if raw := env.get("OCP_TRUST_FORWARDED"):
            values["trust_forwarded"] = _bool("OCP_TRUST_FORWARDED", raw)
        if raw := env.get("OCP_WEBHOOKS_ALLOW_PRIVATE"):
            values["webhooks_allow_private"] = _bool("OCP_WEBHOOKS_ALLOW_PRIVATE", raw)
        if raw := env.get("OCP_CATALOG_CACHE"):
            values["catalog_cache"] = _bool("OCP_CATALOG_CACHE", raw)
        if raw := env.get("OCP_ALLOWED_ORIGINS"):
            values["allowed_origins"] = _list(raw)
        for name, attr, minimum in (
            ("OCP_SESSION_MAX_AGE", "session_max_age", 60),
            ("OCP_SESSION_IDLE_TIMEOUT", "session_idle_timeout", 60),
            ("OCP_MAX_BODY_KB", "max_body_kb", 1),
            ("OCP_MAX_UPLOAD_MB", "max_upload_mb", 1),
            ("OCP_EVENT_RETENTION_DAYS", "event_retention_days", 1),
            ("OCP_TEST_PUBLISH_HOLD_MS", "test_publish_hold_ms", 0),
            ("OCP_WEB_WORKERS", "web_workers", 1),
            ("OCP_SHUTDOWN_TIMEOUT", "shutdown_timeout", 0),
            ("OCP_CATALOG_CACHE_MAX_AGE", "catalog_cache_max_age", 1),
        ):
            if raw := env.get(name):
                values[attr] = _int(name, raw, minimum)
        if values.get("catalog_cache_max_age", 0) > 3600:
            raise SettingsError("OCP_CATALOG_CACHE_MAX_AGE must be at most 3600 seconds")
        if raw := env.get("OCP_LOG_FORMAT"):
            if raw.strip().lower() not in {"text", "json"}:
                raise SettingsError(f"OCP_LOG_FORMAT must be text or json, not {raw!r}")
            values["log_format"] = raw.strip().lower()
        if token := env.get("OCP_METRICS_TOKEN", "").strip():
            values["metrics_token"] = token
        values.update(_payments_from_env(env))
        values.update(_mail_from_env(env))
        if raw := env.get("OCP_LOG_LEVEL"):
            level = raw.strip().upper()
            if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
                raise SettingsError(
                    f"OCP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {raw!r}"
                )
            values["log_level"] = level
        return cls(**values)

    @property
    def effective_mail_dir(self) -> Path:
        """Where mail goes without an SMTP server: a Maildir any mail client reads."""
        return self.data_dir / "mail"

    @property
    def link_base(self) -> str:
        """Where links in mail point: ``OCP_PUBLIC_URL``, else this machine's default port."""
        return self.public_url or "http://localhost:8080"

    @property
    def sandbox_webhook_secret(self) -> str:
        """The secret the sandbox signs its webhooks with."""
        if self.payments_webhook_secret:
            return self.payments_webhook_secret
        assert self.secret_key, "the secret key is set before the app is built"
        digest = hashlib.sha256(b"ocp-sandbox-webhook:" + self.secret_key.encode()).hexdigest()
        return f"whsec_{digest}"

    def with_secret_key(self) -> Settings:
        """Embedded mode: the secret key kept in ``data_dir``, generated on first use."""
        if self.secret_key:
            return self
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())

    def warnings(self) -> list[str]:
        """Settings that work but are probably wrong: one line each, for the start-up log."""
        found = []
        if self.webhooks_allow_private:
            found.append(
                "OCP_WEBHOOKS_ALLOW_PRIVATE is on: webhooks may call this machine and its "
                "network over plain HTTP. Use it for development and tests only"
            )
        if not self.embedded and not self.cookie_secure:
            found.append(
                "OCP_COOKIE_SECURE is off in production mode: browsers will also send the "
                "session cookie over plain HTTP. Set OCP_COOKIE_SECURE=true behind HTTPS"
            )
        return found

    def check_production(self) -> None:
        """Refuse unsafe production settings (and incomplete payment ones) with one clear line."""
        self.check_payments()
        if self.embedded:
            return
        if not self.secret_key:
            raise SettingsError("OCP_SECRET_KEY must be set when OCP_DATABASE_URL is set")
        if len(self.secret_key) < 32:
            raise SettingsError("OCP_SECRET_KEY must be at least 32 characters")
        if not self.redis_url:
            raise SettingsError("OCP_REDIS_URL must be set when OCP_DATABASE_URL is set")

    def check_payments(self) -> None:
        """Stripe needs its key, its webhook secret and the public address to return to."""
        if self.payments_provider != "stripe":
            return
        for name, value in (
            ("OCP_STRIPE_API_KEY", self.stripe_api_key),
            ("OCP_PAYMENTS_WEBHOOK_SECRET", self.payments_webhook_secret),
            ("OCP_PUBLIC_URL", self.public_url),
        ):
            if not value:
                raise SettingsError(f"{name} must be set when OCP_PAYMENTS_PROVIDER=stripe")
