"""The forum's rights matrix over HTTP on PostgreSQL + Redis: every endpoint for anonymous
callers, outsiders of published and draft courses, another course's instructor, students,
authors, moderators, cancelled and completed enrollments, muted users and locked threads.

Every refusal is problem+json and changes nothing in the forum's tables (``snapshot``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocp.config import Settings
from ocp.courses.models import Lesson
from ocp.forum.models import ForumMute, Post, Thread, ThreadRead, ThreadSubscription
from tests.forum.helpers import Forum, enroll, make_forum, reply, start_thread
from tests.helpers import Account, Users, expect_problem, problem
from tests.learning.test_flow import make_course

MAX_ID = 2**31 - 1
P = "<p>Hi</p>"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Many accounts come from one test address: the per-address sign-up limit is not tested here.
    return replace(settings, register_max_per_address=1000)


def until(days: float = 7) -> str:
    """A moment ``days`` ahead, in UTC without an offset."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(tzinfo=None).isoformat()


@dataclass
class Target:
    """The ids an endpoint's path and body refer to."""

    course: int | str  # a str: an id as sent in the path, perhaps no number at all
    thread: int | str
    post: int | str
    user: int | str  # someone to mute and unmute


# Every forum endpoint: method, path, and the body it is called with (None: no body).
ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/api/v1/courses/{course}/threads", None),
    ("POST", "/api/v1/courses/{course}/threads", {"title": "Mine", "body": "<p>Hello</p>"}),
    ("GET", "/api/v1/threads/{thread}", None),
    ("PATCH", "/api/v1/threads/{thread}", {"title": "Taken over"}),
    ("POST", "/api/v1/threads/{thread}/read", None),
    ("PUT", "/api/v1/threads/{thread}/subscription", None),
    ("DELETE", "/api/v1/threads/{thread}/subscription", None),
    ("GET", "/api/v1/threads/{thread}/posts", None),
    ("POST", "/api/v1/threads/{thread}/posts", {"body": "<p>Me too</p>"}),
    ("PATCH", "/api/v1/posts/{post}", {"body": "<p>Rewritten</p>"}),
    ("DELETE", "/api/v1/posts/{post}", None),
    ("POST", "/api/v1/courses/{course}/forum/mutes", "mute"),
    ("GET", "/api/v1/courses/{course}/forum/mutes", None),
    ("DELETE", "/api/v1/courses/{course}/forum/mutes/{user}", None),
    ("DELETE", "/api/v1/threads/{thread}", None),  # last: the others need the thread
]


async def send(
    users: Users, who: Account | None, method: str, path: str, body: Any = None
) -> tuple[int, str, dict[str, Any] | None]:
    """Call as ``who`` (None: an anonymous caller): status, media type and JSON body."""
    client = users.client if who is None else who.client
    headers = {} if who is None else who.csrf_headers()
    answer = await client.request(
        method, path, headers=headers, **({} if body is None else {"json": body})
    )
    text = await answer.text()
    parsed = await answer.json(content_type=None) if text else None
    return answer.status, answer.content_type, parsed


async def sweep(
    users: Users, who: Account | None, target: Target, endpoints: list[tuple[str, str, Any]]
) -> list[tuple[str, int, str, dict[str, Any] | None]]:
    """Call every endpoint of ``endpoints`` at ``target`` as ``who``."""
    answers = []
    for method, template, body in endpoints:
        path = template.format(**vars(target))
        payload = {"user_id": target.user, "until": until()} if body == "mute" else body
        status, media, parsed = await send(users, who, method, path, payload)
        answers.append((f"{method} {template}", status, media, parsed))
    return answers


def wrong_answers(
    answers: list[tuple[str, int, str, dict[str, Any] | None]], status: int
) -> list[str]:
    """The endpoints that did not answer a problem+json ``status``."""
    wrong = []
    for name, got, media, body in answers:
        if got != status or media != "application/problem+json" or body is None:
            wrong.append(f"{name}: {got} {media} {body}")
            continue
        try:
            problem(body, status)
        except AssertionError:
            wrong.append(f"{name}: not a problem body: {body}")
    return wrong


async def snapshot(course_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything the forum keeps for a course, to show that a refusal changed nothing."""
    return {
        "threads": await Thread.filter(course_id=course_id)
        .order_by("id")
        .values(
            "id",
            "title",
            "body",
            "pinned",
            "locked",
            "reply_count",
            "answer_count",
            "last_activity_at",
            "edited_at",
            "deleted_at",
        ),
        "posts": await Post.filter(thread__course_id=course_id)
        .order_by("id")
        .values("id", "body", "parent_id", "edited_at", "deleted_at"),
        "mutes": await ForumMute.filter(course_id=course_id)
        .order_by("id")
        .values("user_id", "until", "muted_by_id"),
        "subscriptions": await ThreadSubscription.filter(thread__course_id=course_id)
        .order_by("id")
        .values("user_id", "thread_id", "subscribed"),
        "reads": await ThreadRead.filter(thread__course_id=course_id)
        .order_by("id")
        .values("user_id", "thread_id", "last_read_post_id"),
    }


async def published_target(forum: Forum) -> Target:
    """A thread by alice with a reply by bob; bob is the one to mute."""
    thread = await start_thread(forum.alice, forum.course_id)
    post = await reply(forum.bob, thread["id"])
    return Target(forum.course_id, thread["id"], post["id"], forum.bob.id)


async def expect_refused_everywhere(
    users: Users, who: Account | None, target: Target, status: int
) -> None:
    before = await snapshot(int(target.course))
    wrong = wrong_answers(await sweep(users, who, target, ENDPOINTS), status)
    assert not wrong, f"expected {status} from every endpoint, but:\n" + "\n".join(wrong)
    assert await snapshot(int(target.course)) == before, "a refused request changed the forum"


async def test_an_anonymous_caller_gets_401_from_every_endpoint(users: Users) -> None:
    forum = await make_forum(users)
    target = await published_target(forum)
    await expect_refused_everywhere(users, None, target, 401)


async def test_an_outsider_of_a_published_course_gets_403_from_every_endpoint(
    users: Users,
) -> None:
    forum = await make_forum(users)
    target = await published_target(forum)
    await expect_refused_everywhere(users, forum.outsider, target, 403)


async def test_the_instructor_of_another_course_gets_403_from_every_endpoint(
    users: Users,
) -> None:
    forum = await make_forum(users)
    target = await published_target(forum)
    other = await users.signed_in("instructor")
    _ = await make_course(other, lessons=1)
    await expect_refused_everywhere(users, other, target, 403)


async def test_an_outsider_of_a_draft_course_gets_404_from_every_endpoint(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    created = await teacher.client.post(
        "/api/v1/courses",
        json={"title": "Unreleased", "price": "0"},
        headers=teacher.csrf_headers(),
    )
    assert created.status == 201, await created.text()
    course_id = (await created.json())["id"]
    thread = await start_thread(teacher, course_id)
    post = await reply(teacher, thread["id"])
    student, other_instructor = await users.signed_in(), await users.signed_in("instructor")
    target = Target(course_id, thread["id"], post["id"], student.id)
    for outsider in (student, other_instructor):
        await expect_refused_everywhere(users, outsider, target, 404)


async def test_unknown_ids_are_404_even_for_an_admin(users: Users) -> None:
    forum = await make_forum(users)
    real = await published_target(forum)
    admin = await users.signed_in("admin")
    before = await snapshot(forum.course_id)
    wrong: list[str] = []
    for field in ("course", "thread", "post"):
        target = replace(real, **{field: MAX_ID})
        chosen = [e for e in ENDPOINTS if "{" + field + "}" in e[1]]
        wrong += wrong_answers(await sweep(users, admin, target, chosen), 404)
    # Nobody is muted: lifting a mute of a real user or of an unknown one is a 404 too.
    for user in (forum.alice.id, MAX_ID):
        unmute = [e for e in ENDPOINTS if "{user}" in e[1]]
        wrong += wrong_answers(await sweep(users, admin, replace(real, user=user), unmute), 404)
    assert not wrong, "expected 404 for unknown ids, but:\n" + "\n".join(wrong)
    assert await snapshot(forum.course_id) == before


@pytest.mark.parametrize(
    "bad", ["abc", "0", "-1", "1.0", "1e3", "%D9%A3", "99999999999", "2147483648"]
)
async def test_an_id_that_is_not_a_number_in_range_is_404(users: Users, bad: str) -> None:
    forum = await make_forum(users)
    real = await published_target(forum)
    before = await snapshot(forum.course_id)
    wrong: list[str] = []
    for field in ("course", "thread", "post", "user"):
        chosen = [e for e in ENDPOINTS if "{" + field + "}" in e[1]]
        target = replace(real, **{field: bad})
        wrong += wrong_answers(await sweep(users, forum.teacher, target, chosen), 404)
    assert not wrong, f"expected 404 for the id {bad!r}, but:\n" + "\n".join(wrong)
    assert await snapshot(forum.course_id) == before


async def test_a_student_may_not_edit_delete_or_moderate_another_students_writing(
    users: Users,
) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    post = await reply(forum.alice, thread["id"])
    bob = forum.bob
    before = await snapshot(forum.course_id)
    refused = [
        ("PATCH", f"/api/v1/threads/{thread['id']}", {"title": "Bob's now"}),
        ("PATCH", f"/api/v1/threads/{thread['id']}", {"body": "<p>Bob's now</p>"}),
        ("DELETE", f"/api/v1/threads/{thread['id']}", None),
        ("PATCH", f"/api/v1/posts/{post['id']}", {"body": "<p>Bob's now</p>"}),
        ("DELETE", f"/api/v1/posts/{post['id']}", None),
        ("PATCH", f"/api/v1/threads/{thread['id']}", {"pinned": True}),
        ("PATCH", f"/api/v1/threads/{thread['id']}", {"locked": True}),
        ("POST", f"/api/v1/courses/{forum.course_id}/forum/mutes", "mute"),
        ("GET", f"/api/v1/courses/{forum.course_id}/forum/mutes", None),
    ]
    for method, path, body in refused:
        payload = {"user_id": forum.alice.id, "until": until()} if body == "mute" else body
        status, _, parsed = await send(users, bob, method, path, payload)
        assert status == 403, f"bob {method} {path} {payload}: {status} {parsed}"
        assert parsed is not None
        problem(parsed, 403)
    # Her own thread: alice may not pin or lock it either, even to the value it has.
    for change in ({"pinned": True}, {"locked": True}, {"pinned": False}, {"locked": False}):
        answer = await forum.alice.client.patch(
            f"/api/v1/threads/{thread['id']}", json=change, headers=forum.alice.csrf_headers()
        )
        await expect_problem(answer, 403)
    assert await snapshot(forum.course_id) == before, "a refused request changed the forum"


@pytest.mark.parametrize("role", ["instructor", "admin"])
async def test_the_instructor_and_admins_pin_lock_retitle_delete_and_mute(
    users: Users, role: str
) -> None:
    forum = await make_forum(users)
    moderator = forum.teacher if role == "instructor" else await users.signed_in("admin")
    h = moderator.csrf_headers()
    thread = await start_thread(forum.alice, forum.course_id)
    post = await reply(forum.bob, thread["id"])

    changed = await moderator.client.patch(
        f"/api/v1/threads/{thread['id']}",
        json={"title": "Watering cacti (answered)", "pinned": True, "locked": True},
        headers=h,
    )
    assert changed.status == 200, await changed.text()
    body = await changed.json()
    assert (body["title"], body["pinned"], body["locked"]) == (
        "Watering cacti (answered)",
        True,
        True,
    ), body
    # Retitling is moderation; rewriting someone's words is not.
    await expect_problem(
        await moderator.client.patch(
            f"/api/v1/threads/{thread['id']}", json={"body": "<p>Theirs</p>"}, headers=h
        ),
        403,
    )
    await expect_problem(
        await moderator.client.patch(
            f"/api/v1/posts/{post['id']}", json={"body": "<p>Theirs</p>"}, headers=h
        ),
        403,
    )

    gone = await moderator.client.delete(f"/api/v1/posts/{post['id']}", headers=h)
    assert gone.status == 204, await gone.text()
    stored = await Post.get(id=post["id"])
    assert stored.deleted and stored.body is None, "the moderator's delete left the post's body"

    mutes = f"/api/v1/courses/{forum.course_id}/forum/mutes"
    made = await moderator.client.post(
        mutes, json={"user_id": forum.bob.id, "until": until()}, headers=h
    )
    assert made.status == 201, await made.text()
    listed = await (await moderator.client.get(mutes)).json()
    assert [m["user"]["id"] for m in listed] == [forum.bob.id], listed
    lifted = await moderator.client.delete(f"{mutes}/{forum.bob.id}", headers=h)
    assert lifted.status == 204, await lifted.text()
    assert await (await moderator.client.get(mutes)).json() == []

    deleted = await moderator.client.delete(f"/api/v1/threads/{thread['id']}", headers=h)
    assert deleted.status == 204, await deleted.text()
    assert (await Thread.get(id=thread["id"])).deleted_at is not None


async def test_a_cancelled_enrollment_loses_the_forum_and_enrolling_again_restores_it(
    users: Users,
) -> None:
    forum = await make_forum(users)
    target = await published_target(forum)
    own = await reply(forum.alice, int(target.thread))
    cancelled = await forum.alice.client.delete(
        f"/api/v1/courses/{forum.course_id}/enrollment", headers=forum.alice.csrf_headers()
    )
    assert cancelled.status == 204, await cancelled.text()
    # Everything alice did before (her thread, her post) is hers no more to read or touch.
    await expect_refused_everywhere(users, forum.alice, replace(target, post=own["id"]), 403)

    await enroll(forum.alice, forum.course_id)
    back = await forum.alice.client.get(f"/api/v1/threads/{target.thread}/posts")
    assert back.status == 200, await back.text()


async def test_a_completed_enrollment_keeps_reading_and_posting(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.bob, forum.course_id)
    lesson = await Lesson.get(course_id=forum.course_id)
    done = await forum.alice.client.put(
        f"/api/v1/courses/{forum.course_id}/lessons/{lesson.id}/progress",
        json={"completed": True},
        headers=forum.alice.csrf_headers(),
    )
    assert done.status == 200, await done.text()
    assert (await done.json())["course"]["status"] == "completed", await done.text()

    listed = await forum.alice.client.get(f"/api/v1/courses/{forum.course_id}/threads")
    assert listed.status == 200 and (await listed.json())["total"] == 1, await listed.text()
    posted = await reply(forum.alice, thread["id"])
    assert posted["author"]["id"] == forum.alice.id


async def test_a_deleted_thread_and_its_posts_are_404_for_everyone(users: Users) -> None:
    forum = await make_forum(users)
    target = await published_target(forum)
    gone = await forum.teacher.client.delete(
        f"/api/v1/threads/{target.thread}", headers=forum.teacher.csrf_headers()
    )
    assert gone.status == 204, await gone.text()
    admin = await users.signed_in("admin")
    before = await snapshot(forum.course_id)
    of_thread = [e for e in ENDPOINTS if "{thread}" in e[1] or "{post}" in e[1]]
    for who in (forum.alice, forum.bob, forum.teacher, admin):
        wrong = wrong_answers(await sweep(users, who, target, of_thread), 404)
        assert not wrong, f"user {who.id} still reaches the deleted thread:\n" + "\n".join(wrong)
        listed = await (await who.client.get(f"/api/v1/courses/{forum.course_id}/threads")).json()
        assert listed["total"] == 0 and listed["items"] == [], listed
    assert await snapshot(forum.course_id) == before


async def test_a_threads_author_deletes_it_only_while_nobody_else_replied(users: Users) -> None:
    forum = await make_forum(users)
    alone = await start_thread(forum.alice, forum.course_id)
    _ = await reply(forum.alice, alone["id"], body="<p>Anyone?</p>")
    h = forum.alice.csrf_headers()
    gone = await forum.alice.client.delete(f"/api/v1/threads/{alone['id']}", headers=h)
    assert gone.status == 204, "her own replies do not keep alice from deleting her thread"

    answered = await start_thread(forum.alice, forum.course_id)
    _ = await reply(forum.bob, answered["id"])
    await expect_problem(
        await forum.alice.client.delete(f"/api/v1/threads/{answered['id']}", headers=h), 409
    )
    assert (await Thread.get(id=answered["id"])).deleted_at is None, "a 409 deleted the thread"
    moderated = await forum.teacher.client.delete(
        f"/api/v1/threads/{answered['id']}", headers=forum.teacher.csrf_headers()
    )
    assert moderated.status == 204, await moderated.text()


async def test_a_muted_student_reads_but_may_not_write_until_unmuted(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    post = await reply(forum.alice, thread["id"])
    mutes = f"/api/v1/courses/{forum.course_id}/forum/mutes"
    t = forum.teacher
    made = await t.client.post(
        mutes, json={"user_id": forum.alice.id, "until": until(1)}, headers=t.csrf_headers()
    )
    assert made.status == 201, await made.text()

    alice = forum.alice
    for path in (
        f"/api/v1/courses/{forum.course_id}/threads",
        f"/api/v1/threads/{thread['id']}",
        f"/api/v1/threads/{thread['id']}/posts",
    ):
        answer = await alice.client.get(path)
        assert answer.status == 200, f"muted alice cannot read {path}: {await answer.text()}"
    writes = [
        ("POST", f"/api/v1/courses/{forum.course_id}/threads", {"title": "Hi", "body": P}),
        ("POST", f"/api/v1/threads/{thread['id']}/posts", {"body": P}),
        ("PATCH", f"/api/v1/posts/{post['id']}", {"body": "<p>Changed</p>"}),
        ("PATCH", f"/api/v1/threads/{thread['id']}", {"title": "Changed"}),
        ("PATCH", f"/api/v1/threads/{thread['id']}", {"body": "<p>Changed</p>"}),
    ]
    before = await snapshot(forum.course_id)
    for method, path, body in writes:
        status, _, parsed = await send(users, alice, method, path, body)
        assert status == 403, f"muted alice {method} {path}: {status} {parsed}"
        assert parsed is not None
        problem(parsed, 403)
    assert await snapshot(forum.course_id) == before, "a muted user's write changed the forum"

    lifted = await t.client.delete(f"{mutes}/{alice.id}", headers=t.csrf_headers())
    assert lifted.status == 204, await lifted.text()
    for method, path, body in writes:
        status, _, parsed = await send(users, alice, method, path, body)
        assert status in (200, 201), f"unmuted alice {method} {path}: {status} {parsed}"


async def test_a_mute_whose_time_has_passed_no_longer_holds(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.bob, forum.course_id)
    t = forum.teacher
    mutes = f"/api/v1/courses/{forum.course_id}/forum/mutes"
    made = await t.client.post(
        mutes, json={"user_id": forum.alice.id, "until": until(1)}, headers=t.csrf_headers()
    )
    assert made.status == 201, await made.text()
    past = datetime.now(UTC) - timedelta(minutes=1)
    _ = await ForumMute.filter(course_id=forum.course_id, user_id=forum.alice.id).update(until=past)
    _ = await reply(forum.alice, thread["id"])
    assert await (await t.client.get(mutes)).json() == [], "an ended mute is listed as in force"
    await expect_problem(
        await t.client.delete(f"{mutes}/{forum.alice.id}", headers=t.csrf_headers()), 404
    )


async def test_only_moderators_list_and_lift_mutes(users: Users) -> None:
    forum = await make_forum(users)
    t = forum.teacher
    mutes = f"/api/v1/courses/{forum.course_id}/forum/mutes"
    made = await t.client.post(
        mutes, json={"user_id": forum.bob.id, "until": until()}, headers=t.csrf_headers()
    )
    assert made.status == 201, await made.text()
    for who in (forum.alice, forum.bob):
        await expect_problem(await who.client.get(mutes), 403)
        await expect_problem(
            await who.client.delete(f"{mutes}/{forum.bob.id}", headers=who.csrf_headers()), 403
        )
    assert await ForumMute.filter(course_id=forum.course_id, user_id=forum.bob.id).count() == 1, (
        "a student lifted a mute"
    )


async def test_muting_the_instructor_an_admin_or_nobody_is_422(users: Users) -> None:
    forum = await make_forum(users)
    admin = await users.signed_in("admin")
    mutes = f"/api/v1/courses/{forum.course_id}/forum/mutes"
    for actor in (forum.teacher, admin):
        for user_id in (forum.teacher.id, admin.id, MAX_ID):
            answer = await actor.client.post(
                mutes, json={"user_id": user_id, "until": until()}, headers=actor.csrf_headers()
            )
            body = await expect_problem(answer, 422)
            assert "user_id" in body.get("errors", {}), body
    assert await ForumMute.filter(course_id=forum.course_id).count() == 0


async def test_a_locked_thread_takes_posts_and_edits_from_moderators_only(users: Users) -> None:
    forum = await make_forum(users)
    thread = await start_thread(forum.alice, forum.course_id)
    post = await reply(forum.alice, thread["id"])
    t = forum.teacher
    locked = await t.client.patch(
        f"/api/v1/threads/{thread['id']}", json={"locked": True}, headers=t.csrf_headers()
    )
    assert locked.status == 200 and (await locked.json())["locked"] is True

    before = await snapshot(forum.course_id)
    refused = [
        (forum.alice, "POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "<p>Wait</p>"}),
        (forum.bob, "POST", f"/api/v1/threads/{thread['id']}/posts", {"body": "<p>Wait</p>"}),
        (forum.alice, "PATCH", f"/api/v1/threads/{thread['id']}", {"title": "Reopen it"}),
        (forum.alice, "PATCH", f"/api/v1/threads/{thread['id']}", {"body": "<p>More</p>"}),
        (forum.alice, "PATCH", f"/api/v1/posts/{post['id']}", {"body": "<p>More</p>"}),
    ]
    for who, method, path, body in refused:
        status, _, parsed = await send(users, who, method, path, body)
        assert status == 409, f"user {who.id} {method} {path} on a locked thread: {status} {parsed}"
        assert parsed is not None
        problem(parsed, 409)
    assert await snapshot(forum.course_id) == before, "a refused write changed a locked thread"

    admin = await users.signed_in("admin")
    for moderator in (t, admin):
        _ = await reply(moderator, thread["id"], body="<p>Closed: see the pinned thread.</p>")
    assert (await Thread.get(id=thread["id"])).reply_count == 3
    retitled = await t.client.patch(
        f"/api/v1/threads/{thread['id']}", json={"title": "Closed"}, headers=t.csrf_headers()
    )
    assert retitled.status == 200, f"the instructor cannot retitle a locked thread: {retitled}"
