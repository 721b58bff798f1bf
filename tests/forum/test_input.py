"""What the forum's HTTP API accepts, over PostgreSQL + Redis: malformed, unknown and too
large input, bodies that are not JSON, repeated requests, XSS payloads, reply nesting,
parallel writes and the posting limit.

Every refusal is problem+json and writes nothing (``snapshot`` of the forum's tables)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocp.config import Settings
from ocp.forum.models import ForumMute, Post, Thread, ThreadRead, ThreadSubscription
from ocp.richtext import sanitize
from tests.forum.helpers import Forum, enroll, make_forum, reply, start_thread
from tests.forum.test_rights import snapshot
from tests.helpers import Account, Users, expect_problem

MAX_ID = 2**31 - 1


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Twenty-odd accounts from one test address; the posting limit as the issue states it.
    return replace(settings, register_max_per_address=1000, forum_posts_per_minute=10)


def until(days: float = 7) -> str:
    """A moment ``days`` ahead (behind, when negative), in UTC without an offset."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(tzinfo=None).isoformat()


async def send(who: Account, method: str, path: str, payload: Any) -> Any:
    """``payload`` as a JSON body (``None`` too: the body ``null``)."""
    return await who.client.request(
        method,
        path,
        data=json.dumps(payload).encode(),
        headers={**who.csrf_headers(), "Content-Type": "application/json"},
    )


async def posted(forum: Forum) -> tuple[dict[str, Any], dict[str, Any]]:
    """A thread by the teacher with a reply of theirs: the teacher may do anything to both,
    so only the input can be what is refused."""
    thread = await start_thread(forum.teacher, forum.course_id)
    post = await reply(forum.teacher, thread["id"])
    return thread, post


P = "<p>Fine</p>"
BIG_BODY = "<p>" + "a" * (20_000 - 6) + "</p>"  # 20,001 characters
LONG = "a" * 201

# method, path, body, the field the 422 names.
INVALID: list[tuple[str, str, Any, str]] = [
    ("POST", "threads", {"body": P}, "title"),
    ("POST", "threads", {"title": "T"}, "body"),
    ("POST", "threads", {"title": 5, "body": P}, "title"),
    ("POST", "threads", {"title": None, "body": P}, "title"),
    ("POST", "threads", {"title": "   ", "body": P}, "title"),
    ("POST", "threads", {"title": "a\x00b", "body": P}, "title"),
    ("POST", "threads", {"title": LONG, "body": P}, "title"),
    ("POST", "threads", {"title": "T", "body": []}, "body"),
    ("POST", "threads", {"title": "T", "body": 5}, "body"),
    ("POST", "threads", {"title": "T", "body": ""}, "body"),
    ("POST", "threads", {"title": "T", "body": BIG_BODY}, "body"),
    ("POST", "threads", {"title": "T", "body": P, "pinned": True}, "pinned"),
    ("POST", "threads", {"title": "T", "body": P, "author_id": 1}, "author_id"),
    ("POST", "threads", {"title": "T", "body": P, "course_id": 1}, "course_id"),
    ("POST", "threads", [], "_schema"),
    ("POST", "threads", None, "_schema"),
    ("PATCH", "thread", {"title": 5}, "title"),
    ("PATCH", "thread", {"title": None}, "title"),
    ("PATCH", "thread", {"title": ""}, "title"),
    ("PATCH", "thread", {"title": LONG}, "title"),
    ("PATCH", "thread", {"body": []}, "body"),
    ("PATCH", "thread", {"body": BIG_BODY}, "body"),
    ("PATCH", "thread", {"pinned": "yes"}, "pinned"),
    ("PATCH", "thread", {"pinned": None}, "pinned"),
    ("PATCH", "thread", {"locked": 1}, "locked"),
    ("PATCH", "thread", {"reply_count": 0}, "reply_count"),
    ("PATCH", "thread", {"deleted_at": None}, "deleted_at"),
    ("PATCH", "thread", "title", "_schema"),
    ("POST", "posts", {}, "body"),
    ("POST", "posts", {"body": []}, "body"),
    ("POST", "posts", {"body": None}, "body"),
    ("POST", "posts", {"body": BIG_BODY}, "body"),
    ("POST", "posts", {"body": P, "parent_id": "3"}, "parent_id"),
    ("POST", "posts", {"body": P, "parent_id": 1.5}, "parent_id"),
    ("POST", "posts", {"body": P, "parent_id": True}, "parent_id"),
    ("POST", "posts", {"body": P, "parent_id": 0}, "parent_id"),
    ("POST", "posts", {"body": P, "parent_id": MAX_ID + 1}, "parent_id"),
    ("POST", "posts", {"body": P, "thread_id": 1}, "thread_id"),
    ("POST", "posts", {"body": P, "deleted": False}, "deleted"),
    ("PATCH", "post", {}, "body"),
    ("PATCH", "post", {"body": 5}, "body"),
    ("PATCH", "post", {"body": BIG_BODY}, "body"),
    ("PATCH", "post", {"body": P, "parent_id": None}, "parent_id"),
    ("PATCH", "post", {"body": P, "deleted": True}, "deleted"),
    ("POST", "mutes", {"until": "later"}, "user_id"),
    ("POST", "mutes", {"user_id": "bob"}, "until"),
    ("POST", "mutes", {"user_id": "3", "until": "soon"}, "user_id"),
    ("POST", "mutes", {"user_id": 3.5, "until": "soon"}, "user_id"),
    ("POST", "mutes", {"user_id": True, "until": "soon"}, "user_id"),
    ("POST", "mutes", {"user_id": "bob", "until": "tomorrow"}, "until"),
    ("POST", "mutes", {"user_id": "bob", "until": 5}, "until"),
    ("POST", "mutes", {"user_id": "bob", "until": None}, "until"),
    ("POST", "mutes", {"user_id": "bob", "until": "past"}, "until"),
    ("POST", "mutes", {"user_id": "bob", "until": "367 days"}, "until"),
    ("POST", "mutes", {"user_id": "bob", "until": "soon", "course_id": 1}, "course_id"),
    ("POST", "mutes", {"user_id": "bob", "until": "soon", "muted_by": 1}, "muted_by"),
]


def paths(forum: Forum, thread: dict[str, Any], post: dict[str, Any]) -> dict[str, str]:
    return {
        "threads": f"/api/v1/courses/{forum.course_id}/threads",
        "thread": f"/api/v1/threads/{thread['id']}",
        "posts": f"/api/v1/threads/{thread['id']}/posts",
        "post": f"/api/v1/posts/{post['id']}",
        "mutes": f"/api/v1/courses/{forum.course_id}/forum/mutes",
    }


def filled(payload: Any, forum: Forum) -> Any:
    """Placeholders of ``INVALID`` made real: bob's id, and moments."""
    if not isinstance(payload, dict):
        return payload
    real: dict[str, Any] = {
        "bob": forum.bob.id,
        "soon": until(1),
        "past": until(-1),
        "367 days": until(367),
    }
    return {
        key: real.get(value, value) if isinstance(value, str) else value
        for key, value in payload.items()
    }


async def test_every_malformed_missing_unknown_or_too_large_field_is_a_422_that_writes_nothing(
    users: Users,
) -> None:
    forum = await make_forum(users)
    thread, post = await posted(forum)
    where = paths(forum, thread, post)
    before = await snapshot(forum.course_id)
    for method, target, payload, field in INVALID:
        sent = filled(payload, forum)
        answer = await send(forum.teacher, method, where[target], sent)
        try:
            body = await expect_problem(answer, 422)
        except AssertionError as error:
            raise AssertionError(f"{method} {target} {sent!r}: {error}") from None
        assert field in body.get("errors", {}), f"{method} {target} {sent!r}: {body}"
    assert await snapshot(forum.course_id) == before, "a refused request wrote something"


async def test_the_largest_title_body_and_mute_are_accepted(users: Users) -> None:
    forum = await make_forum(users)
    body = "<p>" + "a" * (20_000 - 7) + "</p>"
    made = await start_thread(forum.alice, forum.course_id, title="t" * 200, body=body)
    assert made["title"] == "t" * 200 and made["body"] == body
    longest = await reply(forum.bob, made["id"], body=body)
    assert longest["body"] == body
    t = forum.teacher
    muted = await send(
        t,
        "POST",
        f"/api/v1/courses/{forum.course_id}/forum/mutes",
        {"user_id": forum.bob.id, "until": until(365)},
    )
    assert muted.status == 201, await muted.text()


async def test_an_empty_patch_of_a_thread_changes_nothing(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    before = await snapshot(forum.course_id)
    answer = await send(forum.alice, "PATCH", f"/api/v1/threads/{thread['id']}", {})
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["edited_at"] is None, "an empty change marked the thread edited"
    assert await snapshot(forum.course_id) == before


async def test_a_body_that_is_not_json_is_400_and_not_sent_as_json_415(users: Users) -> None:
    forum = await make_forum(users)
    thread, post = await posted(forum)
    where = paths(forum, thread, post)
    before = await snapshot(forum.course_id)
    t = forum.teacher
    for method, target in (
        ("POST", "threads"),
        ("PATCH", "thread"),
        ("POST", "posts"),
        ("PATCH", "post"),
        ("POST", "mutes"),
    ):
        for raw, media, status in (
            (b'{"title": "T", "body": ', "application/json", 400),
            (b"\xff\xfe{}", "application/json", 400),
            (b"", "application/json", 400),
            (b'{"body": "<p>x</p>"}', "text/plain", 415),
        ):
            answer = await t.client.request(
                method, where[target], data=raw, headers={**t.csrf_headers(), "Content-Type": media}
            )
            try:
                _ = await expect_problem(answer, status)
            except AssertionError as error:
                raise AssertionError(f"{method} {target} {raw!r} as {media}: {error}") from None
    assert await snapshot(forum.course_id) == before


async def test_list_queries_are_checked_and_per_page_is_capped(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    threads = f"/api/v1/courses/{forum.course_id}/threads"
    posts = f"/api/v1/threads/{thread['id']}/posts"
    alice = forum.alice.client
    for path in (threads, posts):
        for query in ("per_page=1000000", "per_page=100000000000000000000000"):
            answer = await alice.get(f"{path}?{query}")
            assert answer.status == 200, await answer.text()
            assert (await answer.json())["per_page"] == 100, f"{path}?{query} is not capped"
        for query in ("per_page=0", "page=0", "page=x", "per_page=1&per_page=2", "foo=1"):
            _ = await expect_problem(await alice.get(f"{path}?{query}"), 422)
    for query in ("pinned=yes", "mine=1", "unanswered=on", "sort=oldest", "q=" + "a" * 201):
        _ = await expect_problem(await alice.get(f"{threads}?{query}"), 422)
    answer = await alice.get(f"{threads}?q=" + "water " * 33 + "wa")  # 200 characters
    assert answer.status == 200, await answer.text()


async def test_creating_twice_makes_two_threads_and_two_posts(users: Users) -> None:
    forum = await make_forum(users)
    first = await start_thread(forum.alice, forum.course_id)
    second = await start_thread(forum.alice, forum.course_id)
    assert first["id"] != second["id"]
    assert await Thread.filter(course_id=forum.course_id).count() == 2
    a, b = await reply(forum.bob, first["id"]), await reply(forum.bob, first["id"])
    assert a["id"] != b["id"] and await Post.filter(thread_id=first["id"]).count() == 2
    assert (await Thread.get(id=first["id"])).reply_count == 2


async def test_deleting_a_post_twice_is_204_twice_and_counts_once(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    kept = await reply(forum.bob, thread["id"])
    gone = await reply(forum.bob, thread["id"])
    h = forum.bob.csrf_headers()
    first = await forum.bob.client.delete(f"/api/v1/posts/{gone['id']}", headers=h)
    assert first.status == 204, await first.text()
    after_first = await snapshot(forum.course_id)
    again = await forum.bob.client.delete(f"/api/v1/posts/{gone['id']}", headers=h)
    assert again.status == 204, await again.text()
    assert await snapshot(forum.course_id) == after_first, "deleting again changed something"
    stored = await Thread.get(id=thread["id"])
    assert (stored.reply_count, stored.answer_count) == (1, 1), (
        f"one of two posts left, yet reply_count={stored.reply_count}, "
        f"answer_count={stored.answer_count} (kept post {kept['id']})"
    )
    edit = await send(forum.bob, "PATCH", f"/api/v1/posts/{gone['id']}", {"body": P})
    _ = await expect_problem(edit, 409)
    assert await snapshot(forum.course_id) == after_first, "editing a deleted post changed it"


async def test_deleting_a_thread_twice_is_204_then_404(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    h = forum.alice.csrf_headers()
    first = await forum.alice.client.delete(f"/api/v1/threads/{thread['id']}", headers=h)
    assert first.status == 204, await first.text()
    _ = await expect_problem(
        await forum.alice.client.delete(f"/api/v1/threads/{thread['id']}", headers=h), 404
    )


async def test_following_reading_and_muting_again_give_the_same_answer(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    _ = await reply(forum.alice, thread["id"])
    bob, h = forum.bob, forum.bob.csrf_headers()
    base = f"/api/v1/threads/{thread['id']}"

    follows = [await bob.client.put(f"{base}/subscription", headers=h) for _ in range(2)]
    answers = [(a.status, await a.json()) for a in follows]
    assert answers == [(200, {"thread_id": thread["id"], "subscribed": True})] * 2, answers
    stops = [await bob.client.delete(f"{base}/subscription", headers=h) for _ in range(2)]
    assert [a.status for a in stops] == [204, 204]
    rows = await ThreadSubscription.filter(user_id=bob.id, thread_id=thread["id"]).values(
        "subscribed"
    )
    assert rows == [{"subscribed": False}], rows

    reads = [await bob.client.post(f"{base}/read", headers=h) for _ in range(2)]
    bodies = [await a.json() for a in reads]
    assert [a.status for a in reads] == [200, 200] and bodies[0] == bodies[1], bodies
    assert bodies[0]["unread_count"] == 0
    assert await ThreadRead.filter(user_id=bob.id, thread_id=thread["id"]).count() == 1

    t, mutes = forum.teacher, f"/api/v1/courses/{forum.course_id}/forum/mutes"
    first = await send(t, "POST", mutes, {"user_id": bob.id, "until": until(1)})
    later = until(2)
    second = await send(t, "POST", mutes, {"user_id": bob.id, "until": later})
    assert (first.status, second.status) == (201, 200), await second.text()
    assert (await second.json())["until"].startswith(later[:16]), "the second mute's time is lost"
    assert await ForumMute.filter(course_id=forum.course_id, user_id=bob.id).count() == 1
    lifts = [await t.client.delete(f"{mutes}/{bob.id}", headers=t.csrf_headers()) for _ in range(2)]
    assert lifts[0].status == 204, await lifts[0].text()
    _ = await expect_problem(lifts[1], 404)


async def test_titles_are_plain_text_returned_as_given(users: Users) -> None:
    forum = await make_forum(users)
    title = '<script>alert(1)</script> & <img src=x onerror=alert(1)> "quoted"'
    made = await start_thread(forum.alice, forum.course_id, title=title)
    assert made["title"] == title
    got = await forum.bob.client.get(f"/api/v1/threads/{made['id']}")
    assert got.content_type == "application/json"
    assert (await got.json())["title"] == title


XSS = [
    "<p>Hi</p><script>alert(1)</script>",
    "<p>Hi<img src=x onerror=alert(1)></p>",
    '<p onclick="alert(1)" style="color:red">Hi</p>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<iframe src="https://evil.example/"></iframe><p>Hi</p>',
    "<svg onload=alert(1)><p>Hi</p></svg>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://ok.example/" onmouseover="alert(1)" target="_blank">ok</a>',
]
FORBIDDEN = (
    "<script",
    "onerror",
    "onclick",
    "onload",
    "onmouseover",
    "javascript:",
    "<iframe",
    "<img",
    "<svg",
    "style=",
    "target=",
)


def safe(body: str | None, payload: str) -> str:
    """The served ``body``: sanitized as course descriptions are, and nothing active in it."""
    assert body is not None
    assert body == sanitize(payload), f"{payload!r} came back as {body!r}"
    assert not [bad for bad in FORBIDDEN if bad in body.lower()], f"{payload!r} -> {body!r}"
    return body


@pytest.mark.parametrize("payload", XSS)
async def test_bodies_are_stored_and_served_sanitized(users: Users, payload: str) -> None:
    forum = await make_forum(users)
    other = await start_thread(forum.bob, forum.course_id)
    thread = await start_thread(forum.alice, forum.course_id, body=payload)
    post = await reply(forum.bob, other["id"], body=payload)
    _ = safe(thread["body"], payload), safe(post["body"], payload)

    plain = await start_thread(forum.alice, forum.course_id)
    edited = await send(forum.alice, "PATCH", f"/api/v1/threads/{plain['id']}", {"body": payload})
    assert edited.status == 200, await edited.text()
    _ = safe((await edited.json())["body"], payload)
    mine = await reply(forum.alice, other["id"])
    changed = await send(forum.alice, "PATCH", f"/api/v1/posts/{mine['id']}", {"body": payload})
    assert changed.status == 200, await changed.text()
    _ = safe((await changed.json())["body"], payload)

    for thread_id in (thread["id"], plain["id"]):
        stored = await Thread.get(id=thread_id)
        _ = safe(stored.body, payload)
        served = await (await forum.bob.client.get(f"/api/v1/threads/{thread_id}")).json()
        _ = safe(served["body"], payload)
    listed = await (await forum.alice.client.get(f"/api/v1/threads/{other['id']}/posts")).json()
    for item in listed["items"]:
        _ = safe(item["body"], payload)
        _ = safe((await Post.get(id=item["id"])).body, payload)
    found = await forum.alice.client.get(f"/api/v1/courses/{forum.course_id}/threads?q=alert")
    assert (await found.json())["total"] == 0, "script text was kept as searchable text"


UNREADABLE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)">Hi</iframe>',
    "<p> </p><br>",
    "<!-- just a comment -->",
]


async def test_a_body_with_nothing_readable_left_is_422_everywhere(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    post = await reply(forum.alice, thread["id"])
    where = paths(forum, thread, post)
    before = await snapshot(forum.course_id)
    for payload in UNREADABLE:
        for method, target, body in (
            ("POST", "threads", {"title": "Hello", "body": payload}),
            ("PATCH", "thread", {"body": payload}),
            ("POST", "posts", {"body": payload}),
            ("PATCH", "post", {"body": payload}),
        ):
            answer = await send(forum.alice, method, where[target], body)
            try:
                problem = await expect_problem(answer, 422)
            except AssertionError as error:
                raise AssertionError(f"{method} {target} {payload!r}: {error}") from None
            assert "body" in problem.get("errors", {}), problem
    assert await snapshot(forum.course_id) == before, "an unreadable body was written"


async def test_a_reply_answers_a_live_top_level_post_of_the_same_thread(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    elsewhere = await start_thread(forum.alice, forum.course_id, title="Another")
    top = await reply(forum.bob, thread["id"])
    nested = await reply(forum.alice, thread["id"], parent_id=top["id"])
    foreign = await reply(forum.bob, elsewhere["id"])
    removed = await reply(forum.bob, thread["id"])
    gone = await forum.bob.client.delete(
        f"/api/v1/posts/{removed['id']}", headers=forum.bob.csrf_headers()
    )
    assert gone.status == 204
    before = await snapshot(forum.course_id)
    for parent, why in (
        (nested["id"], "a reply to a reply"),
        (foreign["id"], "a post of another thread"),
        (removed["id"], "a deleted post"),
        (MAX_ID, "no post at all"),
    ):
        answer = await send(
            forum.alice,
            "POST",
            f"/api/v1/threads/{thread['id']}/posts",
            {"body": "<p>Answer</p>", "parent_id": parent},
        )
        try:
            problem = await expect_problem(answer, 422)
        except AssertionError as error:
            raise AssertionError(f"parent_id of {why}: {error}") from None
        assert "parent_id" in problem.get("errors", {}), problem
    assert await snapshot(forum.course_id) == before, "a refused reply was written"
    top_level = await reply(forum.alice, thread["id"], parent_id=None)
    assert top_level["parent_id"] is None


async def test_twenty_parallel_replies_count_twenty(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    students = [await users.signed_in() for _ in range(20)]
    for student in students:
        await enroll(student, forum.course_id)
    answers = await asyncio.gather(
        *(
            send(s, "POST", f"/api/v1/threads/{thread['id']}/posts", {"body": f"<p>{n}</p>"})
            for n, s in enumerate(students)
        )
    )
    statuses = [a.status for a in answers]
    assert statuses == [201] * 20, [(a.status, await a.text()) for a in answers if a.status != 201]
    stored = await Thread.get(id=thread["id"])
    assert (stored.reply_count, stored.answer_count) == (20, 20), vars(stored)
    assert await Post.filter(thread_id=thread["id"]).count() == 20
    assert await ThreadSubscription.filter(thread_id=thread["id"]).count() == 21
    served = await (await forum.alice.client.get(f"/api/v1/threads/{thread['id']}")).json()
    assert served["reply_count"] == 20 and served["unread_count"] == 20, served


async def test_ten_parallel_mutes_of_one_user_leave_one(users: Users) -> None:
    forum = await make_forum(users)
    mutes = f"/api/v1/courses/{forum.course_id}/forum/mutes"
    answers = await asyncio.gather(
        *(
            send(forum.teacher, "POST", mutes, {"user_id": forum.bob.id, "until": until(n + 1)})
            for n in range(10)
        )
    )
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] * 9 + [201], [await a.text() for a in answers]
    assert await ForumMute.filter(course_id=forum.course_id, user_id=forum.bob.id).count() == 1


async def test_the_eleventh_post_in_a_minute_is_429_and_refusals_do_not_count(
    users: Users,
) -> None:
    forum = await make_forum(users)
    t = forum.teacher
    closed = await start_thread(t, forum.course_id, title="Announcements")
    locked = await send(t, "PATCH", f"/api/v1/threads/{closed['id']}", {"locked": True})
    assert locked.status == 200, await locked.text()
    open_thread = await start_thread(forum.bob, forum.course_id)
    alice = forum.alice
    for _ in range(5):  # refused for other reasons: they must not use up alice's budget
        refused = await send(alice, "POST", f"/api/v1/threads/{closed['id']}/posts", {"body": P})
        _ = await expect_problem(refused, 409)
        bad_parent = await send(
            alice,
            "POST",
            f"/api/v1/threads/{open_thread['id']}/posts",
            {"body": P, "parent_id": MAX_ID},
        )
        _ = await expect_problem(bad_parent, 422)

    _ = await start_thread(alice, forum.course_id, title="Mine")
    for n in range(9):
        _ = await reply(alice, open_thread["id"], body=f"<p>Reply {n}</p>")  # 10 in all
    before = await snapshot(forum.course_id)
    for method, path, body in (
        ("POST", f"/api/v1/threads/{open_thread['id']}/posts", {"body": P}),
        ("POST", f"/api/v1/courses/{forum.course_id}/threads", {"title": "More", "body": P}),
    ):
        answer = await send(alice, method, path, body)
        _ = await expect_problem(answer, 429)
        retry = answer.headers.get("Retry-After", "")
        assert retry.isdigit() and 1 <= int(retry) <= 60, f"Retry-After: {retry!r}"
    assert await snapshot(forum.course_id) == before, "a post over the limit was written"
    # The limit is alice's own: bob still posts.
    _ = await reply(forum.bob, open_thread["id"])


async def test_ten_parallel_deletes_of_one_post_count_once(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    kept = await reply(forum.bob, thread["id"])
    gone = await reply(forum.bob, thread["id"])
    answers = await asyncio.gather(
        *(
            who.client.delete(f"/api/v1/posts/{gone['id']}", headers=who.csrf_headers())
            for who in [forum.bob, forum.teacher] * 5
        )
    )
    assert [a.status for a in answers] == [204] * 10, [await a.text() for a in answers]
    stored = await Thread.get(id=thread["id"])
    assert (stored.reply_count, stored.answer_count) == (1, 1), (
        f"post {kept['id']} is left, yet reply_count={stored.reply_count}, "
        f"answer_count={stored.answer_count}"
    )


async def test_a_reply_racing_its_threads_deletion_never_lands_in_a_deleted_thread(
    users: Users,
) -> None:
    forum = await make_forum(users)
    for _ in range(4):
        thread = await start_thread(forum.alice, forum.course_id)
        posted_reply, deleted = await asyncio.gather(
            send(forum.bob, "POST", f"/api/v1/threads/{thread['id']}/posts", {"body": P}),
            forum.alice.client.delete(
                f"/api/v1/threads/{thread['id']}", headers=forum.alice.csrf_headers()
            ),
        )
        outcome = (posted_reply.status, deleted.status)
        # Either the reply came first (the author may no longer delete) or the deletion did.
        assert outcome in ((201, 409), (404, 204)), (outcome, await posted_reply.text())
        stored = await Thread.get(id=thread["id"])
        posts = await Post.filter(thread_id=thread["id"]).count()
        assert (stored.deleted_at is None) == (posts == 1), (outcome, posts, stored.deleted_at)
