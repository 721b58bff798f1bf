"""Adversarial tests of the catalog API: who may do what, and what input is refused.

Everything goes through HTTP. Each refusal is paired with the same request succeeding for
someone who may make it, so that every test would fail if the control it tests went away.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from ocp.courses.models import Course, Lesson
from tests.helpers import Account, Users, expect_problem

COURSES = "/api/v1/courses"


# Helpers ------------------------------------------------------------------------------------


def course_url(course_id: int | str) -> str:
    return f"{COURSES}/{course_id}"


def lessons_url(course_id: int | str) -> str:
    return f"{COURSES}/{course_id}/lessons"


def lesson_url(course_id: int | str, lesson_id: int | str) -> str:
    return f"{COURSES}/{course_id}/lessons/{lesson_id}"


async def create_course(account: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "A Course About Things", **fields}
    response = await account.client.post(COURSES, json=body, headers=account.csrf_headers())
    assert response.status == 201, await response.text()
    return dict(await response.json())


async def add_lesson(account: Account, course_id: int, **fields: Any) -> dict[str, Any]:
    body = {"title": "A lesson", **fields}
    response = await account.client.post(
        lessons_url(course_id), json=body, headers=account.csrf_headers()
    )
    assert response.status == 201, await response.text()
    return dict(await response.json())


async def patch_course(account: Account, course_id: int, **fields: Any) -> dict[str, Any]:
    response = await account.client.patch(
        course_url(course_id), json=fields, headers=account.csrf_headers()
    )
    assert response.status == 200, await response.text()
    return dict(await response.json())


async def published_course(account: Account, **fields: Any) -> dict[str, Any]:
    """A course of ``account`` with one preview lesson, published."""
    course = await create_course(account, **fields)
    await add_lesson(account, course["id"], title="Welcome", is_preview=True)
    return await patch_course(account, course["id"], status="published")


async def get_json(client: TestClient, url: str) -> Any:
    response = await client.get(url)
    assert response.status == 200, await response.text()
    return await response.json()


async def outline(client: TestClient, course_id: int) -> list[dict[str, Any]]:
    return list(await get_json(client, lessons_url(course_id)))


async def outline_ids(client: TestClient, course_id: int) -> list[int]:
    lessons = await outline(client, course_id)
    assert [lesson["position"] for lesson in lessons] == list(range(1, len(lessons) + 1))
    return [lesson["id"] for lesson in lessons]


async def catalog_ids(client: TestClient) -> list[int]:
    body = await get_json(client, f"{COURSES}?per_page=100")
    return [course["id"] for course in body["items"]]


async def expect_422(response: Any, field: str) -> dict[str, Any]:
    body = await expect_problem(response, 422)
    assert field in body.get("errors", {}), body
    return body


# Creating courses: who may ------------------------------------------------------------------


async def test_only_signed_in_instructors_and_admins_with_csrf_create_courses(
    users: Users,
) -> None:
    instructor = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    student = await users.signed_in("student")
    body = {"title": "Rights Course"}

    mine = await create_course(instructor, title="Rights Course")
    assert mine["status"] == "draft" and mine["published_at"] is None
    assert mine["instructor"]["id"] == instructor.id
    assert mine["instructor"]["full_name"] == instructor.user["full_name"]
    admins = await create_course(admin, title="Rights Course")
    assert admins["instructor"]["id"] == admin.id and admins["status"] == "draft"

    await expect_problem(
        await student.client.post(COURSES, json=body, headers=student.csrf_headers()), 403
    )
    await expect_problem(await users.client.post(COURSES, json=body), 401)
    # A session cookie alone (no CSRF token, or a wrong one) is refused.
    await expect_problem(await instructor.client.post(COURSES, json=body), 403)
    await expect_problem(
        await instructor.client.post(COURSES, json=body, headers={"X-CSRF-Token": "nope"}), 403
    )
    # A cross-site Origin is refused even with the right token.
    await expect_problem(
        await instructor.client.post(
            COURSES,
            json=body,
            headers={**instructor.csrf_headers(), "Origin": "https://evil.example"},
        ),
        403,
    )
    assert await Course.all().count() == 2


async def test_a_bearer_token_needs_no_csrf_but_keeps_role_rules(users: Users) -> None:
    teacher = await users.with_token("instructor")
    pupil = await users.with_token("student")
    anonymous = users.client

    created = await anonymous.post(COURSES, json={"title": "Token Course"}, headers=teacher.headers)
    assert created.status == 201, await created.text()
    assert (await created.json())["instructor"]["id"] == teacher.id
    await expect_problem(
        await anonymous.post(COURSES, json={"title": "Token Course"}, headers=pupil.headers), 403
    )
    await expect_problem(
        await anonymous.post(
            COURSES, json={"title": "Token Course"}, headers={"Authorization": "Bearer bogus"}
        ),
        401,
    )
    assert await Course.all().count() == 1


async def test_admin_may_create_a_course_for_an_active_instructor_only(users: Users) -> None:
    admin = await users.signed_in("admin")
    other_admin = await users.signed_in("admin")
    instructor = await users.signed_in("instructor")
    student = await users.signed_in("student")
    retired = await users.signed_in("instructor")
    deactivate = await admin.client.patch(
        f"/api/v1/users/{retired.id}", json={"is_active": False}, headers=admin.csrf_headers()
    )
    assert deactivate.status == 200, await deactivate.text()

    for_instructor = await create_course(admin, title="Made For You", instructor_id=instructor.id)
    assert for_instructor["instructor"]["id"] == instructor.id
    # The new owner may edit it; the admin still may too.
    await patch_course(instructor, for_instructor["id"], subtitle="Mine now")
    for_admin = await create_course(admin, title="Made For Admin", instructor_id=other_admin.id)
    assert for_admin["instructor"]["id"] == other_admin.id

    bad_ids: list[Any] = [student.id, retired.id, 99_999_999, 0, -1, str(instructor.id)]
    for bad in bad_ids:
        response = await admin.client.post(
            COURSES,
            json={"title": "Bad Owner", "instructor_id": bad},
            headers=admin.csrf_headers(),
        )
        assert response.status == 422, (bad, response.status, await response.text())
        await expect_422(response, "instructor_id")
    assert await Course.all().count() == 2


async def test_admin_owner_id_beyond_the_id_range_is_a_validation_error(users: Users) -> None:
    """An id no user can have (ids are 32-bit) is an unknown user: 422, not a server error."""
    admin = await users.signed_in("admin")
    for bad in (2**31, 2**63, 10**30):
        response = await admin.client.post(
            COURSES,
            json={"title": "Bad Owner", "instructor_id": bad},
            headers=admin.csrf_headers(),
        )
        await expect_422(response, "instructor_id")
    assert await Course.all().count() == 0


async def test_instructor_may_not_choose_an_owner(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    for owner in (other.id, instructor.id):
        response = await instructor.client.post(
            COURSES,
            json={"title": "Someone Else's", "instructor_id": owner},
            headers=instructor.csrf_headers(),
        )
        await expect_422(response, "instructor_id")
    assert await Course.all().count() == 0
    await create_course(instructor, title="Someone Else's")  # the same body without it works
    assert await Course.filter(instructor_id=instructor.id).count() == 1


async def test_create_refuses_mass_assignment_of_server_fields(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    smuggled: dict[str, Any] = {
        "status": "published",
        "slug": "chosen-slug",
        "lesson_count": 99,
        "enrollment_count": 1000,
        "published_at": "2020-01-01T00:00:00Z",
        "instructor": {"id": admin.id, "full_name": "x"},
        "id": 424242,
        "price_cents": 1,
        "created_at": "2020-01-01T00:00:00Z",
        "is_free": True,
    }
    for account in (instructor, admin):
        for name, value in smuggled.items():
            response = await account.client.post(
                COURSES,
                json={"title": "Mass Assignment", name: value},
                headers=account.csrf_headers(),
            )
            await expect_422(response, name)
    assert await Course.all().count() == 0
    assert not await Course.exists(slug="chosen-slug")


# Creating courses: what is valid ------------------------------------------------------------

INVALID_COURSE_FIELDS: list[tuple[str, Any]] = [
    ("title", "ab"),
    ("title", "   ab   "),
    ("title", "x" * 201),
    ("title", ""),
    ("title", None),
    ("title", 12345),
    ("title", "bad\x00title"),
    ("category", "Data Science"),
    ("category", "data science"),
    ("category", "a--b"),
    ("category", "-x"),
    ("category", "x-"),
    ("category", "a" * 51),
    ("category", ""),
    ("category", "données"),
    ("tags", "python"),
    ("tags", {"python": 1}),
    ("tags", [f"t{i}" for i in range(21)]),
    ("tags", ["ok", "Not Ok"]),
    ("tags", ["a--b"]),
    ("tags", [""]),
    ("tags", [1]),
    ("tags", ["x" * 41]),
    ("level", "expert"),
    ("level", "Beginner"),
    ("level", ""),
    ("language", "EN"),
    ("language", "english"),
    ("language", "e"),
    ("language", ""),
    ("language", "loy-3l0xifp2"),  # fits the code's shape, not the column: was a 500
    ("price", -1),
    ("price", "-0.01"),
    ("price", 100000.01),
    ("price", "100000.01"),
    ("price", "abc"),
    ("price", 19.999),
    ("price", "19.999"),
    ("price", True),
    ("price", False),
    ("price", float("nan")),
    ("price", float("inf")),
    ("price", "NaN"),
    ("price", "Infinity"),
    ("price", None),
    ("price", [1]),
    ("price", "1e400"),
    ("currency", "usd"),
    ("currency", "XXX"),
    ("currency", "US"),
    ("currency", "USDD"),
    ("currency", 840),
    ("duration_minutes", -1),
    ("duration_minutes", 100001),
    ("duration_minutes", "10"),
    ("duration_minutes", 1.5),
    ("duration_minutes", 10.0),
    ("duration_minutes", True),
    ("duration_minutes", None),
    ("cover_image_url", "javascript:alert(1)"),
    ("cover_image_url", "not a url"),
    ("cover_image_url", "ftp://example.com/cover.png"),
    ("cover_image_url", "data:image/png;base64,AAAA"),
    ("cover_image_url", "https://example.com/" + "a" * 2048),
    ("subtitle", "s" * 301),
    ("description", 42),
    ("description", None),
    ("description", "d" * 50_001),
]


async def test_create_rejects_invalid_fields_and_creates_nothing(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    failures = []
    for name, value in INVALID_COURSE_FIELDS:
        body = {"title": "Valid Title", name: value}
        response = await instructor.client.post(
            COURSES, json=body, headers=instructor.csrf_headers()
        )
        text = await response.text()
        if response.status != 422 or response.content_type != "application/problem+json":
            failures.append((name, value if len(repr(value)) < 60 else "...", response.status))
        elif name not in (await response.json(content_type=None)).get("errors", {}):
            failures.append((name, "error not on the field", text[:200]))
    assert not failures, failures
    missing = await instructor.client.post(
        COURSES, json={"category": "programming"}, headers=instructor.csrf_headers()
    )
    await expect_422(missing, "title")
    not_an_object = await instructor.client.post(
        COURSES, json=["title"], headers=instructor.csrf_headers()
    )
    await expect_problem(not_an_object, 422)
    assert await Course.all().count() == 0
    await create_course(instructor, title="Valid Title")  # control: the base body is valid
    assert await Course.all().count() == 1


async def test_create_accepts_and_normalizes_valid_values(users: Users) -> None:
    instructor = await users.signed_in("instructor")

    as_number = await create_course(instructor, title="Priced As Number", price=19.99)
    assert as_number["price"] == "19.99" and as_number["is_free"] is False
    as_string = await create_course(instructor, title="Priced As String", price="19.99")
    assert as_string["price"] == "19.99"
    free = await create_course(instructor, title="Free Course", price=0)
    assert free["price"] == "0.00" and free["is_free"] is True
    top = await create_course(instructor, title="Top Price", price=100000)
    assert top["price"] == "100000.00" and top["is_free"] is False
    cents = await create_course(instructor, title="One Cent", price="0.01")
    assert cents["price"] == "0.01" and cents["is_free"] is False

    full = await create_course(
        instructor,
        title="   Abc   ",
        subtitle="  A subtitle  ",
        category="data-science",
        tags=["python", "data", "python", " data ", "ml-101"],
        level="advanced",
        language="pt-br",
        currency="EUR",
        duration_minutes=100000,
        cover_image_url="https://cdn.example.com/cover.png",
    )
    assert full["title"] == "Abc"
    assert full["subtitle"] == "A subtitle"
    assert full["tags"] == ["python", "data", "ml-101"]
    assert full["category"] == "data-science" and full["level"] == "advanced"
    assert full["language"] == "pt-br" and full["currency"] == "EUR"
    assert full["duration_minutes"] == 100000
    assert full["cover_image_url"] == "https://cdn.example.com/cover.png"
    assert full["lesson_count"] == 0 and full["enrollment_count"] == 0
    longest = await create_course(instructor, title=" " + "t" * 198 + " ")
    assert longest["title"] == "t" * 198
    # A maximum counts the characters sent (as the OpenAPI document's maxLength does).
    padded = await instructor.client.post(
        COURSES, json={"title": " " + "t" * 200 + " "}, headers=instructor.csrf_headers()
    )
    assert (await expect_problem(padded, 422))["errors"]["title"]
    stored = await get_json(instructor.client, course_url(full["id"]))
    assert stored["tags"] == ["python", "data", "ml-101"] and stored["title"] == "Abc"


async def test_slug_is_derived_unique_and_stable(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    first = await create_course(instructor, title="Hello, World! Python 3.12")
    assert first["slug"] == "hello-world-python-3-12"
    second = await create_course(instructor, title="Hello, World! Python 3.12")
    third = await create_course(instructor, title="hello world python 3 12")
    slugs = {first["slug"], second["slug"], third["slug"]}
    assert len(slugs) == 3, slugs
    accented = await create_course(instructor, title="Café Été Crème")
    assert accented["slug"] == "cafe-ete-creme"
    cyrillic = await create_course(instructor, title="Программирование")
    chinese = await create_course(instructor, title="编程入门课程")
    for course in (cyrillic, chinese):
        assert course["slug"].startswith("course"), course["slug"]
    assert cyrillic["slug"] != chinese["slug"]
    for course in (first, second, third, accented, cyrillic, chinese):
        assert course["slug"].isascii() and course["slug"] == course["slug"].lower()
        assert " " not in course["slug"] and "--" not in course["slug"]

    renamed = await patch_course(instructor, first["id"], title="Something Else Entirely")
    assert renamed["title"] == "Something Else Entirely"
    assert renamed["slug"] == "hello-world-python-3-12"
    again = await get_json(instructor.client, course_url(first["id"]))
    assert again["slug"] == "hello-world-python-3-12"


async def test_parallel_courses_with_one_title_get_distinct_slugs(users: Users) -> None:
    instructor = await users.signed_in("instructor")

    async def post() -> str:
        response = await instructor.client.post(
            COURSES, json={"title": "Racing Titles"}, headers=instructor.csrf_headers()
        )
        assert response.status == 201, await response.text()
        return str((await response.json())["slug"])

    slugs = await asyncio.gather(*(post() for _ in range(6)))
    assert len(set(slugs)) == 6, slugs
    assert "racing-titles" in slugs
    assert all(slug.startswith("racing-titles") for slug in slugs), slugs
    assert await Course.all().count() == 6


# Rich text and plain text -------------------------------------------------------------------

DANGEROUS = (
    "<p>Intro <b>bold</b> <i>it</i></p>"
    "<script>alert('pwned-script')</script>"
    "<p onclick=\"alert('pwned-onclick')\">click</p>"
    "<a href=\"javascript:alert('pwned-href')\">bad link</a>"
    '<a href="https://example.com/ok">good link</a>'
    '<iframe src="https://evil.example/frame">pwned-iframe</iframe>'
    "<style>body { background: url(pwned-style) }</style>"
    "<img src=x onerror=\"alert('pwned-img')\">"
    "<svg onload=alert(1)><circle/></svg>"
    "<ul><li>one</li></ul><ol><li>two</li></ol>"
    "<code>x = 1</code><pre>pre</pre><blockquote>quoted</blockquote>"
)


def assert_sanitized(html: str) -> None:
    lowered = html.lower()
    for bad in (
        "<script",
        "pwned-script",
        "onclick",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "pwned-iframe",
        "<style",
        "pwned-style",
        "<img",
        "<svg",
    ):
        assert bad not in lowered, (bad, html)
    for good in (
        "<p>",
        "<b>bold</b>",
        "<i>it</i>",
        "<ul><li>one</li></ul>",
        "<ol><li>two</li></ol>",
        "<code>x = 1</code>",
        "<pre>pre</pre>",
        "<blockquote>quoted</blockquote>",
        'href="https://example.com/ok"',
        "noopener",
        "good link",
    ):
        assert good in html, (good, html)


async def test_course_description_is_sanitized_on_create_and_update(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    course = await create_course(instructor, description=DANGEROUS)
    assert_sanitized(course["description"])
    assert_sanitized((await get_json(instructor.client, course_url(course["id"])))["description"])

    other = await create_course(instructor, title="Updated Later")
    changed = await patch_course(instructor, other["id"], description=DANGEROUS)
    assert_sanitized(changed["description"])
    assert_sanitized((await get_json(instructor.client, course_url(other["id"])))["description"])


async def test_lesson_body_is_sanitized_on_create_and_update(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    course = await create_course(instructor)
    lesson = await add_lesson(instructor, course["id"], body=DANGEROUS)
    assert_sanitized(lesson["body"])
    stored = await get_json(instructor.client, lesson_url(course["id"], lesson["id"]))
    assert_sanitized(stored["body"])

    plain = await add_lesson(instructor, course["id"], body="<p>fine</p>")
    response = await instructor.client.patch(
        lesson_url(course["id"], plain["id"]),
        json={"body": DANGEROUS},
        headers=instructor.csrf_headers(),
    )
    assert response.status == 200, await response.text()
    assert_sanitized((await response.json())["body"])
    assert_sanitized((await outline(instructor.client, course["id"]))[1]["body"])


async def test_plain_text_fields_are_stored_verbatim(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    title = "<b>x</b> & <script>alert(1)</script>"
    subtitle = "<i>sub</i> <a href='javascript:x'>y</a>"
    course = await create_course(instructor, title=title, subtitle=subtitle)
    assert course["title"] == title and course["subtitle"] == subtitle
    detail = await get_json(instructor.client, course_url(course["id"]))
    assert detail["title"] == title and detail["subtitle"] == subtitle

    lesson = await add_lesson(
        instructor, course["id"], title="<b>Lesson</b>", description="<em>plain</em> & <br>"
    )
    assert lesson["title"] == "<b>Lesson</b>"
    assert lesson["description"] == "<em>plain</em> & <br>"
    listed = (await outline(instructor.client, course["id"]))[0]
    assert listed["title"] == "<b>Lesson</b>" and listed["description"] == "<em>plain</em> & <br>"


# Reading one course -------------------------------------------------------------------------


async def test_published_course_is_public_with_instructor_and_lesson_count(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    student = await users.signed_in("student")
    course = await published_course(instructor, title="Public Course")
    await add_lesson(instructor, course["id"], title="Second")

    for client in (users.client, student.client, instructor.client):
        detail = await get_json(client, course_url(course["id"]))
        assert detail["id"] == course["id"] and detail["status"] == "published"
        assert detail["instructor"] == {
            "id": instructor.id,
            "full_name": instructor.user["full_name"],
        }
        assert detail["lesson_count"] == 2
        assert "password_hash" not in str(detail) and "email" not in detail["instructor"]


async def test_drafts_and_archived_courses_are_hidden_from_all_but_owner_and_admins(
    users: Users,
) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    admin = await users.signed_in("admin")
    draft = await create_course(owner, title="Secret Draft")
    archived = await published_course(owner, title="Old Course")
    shown = await get_json(users.client, course_url(archived["id"]))  # public while published
    assert shown["status"] == "published"
    archive = await owner.client.delete(course_url(archived["id"]), headers=owner.csrf_headers())
    assert archive.status == 204, await archive.text()

    for course, status in ((draft, "draft"), (archived, "archived")):
        url = course_url(course["id"])
        for client in (users.client, student.client, other.client):
            await expect_problem(await client.get(url), 404)
            await expect_problem(await client.get(lessons_url(course["id"])), 404)
        for account in (owner, admin):
            assert (await get_json(account.client, url))["status"] == status
            assert isinstance(await outline(account.client, course["id"]), list)


async def test_unknown_or_malformed_course_ids_are_404(users: Users) -> None:
    instructor = await users.signed_in("instructor")
    course = await create_course(instructor)
    await get_json(instructor.client, course_url(course["id"]))  # control
    for bad in ("99999", "abc", "0", "-1", "99999999999", "2147483648", "1.0", "%201", "\uff11"):
        await expect_problem(await instructor.client.get(course_url(bad)), 404)
        await expect_problem(await users.client.get(course_url(bad)), 404)
        await expect_problem(await instructor.client.get(lessons_url(bad)), 404)


# Changing courses ---------------------------------------------------------------------------


async def test_only_owner_and_admins_may_change_a_course(users: Users) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    admin = await users.signed_in("admin")
    draft = await create_course(owner, title="Owned Draft")
    live = await published_course(owner, title="Owned Live")

    for course in (draft, live):
        url = course_url(course["id"])
        change = {"title": "Hijacked Title"}
        await expect_problem(
            await other.client.patch(url, json=change, headers=other.csrf_headers()), 403
        )
        await expect_problem(
            await student.client.patch(url, json=change, headers=student.csrf_headers()), 403
        )
        await expect_problem(await users.client.patch(url, json=change), 401)
        await expect_problem(await owner.client.patch(url, json=change), 403)  # no CSRF
        await expect_problem(await admin.client.patch(url, json=change), 403)  # no CSRF
        assert (await get_json(owner.client, url))["title"] == course["title"]

        by_owner = await patch_course(owner, course["id"], title="Owner Title")
        assert by_owner["title"] == "Owner Title"
        by_admin = await patch_course(admin, course["id"], title="Admin Title")
        assert by_admin["title"] == "Admin Title"
        assert by_admin["instructor"]["id"] == owner.id  # an admin edit keeps the owner

    await expect_problem(
        await owner.client.patch(
            course_url(99_999_999), json={"title": "Nope"}, headers=owner.csrf_headers()
        ),
        404,
    )


async def test_publishing_needs_a_lesson_and_archiving_leaves_the_catalog(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await create_course(owner, title="Lifecycle Course")
    cid = course["id"]

    refused = await owner.client.patch(
        course_url(cid), json={"status": "published"}, headers=owner.csrf_headers()
    )
    await expect_problem(refused, 409)
    still = await get_json(owner.client, course_url(cid))
    assert still["status"] == "draft" and still["published_at"] is None
    assert cid not in await catalog_ids(users.client)

    await add_lesson(owner, cid)
    published = await patch_course(owner, cid, status="published")
    assert published["status"] == "published" and published["published_at"] is not None
    assert cid in await catalog_ids(users.client)
    assert (await get_json(users.client, course_url(cid)))["status"] == "published"

    archived = await patch_course(owner, cid, status="archived")
    assert archived["status"] == "archived"
    assert cid not in await catalog_ids(users.client)
    await expect_problem(await users.client.get(course_url(cid)), 404)

    back = await patch_course(owner, cid, status="published")
    assert back["status"] == "published"
    assert cid in await catalog_ids(users.client)
    assert (await get_json(users.client, course_url(cid)))["status"] == "published"

    await expect_422(
        await owner.client.patch(
            course_url(cid), json={"status": "deleted"}, headers=owner.csrf_headers()
        ),
        "status",
    )


async def test_public_detail_follows_every_change(users: Users) -> None:
    """The published detail is cached; every change must show at once to anonymous readers."""
    owner = await users.signed_in("instructor")
    course = await published_course(owner, title="Cached Course")
    cid = course["id"]
    anonymous = users.client
    assert (await get_json(anonymous, course_url(cid)))["title"] == "Cached Course"

    await patch_course(owner, cid, title="Renamed Course", price="5.00")
    seen = await get_json(anonymous, course_url(cid))
    assert seen["title"] == "Renamed Course" and seen["price"] == "5.00"
    await add_lesson(owner, cid)
    assert (await get_json(anonymous, course_url(cid)))["lesson_count"] == 2

    await patch_course(owner, cid, status="draft")
    await expect_problem(await anonymous.get(course_url(cid)), 404)
    assert (await get_json(owner.client, course_url(cid)))["status"] == "draft"
    await patch_course(owner, cid, status="published")
    assert (await get_json(anonymous, course_url(cid)))["status"] == "published"


async def test_patch_refuses_unknown_and_server_fields(users: Users) -> None:
    owner = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    other = await users.signed_in("instructor")
    course = await create_course(owner, title="Guarded Course")
    url = course_url(course["id"])
    forbidden: dict[str, Any] = {
        "lesson_count": 10,
        "enrollment_count": 10,
        "instructor_id": other.id,
        "instructor": {"id": other.id},
        "slug": "new-slug",
        "published_at": "2020-01-01T00:00:00Z",
        "id": 1,
        "price_cents": 5,
        "is_free": False,
        "unknown": 1,
    }
    for account in (owner, admin):
        for name, value in forbidden.items():
            response = await account.client.patch(
                url, json={"title": "Changed Title", name: value}, headers=account.csrf_headers()
            )
            await expect_422(response, name)
    for name, value in (("title", "ab"), ("price", -1), ("tags", "x"), ("level", "pro")):
        await expect_422(
            await owner.client.patch(url, json={name: value}, headers=owner.csrf_headers()), name
        )
    after = await get_json(owner.client, url)
    assert after["title"] == "Guarded Course" and after["slug"] == course["slug"]
    assert after["lesson_count"] == 0 and after["instructor"]["id"] == owner.id
    assert after["price"] == course["price"] and after["tags"] == course["tags"]


async def test_repeating_a_patch_gives_the_same_answer(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await create_course(owner)
    await add_lesson(owner, course["id"])
    change = {"title": "Stable Title", "tags": ["a", "b"], "price": "9.50", "status": "published"}
    first = await patch_course(owner, course["id"], **change)
    second = await patch_course(owner, course["id"], **change)
    for body in (first, second):
        body.pop("updated_at")
    assert first == second
    assert first["published_at"] is not None and first["tags"] == ["a", "b"]
    assert first["price"] == "9.50"


async def test_delete_archives_the_course_and_is_repeatable(users: Users) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    course = await published_course(owner, title="To Be Archived")
    url = course_url(course["id"])
    assert course["id"] in await catalog_ids(users.client)

    await expect_problem(await other.client.delete(url, headers=other.csrf_headers()), 403)
    await expect_problem(await student.client.delete(url, headers=student.csrf_headers()), 403)
    await expect_problem(await users.client.delete(url), 401)
    await expect_problem(await owner.client.delete(url), 403)  # no CSRF
    assert (await get_json(users.client, url))["status"] == "published"

    for _ in range(2):
        response = await owner.client.delete(url, headers=owner.csrf_headers())
        assert response.status == 204, await response.text()
    assert course["id"] not in await catalog_ids(users.client)
    await expect_problem(await users.client.get(url), 404)
    assert (await get_json(owner.client, url))["status"] == "archived"
    assert await Lesson.filter(course_id=course["id"]).count() == 1  # archived, not deleted
    await expect_problem(
        await owner.client.delete(course_url(99_999_999), headers=owner.csrf_headers()), 404
    )


async def test_a_demoted_owner_loses_write_rights(users: Users) -> None:
    owner = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    course = await published_course(owner, title="Soon Orphaned")
    cid = course["id"]
    lesson = (await outline(owner.client, cid))[0]
    paid = await add_lesson(owner, cid, title="Paid", body="<p>members only</p>")
    await patch_course(owner, cid, subtitle="Still mine")  # control
    assert (await get_json(owner.client, lesson_url(cid, paid["id"])))["locked"] is False

    demote = await admin.client.patch(
        f"/api/v1/users/{owner.id}", json={"role": "student"}, headers=admin.csrf_headers()
    )
    assert demote.status == 200, await demote.text()

    h = owner.csrf_headers()
    c = owner.client
    order = {"lesson_ids": [lesson["id"]]}
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", course_url(cid), {"subtitle": "Mine?"}),
        ("POST", lessons_url(cid), {"title": "More"}),
        ("PATCH", lesson_url(cid, lesson["id"]), {"title": "X"}),
        ("PUT", f"{lessons_url(cid)}/order", order),
        ("DELETE", lesson_url(cid, lesson["id"]), None),
        ("DELETE", course_url(cid), None),
        ("POST", COURSES, {"title": "New Course"}),
    ]
    for method, url, body in attempts:
        await expect_problem(await c.request(method, url, json=body, headers=h), 403)
    detail = await get_json(admin.client, course_url(cid))
    assert detail["subtitle"] == "Still mine" and detail["status"] == "published"
    assert detail["lesson_count"] == 2
    assert await Course.filter(instructor_id=owner.id).count() == 1
    # Now a student, they read what students read: the paid lesson is closed to them.
    await expect_problem(await owner.client.get(lesson_url(cid, paid["id"])), 403)


# Lessons: adding ----------------------------------------------------------------------------


async def test_new_lessons_append_or_insert_and_the_count_follows(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await create_course(owner)
    cid = course["id"]
    first = await add_lesson(owner, cid, title="First")
    assert first["position"] == 1
    second = await add_lesson(owner, cid, title="Second")
    assert second["position"] == 2
    front = await add_lesson(owner, cid, title="Front", position=1)
    assert front["position"] == 1
    far = await add_lesson(owner, cid, title="Far", position=10_000)
    assert far["position"] == 4
    middle = await add_lesson(owner, cid, title="Middle", position=3)
    assert middle["position"] == 3

    lessons = await outline(owner.client, cid)
    assert [lesson["title"] for lesson in lessons] == ["Front", "First", "Middle", "Second", "Far"]
    assert [lesson["position"] for lesson in lessons] == [1, 2, 3, 4, 5]
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 5


async def test_only_owner_and_admins_may_add_lessons(users: Users) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    admin = await users.signed_in("admin")
    draft = await create_course(owner, title="Draft With Lessons")
    live = await published_course(owner, title="Live With Lessons")

    for course in (draft, live):
        url = lessons_url(course["id"])
        body = {"title": "Intruder"}
        await expect_problem(
            await other.client.post(url, json=body, headers=other.csrf_headers()), 403
        )
        await expect_problem(
            await student.client.post(url, json=body, headers=student.csrf_headers()), 403
        )
        await expect_problem(await users.client.post(url, json=body), 401)
        await expect_problem(await owner.client.post(url, json=body), 403)  # no CSRF
        assert all(x["title"] != "Intruder" for x in await outline(owner.client, course["id"]))
        by_admin = await add_lesson(admin, course["id"], title="From Admin")
        assert by_admin["course_id"] == course["id"]

    await expect_problem(
        await owner.client.post(
            lessons_url(99_999_999), json={"title": "Nowhere"}, headers=owner.csrf_headers()
        ),
        404,
    )
    await expect_problem(
        await owner.client.post(
            lessons_url("abc"), json={"title": "Nowhere"}, headers=owner.csrf_headers()
        ),
        404,
    )


INVALID_LESSON_FIELDS: list[tuple[str, Any]] = [
    ("title", ""),
    ("title", "   "),
    ("title", None),
    ("title", "x" * 201),
    ("title", 7),
    ("content_type", "audio"),
    ("content_type", "TEXT"),
    ("video_url", "http://example.com/video.mp4"),
    ("video_url", "javascript:alert(1)"),
    ("video_url", "not a url"),
    ("is_preview", "yes"),
    ("is_preview", 1),
    ("is_preview", "true"),
    ("is_preview", None),
    ("position", 0),
    ("position", -1),
    ("position", "1"),
    ("position", 1.5),
    ("position", True),
    ("position", 10_001),
    ("duration_minutes", -1),
    ("duration_minutes", 100_001),
    ("duration_minutes", "5"),
    ("asset_id", "7"),
    ("asset_id", 0),
    ("body", 5),
    ("description", "d" * 5001),
    ("unknown", 1),
    ("id", 5),
    ("course_id", 5),
    ("locked", False),
    ("created_at", "2020-01-01T00:00:00Z"),
]


async def test_lesson_input_is_validated(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await create_course(owner)
    cid = course["id"]
    failures = []
    for name, value in INVALID_LESSON_FIELDS:
        response = await owner.client.post(
            lessons_url(cid), json={"title": "Valid", name: value}, headers=owner.csrf_headers()
        )
        text = await response.text()
        if response.status != 422 or response.content_type != "application/problem+json":
            failures.append((name, value if len(repr(value)) < 60 else "...", response.status))
        elif name not in (await response.json(content_type=None)).get("errors", {}):
            failures.append((name, "error not on the field", text[:200]))
    assert not failures, failures
    await expect_422(
        await owner.client.post(lessons_url(cid), json={}, headers=owner.csrf_headers()), "title"
    )
    assert await outline(owner.client, cid) == []
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 0

    # An asset id that is no upload of the instructor's: 422 on the field, nothing created.
    await expect_422(
        await owner.client.post(
            lessons_url(cid), json={"title": "Upload", "asset_id": 7}, headers=owner.csrf_headers()
        ),
        "asset_id",
    )
    assert await outline(owner.client, cid) == []

    none_asset = await add_lesson(owner, cid, title="No Asset", asset_id=None)
    assert none_asset["asset_id"] is None
    video = await add_lesson(
        owner,
        cid,
        title="Video",
        content_type="video",
        video_url="https://videos.example.com/v.mp4",
        is_preview=False,
        duration_minutes=12,
    )
    assert video["video_url"] == "https://videos.example.com/v.mp4"
    assert video["content_type"] == "video" and video["duration_minutes"] == 12
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 2

    patch = await owner.client.patch(
        lesson_url(cid, video["id"]), json={"asset_id": 3}, headers=owner.csrf_headers()
    )
    await expect_422(patch, "asset_id")
    for name, value in (("title", ""), ("video_url", "http://x.example/v"), ("position", 0)):
        await expect_422(
            await owner.client.patch(
                lesson_url(cid, video["id"]), json={name: value}, headers=owner.csrf_headers()
            ),
            name,
        )
    unchanged = await get_json(owner.client, lesson_url(cid, video["id"]))
    assert unchanged["title"] == "Video" and unchanged["asset_id"] is None
    assert unchanged["video_url"] == "https://videos.example.com/v.mp4"


# Lessons: reading ---------------------------------------------------------------------------


async def test_outline_locks_non_preview_content_for_visitors(users: Users) -> None:
    owner = await users.signed_in("instructor")
    student = await users.signed_in("student")
    other = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    course = await create_course(owner)
    cid = course["id"]
    await add_lesson(owner, cid, title="Preview", body="<p>free</p>", is_preview=True)
    await add_lesson(
        owner,
        cid,
        title="Paid",
        body="<p>secret body</p>",
        content_type="video",
        video_url="https://videos.example.com/secret.mp4",
    )
    await expect_problem(await users.client.get(lessons_url(cid)), 404)  # still a draft
    await expect_problem(await student.client.get(lessons_url(cid)), 404)
    first = (await outline(owner.client, cid))[0]
    await expect_problem(await users.client.get(lesson_url(cid, first["id"])), 404)
    await patch_course(owner, cid, status="published")
    assert (await get_json(users.client, lesson_url(cid, first["id"])))["title"] == "Preview"

    for client in (users.client, student.client, other.client):
        preview, paid = await outline(client, cid)
        assert preview["locked"] is False and preview["body"] == "<p>free</p>"
        assert paid["locked"] is True
        assert paid["body"] is None and paid["video_url"] is None and paid["asset_id"] is None
        assert paid["title"] == "Paid" and paid["position"] == 2
        raw = await (await client.get(lessons_url(cid))).text()
        assert "secret" not in raw, raw
    for account in (owner, admin):
        preview, paid = await outline(account.client, cid)
        assert preview["locked"] is False and paid["locked"] is False
        assert paid["body"] == "<p>secret body</p>"
        assert paid["video_url"] == "https://videos.example.com/secret.mp4"


async def test_single_lesson_access(users: Users) -> None:
    owner = await users.signed_in("instructor")
    student = await users.signed_in("student")
    admin = await users.signed_in("admin")
    course = await create_course(owner, title="Course One")
    cid = course["id"]
    preview = await add_lesson(owner, cid, title="Preview", body="<p>open</p>", is_preview=True)
    paid = await add_lesson(owner, cid, title="Paid", body="<p>closed</p>")
    elsewhere = await create_course(owner, title="Course Two")
    foreign = await add_lesson(owner, elsewhere["id"], title="Foreign", is_preview=True)
    await patch_course(owner, cid, status="published")
    await patch_course(owner, elsewhere["id"], status="published")

    for client in (users.client, student.client):
        seen = await get_json(client, lesson_url(cid, preview["id"]))
        assert seen["body"] == "<p>open</p>" and seen["locked"] is False
        denied = await expect_problem(await client.get(lesson_url(cid, paid["id"])), 403)
        assert "closed" not in str(denied)
    for account in (owner, admin):
        full = await get_json(account.client, lesson_url(cid, paid["id"]))
        assert full["body"] == "<p>closed</p>" and full["locked"] is False

    # A lesson through another course's URL, an unknown lesson, a malformed id: 404.
    for client in (users.client, owner.client, admin.client):
        await expect_problem(await client.get(lesson_url(cid, foreign["id"])), 404)
        await expect_problem(await client.get(lesson_url(cid, 99_999_999)), 404)
        await expect_problem(await client.get(lesson_url(cid, "abc")), 404)
        await expect_problem(await client.get(lesson_url(99_999_999, preview["id"])), 404)
    assert (await get_json(users.client, lesson_url(elsewhere["id"], foreign["id"])))["id"] == (
        foreign["id"]
    )

    # Once the course is archived, even its preview is gone for visitors.
    await owner.client.delete(course_url(cid), headers=owner.csrf_headers())
    await expect_problem(await users.client.get(lesson_url(cid, preview["id"])), 404)
    assert (await get_json(owner.client, lesson_url(cid, paid["id"])))["id"] == paid["id"]


# Lessons: changing, deleting, reordering ----------------------------------------------------


async def test_changing_a_lesson_and_moving_it(users: Users) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    admin = await users.signed_in("admin")
    course = await create_course(owner)
    cid = course["id"]
    ids = [(await add_lesson(owner, cid, title=f"L{n}"))["id"] for n in range(1, 5)]
    h = owner.csrf_headers()

    changed = await owner.client.patch(
        lesson_url(cid, ids[0]),
        json={"title": "Renamed", "is_preview": True, "duration_minutes": 7},
        headers=h,
    )
    assert changed.status == 200, await changed.text()
    body = await changed.json()
    assert body["title"] == "Renamed" and body["is_preview"] is True
    assert body["duration_minutes"] == 7 and body["position"] == 1

    moved = await owner.client.patch(lesson_url(cid, ids[0]), json={"position": 3}, headers=h)
    assert moved.status == 200, await moved.text()
    assert (await moved.json())["position"] == 3
    assert await outline_ids(owner.client, cid) == [ids[1], ids[2], ids[0], ids[3]]

    to_end = await owner.client.patch(lesson_url(cid, ids[1]), json={"position": 999}, headers=h)
    assert (await to_end.json())["position"] == 4
    assert await outline_ids(owner.client, cid) == [ids[2], ids[0], ids[3], ids[1]]

    to_front = await admin.client.patch(
        lesson_url(cid, ids[1]), json={"position": 1}, headers=admin.csrf_headers()
    )
    assert to_front.status == 200, await to_front.text()
    assert await outline_ids(owner.client, cid) == [ids[1], ids[2], ids[0], ids[3]]
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 4

    for account in (other, student):
        await expect_problem(
            await account.client.patch(
                lesson_url(cid, ids[0]),
                json={"title": "Hacked", "position": 1},
                headers=account.csrf_headers(),
            ),
            403,
        )
    await expect_problem(
        await users.client.patch(lesson_url(cid, ids[0]), json={"title": "Hacked"}), 401
    )
    await expect_problem(
        await owner.client.patch(lesson_url(cid, ids[0]), json={"title": "No CSRF"}), 403
    )
    # The owner's own lesson through someone else's course: refused, nothing changes.
    others = await create_course(other, title="Other Course")
    await expect_problem(
        await other.client.patch(
            lesson_url(others["id"], ids[0]), json={"title": "Hacked"}, headers=other.csrf_headers()
        ),
        404,
    )
    await expect_problem(
        await owner.client.patch(lesson_url(cid, 99_999_999), json={"title": "X"}, headers=h), 404
    )
    for name, value in (("course_id", others["id"]), ("id", 1), ("locked", False)):
        await expect_422(
            await owner.client.patch(lesson_url(cid, ids[0]), json={name: value}, headers=h), name
        )
    lessons = await outline(owner.client, cid)
    assert [x["title"] for x in lessons] == ["L2", "L3", "Renamed", "L4"]
    assert await outline(other.client, others["id"]) == []


async def test_deleting_lessons_renumbers_and_keeps_one_in_published_courses(
    users: Users,
) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    course = await create_course(owner)
    cid = course["id"]
    ids = [(await add_lesson(owner, cid, title=f"L{n}"))["id"] for n in range(1, 4)]
    h = owner.csrf_headers()

    for account in (other, student):
        await expect_problem(
            await account.client.delete(lesson_url(cid, ids[1]), headers=account.csrf_headers()),
            403,
        )
    await expect_problem(await users.client.delete(lesson_url(cid, ids[1])), 401)
    await expect_problem(await owner.client.delete(lesson_url(cid, ids[1])), 403)  # no CSRF
    assert await outline_ids(owner.client, cid) == ids

    gone = await owner.client.delete(lesson_url(cid, ids[1]), headers=h)
    assert gone.status == 204, await gone.text()
    assert await outline_ids(owner.client, cid) == [ids[0], ids[2]]  # positions 1, 2
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 2
    await expect_problem(await owner.client.delete(lesson_url(cid, ids[1]), headers=h), 404)

    await patch_course(owner, cid, status="published")
    first = await owner.client.delete(lesson_url(cid, ids[0]), headers=h)
    assert first.status == 204, await first.text()
    last = await owner.client.delete(lesson_url(cid, ids[2]), headers=h)
    await expect_problem(last, 409)
    assert await outline_ids(owner.client, cid) == [ids[2]]
    detail = await get_json(users.client, course_url(cid))
    assert detail["lesson_count"] == 1 and detail["status"] == "published"

    draft = await create_course(owner, title="Draft To Empty")
    only = await add_lesson(owner, draft["id"])
    emptied = await owner.client.delete(lesson_url(draft["id"], only["id"]), headers=h)
    assert emptied.status == 204, await emptied.text()
    assert await outline(owner.client, draft["id"]) == []
    assert (await get_json(owner.client, course_url(draft["id"])))["lesson_count"] == 0


async def test_reordering_needs_every_lesson_exactly_once(users: Users) -> None:
    owner = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    student = await users.signed_in("student")
    admin = await users.signed_in("admin")
    course = await create_course(owner)
    cid = course["id"]
    a, b, c = [(await add_lesson(owner, cid, title=t))["id"] for t in ("A", "B", "C")]
    stranger = await create_course(other, title="Stranger Course")
    foreign = (await add_lesson(other, stranger["id"]))["id"]
    url = f"{lessons_url(cid)}/order"
    h = owner.csrf_headers()

    bad_bodies: list[Any] = [
        {"lesson_ids": [c, a]},
        {"lesson_ids": [c, a, b, foreign]},
        {"lesson_ids": [c, a, foreign]},
        {"lesson_ids": [c, a, b, b]},
        {"lesson_ids": [c, a, a]},
        {"lesson_ids": []},
        {"lesson_ids": str(a)},
        {"lesson_ids": {"0": a}},
        {"lesson_ids": [str(c), str(a), str(b)]},
        {"lesson_ids": [c, a, b, 2**31]},
        {"lesson_ids": None},
        {"lesson_ids": [c, a, b], "extra": 1},
        {},
    ]
    for body in bad_bodies:
        response = await owner.client.put(url, json=body, headers=h)
        assert response.status == 422, (body, response.status, await response.text())
        await expect_problem(response, 422)
        assert await outline_ids(owner.client, cid) == [a, b, c], body

    for account in (other, student):
        await expect_problem(
            await account.client.put(
                url, json={"lesson_ids": [c, a, b]}, headers=account.csrf_headers()
            ),
            403,
        )
    await expect_problem(await users.client.put(url, json={"lesson_ids": [c, a, b]}), 401)
    await expect_problem(await owner.client.put(url, json={"lesson_ids": [c, a, b]}), 403)
    assert await outline_ids(owner.client, cid) == [a, b, c]
    assert await outline_ids(other.client, stranger["id"]) == [foreign]

    done = await owner.client.put(url, json={"lesson_ids": [c, a, b]}, headers=h)
    assert done.status == 200, await done.text()
    answer = await done.json()
    assert [x["id"] for x in answer] == [c, a, b]
    assert [x["position"] for x in answer] == [1, 2, 3]
    assert await outline_ids(owner.client, cid) == [c, a, b]
    by_admin = await admin.client.put(
        url, json={"lesson_ids": [b, c, a]}, headers=admin.csrf_headers()
    )
    assert by_admin.status == 200, await by_admin.text()
    assert await outline_ids(owner.client, cid) == [b, c, a]


async def test_parallel_lesson_creation_keeps_positions_dense(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await create_course(owner)
    cid = course["id"]

    async def post(n: int) -> int:
        response = await owner.client.post(
            lessons_url(cid), json={"title": f"Parallel {n}"}, headers=owner.csrf_headers()
        )
        assert response.status == 201, await response.text()
        return int((await response.json())["id"])

    created = await asyncio.gather(*(post(n) for n in range(10)))
    assert len(set(created)) == 10
    lessons = await outline(owner.client, cid)
    assert sorted(x["position"] for x in lessons) == list(range(1, 11))
    assert sorted(x["id"] for x in lessons) == sorted(created)
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 10


async def test_parallel_inserts_at_the_front_keep_positions_dense(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await create_course(owner)
    cid = course["id"]
    await add_lesson(owner, cid, title="Original")

    async def post(n: int) -> None:
        response = await owner.client.post(
            lessons_url(cid),
            json={"title": f"Front {n}", "position": 1},
            headers=owner.csrf_headers(),
        )
        assert response.status == 201, await response.text()

    await asyncio.gather(*(post(n) for n in range(8)))
    lessons = await outline(owner.client, cid)
    assert [x["position"] for x in lessons] == list(range(1, 10))
    assert lessons[-1]["title"] == "Original"
    assert (await get_json(owner.client, course_url(cid)))["lesson_count"] == 9


async def test_publishing_while_the_only_lesson_is_deleted_never_publishes_an_empty_course(
    users: Users,
) -> None:
    owner = await users.signed_in("instructor")
    h = owner.csrf_headers()
    for _ in range(5):
        course = await create_course(owner)
        cid = course["id"]
        lesson = await add_lesson(owner, cid)
        publish, delete = await asyncio.gather(
            owner.client.patch(course_url(cid), json={"status": "published"}, headers=h),
            owner.client.delete(lesson_url(cid, lesson["id"]), headers=h),
        )
        outcome = (publish.status, delete.status)
        assert outcome in {(200, 409), (409, 204)}, outcome
        detail = await get_json(owner.client, course_url(cid))
        lessons = await outline(owner.client, cid)
        assert detail["lesson_count"] == len(lessons)
        if detail["status"] == "published":
            assert lessons, detail


async def test_parallel_deletes_cannot_empty_a_published_course(users: Users) -> None:
    owner = await users.signed_in("instructor")
    course = await published_course(owner)
    cid = course["id"]
    ids = [x["id"] for x in await outline(owner.client, cid)]
    ids.append((await add_lesson(owner, cid))["id"])
    ids.append((await add_lesson(owner, cid))["id"])
    h = owner.csrf_headers()

    responses = await asyncio.gather(
        *(owner.client.delete(lesson_url(cid, lesson_id), headers=h) for lesson_id in ids)
    )
    statuses = sorted(response.status for response in responses)
    assert statuses == [204, 204, 409], statuses
    remaining = await outline(owner.client, cid)
    assert len(remaining) == 1 and remaining[0]["position"] == 1
    detail = await get_json(users.client, course_url(cid))
    assert detail["status"] == "published" and detail["lesson_count"] == 1


async def test_price_text_must_be_plain_digits(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    for bad in ("1_000", "١٩.٩٩", " 5", "+5", "1e2", "5.", ".5", "Infinity"):
        response = await teacher.client.post(
            COURSES, json={"title": "Priced", "price": bad}, headers=teacher.csrf_headers()
        )
        await expect_422(response, "price")
    assert await Course.all().count() == 0


async def test_rights_are_checked_before_the_asset_id(users: Users) -> None:
    owner = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    course = await create_course(owner)
    lesson = await add_lesson(owner, course["id"])
    created = await rival.client.post(
        lessons_url(course["id"]),
        json={"title": "x", "asset_id": 5},
        headers=rival.csrf_headers(),
    )
    await expect_problem(created, 403)
    changed = await rival.client.patch(
        lesson_url(course["id"], lesson["id"]), json={"asset_id": 5}, headers=rival.csrf_headers()
    )
    await expect_problem(changed, 403)
    unknown = await owner.client.post(
        lessons_url(999999), json={"title": "x", "asset_id": 5}, headers=owner.csrf_headers()
    )
    await expect_problem(unknown, 404)
