"""Idempotency-Key: the main path (course creation replayed, reused, in use)."""

from __future__ import annotations

from ocp.courses.models import Course
from tests.helpers import Users, expect_problem


async def test_a_course_created_twice_with_one_key_is_one_course(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    headers = {**teacher.csrf_headers(), "Idempotency-Key": "course-1"}
    body = {"title": "Once only", "description": "d"}
    first = await teacher.client.post("/api/v1/courses", json=body, headers=headers)
    assert first.status == 201, await first.text()
    again = await teacher.client.post("/api/v1/courses", json=body, headers=headers)
    assert again.status == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await again.json() == await first.json()
    assert again.headers.get("Location") == first.headers.get("Location")
    other = await teacher.client.post(
        "/api/v1/courses", json={**body, "title": "Another"}, headers=headers
    )
    problem = await expect_problem(other, 422)
    assert problem["type"] == "urn:ocp:problem:idempotency-key-reused"
    assert await Course.filter(title="Once only").count() == 1
