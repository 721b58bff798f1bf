"""The mail jobs: one notification mailed at once, and the daily and weekly digests."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ocp.jobs import JobContext, JobSpec
from ocp.notifications import messages
from ocp.notifications.mailer import make_mailer
from ocp.notifications.models import MailState, Notification, NotificationDigest
from ocp.notifications.service import now
from ocp.users.models import User

log = logging.getLogger("ocp.mail")

MAIL_JOB = "mail_notification"
DIGEST_JOB = "send_digests"
DIGEST_HOUR = 8  # local time at which a day's (or, on Mondays, a week's) digest goes out
DIGEST_MINUTES = frozenset({0, 15, 30, 45})  # when the digest job looks for what is due


def mail_job_id(notification_id: int) -> str:
    return f"mail-notification:{notification_id}"


async def mail_notification(ctx: JobContext, notification_id: int) -> None:
    """Mail one notification to its user, once: sent, then marked; a failure to send is
    retried with backoff (the runner), and nothing else is retried with it."""
    notification = await Notification.get_or_none(id=notification_id, mail=MailState.PENDING)
    if notification is None:
        return
    user = await User.get(id=notification.user_id)
    if not user.is_active:
        await Notification.filter(id=notification.id).update(mail=MailState.NONE)
        return
    message = messages.notification_message(ctx.settings, notification, to=user.email)
    await make_mailer(ctx.settings).send(message)
    await Notification.filter(id=notification.id, mail=MailState.PENDING).update(
        mail=MailState.SENT, mailed_at=now()
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due_period(kind: str, moment: datetime, timezone: str) -> str | None:
    """The digest period due at ``moment`` for a user in ``timezone``, or None: a day's
    from 08:00 local time that day; a week's from 08:00 on its Monday (ISO weeks)."""
    local = moment.astimezone(_zone(timezone))
    if local.hour < DIGEST_HOUR:
        return None
    if kind == "daily":
        return f"daily:{local.date().isoformat()}"
    year, week, _ = local.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def period_start(kind: str, moment: datetime, timezone: str) -> datetime:
    """When the period due at ``moment`` began: 08:00 local today (daily) or on this ISO
    week's Monday (weekly). A digest gathers what came before it, so it goes out at 08:00
    (at the first check after), and what comes later waits for the next one."""
    local = moment.astimezone(_zone(timezone))
    day = local.date() if kind == "daily" else local.date() - timedelta(days=local.weekday())
    return datetime.combine(day, time(DIGEST_HOUR), tzinfo=local.tzinfo)


async def send_digests(ctx: JobContext) -> None:
    """Mail every digest that is due: each user's waiting notifications of one kind, in one
    email, once per period (a unique row per user and period, in the transaction that
    sends it: a failed send leaves nothing, and the next run tries again)."""
    moment = now()
    waiting = await (
        Notification.filter(mail=MailState.DIGEST).distinct().values_list("user_id", "digest")
    )
    for user_id, kind in waiting:
        user = await User.get_or_none(id=user_id)
        if user is None or kind not in ("daily", "weekly"):
            continue
        period = due_period(kind, moment, user.timezone)
        if period is None:
            continue
        before = period_start(kind, moment, user.timezone)
        try:
            await _send_digest(ctx, user, kind, period, before)
        except IntegrityError:
            continue  # this period's digest is out already (another run): the rest waits
        except Exception:
            log.exception(
                "the %s digest of user %s failed; the next run tries again", period, user.id
            )


async def _send_digest(
    ctx: JobContext, user: User, kind: str, period: str, before: datetime
) -> None:
    async with in_transaction() as conn:
        items = await (
            Notification.filter(
                user_id=user.id, mail=MailState.DIGEST, digest=kind, created_at__lt=before
            )
            .select_for_update()
            .using_db(conn)
            .order_by("created_at", "id")
        )
        if not items:
            return  # nothing from before this period's start: later ones wait for the next
        digest = await NotificationDigest.create(user_id=user.id, period=period, using_db=conn)
        if user.is_active:
            message = messages.digest_message(ctx.settings, items, to=user.email, period=period)
            await make_mailer(ctx.settings).send(message)
        sent = now()
        await (
            Notification.filter(id__in=[n.id for n in items])
            .using_db(conn)
            .update(mail=MailState.SENT, mailed_at=sent)
        )
        digest.notifications, digest.sent_at = len(items), sent
        await digest.save(update_fields=["notifications", "sent_at"], using_db=conn)


MAIL = JobSpec(MAIL_JOB, mail_notification)
DIGESTS = JobSpec(DIGEST_JOB, send_digests, max_tries=1, minutes=DIGEST_MINUTES)
