"""The catalog's main path, end to end through HTTP."""

from __future__ import annotations

from tests.helpers import Users


async def test_instructor_builds_and_publishes_a_course_that_the_catalog_finds(
    users: Users,
) -> None:
    teacher = await users.signed_in("instructor")
    h = teacher.csrf_headers()
    created = await teacher.client.post(
        "/api/v1/courses",
        json={
            "title": "Python Programming for Data",
            "category": "programming",
            "tags": ["python", "data"],
            "price": "19.99",
            "description": "<p>Learn <b>Python</b><script>alert(1)</script></p>",
        },
        headers=h,
    )
    assert created.status == 201, await created.text()
    course = await created.json()
    assert course["status"] == "draft" and course["slug"] == "python-programming-for-data"
    assert course["price"] == "19.99" and "<script>" not in course["description"]
    cid = course["id"]

    refused = await teacher.client.patch(
        f"/api/v1/courses/{cid}", json={"status": "published"}, headers=h
    )
    assert refused.status == 409
    lesson = await teacher.client.post(
        f"/api/v1/courses/{cid}/lessons", json={"title": "Intro", "is_preview": True}, headers=h
    )
    assert lesson.status == 201, await lesson.text()
    published = await teacher.client.patch(
        f"/api/v1/courses/{cid}", json={"status": "published"}, headers=h
    )
    assert published.status == 200, await published.text()
    assert (await published.json())["lesson_count"] == 1

    anonymous = users.client
    for query in ("q=python", "q=pyth", "category=programming", "tag=data", "price_min=10"):
        listing = await anonymous.get(f"/api/v1/courses?{query}")
        assert listing.status == 200, await listing.text()
        assert [c["id"] for c in (await listing.json())["items"]] == [cid], query
    empty = await anonymous.get("/api/v1/courses?q=javascript")
    assert (await empty.json())["total"] == 0
    categories = await anonymous.get("/api/v1/categories")
    assert await categories.json() == [{"category": "programming", "count": 1}]
    outline = await anonymous.get(f"/api/v1/courses/{cid}/lessons")
    assert (await outline.json())[0]["locked"] is False
