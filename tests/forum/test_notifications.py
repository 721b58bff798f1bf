"""``forum.reply`` notifications, made by the real reaction (PostgreSQL + Redis + the real arq
worker): who hears of a reply, once per thread and hour, as they chose; mail to the Maildir."""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
from collections.abc import Awaitable, Callable
from email.message import EmailMessage, Message
from typing import Any

import asyncpg

from ocp.config import Settings
from ocp.notifications.models import Notification
from tests.forum.helpers import Forum, enroll, make_forum, reply, start_thread
from tests.helpers import Account, Users

RunJobs = Callable[[], Awaitable[int]]
TITLE = "How do I water cacti?"


async def settle(run_jobs: RunJobs) -> None:
    """Run the worker until a round finds no job: the reactions, then the mail jobs."""
    for _ in range(6):
        if await run_jobs() == 0:
            return
    raise AssertionError("the job queue never emptied")


async def replies_to(account: Account) -> list[dict[str, Any]]:
    """The account's ``forum.reply`` notifications listed in the app, newest first."""
    answer = await account.client.get("/api/v1/notifications?per_page=100")
    assert answer.status == 200, await answer.text()
    items = (await answer.json())["items"]
    return [item for item in items if item["type"] == "forum.reply"]


async def post_ids_told(account: Account) -> list[int]:
    return [int(item["data"]["post_id"]) for item in await replies_to(account)]


def forum_mail(settings: Settings, account: Account) -> list[Message]:
    """The mails about forum replies delivered to the Maildir for ``account``."""
    path = settings.effective_mail_dir
    if not path.exists():
        return []
    return [
        message
        for message in mailbox.Maildir(path, create=False)
        if message["To"] == account.email and str(message["Subject"]).startswith("New reply in")
    ]


def plain_text(message: Message) -> str:
    """The plain-text part of a mail, decoded."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage), type(parsed)
    part = parsed.get_body(preferencelist=("plain",))
    assert part is not None, f"no text/plain part: {parsed}"
    return str(part.get_content())


async def rename(account: Account, full_name: str) -> None:
    answer = await account.client.patch(
        "/api/v1/users/me", json={"full_name": full_name}, headers=account.csrf_headers()
    )
    assert answer.status == 200, await answer.text()


async def follow(account: Account, thread_id: int, on: bool = True) -> None:
    url = f"/api/v1/threads/{thread_id}/subscription"
    if on:
        answer = await account.client.put(url, headers=account.csrf_headers())
        assert answer.status == 200, await answer.text()
    else:
        answer = await account.client.delete(url, headers=account.csrf_headers())
        assert answer.status == 204, await answer.text()


async def forum_with_thread(users: Users, run_jobs: RunJobs) -> tuple[Forum, int]:
    """A forum and a thread alice started; the enrollments' own notifications are done."""
    forum = await make_forum(users)
    thread_id = (await start_thread(forum.alice, forum.course_id, title=TITLE))["id"]
    await settle(run_jobs)
    return forum, thread_id


async def test_a_reply_tells_the_threads_followers_but_never_its_poster(
    users: Users, run_jobs: RunJobs
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    await rename(forum.bob, "Bob Gardener")
    post = await reply(forum.bob, tid, "<p>Rarely: <strong>once a month</strong> in summer.</p>")
    await settle(run_jobs)

    told = await replies_to(forum.alice)
    assert len(told) == 1, f"alice started the thread, so she follows it: {told}"
    note = told[0]
    assert TITLE in note["title"], note
    assert "Bob Gardener" in note["body"], f"the body names the replier: {note}"
    assert "Rarely: once a month in summer." in note["body"], f"an excerpt, as text: {note}"
    assert "<strong>" not in note["body"], note
    cid = forum.course_id
    assert note["url"] == f"/courses/{cid}/threads/{tid}#post-{post['id']}", note
    assert note["data"] == {"course_id": cid, "thread_id": tid, "post_id": post["id"]}, note
    assert note["read_at"] is None
    for account, who in ((forum.bob, "the poster"), (forum.teacher, "a non-follower")):
        assert await replies_to(account) == [], f"{who} is not told"
    assert await replies_to(forum.outsider) == []
    assert await Notification.filter(type="forum.reply").count() == 1, "alice's only"


async def test_a_long_reply_is_quoted_in_part(users: Users, run_jobs: RunJobs) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    words = " ".join(f"word{n}" for n in range(200))
    await reply(forum.bob, tid, f"<p>{words}</p>")
    await settle(run_jobs)
    (note,) = await replies_to(forum.alice)
    assert "word0 word1 word2" in note["body"], note
    assert "word199" not in note["body"] and len(note["body"]) < len(words), (
        f"the body quotes an excerpt, not the whole reply: {len(note['body'])} characters"
    )


async def test_a_follower_who_stopped_following_is_not_told(
    users: Users, run_jobs: RunJobs
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    await follow(forum.alice, tid, on=False)
    await follow(forum.teacher, tid)
    post = await reply(forum.bob, tid)
    await settle(run_jobs)
    assert await replies_to(forum.alice) == [], "alice stopped following the thread"
    assert await post_ids_told(forum.teacher) == [post["id"]], "the teacher follows it"

    await follow(forum.alice, tid)
    later = await reply(forum.bob, tid)
    await settle(run_jobs)
    assert await post_ids_told(forum.alice) == [later["id"]], "following again: told again"


async def test_a_follower_whose_enrollment_was_cancelled_is_not_told(
    users: Users, run_jobs: RunJobs
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    carol = await users.signed_in()
    await enroll(carol, forum.course_id)
    await follow(forum.bob, tid)
    await follow(carol, tid)
    cancelled = await forum.bob.client.delete(
        f"/api/v1/courses/{forum.course_id}/enrollment", headers=forum.bob.csrf_headers()
    )
    assert cancelled.status == 204, await cancelled.text()
    await settle(run_jobs)

    post = await reply(forum.teacher, tid)
    await settle(run_jobs)
    assert await replies_to(forum.bob) == [], "bob may no longer read the forum"
    assert await post_ids_told(carol) == [post["id"]], "carol still studies: told"
    assert await post_ids_told(forum.alice) == [post["id"]]


async def test_the_instructor_who_posted_hears_of_later_replies(
    users: Users, run_jobs: RunJobs
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    answer = await reply(forum.teacher, tid, "<p>Once a month.</p>")
    await settle(run_jobs)
    assert await replies_to(forum.teacher) == [], "not told of their own post"
    assert await post_ids_told(forum.alice) == [answer["id"]]

    follow_up = await reply(forum.bob, tid, "<p>And in winter?</p>")
    await settle(run_jobs)
    told = await replies_to(forum.teacher)
    assert [n["data"]["post_id"] for n in told] == [follow_up["id"]], (
        f"the instructor follows by posting: {told}"
    )
    assert told[0]["url"].endswith(f"#post-{follow_up['id']}")


async def test_one_notification_per_user_and_thread_within_the_hour(
    users: Users, run_jobs: RunJobs
) -> None:
    forum, first_tid = await forum_with_thread(users, run_jobs)
    second_tid = (await start_thread(forum.alice, forum.course_id, title="Soil"))["id"]
    first = await reply(forum.bob, first_tid)
    await settle(run_jobs)
    second = await reply(forum.teacher, first_tid)
    await settle(run_jobs)
    assert await post_ids_told(forum.alice) == [first["id"]], (
        "a second reply in the same thread within the hour makes no second notification"
    )
    assert await post_ids_told(forum.bob) == [second["id"]], (
        "the group is per user: bob had none for this thread yet"
    )

    elsewhere = await reply(forum.bob, second_tid)
    await settle(run_jobs)
    told = await replies_to(forum.alice)
    assert [n["data"]["post_id"] for n in told] == [elsewhere["id"], first["id"]], (
        f"a reply in another thread is told apart: {told}"
    )
    assert told[0]["data"]["thread_id"] == second_tid


async def blocked_on_locks(gate: asyncpg.Connection, count: int) -> None:
    """Wait until ``count`` sessions of this database wait for a lock (the worker's
    reactions queued behind ``gate``'s); fail after a generous deadline."""
    query = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(600):
        if await gate.fetchval(query) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the reactions never reached the lock: not {count} waiting")


async def test_replies_whose_reactions_run_side_by_side_make_one_notification(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    """Two replies, their reactions run together by the worker: still one for alice. A
    session holding SHARE on ``notification`` lets both reactions read but not insert, so
    both have read before either writes (without it, the race is won or lost by chance)."""
    forum, tid = await forum_with_thread(users, run_jobs)
    await reply(forum.bob, tid)
    await reply(forum.teacher, tid)
    gate = await asyncpg.connect(settings.database_url)
    worker: asyncio.Future[int] | None = None
    try:
        async with gate.transaction():
            await gate.execute("LOCK TABLE notification IN SHARE MODE")
            worker = asyncio.ensure_future(run_jobs())
            await blocked_on_locks(gate, 2)
    finally:
        await gate.close()  # the lock is gone: the reactions go on
        if worker is not None:
            await worker
    await settle(run_jobs)
    told = await replies_to(forum.alice)
    assert len(told) == 1, f"one notification for alice, not {len(told)}: {told}"


async def test_a_follower_who_turned_forum_replies_off_gets_nothing(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    chosen = await forum.alice.client.put(
        "/api/v1/notifications/preferences",
        json={"forum.reply": {"in_app": False, "email": "never"}},
        headers=forum.alice.csrf_headers(),
    )
    assert chosen.status == 200, await chosen.text()
    await follow(forum.teacher, tid)
    post = await reply(forum.bob, tid)
    await settle(run_jobs)

    assert await post_ids_told(forum.teacher) == [post["id"]], "the reaction ran: teacher told"
    assert await replies_to(forum.alice) == [], "alice wants neither in the app nor by mail"
    stored = await Notification.filter(user_id=forum.alice.id, type="forum.reply").count()
    assert stored == 0, "nothing is stored for her either"
    assert forum_mail(settings, forum.alice) == []


async def test_in_app_off_with_mail_on_mails_but_does_not_list(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    chosen = await forum.alice.client.put(
        "/api/v1/notifications/preferences",
        json={"forum.reply": {"in_app": False}},
        headers=forum.alice.csrf_headers(),
    )
    assert chosen.status == 200, await chosen.text()
    await reply(forum.bob, tid)
    await settle(run_jobs)
    assert await replies_to(forum.alice) == [], "not listed in the app"
    assert len(forum_mail(settings, forum.alice)) == 1, "but mailed at once"


async def test_by_default_a_reply_is_mailed_at_once(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    await rename(forum.bob, "Bob Gardener")
    post = await reply(forum.bob, tid, "<p>Rarely.</p>")
    await settle(run_jobs)

    (note,) = await replies_to(forum.alice)
    mails = forum_mail(settings, forum.alice)
    assert len(mails) == 1, f"one mail to alice: {[m['Subject'] for m in mails]}"
    mail = mails[0]
    assert mail["Subject"] == note["title"], mail["Subject"]
    text = plain_text(mail)
    assert "Bob Gardener" in text and "Rarely." in text, text
    assert f"/courses/{forum.course_id}/threads/{tid}#post-{post['id']}" in text, text
    assert forum_mail(settings, forum.bob) == [], "the poster gets no mail"
    assert forum_mail(settings, forum.teacher) == []


async def test_a_post_deleted_before_the_reaction_ran_tells_nobody(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    gone = await reply(forum.bob, tid, "<p>Oops, wrong thread</p>")
    deleted = await forum.bob.client.delete(
        f"/api/v1/posts/{gone['id']}", headers=forum.bob.csrf_headers()
    )
    assert deleted.status == 204, await deleted.text()
    await settle(run_jobs)
    assert await replies_to(forum.alice) == [], "the post was gone when the reaction ran"
    assert forum_mail(settings, forum.alice) == []

    kept = await reply(forum.teacher, tid)
    await settle(run_jobs)
    assert await post_ids_told(forum.alice) == [kept["id"]], (
        "the deleted post used up no notification of the hour"
    )
    assert len(forum_mail(settings, forum.alice)) == 1


async def test_a_reply_in_a_thread_deleted_before_the_reaction_ran_tells_nobody(
    users: Users, run_jobs: RunJobs
) -> None:
    forum, tid = await forum_with_thread(users, run_jobs)
    await reply(forum.bob, tid)
    deleted = await forum.teacher.client.delete(
        f"/api/v1/threads/{tid}", headers=forum.teacher.csrf_headers()
    )
    assert deleted.status == 204, await deleted.text()
    await settle(run_jobs)
    assert await replies_to(forum.alice) == []
