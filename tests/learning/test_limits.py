"""Enrolling and cancelling share one budget per user: 30 a minute, then 429."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.learning.models import Enrollment, EnrollmentStatus
from tests.helpers import Users, expect_problem
from tests.learning.test_embedded_flow import ClientFactory, _signed_in
from tests.learning.test_rights import cancel, enroll, enrollment_count, make_course

BUDGET = 30


async def test_enroll_and_cancel_are_limited_per_user(users: Users, client: TestClient) -> None:
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, 1)
    other_course, _ = await make_course(teacher, 1)
    student = await users.with_token()
    for n in range(BUDGET):
        answer = await (enroll if n % 2 == 0 else cancel)(student, course_id)
        assert answer.status == (201 if n % 2 == 0 else 204), (n, await answer.text())

    refused = await enroll(student, course_id)
    body = await expect_problem(refused, 429)
    assert body["type"] == "urn:ocp:problem:too-many-requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Nothing happened: still cancelled, the count untouched.
    enrollment = await Enrollment.get(user_id=student.id, course_id=course_id)
    assert enrollment.status == EnrollmentStatus.CANCELLED
    assert await enrollment_count(client, course_id) == 0

    # The budget is the user's, whatever the course, the verb or the credential.
    await expect_problem(await cancel(student, course_id), 429)
    await expect_problem(await enroll(student, other_course), 429)
    await expect_problem(await enroll(student, 2_000_000_000), 429)
    by_token = await student.client.post(
        f"/api/v1/courses/{other_course}/enrollment", headers=student.headers
    )
    await expect_problem(by_token, 429)
    assert not await Enrollment.exists(user_id=student.id, course_id=other_course)

    # Someone else is not affected.
    classmate = await users.signed_in()
    assert (await enroll(classmate, course_id)).status == 201
    assert (await cancel(classmate, course_id)).status == 204


async def test_refused_attempts_count_too(users: Users) -> None:
    """Hammering with requests that fail (unknown course, already enrolled) is not free."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, 1)
    student = await users.signed_in()
    assert (await enroll(student, course_id)).status == 201
    for _ in range(BUDGET - 1):
        assert (await enroll(student, course_id)).status == 409
    await expect_problem(await enroll(student, course_id), 429)
    await expect_problem(await cancel(student, course_id), 429)
    assert (await Enrollment.get(user_id=student.id, course_id=course_id)).status == "active"


@pytest.mark.embedded
async def test_the_limit_holds_embedded(
    aiohttp_client: ClientFactory, embedded_settings: Settings
) -> None:
    """The in-memory limiter of the embedded default counts the same way."""
    anonymous = await aiohttp_client(create_app(embedded_settings))
    teacher, th, _ = await _signed_in(
        aiohttp_client, anonymous.server, "t@example.com", "instructor"
    )
    course = await (
        await teacher.post("/api/v1/courses", json={"title": "Limits"}, headers=th)
    ).json()
    await teacher.post(f"/api/v1/courses/{course['id']}/lessons", json={"title": "L"}, headers=th)
    await teacher.patch(f"/api/v1/courses/{course['id']}", json={"status": "published"}, headers=th)
    student, sh, _ = await _signed_in(aiohttp_client, anonymous.server, "s@example.com")
    url = f"/api/v1/courses/{course['id']}/enrollment"
    for n in range(BUDGET):
        answer = await (student.post if n % 2 == 0 else student.delete)(url, headers=sh)
        assert answer.status in {201, 204}, await answer.text()
    refused = await student.post(url, headers=sh)
    await expect_problem(refused, 429)
    assert "Retry-After" in refused.headers
