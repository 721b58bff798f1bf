"""Notifications mailed at once through a real SMTP server (aiosmtpd), by the real arq worker,
on PostgreSQL + Redis: the message, once only, retries, an outage, and the preferences."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from aiohttp.test_utils import TestClient
from arq.constants import default_queue_name
from redis.asyncio import Redis

from ocp.appkeys import BUS
from ocp.notifications import service
from ocp.notifications.jobs import MAIL_JOB, mail_job_id
from ocp.notifications.models import MailState, Notification
from ocp.users.models import User
from tests.helpers import Account, Users
from tests.learning.test_flow import make_course
from tests.notifications.conftest import MAIL_FROM, PUBLIC_URL, MailWorker, SmtpServer

UNSUBSCRIBE = re.compile(r"<(https://ocp\.test/api/v1/notifications/unsubscribe\?[^>]+)>")


async def enroll(student: Account, course_id: int) -> None:
    answer = await student.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
    )
    assert answer.status == 201, await answer.text()


async def enrolled_pair(users: Users) -> tuple[Account, Account, int]:
    """An instructor with a published free course, and a student enrolled in it."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    await enroll(student, course_id)
    return teacher, student, course_id


async def set_preferences(account: Account, changes: dict[str, Any]) -> None:
    """Straight through the service (the API's PUT has tests of its own)."""
    _ = await service.set_preferences(user=await User.get(id=account.id), changes=changes)


async def listed_types(account: Account) -> list[str]:
    answer = await account.client.get("/api/v1/notifications")
    assert answer.status == 200
    return [item["type"] for item in (await answer.json())["items"]]


async def created_events(client: TestClient, user_id: int) -> list[dict[str, Any]]:
    """The ``notification.created`` events on ``user:<id>`` (the channel's history)."""
    history = await client.server.app[BUS].history(f"user:{user_id}", since=None)
    return [event.data for event in history if event.type == "notification.created"]


async def test_a_notification_is_mailed_once_with_headers_and_both_parts(
    users: Users, client: TestClient, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """Mailed once: From, To, Subject, stable Message-ID, RFC 8058 headers, text and HTML."""
    _, student, course_id = await enrolled_pair(users)
    await mail_worker.settle()

    notification = await Notification.get(user_id=student.id, type="enrollment.confirmed")
    assert len(smtp_server.received) == 1  # the instructor's course.enrolled waits (daily)
    received = smtp_server.received[0]
    assert received.mail_from == "notify@ocp.test"
    assert received.rcpt_tos == [student.email]
    message = received.message
    assert message["From"] == MAIL_FROM
    assert message["To"] == student.email
    assert message["Subject"] == notification.title
    assert message["Message-ID"] == f"<notification-{notification.id}@ocp.test>"
    assert UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"]), message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text, page = list(message.iter_parts())
    assert (text.get_content_type(), page.get_content_type()) == ("text/plain", "text/html")
    link = f"{PUBLIC_URL}/courses/{course_id}"
    for part in (text, page):
        content = part.get_content()
        assert notification.body in content
        assert link in content
    assert f'href="{link}"' in page.get_content()
    assert notification.mail == MailState.SENT and notification.mailed_at is not None
    events = await created_events(client, student.id)
    assert [event["id"] for event in events] == [notification.id]


async def test_running_the_worker_again_or_redelivering_the_job_mails_nothing_more(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """Another worker run, and the mail job delivered again (same or other id): one message."""
    _, student, _ = await enrolled_pair(users)
    await mail_worker.settle()
    notification = await Notification.get(user_id=student.id, type="enrollment.confirmed")
    assert len(smtp_server.to(student.email)) == 1

    assert await mail_worker.run() == 0
    await mail_worker.enqueue(MAIL_JOB, notification.id, job_id=mail_job_id(notification.id))
    await mail_worker.enqueue(MAIL_JOB, notification.id, job_id="redelivered")
    assert await mail_worker.run() == 2
    assert len(smtp_server.received) == 1
    assert (await Notification.get(id=notification.id)).mail == MailState.SENT


async def test_a_refusing_server_is_retried_with_backoff_and_gets_the_message_once(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """451 twice, then 250: three tries, further apart each time, one message delivered."""
    smtp_server.refuse(2)
    _, student, _ = await enrolled_pair(users)
    await mail_worker.settle()

    attempts = smtp_server.sink.attempts
    assert len(attempts) == 3
    first_wait, second_wait = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_wait >= 0.85, first_wait  # backoff: about 1 s, then about 2 s
    assert second_wait >= 1.7 and second_wait > first_wait, (first_wait, second_wait)
    assert len(smtp_server.received) == 1
    assert smtp_server.to(student.email)[0]["Subject"].startswith("You are enrolled in")
    notification = await Notification.get(user_id=student.id, type="enrollment.confirmed")
    assert notification.mail == MailState.SENT


async def _job_deferred(redis_url: str, job_id: str) -> bool:
    """Whether arq holds ``job_id`` for a later try (its score is in the future)."""
    redis = Redis.from_url(redis_url)
    try:
        score = await redis.zscore(default_queue_name, job_id)
    finally:
        await redis.aclose()
    return score is not None and score > time.time() * 1000


async def test_a_server_that_is_down_leaves_the_mail_pending_until_it_is_back(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer, redis_url: str
) -> None:
    """Nothing listening: the try fails, the mail stays pending; back up: delivered once."""
    smtp_server.stop()
    _, student, _ = await enrolled_pair(users)
    worker = asyncio.create_task(mail_worker.run())
    notification = None
    for _ in range(200):
        notification = await Notification.get_or_none(
            user_id=student.id, type="enrollment.confirmed"
        )
        if notification and await _job_deferred(redis_url, mail_job_id(notification.id)):
            break
        await asyncio.sleep(0.05)
    else:
        worker.cancel()
        raise AssertionError("the mail job never failed a try")
    assert not worker.done()
    assert (await Notification.get(id=notification.id)).mail == MailState.PENDING

    smtp_server.start()
    await asyncio.wait_for(worker, 30)
    assert len(smtp_server.to(student.email)) == 1
    assert len(smtp_server.received) == 1
    assert (await Notification.get(id=notification.id)).mail == MailState.SENT


async def test_email_never_lists_the_notification_but_mails_nothing(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """``email: never``: listed in the app, nothing mailed."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    await set_preferences(student, {"enrollment.confirmed": {"email": "never"}})
    await enroll(student, course_id)
    await mail_worker.settle()

    assert await listed_types(student) == ["enrollment.confirmed"]
    notification = await Notification.get(user_id=student.id, type="enrollment.confirmed")
    assert notification.mail == MailState.NONE
    assert smtp_server.received == []


async def test_in_app_off_mails_but_neither_lists_nor_announces(
    users: Users, client: TestClient, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """``in_app: false, email: immediately``: mailed, not listed, no notification.created."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    await set_preferences(
        student, {"enrollment.confirmed": {"in_app": False, "email": "immediately"}}
    )
    await enroll(student, course_id)
    await mail_worker.settle()

    assert len(smtp_server.to(student.email)) == 1
    assert await listed_types(student) == []
    me = await (await student.client.get("/api/v1/users/me")).json()
    assert me["unread_notifications"] == 0
    assert await created_events(client, student.id) == []
    # The instructor's notification of the same enrollment was announced on their channel.
    assert len(await created_events(client, teacher.id)) == 1


async def test_both_off_makes_no_notification_at_all(
    users: Users, client: TestClient, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """``in_app: false, email: never``: nothing stored, listed, announced or mailed."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    await set_preferences(student, {"enrollment.confirmed": {"in_app": False, "email": "never"}})
    await enroll(student, course_id)
    await mail_worker.settle()

    assert not await Notification.exists(user_id=student.id)
    assert await listed_types(student) == []
    assert await created_events(client, student.id) == []
    assert smtp_server.received == []
    assert len(await created_events(client, teacher.id)) == 1


async def test_preferences_put_through_the_api_are_honoured(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> None:
    """PUT /api/v1/notifications/preferences ``email: never``: answered, and nothing mailed."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher)
    student = await users.signed_in()
    answer = await student.client.put(
        "/api/v1/notifications/preferences",
        json={"enrollment.confirmed": {"email": "never"}},
        headers=student.csrf_headers(),
    )
    assert answer.status == 200, await answer.text()
    chosen = await answer.json()
    assert chosen["enrollment.confirmed"] == {"in_app": True, "email": "never"}
    await enroll(student, course_id)
    await mail_worker.settle()
    assert await listed_types(student) == ["enrollment.confirmed"]
    assert smtp_server.received == []
