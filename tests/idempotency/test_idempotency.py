"""Idempotency-Key on PostgreSQL + Redis: replay, reuse, scope, refusals kept, bad keys,
parallel requests, expiry and pruning."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from ocp.courses.models import Course, Lesson
from ocp.idempotency import store
from ocp.idempotency.models import IdempotencyKey
from ocp.learning.models import Enrollment
from tests.helpers import Account, Users, expect_problem
from tests.idempotency.helpers import KEY, REPLAYED, REUSED, Answer, keyed, send
from tests.learning.test_flow import make_course

COURSES = "/api/v1/courses"


async def _create(account: Account, key: str, title: str, *, token: bool = False) -> Answer:
    return await send(
        account.client,
        "POST",
        COURSES,
        json={"title": title, "description": "d"},
        headers=keyed(account, key, token=token),
    )


# 1. Replay -----------------------------------------------------------------------------------


async def test_a_post_replays_status_body_type_and_location_and_runs_once(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    first = await _create(teacher, "create-1", "Replayed course")
    assert first.status == 201, first.body
    assert REPLAYED not in first.headers
    for _ in range(3):
        again = await _create(teacher, "create-1", "Replayed course")
        assert again.replayed
        again.same_as(first)
    assert await Course.filter(title="Replayed course").count() == 1


async def test_lessons_and_enrollments_replayed_are_made_once(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    path = f"{COURSES}/{course_id}/lessons"
    lesson = [
        await send(
            teacher.client, "POST", path, json={"title": "Once"}, headers=keyed(teacher, "l")
        )
        for _ in range(2)
    ]
    assert lesson[0].status == 201 and lesson[1].replayed
    lesson[1].same_as(lesson[0])
    assert await Lesson.filter(course_id=course_id, title="Once").count() == 1

    student = await users.signed_in()
    enroll = f"{COURSES}/{course_id}/enrollment"
    first = await send(student.client, "POST", enroll, headers=keyed(student, "enrol"))
    again = await send(student.client, "POST", enroll, headers=keyed(student, "enrol"))
    assert first.status == 201, first.body
    # Without the key a second enrollment is a 409; with it, the first answer comes back.
    assert again.replayed
    again.same_as(first)
    assert await Enrollment.filter(user_id=student.id, course_id=course_id).count() == 1


async def test_a_patch_replayed_does_not_run_again(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    path = f"{COURSES}/{course_id}"
    first = await send(
        teacher.client, "PATCH", path, json={"title": "Patched"}, headers=keyed(teacher, "p")
    )
    assert first.status == 200, first.body
    changed = await teacher.client.patch(
        path, json={"title": "Changed since"}, headers=teacher.csrf_headers()
    )
    assert changed.status == 200
    again = await send(
        teacher.client, "PATCH", path, json={"title": "Patched"}, headers=keyed(teacher, "p")
    )
    assert again.replayed
    again.same_as(first)
    assert (await Course.get(id=course_id)).title == "Changed since"


# 2. Reuse ------------------------------------------------------------------------------------


async def test_a_key_reused_for_another_body_path_or_method_is_422_and_writes_nothing(
    users: Users,
) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    first = await send(
        teacher.client,
        "POST",
        f"{COURSES}/{course_id}/lessons",
        json={"title": "First"},
        headers=keyed(teacher, "k"),
    )
    assert first.status == 201
    other_course, _ = await make_course(teacher, lessons=1)
    lessons = await Lesson.all().count()
    courses = await Course.all().count()
    tries = [
        ("POST", f"{COURSES}/{course_id}/lessons", {"title": "Second"}),  # another body
        ("POST", f"{COURSES}/{course_id}/lessons", {"title": "First", "x": None}),
        ("POST", f"{COURSES}/{other_course}/lessons", {"title": "First"}),  # another path
        ("POST", f"{COURSES}/{course_id}/lessons?x=1", {"title": "First"}),  # another query
        ("POST", COURSES, {"title": "First"}),
        ("PATCH", f"{COURSES}/{course_id}", {"title": "First"}),  # another method
    ]
    for method, path, body in tries:
        refused = await teacher.client.request(method, path, json=body, headers=keyed(teacher, "k"))
        problem = await expect_problem(refused, 422)
        assert problem["type"] == REUSED, (method, path, body)
        assert REPLAYED not in refused.headers
    assert await Lesson.all().count() == lessons
    assert await Course.all().count() == courses
    assert (await Course.get(id=course_id)).title == "Gardening Basics"
    # The key still replays its own request.
    again = await send(
        teacher.client,
        "POST",
        f"{COURSES}/{course_id}/lessons",
        json={"title": "First"},
        headers=keyed(teacher, "k"),
    )
    assert again.replayed
    again.same_as(first)


# 3. Scope ------------------------------------------------------------------------------------


async def test_keys_belong_to_their_caller(users: Users) -> None:
    ann = await users.with_token("instructor")
    bob = await users.with_token("instructor")
    a = await _create(ann, "shared", "Same title")
    b = await _create(bob, "shared", "Same title")
    assert a.status == b.status == 201
    assert not a.replayed and not b.replayed
    assert json.loads(a.body)["id"] != json.loads(b.body)["id"]
    # Ann's token is a scope of its own, apart from her session.
    t = await _create(ann, "shared", "Same title", token=True)
    assert t.status == 201 and not t.replayed
    assert json.loads(t.body)["id"] not in {json.loads(a.body)["id"], json.loads(b.body)["id"]}
    assert await Course.filter(title="Same title").count() == 3
    # Each scope replays its own answer.
    for account, token, answer in ((ann, False, a), (bob, False, b), (ann, True, t)):
        again = await _create(account, "shared", "Same title", token=token)
        assert again.replayed
        again.same_as(answer)
    # A second token of Ann's is yet another scope.
    made = await ann.client.post(
        "/api/v1/auth/tokens", json={"name": "second"}, headers=ann.csrf_headers()
    )
    second = {"Authorization": f"Bearer {(await made.json())['token']}", KEY: "shared"}
    fresh = await send(
        ann.client,
        "POST",
        COURSES,
        json={"title": "Same title", "description": "d"},
        headers=second,
    )
    assert fresh.status == 201 and not fresh.replayed
    assert await Course.filter(title="Same title").count() == 4


async def test_two_sessions_of_one_user_share_the_users_keys(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    first = await _create(teacher, "two-browsers", "Shared by sessions")
    other = await users.make_client()
    login = await other.post(
        "/api/v1/auth/login", json={"email": teacher.email, "password": teacher.password}
    )
    assert login.status == 200
    csrf = (await login.json())["csrf_token"]
    again = await send(
        other,
        "POST",
        COURSES,
        json={"title": "Shared by sessions", "description": "d"},
        headers={"X-CSRF-Token": csrf, KEY: "two-browsers"},
    )
    assert again.replayed
    again.same_as(first)
    assert await Course.filter(title="Shared by sessions").count() == 1


async def test_gets_and_anonymous_requests_ignore_the_key(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    made = await _create(teacher, "g", "Read me")
    course_id = json.loads(made.body)["id"]
    path = f"{COURSES}/{course_id}"
    seen = await send(teacher.client, "GET", path, headers={KEY: "g"})
    assert seen.status == 200 and REPLAYED not in seen.headers
    await teacher.client.patch(path, json={"title": "Renamed"}, headers=teacher.csrf_headers())
    seen = await send(teacher.client, "GET", path, headers={KEY: "g"})
    assert json.loads(seen.body)["title"] == "Renamed" and REPLAYED not in seen.headers
    # A malformed key on a GET is no error either: GETs do not look at it.
    odd = await send(teacher.client, "GET", path, headers={KEY: "x" * 300})
    assert odd.status == 200
    # Anonymous registrations with one key are each their own.
    for email in ("anon1@example.com", "anon2@example.com"):
        registered = await client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": "correct horse battery", "full_name": "A"},
            headers={KEY: "anon"},
        )
        assert registered.status == 201, await registered.text()
        assert REPLAYED not in registered.headers
    assert await IdempotencyKey.all().count() == 1  # the course's, nothing for GET or anon


# 4. Refusals are kept --------------------------------------------------------------------------


async def test_a_first_422_is_replayed_as_it_was(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    bad = {"title": "", "description": "d"}
    first = await send(teacher.client, "POST", COURSES, json=bad, headers=keyed(teacher, "v"))
    assert first.status == 422, first.body
    assert json.loads(first.body)["type"] == "urn:ocp:problem:validation-failed"
    again = await send(teacher.client, "POST", COURSES, json=bad, headers=keyed(teacher, "v"))
    assert again.replayed
    again.same_as(first)  # the first request's request_id too
    assert await Course.all().count() == 0
    # The corrected body is another request: under the same key it is refused, not run.
    fixed = await send(
        teacher.client,
        "POST",
        COURSES,
        json={**bad, "title": "Fixed"},
        headers=keyed(teacher, "v"),
    )
    assert fixed.status == 422 and json.loads(fixed.body)["type"] == REUSED
    assert await Course.all().count() == 0


async def test_a_first_404_is_replayed_even_once_the_request_would_succeed(
    users: Users,
) -> None:
    teacher = await users.signed_in("instructor")
    made = await _create(teacher, "t", "A draft")
    course_id = json.loads(made.body)["id"]
    lesson = await teacher.client.post(
        f"{COURSES}/{course_id}/lessons", json={"title": "L"}, headers=teacher.csrf_headers()
    )
    assert lesson.status == 201
    student = await users.signed_in()
    enroll = f"{COURSES}/{course_id}/enrollment"
    first = await send(student.client, "POST", enroll, headers=keyed(student, "e"))
    assert first.status == 404, first.body  # a draft: no such course for a student
    published = await teacher.client.patch(
        f"{COURSES}/{course_id}", json={"status": "published"}, headers=teacher.csrf_headers()
    )
    assert published.status == 200, await published.text()
    again = await send(student.client, "POST", enroll, headers=keyed(student, "e"))
    assert again.replayed
    again.same_as(first)
    assert await Enrollment.filter(user_id=student.id).count() == 0
    # Another user's object is a 404 too, and kept: a PATCH of the teacher's course.
    rival = await users.signed_in("instructor")
    patch = f"{COURSES}/{course_id}"
    denied = await send(
        rival.client, "PATCH", patch, json={"title": "Mine"}, headers=keyed(rival, "p")
    )
    assert denied.status == 403, denied.body  # the handler's refusal, kept too
    replay = await send(
        rival.client, "PATCH", patch, json={"title": "Mine"}, headers=keyed(rival, "p")
    )
    assert replay.replayed
    replay.same_as(denied)
    missing = f"{COURSES}/987654/lessons"
    gone = await send(
        teacher.client, "POST", missing, json={"title": "x"}, headers=keyed(teacher, "m")
    )
    assert gone.status == 404
    replay = await send(
        teacher.client, "POST", missing, json={"title": "x"}, headers=keyed(teacher, "m")
    )
    assert replay.replayed
    replay.same_as(gone)


# 5. Malformed keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * 256, id="256-chars"),
        pytest.param("tab\tin-it", id="control-char"),
    ],
)
async def test_a_malformed_key_is_400_and_runs_nothing(users: Users, key: str) -> None:
    teacher = await users.signed_in("instructor")
    refused = await teacher.client.post(
        COURSES, json={"title": "Never"}, headers={**teacher.csrf_headers(), KEY: key}
    )
    await expect_problem(refused, 400)
    assert await Course.all().count() == 0
    assert await IdempotencyKey.all().count() == 0


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("cl\u00e9-\u2603".encode(), id="utf-8"),
        pytest.param(b"caf\xe9", id="latin-1"),
        pytest.param(b"del\x7f", id="DEL"),
    ],
)
async def test_a_non_ascii_key_is_400(users: Users, client: TestClient, key: bytes) -> None:
    teacher = await users.with_token("instructor")
    assert client.server.host is not None and client.server.port is not None
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    body = b'{"title": "Never"}'
    writer.write(
        (
            f"POST {COURSES} HTTP/1.1\r\n"
            f"Host: {client.server.host}:{client.server.port}\r\n"
            f"Authorization: {teacher.headers['Authorization']}\r\n"
            f"Content-Type: application/json\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n"
        ).encode()
        + f"{KEY}: ".encode()
        + key
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400", answer
    if b"\x7f" not in key:  # DEL is refused by aiohttp's parser, before the app
        assert b"application/problem+json" in rest
    assert await Course.all().count() == 0


async def test_a_key_of_255_printable_characters_is_accepted(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    key = ("~ !" + "".join(chr(c) for c in range(0x21, 0x7F)) * 3)[:255]
    assert len(key) == 255
    first = await _create(teacher, key, "Long key")
    assert first.status == 201, first.body
    again = await _create(teacher, key, "Long key")
    assert again.replayed
    again.same_as(first)
    assert await Course.filter(title="Long key").count() == 1
    # Keys are compared exactly: another case is another key.
    other = await _create(teacher, key.swapcase(), "Long key")
    assert other.status == 201 and not other.replayed


# 6. Parallel requests --------------------------------------------------------------------------


async def test_twenty_parallel_posts_with_one_key_make_one_course(users: Users) -> None:
    teacher = await users.with_token("instructor")
    answers = await asyncio.gather(
        *(_create(teacher, "race", "Raced", token=True) for _ in range(20))
    )
    statuses = sorted(a.status for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    made = [a for a in answers if a.status == 201]
    assert len([a for a in made if not a.replayed]) == 1, statuses
    for a in made:
        a.same_as(made[0])
    for a in answers:
        if a.status == 409:
            assert int(a.headers["Retry-After"]) >= 1
            assert json.loads(a.body)["type"] == "urn:ocp:problem:idempotency-key-in-use"
    assert await Course.filter(title="Raced").count() == 1
    assert await IdempotencyKey.filter(key="race", state="done").count() == 1


# 9. Expiry and pruning -------------------------------------------------------------------------


async def test_an_expired_key_runs_anew(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    first = await _create(teacher, "old", "Day one")
    assert first.status == 201
    await IdempotencyKey.filter(key="old").update(expires_at=store.now() - timedelta(seconds=1))
    again = await _create(teacher, "old", "Day one")
    assert again.status == 201 and not again.replayed
    assert json.loads(again.body)["id"] != json.loads(first.body)["id"]
    assert await Course.filter(title="Day one").count() == 2
    await IdempotencyKey.filter(key="old").update(expires_at=store.now() - timedelta(seconds=1))
    other = await _create(teacher, "old", "Day two")  # another body is no reuse once expired
    assert other.status == 201 and not other.replayed
    row = await IdempotencyKey.get(key="old")
    assert row.expires_at > store.now() + store.LIFETIME - timedelta(minutes=1)


async def _two_keys(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    for key in ("expired", "fresh"):
        assert (await _create(teacher, key, key)).status == 201
    await IdempotencyKey.filter(key="expired").update(expires_at=store.now() - timedelta(seconds=1))


async def test_prune_deletes_expired_keys_only(users: Users) -> None:
    await _two_keys(users)
    assert await store.prune() == 1
    assert await IdempotencyKey.all().values_list("key", flat=True) == ["fresh"]
    assert await store.prune() == 0


async def test_the_prune_job_deletes_expired_keys_only(
    users: Users, run_jobs: Callable[[], Awaitable[int]], redis_url: str
) -> None:
    from arq.connections import RedisSettings, create_pool

    from ocp.idempotency import PRUNE_JOB

    await _two_keys(users)
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        assert await pool.enqueue_job(PRUNE_JOB) is not None
    finally:
        await pool.aclose()
    assert await run_jobs() >= 1
    assert await IdempotencyKey.all().values_list("key", flat=True) == ["fresh"]


# Refused before it ran: no key kept -------------------------------------------------------------


async def test_requests_refused_before_running_keep_no_key(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    body = {"title": "After all", "description": "d"}
    no_csrf = await teacher.client.post(COURSES, json=body, headers={KEY: "pre"})
    await expect_problem(no_csrf, 403)
    big = json.dumps({**body, "description": "d" * (5 * 2**20)}).encode()
    huge = await teacher.client.post(
        COURSES,
        data=io.BytesIO(big),
        headers={**keyed(teacher, "pre"), "Content-Type": "application/json"},
    )
    await expect_problem(huge, 413)
    student = await users.signed_in()
    wrong_role = await student.client.post(COURSES, json=body, headers=keyed(student, "pre"))
    await expect_problem(wrong_role, 403)
    assert await IdempotencyKey.all().count() == 0
    ran = await _create(teacher, "pre", "After all")
    assert ran.status == 201 and not ran.replayed
