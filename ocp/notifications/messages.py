"""The emails: one notification, or a digest of several; plain text and HTML alike."""

from __future__ import annotations

import html
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from ocp.config import Settings
from ocp.notifications import unsubscribe
from ocp.notifications.models import Notification


def _domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rpartition("@")[2] or "localhost"


def _base(settings: Settings, to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    return message


def _unsubscribe(message: EmailMessage, url: str) -> None:
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def _html(paragraphs: Sequence[str], footer: str) -> str:
    body = "".join(f"<p>{part}</p>" for part in paragraphs)
    return (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f'{body}<hr><p style="font-size:small;color:#666">{footer}</p></body></html>'
    )


def notification_message(
    settings: Settings, notification: Notification, *, to: str
) -> EmailMessage:
    """One notification as an email, with a stable Message-ID so a resend is one message."""
    assert settings.secret_key
    link = settings.link_base + notification.url
    off = unsubscribe.link(
        settings.link_base, settings.secret_key, user_id=notification.user_id,
        type=notification.type,
    )  # fmt: skip
    message = _base(settings, to, notification.title)
    message["Message-ID"] = f"<notification-{notification.id}@{_domain(settings)}>"
    message["Date"] = format_datetime(notification.created_at)
    _unsubscribe(message, off)
    footer = f"You get these for {notification.type}. Unsubscribe: {off}"
    message.set_content(f"{notification.body}\n\n{link}\n\n-- \n{footer}\n")
    message.add_alternative(
        _html(
            [html.escape(notification.body), f'<a href="{html.escape(link)}">Open</a>'],
            f"You get these for {html.escape(notification.type)}. "
            f'<a href="{html.escape(off)}">Unsubscribe</a>',
        ),
        subtype="html",
    )
    return message


def digest_message(
    settings: Settings, notifications: Sequence[Notification], *, to: str, period: str
) -> EmailMessage:
    """Several notifications of one period in one email; unsubscribing ends the first
    type's email (each line also links its own)."""
    assert settings.secret_key and notifications
    user_id = notifications[0].user_id
    kind = "Daily" if period.startswith("daily") else "Weekly"
    message = _base(settings, to, f"{kind} digest: {len(notifications)} update(s)")
    message["Message-ID"] = f"<digest-{user_id}-{period.replace(':', '-')}@{_domain(settings)}>"
    first = unsubscribe.link(
        settings.link_base, settings.secret_key, user_id=user_id, type=notifications[0].type
    )
    _unsubscribe(message, first)
    lines = [f"- {n.title}: {settings.link_base}{n.url}" for n in notifications]
    message.set_content(f"{kind} digest\n\n" + "\n".join(lines) + "\n\n-- \nPreferences: "
                        f"{settings.link_base}/settings/notifications\n")  # fmt: skip
    items = [
        f'<a href="{html.escape(settings.link_base + n.url)}">{html.escape(n.title)}</a>'
        for n in notifications
    ]
    message.add_alternative(
        _html([f"{kind} digest", *items], "Change what you get in your notification settings."),
        subtype="html",
    )
    return message
