"""Daily and weekly digests: when they are due (``due_period``), the arq cron entry, and the
digest job run by the real worker against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ocp.notifications import service
from ocp.notifications.jobs import DIGEST_JOB, due_period
from ocp.notifications.models import MailState, Notification, NotificationDigest
from ocp.users.models import User
from tests.helpers import Account, Users
from tests.learning.test_flow import make_course
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, MailWorker, SmtpServer
from tests.notifications.test_mail import enroll
from workers.main import WorkerSettings


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("kind", "moment", "zone", "period"),
    [
        ("daily", "2026-12-03T07:59:59+00:00", "UTC", None),
        ("daily", "2026-12-03T08:00:00+00:00", "UTC", "daily:2026-12-03"),
        ("daily", "2026-12-03T20:00:00+00:00", "UTC", "daily:2026-12-03"),
        # Paris is UTC+1 in December: 06:30 UTC is 07:30 there, 07:30 UTC is 08:30.
        ("daily", "2026-12-03T06:30:00+00:00", "Europe/Paris", None),
        ("daily", "2026-12-03T07:30:00+00:00", "Europe/Paris", "daily:2026-12-03"),
        # 23:30 UTC is already 08:30 the next day in Tokyo; 10:00 UTC is 02:00 in Los Angeles.
        ("daily", "2026-12-03T23:30:00+00:00", "Asia/Tokyo", "daily:2026-12-04"),
        ("daily", "2026-12-03T10:00:00+00:00", "America/Los_Angeles", None),
        ("daily", "2026-12-03T16:00:00+00:00", "America/Los_Angeles", "daily:2026-12-03"),
        # 2026-11-30 is the Monday of ISO week 49.
        ("weekly", "2026-11-30T07:59:00+00:00", "UTC", None),
        ("weekly", "2026-11-30T08:00:00+00:00", "UTC", "weekly:2026-W49"),
        ("weekly", "2026-12-03T09:00:00+00:00", "UTC", "weekly:2026-W49"),
        ("weekly", "2026-12-06T23:59:00+00:00", "UTC", "weekly:2026-W49"),
        # ISO weeks across the year's end: 2026 has a week 53, which ends on 3 January
        # 2027; 29 December 2025 is already in week 1 of 2026.
        ("weekly", "2026-12-28T08:00:00+00:00", "UTC", "weekly:2026-W53"),
        ("weekly", "2027-01-03T12:00:00+00:00", "UTC", "weekly:2026-W53"),
        ("weekly", "2027-01-04T08:00:00+00:00", "UTC", "weekly:2027-W01"),
        ("weekly", "2025-12-29T09:00:00+00:00", "UTC", "weekly:2026-W01"),
        # Sunday 23:30 UTC is Monday 08:30 in Tokyo: the new week there.
        ("weekly", "2027-01-03T23:30:00+00:00", "Asia/Tokyo", "weekly:2027-W01"),
        # An unknown or malformed zone counts as UTC.
        ("daily", "2026-12-03T07:30:00+00:00", "Mars/Olympus_Mons", None),
        ("daily", "2026-12-03T08:30:00+00:00", "Mars/Olympus_Mons", "daily:2026-12-03"),
        ("daily", "2026-12-03T08:30:00+00:00", "../../etc/passwd", "daily:2026-12-03"),
        ("weekly", "2026-11-30T08:30:00+00:00", "Not/A_Zone", "weekly:2026-W49"),
    ],
)
def test_due_period(kind: str, moment: str, zone: str, period: str | None) -> None:
    """The digest period due at a moment in a zone: from 08:00 local, ISO weeks, UTC fallback."""
    assert due_period(kind, at(moment), zone) == period


def test_the_worker_runs_the_digest_job_every_quarter_hour() -> None:
    """arq's cron runs send_digests at minutes 0, 15, 30 and 45, second 0, once at a time."""
    [digests] = [job for job in WorkerSettings.cron_jobs if job.name == f"cron:{DIGEST_JOB}"]
    assert digests.minute == {0, 15, 30, 45}
    assert digests.second == 0
    assert digests.unique
    assert digests.coroutine.__qualname__ == DIGEST_JOB


def zone_at_local_hour(hour: int) -> str:
    """An ``Etc/GMT±N`` zone where it is now ``hour`` o'clock (whatever the wall clock)."""
    offset = (hour - datetime.now(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-5 is UTC+5


async def instructor_in(users: Users, zone: str) -> Account:
    teacher = await users.signed_in("instructor")
    answer = await teacher.client.patch(
        "/api/v1/users/me", json={"timezone": zone}, headers=teacher.csrf_headers()
    )
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["timezone"] == zone
    return teacher


async def course_titled(teacher: Account, title: str) -> int:
    course_id, _ = await make_course(teacher)
    answer = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"title": title}, headers=teacher.csrf_headers()
    )
    assert answer.status == 200, await answer.text()
    return course_id


async def new_student_in(users: Users, course_id: int) -> Account:
    student = await users.signed_in()
    await enroll(student, course_id)
    return student


async def run_digests(mail_worker: MailWorker) -> None:
    await mail_worker.enqueue(DIGEST_JOB)
    assert await mail_worker.run() == 1


async def made_earlier(user_id: int, by: timedelta) -> None:
    """Date the user's notifications back: a digest gathers what came before its period's
    start (08:00 local today, or this week's Monday)."""
    for notification in await Notification.filter(user_id=user_id):
        notification.created_at = notification.created_at - by
        await notification.save(update_fields=["created_at"])


async def waiting(user_id: int) -> list[tuple[str, str, str | None]]:
    found = await Notification.filter(user_id=user_id).order_by("id")
    return [(n.type, n.mail, n.digest) for n in found]


def test_zone_at_local_hour_is_at_that_hour() -> None:
    """The helper's zones: the local hour there is the one asked for."""
    for hour in (4, 12):
        assert datetime.now(ZoneInfo(zone_at_local_hour(hour))).hour in {hour, (hour + 1) % 24}


async def test_a_due_daily_digest_mails_one_email_grouping_what_waits_once_per_period(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """course.enrolled (daily): no immediate mail; when due, one digest of both; then no more."""
    zone = zone_at_local_hour(12)
    teacher = await instructor_in(users, zone)
    gardening = await course_titled(teacher, "Gardening Basics")
    pruning = await course_titled(teacher, "Pruning Trees")
    students = [await new_student_in(users, gardening), await new_student_in(users, pruning)]
    await mail_worker.settle()

    assert smtp_server.to(teacher.email) == []
    assert all(len(smtp_server.to(s.email)) == 1 for s in students)  # theirs: at once
    assert await waiting(teacher.id) == [("course.enrolled", MailState.DIGEST, "daily")] * 2
    await run_digests(mail_worker)
    assert smtp_server.to(teacher.email) == []  # made after 08:00 today: tomorrow's digest

    await made_earlier(teacher.id, timedelta(hours=6))  # before 08:00 local today
    await run_digests(mail_worker)
    [digest] = smtp_server.to(teacher.email)
    today = datetime.now(ZoneInfo(zone)).date().isoformat()
    assert digest["From"] == MAIL_FROM
    assert digest["Subject"] == "Daily digest: 2 update(s)"
    assert digest["Message-ID"] == f"<digest-{teacher.id}-daily-{today}@ocp.test>"
    assert digest["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/api/v1/notifications/")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, page = list(digest.iter_parts())
    assert (text.get_content_type(), page.get_content_type()) == ("text/plain", "text/html")
    for part in (text, page):
        content = part.get_content()
        for course_id, title in ((gardening, "Gardening Basics"), (pruning, "Pruning Trees")):
            assert f"A new student enrolled in {title}" in content
            assert f"{PUBLIC_URL}/courses/{course_id}/enrollments" in content
    sent = await Notification.filter(user_id=teacher.id)
    assert all(n.mail == MailState.SENT and n.mailed_at is not None for n in sent)
    record = await NotificationDigest.get(user_id=teacher.id)
    assert (record.period, record.notifications) == (f"daily:{today}", 2)
    assert record.sent_at is not None

    # Same period: a later enrollment waits for the next day's digest.
    await new_student_in(users, gardening)
    await mail_worker.settle()
    await run_digests(mail_worker)
    assert len(smtp_server.to(teacher.email)) == 1
    assert (await waiting(teacher.id))[-1] == ("course.enrolled", MailState.DIGEST, "daily")
    assert await NotificationDigest.filter(user_id=teacher.id).count() == 1


async def test_a_digest_that_is_not_due_yet_waits(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """Before 08:00 in the user's zone: the digest job mails nothing and marks nothing."""
    teacher = await instructor_in(users, zone_at_local_hour(4))
    course_id = await course_titled(teacher, "Gardening Basics")
    await new_student_in(users, course_id)
    await mail_worker.settle()

    await run_digests(mail_worker)
    assert smtp_server.to(teacher.email) == []
    assert await waiting(teacher.id) == [("course.enrolled", MailState.DIGEST, "daily")]
    assert not await NotificationDigest.exists(user_id=teacher.id)


async def test_a_digest_the_server_refuses_is_sent_once_by_the_next_run(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """A 451 for the digest: nothing marked or recorded; the next run sends it, once."""
    teacher = await instructor_in(users, zone_at_local_hour(12))
    course_id = await course_titled(teacher, "Gardening Basics")
    await new_student_in(users, course_id)
    await mail_worker.settle()
    await made_earlier(teacher.id, timedelta(hours=6))

    smtp_server.refuse(1)
    await run_digests(mail_worker)
    assert smtp_server.to(teacher.email) == []
    assert await waiting(teacher.id) == [("course.enrolled", MailState.DIGEST, "daily")]
    assert not await NotificationDigest.exists(user_id=teacher.id)

    await run_digests(mail_worker)
    await run_digests(mail_worker)
    assert len(smtp_server.to(teacher.email)) == 1
    assert await waiting(teacher.id) == [("course.enrolled", MailState.SENT, "daily")]


async def test_a_weekly_choice_goes_in_the_weekly_digest(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """course.enrolled set to weekly: waits as weekly, then one "Weekly digest" for the week."""
    zone = zone_at_local_hour(12)
    teacher = await instructor_in(users, zone)
    _ = await service.set_preferences(
        user=await User.get(id=teacher.id), changes={"course.enrolled": {"email": "weekly"}}
    )
    course_id = await course_titled(teacher, "Gardening Basics")
    await new_student_in(users, course_id)
    await mail_worker.settle()
    assert await waiting(teacher.id) == [("course.enrolled", MailState.DIGEST, "weekly")]
    await made_earlier(teacher.id, timedelta(days=8))  # before this week's Monday 08:00

    await run_digests(mail_worker)
    [digest] = smtp_server.to(teacher.email)
    assert digest["Subject"] == "Weekly digest: 1 update(s)"
    year, week, _ = datetime.now(ZoneInfo(zone)).isocalendar()
    record = await NotificationDigest.get(user_id=teacher.id)
    assert record.period == f"weekly:{year}-W{week:02d}"
