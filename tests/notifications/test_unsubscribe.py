"""The signed unsubscribe link of a mailed notification (RFC 8058), used with no session."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aiohttp.test_utils import TestClient

from ocp.notifications.types import DEFAULTS
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course
from tests.notifications.conftest import MailWorker, SmtpServer
from tests.notifications.test_mail import UNSUBSCRIBE, enroll, enrolled_pair, listed_types

ONE_CLICK = {"List-Unsubscribe": "One-Click"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def mailed_link(
    users: Users, mail_worker: MailWorker, smtp_server: SmtpServer
) -> tuple[Account, Account, str]:
    """A student mailed their enrollment.confirmed; the teacher; the link's path and query."""
    teacher, student, _ = await enrolled_pair(users)
    await mail_worker.settle()
    [message] = smtp_server.to(student.email)
    match = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"])
    assert match, message["List-Unsubscribe"]
    parts = urlsplit(match.group(1))
    return teacher, student, f"{parts.path}?{parts.query}"


def with_query(link: str, **changes: str | None) -> str:
    """``link`` with some query parameters replaced (None: removed)."""
    path, _, query = link.partition("?")
    params = {name: values[0] for name, values in parse_qs(query).items()}
    for name, value in changes.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value
    return f"{path}?{urlencode(params)}"


def defaults() -> dict[str, dict[str, Any]]:
    return {type: {"in_app": p.in_app, "email": p.email} for type, p in DEFAULTS.items()}


async def preferences(account: Account) -> dict[str, Any]:
    answer = await account.client.get("/api/v1/notifications/preferences")
    assert answer.status == 200
    return dict(await answer.json())


async def test_get_without_a_session_asks_to_confirm_and_changes_nothing(
    users: Users,
    make_client: Any,
    mail_worker: MailWorker,
    smtp_server: SmtpServer,
) -> None:
    """GET with no session: a 200 page with a form that posts to the link; nothing changed."""
    _, student, link = await mailed_link(users, mail_worker, smtp_server)
    anonymous: TestClient = await make_client()
    answer = await anonymous.get(link)
    assert answer.status == 200
    assert answer.content_type == "text/html"
    page = await answer.text()
    assert f'<form method="post" action="{html.escape(link)}">' in page
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page
    assert "enrollment.confirmed" in page
    assert await preferences(student) == defaults()


async def test_one_click_post_without_a_session_turns_that_types_email_off(
    users: Users,
    make_client: Any,
    mail_worker: MailWorker,
    smtp_server: SmtpServer,
) -> None:
    """POST List-Unsubscribe=One-Click, no cookie: email never for that type only; honoured."""
    teacher, student, link = await mailed_link(users, mail_worker, smtp_server)
    anonymous: TestClient = await make_client()
    answer = await anonymous.post(link, data=ONE_CLICK, headers=FORM)
    assert answer.status == 200, await answer.text()
    assert answer.content_type == "text/html"
    assert not anonymous.session.cookie_jar.filter_cookies(anonymous.make_url("/"))

    expected = defaults()
    expected["enrollment.confirmed"] = {"in_app": True, "email": "never"}
    assert await preferences(student) == expected
    assert await preferences(teacher) == defaults()

    other_course, _ = await make_course(teacher)
    await enroll(student, other_course)
    await mail_worker.settle()
    assert len(smtp_server.to(student.email)) == 1  # the first one only
    assert await listed_types(student) == ["enrollment.confirmed", "enrollment.confirmed"]


async def test_an_altered_or_forged_link_is_a_400_and_changes_nothing(
    users: Users,
    make_client: Any,
    mail_worker: MailWorker,
    smtp_server: SmtpServer,
) -> None:
    """Signature altered, type or user changed: 400 problem on GET and POST, nothing changed."""
    teacher, student, link = await mailed_link(users, mail_worker, smtp_server)
    sig = parse_qs(link.partition("?")[2])["sig"][0]
    altered = ("A" if sig[0] != "A" else "B") + sig[1:]
    forged = [
        with_query(link, sig=altered),
        with_query(link, type="order.receipt"),
        with_query(link, user=str(teacher.id)),
    ]
    anonymous: TestClient = await make_client()
    for url in forged:
        await expect_problem(await anonymous.get(url), 400)
        await expect_problem(await anonymous.post(url, data=ONE_CLICK, headers=FORM), 400)
    assert await preferences(student) == defaults()
    assert await preferences(teacher) == defaults()


async def test_a_link_without_its_signature_is_a_400(
    users: Users,
    make_client: Any,
    mail_worker: MailWorker,
    smtp_server: SmtpServer,
) -> None:
    """The link with no ``sig``: 400 problem on GET and POST, nothing changed."""
    _, student, link = await mailed_link(users, mail_worker, smtp_server)
    unsigned = with_query(link, sig=None)
    anonymous: TestClient = await make_client()
    await expect_problem(await anonymous.get(unsigned), 400)
    await expect_problem(await anonymous.post(unsigned, data=ONE_CLICK, headers=FORM), 400)
    assert await preferences(student) == defaults()


async def test_a_link_for_an_unknown_type_is_a_problem(
    users: Users,
    make_client: Any,
    mail_worker: MailWorker,
    smtp_server: SmtpServer,
) -> None:
    """A type that does not exist: 422 problem on GET and POST, nothing changed."""
    _, student, link = await mailed_link(users, mail_worker, smtp_server)
    unknown = with_query(link, type="no.such.type")
    anonymous: TestClient = await make_client()
    body = await expect_problem(await anonymous.get(unknown), 422)
    assert "type" in str(body)
    await expect_problem(await anonymous.post(unknown, data=ONE_CLICK, headers=FORM), 422)
    assert await preferences(student) == defaults()
