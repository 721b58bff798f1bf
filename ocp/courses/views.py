"""HTTP handlers for the catalog: parse, call ``courses.service``, serialize."""

from __future__ import annotations

import json

import orjson
from aiohttp import web

from ocp.appkeys import CALLER, CATALOG_CACHE, EVENTS
from ocp.courses import listing
from ocp.courses import service as course_service
from ocp.courses.queries import catalog_query
from ocp.courses.schemas import (
    AdminCourseCreateSchema,
    CatalogQuerySchema,
    CategorySchema,
    CourseCreateSchema,
    CourseSchema,
    CourseSummarySchema,
    CourseUpdateSchema,
    LessonCreateSchema,
    LessonFieldsSchema,
    LessonOrderSchema,
    LessonOutlineSchema,
    LessonSchema,
)
from ocp.learning import service as learning_service
from ocp.users.models import User
from ocp.web.auth import caller_of
from ocp.web.endpoint import PUBLIC, Endpoint, only
from ocp.web.pagination import links, offset, page_body
from ocp.web.parsing import path_id, read_body
from ocp.web.responses import dumped, no_content

CATALOG, LESSONS = "Catalog", "Lessons"
EDITORS = only("instructor", "admin")

# Schemas are built once: building one per request costs more than a cached answer.
ADMIN_COURSE_CREATE = AdminCourseCreateSchema()
CATEGORY_LIST = CategorySchema(many=True)
COURSE_CREATE = CourseCreateSchema()
COURSE = CourseSchema()
COURSE_UPDATE = CourseUpdateSchema()
LESSON_CREATE = LessonCreateSchema()
LESSON_FIELDS = LessonFieldsSchema()
LESSON_ORDER = LessonOrderSchema()
LESSON_OUTLINE_LIST = LessonOutlineSchema(many=True)
LESSON = LessonSchema()


def _viewer(request: web.Request) -> User | None:
    caller = request.get(CALLER)
    return caller.user if caller is not None else None


def _json(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json")


async def list_courses(request: web.Request) -> web.Response:
    query = catalog_query(request)
    page, per_page, filters, filters_key = query.page, query.per_page, query.filters, query.key
    cache = request.app[CATALOG_CACHE]

    async def count() -> int:
        return await course_service.count_catalog(filters=filters)

    async def compute() -> tuple[bytes, str]:
        items = await listing.page(filters, offset=offset(page, per_page), limit=per_page)
        total = await cache.get_or_compute("count:" + filters_key, count)
        body = page_body(items=items, page=page, per_page=per_page, total=total)
        return body, links(request, page=page, per_page=per_page, total=total)

    key = f"list:{page}:{per_page}:{filters_key}"
    body, link = await cache.get_or_compute(key, compute)
    return web.Response(body=body, content_type="application/json", headers={"Link": link})


async def get_course(request: web.Request) -> web.Response:
    course_id = path_id(request)

    async def published() -> bytes | None:
        course = await listing.published(course_id)
        return None if course is None else orjson.dumps(course)

    cache = request.app[CATALOG_CACHE]
    body = await cache.get_or_compute(f"course:{course_id}", published, course_id=course_id)
    if body is not None:
        return _json(body)
    course = await course_service.get_visible(course_id=course_id, actor=_viewer(request))
    return dumped(COURSE, course)


async def create_course(request: web.Request) -> web.Response:
    caller = caller_of(request)
    schema = ADMIN_COURSE_CREATE if caller.is_admin else COURSE_CREATE
    values = await read_body(request, schema)
    course = await course_service.create(
        actor=caller.user, values=values, events=request.app[EVENTS]
    )
    return dumped(COURSE, course, status=201)


async def update_course(request: web.Request) -> web.Response:
    changes = await read_body(request, COURSE_UPDATE)
    course = await course_service.update(
        course_id=path_id(request),
        actor=caller_of(request).user,
        changes=changes,
        events=request.app[EVENTS],
    )
    return dumped(COURSE, course)


async def archive_course(request: web.Request) -> web.Response:
    await course_service.archive(
        course_id=path_id(request),
        actor=caller_of(request).user,
        events=request.app[EVENTS],
    )
    return no_content()


async def list_categories(request: web.Request) -> web.Response:
    async def compute() -> bytes:
        return json.dumps(CATEGORY_LIST.dump(await course_service.categories())).encode()

    return _json(await request.app[CATALOG_CACHE].get_or_compute("categories", compute))


async def list_lessons(request: web.Request) -> web.Response:
    lessons = await course_service.outline(course_id=path_id(request), actor=_viewer(request))
    return dumped(LESSON_OUTLINE_LIST, lessons)


async def get_lesson(request: web.Request) -> web.Response:
    viewer = _viewer(request)
    lesson = await course_service.get_lesson(
        course_id=path_id(request), lesson_id=path_id(request, "lesson_id"), actor=viewer
    )
    lesson["progress"] = None
    if viewer is not None:
        lesson["progress"] = await learning_service.lesson_progress(
            user=viewer, lesson_id=lesson["id"], course_id=lesson["course_id"]
        )
    return dumped(LESSON, lesson)


async def create_lesson(request: web.Request) -> web.Response:
    values = await read_body(request, LESSON_CREATE)
    lesson = await course_service.create_lesson(
        course_id=path_id(request),
        actor=caller_of(request).user,
        values=values,
        events=request.app[EVENTS],
    )
    return dumped(LESSON, lesson, status=201)


async def update_lesson(request: web.Request) -> web.Response:
    changes = await read_body(request, LESSON_FIELDS)
    lesson = await course_service.update_lesson(
        course_id=path_id(request),
        lesson_id=path_id(request, "lesson_id"),
        actor=caller_of(request).user,
        changes=changes,
        events=request.app[EVENTS],
    )
    return dumped(LESSON, lesson)


async def delete_lesson(request: web.Request) -> web.Response:
    course_id = path_id(request)
    await course_service.delete_lesson(
        course_id=course_id,
        lesson_id=path_id(request, "lesson_id"),
        actor=caller_of(request).user,
        events=request.app[EVENTS],
    )
    return no_content()


async def reorder_lessons(request: web.Request) -> web.Response:
    data = await read_body(request, LESSON_ORDER)
    lessons = await course_service.reorder_lessons(
        course_id=path_id(request),
        actor=caller_of(request).user,
        lesson_ids=data["lesson_ids"],
        events=request.app[EVENTS],
    )
    return dumped(LESSON_OUTLINE_LIST, lessons)


COURSE_PATH = "/api/v1/courses/{id}"
# Digits only, so that `.../lessons/order` is never taken for a lesson (nor listed in its Allow).
LESSON_PATH = COURSE_PATH + r"/lessons/{lesson_id:\d+}"
WRITE_ERRORS = (403, 404)
COURSE_422 = (
    "Validation failed; also when `cover_id` names no ready image upload of the course's "
    "instructor, or `instructor_id` no active instructor."
)
LESSON_422 = (
    "Validation failed; also when `asset_id` names no ready upload of the course's instructor."
)

routes = [
    Endpoint(
        "GET",
        "/api/v1/courses",
        list_courses,
        PUBLIC,
        "Search the catalog",
        CATALOG,
        query=CatalogQuerySchema,
        response=CourseSummarySchema,
        paginated=True,
        description=(
            "Published courses only. `q` searches title, subtitle, description, category, tags "
            "and the instructor's name (PostgreSQL: full text with web-search syntax such as "
            '`python -django "data science"`, the last word also as a prefix; embedded: every '
            "word as a substring). Prices are decimal strings; `price_min`/`price_max` take "
            "decimals; a range whose minimum exceeds its maximum matches nothing. Answers are "
            "cached per process and dropped on every catalog change; enrollment counts (and "
            "the `popular` order) may lag by up to `OCP_CATALOG_CACHE_MAX_AGE` seconds (30 by "
            "default)."
        ),
    ),
    Endpoint(
        "POST",
        "/api/v1/courses",
        create_course,
        EDITORS,
        "Create a draft course",
        CATALOG,
        body=AdminCourseCreateSchema,
        status=201,
        response=CourseSchema,
        errors=(409,),
        error_notes={422: COURSE_422},
        description=(
            "The caller owns the draft; admins may pass `instructor_id` (instructors may not). "
            "The slug derives from the title once and stays."
        ),
    ),
    Endpoint(
        "GET",
        COURSE_PATH,
        get_course,
        PUBLIC,
        "One course",
        CATALOG,
        response=CourseSchema,
        errors=(404,),
        description=(
            "Drafts and archived courses are 404 to everyone but their instructor and admins."
        ),
    ),
    Endpoint(
        "PATCH",
        COURSE_PATH,
        update_course,
        EDITORS,
        "Change a course",
        CATALOG,
        body=CourseUpdateSchema,
        response=CourseSchema,
        errors=(*WRITE_ERRORS, 409),
        error_notes={422: COURSE_422},
        description=(
            'Owner or admin; another instructor gets 403. `"status": "published"` needs at '
            "least one lesson (409)."
        ),
    ),
    Endpoint(
        "DELETE",
        COURSE_PATH,
        archive_course,
        EDITORS,
        "Archive a course",
        CATALOG,
        status=204,
        errors=WRITE_ERRORS,
        description=(
            "Out of the catalog and closed to new enrollments; enrolled students keep access."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/categories",
        list_categories,
        PUBLIC,
        "Categories with counts",
        CATALOG,
        response=CategorySchema,
        response_many=True,
    ),
    Endpoint(
        "GET",
        COURSE_PATH + "/lessons",
        list_lessons,
        PUBLIC,
        "A course's outline",
        LESSONS,
        response=LessonOutlineSchema,
        response_many=True,
        errors=(404,),
        description="`body`, `video_url` and `asset_id` are null where `locked` is true.",
    ),
    Endpoint(
        "POST",
        COURSE_PATH + "/lessons",
        create_lesson,
        EDITORS,
        "Add a lesson",
        LESSONS,
        body=LessonCreateSchema,
        status=201,
        response=LessonSchema,
        errors=WRITE_ERRORS,
        error_notes={422: LESSON_422},
        description=(
            "Appended when `position` is left out. `asset_id` attaches a ready upload of the "
            "course's instructor (`POST /api/v1/uploads`); readers get it as `asset`."
        ),
    ),
    Endpoint(
        "PUT",
        COURSE_PATH + "/lessons/order",
        reorder_lessons,
        EDITORS,
        "Reorder lessons",
        LESSONS,
        body=LessonOrderSchema,
        response=LessonOutlineSchema,
        response_many=True,
        errors=WRITE_ERRORS,
        error_notes={
            422: "Validation failed; also when the list is not every lesson of the course."
        },
    ),
    Endpoint(
        "GET",
        LESSON_PATH,
        get_lesson,
        PUBLIC,
        "One lesson in full",
        LESSONS,
        response=LessonSchema,
        errors=(403, 404),
        description="For preview lessons, the course's instructor and admins; others get 403.",
    ),
    Endpoint(
        "PATCH",
        LESSON_PATH,
        update_lesson,
        EDITORS,
        "Change a lesson",
        LESSONS,
        body=LessonFieldsSchema,
        response=LessonSchema,
        errors=WRITE_ERRORS,
        error_notes={422: LESSON_422},
        description="`asset_id`: a ready upload of the course's instructor; null detaches.",
    ),
    Endpoint(
        "DELETE",
        LESSON_PATH,
        delete_lesson,
        EDITORS,
        "Delete a lesson",
        LESSONS,
        status=204,
        errors=(*WRITE_ERRORS, 409),
        description="The last lesson of a published course cannot go (409).",
    ),
]
