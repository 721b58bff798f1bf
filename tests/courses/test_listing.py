"""The catalog's plain-row answers (``ocp/courses/listing.py``) say what the schemas say.

List pages and course details come from one SQL statement each, serialized without the
marshmallow schemas. Here a varied catalog (free and paid, odd prices, tags or none, non-ASCII
text, covers ready with and without a thumbnail, a cover not ready, a given cover URL, equal
publication times, drafts and an archived course) is written with the ORM, and every answer
of the API is compared, field by field and in the schema's field order, with
``CourseSummarySchema`` / ``CourseSchema`` dumping the same courses loaded by the ORM, on
PostgreSQL and on the embedded SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.courses.models import Course, CourseStatus, Level
from ocp.courses.schemas import CourseSchema, CourseSummarySchema
from ocp.media.models import Blob, Upload, UploadStatus
from ocp.users.models import Role, User

ClientFactory = Callable[..., Awaitable[TestClient]]
SUMMARY, FULL = CourseSummarySchema(), CourseSchema()
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def embedded_client(aiohttp_client: ClientFactory, embedded_settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(embedded_settings))


@pytest.fixture(params=["postgres", pytest.param("embedded", marks=pytest.mark.embedded)])
def site(request: pytest.FixtureRequest) -> TestClient:
    """The API on PostgreSQL + Redis, and on the embedded default."""
    name = "client" if request.param == "postgres" else "embedded_client"
    client: TestClient = request.getfixturevalue(name)
    return client


async def _upload(owner: User, n: int, *, status: UploadStatus, thumbnail: bool) -> Upload:
    sha256 = f"{n:064x}"
    blob = await Blob.create(sha256=sha256, size=100 + n)
    return await Upload.create(
        owner=owner,
        blob=blob,
        sha256=sha256,
        filename=f"cover-{n}.png",
        size=100 + n,
        content_type="image/png",
        kind="image",
        status=status,
        has_thumbnail=thumbnail,
    )


async def _catalog() -> list[Course]:
    """Courses that differ in every way an answer can: returns the published ones."""
    zoe = await User.create(
        email="zoe@example.com", password_hash="x", full_name="Zoë Ångström", role=Role.INSTRUCTOR
    )
    bo = await User.create(
        email="bo@example.com", password_hash="x", full_name='Bo "the" Teacher', role=Role.ADMIN
    )
    thumb = await _upload(zoe, 1, status=UploadStatus.READY, thumbnail=True)
    plain = await _upload(zoe, 2, status=UploadStatus.READY, thumbnail=False)
    pending = await _upload(bo, 3, status=UploadStatus.PROCESSING, thumbnail=False)
    variants: list[dict[str, Any]] = [
        {"price_cents": 0, "tags": [], "cover": thumb},
        {"price_cents": 1999, "tags": ["python", "web"], "cover": plain},
        {"price_cents": 5, "tags": ["ü-tag"], "cover": pending, "cover_image_url": "https://x/y"},
        {"price_cents": 10_000_000, "tags": ["a"], "cover_image_url": "http://img/1.png"},
        {"price_cents": 100, "tags": ["a", "b", "c"], "level": Level.ADVANCED},
        {"price_cents": 4950, "tags": ["data"], "language": "pt-br", "instructor": bo},
        {"price_cents": 99, "tags": [], "category": "design", "enrollment_count": 7},
    ]
    published = []
    for n in range(21):
        values = dict(variants[n % len(variants)])
        values.setdefault("instructor", zoe)
        status = CourseStatus.PUBLISHED
        if n in (3, 11):
            status = CourseStatus.DRAFT if n == 3 else CourseStatus.ARCHIVED
        # equal times for a few (ties), microseconds for some, none for others
        at = WHEN + timedelta(minutes=n // 3, microseconds=(n * 123_457) % 1_000_000 * (n % 2))
        course = await Course.create(
            title=f"Course {n} — «{'δ' * (n % 3)}» 日本",
            slug=f"course-{n}",
            subtitle="" if n % 4 == 0 else f'Sub <b>{n}</b> & "quotes" \\ back\nslash',
            description=f"<p>Lesson {n} \u2028 emoji \U0001f600</p>",
            description_text=f"Lesson {n}",
            duration_minutes=n * 17,
            lesson_count=n % 5,
            status=status,
            published_at=None if status == CourseStatus.DRAFT else at,
            **values,
        )
        if status == CourseStatus.PUBLISHED:
            published.append(course)
    return published


async def _expected(ids: list[int], schema: Any) -> list[dict[str, Any]]:
    courses = await Course.filter(id__in=ids).select_related("instructor", "cover")
    by_id = {course.id: course for course in courses}
    dumped = schema.dump([by_id[i] for i in ids], many=True)
    return list(json.loads(json.dumps(dumped)))


def _in_order(item: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, _in_order(v) if isinstance(v, dict) else v) for k, v in item.items()]


async def test_list_and_detail_answer_as_the_schemas_do(site: TestClient) -> None:
    published = await _catalog()
    queries = [
        "",
        "per_page=4&page=2",
        "per_page=4&page=5",
        "sort=price",
        "sort=-price&per_page=3",
        "sort=title",
        "sort=popular",
        "is_free=false&sort=price",
        "tag=a",
        "q=course",
        "q=lesson&sort=relevance",
        "category=design",
        "language=pt-br",
    ]
    seen: set[int] = set()
    for query in queries:
        response = await site.get(f"/api/v1/courses?{query}")
        assert response.status == 200, query
        body = await response.json()
        ids = [item["id"] for item in body["items"]]
        seen.update(ids)
        expected = await _expected(ids, SUMMARY)
        assert [_in_order(x) for x in body["items"]] == [_in_order(x) for x in expected], query
        assert list(body) == ["items", "page", "per_page", "total"], query
        assert "Link" in response.headers, query
    assert seen == {course.id for course in published}
    for course in published:
        response = await site.get(f"/api/v1/courses/{course.id}")
        assert response.status == 200
        [expected] = await _expected([course.id], FULL)
        assert _in_order(await response.json()) == _in_order(expected), course.id
