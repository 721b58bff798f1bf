"""HTTP handlers for learning: parse, call ``learning.service``, serialize."""

from __future__ import annotations

from aiohttp import web

from ocp.appkeys import EVENTS, LIMITER, SETTINGS
from ocp.learning import service as learning_service
from ocp.learning.schemas import (
    CourseEnrollmentSchema,
    CourseProgressSchema,
    EnrollmentQuerySchema,
    EnrollmentSchema,
    MyEnrollmentSchema,
    ProgressAnswerSchema,
    ProgressUpdateSchema,
    plain_progress_update,
)
from ocp.web.auth import caller_of
from ocp.web.endpoint import SIGNED_IN, Endpoint, only
from ocp.web.pagination import offset, page_response, window
from ocp.web.parsing import load, path_id, read_json, read_query
from ocp.web.responses import dumped, json_body, no_content

LEARNING = "Learning"
PROGRESS_UPDATE = ProgressUpdateSchema()


async def enroll(request: web.Request) -> web.Response:
    enrollment = await learning_service.enroll(
        user=caller_of(request).user,
        course_id=path_id(request),
        events=request.app[EVENTS],
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    return dumped(EnrollmentSchema(), enrollment, status=201)


async def cancel(request: web.Request) -> web.Response:
    await learning_service.cancel(
        user=caller_of(request).user,
        course_id=path_id(request),
        events=request.app[EVENTS],
        limiter=request.app[LIMITER],
        settings=request.app[SETTINGS],
    )
    return no_content()


async def my_enrollments(request: web.Request) -> web.Response:
    return await _enrollments_of(request, caller_of(request).id)


async def user_enrollments(request: web.Request) -> web.Response:
    return await _enrollments_of(request, path_id(request))


async def _enrollments_of(request: web.Request, user_id: int) -> web.Response:
    query = read_query(request, EnrollmentQuerySchema())
    page, per_page = window(query)
    items, total = await learning_service.list_for_user(
        user_id=user_id,
        viewer=caller_of(request).user,
        status=query.get("status"),
        offset=offset(page, per_page),
        limit=per_page,
    )
    return page_response(
        request, items=items, schema=MyEnrollmentSchema(), page=page, per_page=per_page, total=total
    )


async def course_enrollments(request: web.Request) -> web.Response:
    query = read_query(request, EnrollmentQuerySchema())
    page, per_page = window(query)
    items, total = await learning_service.list_for_course(
        course_id=path_id(request),
        actor=caller_of(request).user,
        status=query.get("status"),
        offset=offset(page, per_page),
        limit=per_page,
    )
    return page_response(
        request,
        items=items,
        schema=CourseEnrollmentSchema(),
        page=page,
        per_page=per_page,
        total=total,
    )


async def set_progress(request: web.Request) -> web.Response:
    data = await read_json(request)
    update = plain_progress_update(data)
    if update is None:
        update = load(PROGRESS_UPDATE, data)
    answer = await learning_service.set_progress(
        user=caller_of(request).user,
        course_id=path_id(request),
        lesson_id=path_id(request, "lesson_id"),
        completed=update.get("completed"),
        position_seconds=update.get("position_seconds"),
        events=request.app[EVENTS],
    )
    return json_body(answer)  # the shape of ProgressAnswerSchema, built by the service


async def course_progress(request: web.Request) -> web.Response:
    progress = await learning_service.course_progress(
        user=caller_of(request).user, course_id=path_id(request)
    )
    return dumped(CourseProgressSchema(), progress)


ENROLLMENT = "/api/v1/courses/{id}/enrollment"
CHANGES_LIMIT = (
    "Enrolling and cancelling share a budget of 30 attempts per user and minute (refusals "
    "count too); then 429 with `Retry-After`."
)

routes = [
    Endpoint(
        "POST", ENROLLMENT, enroll, SIGNED_IN, "Enroll in a course", LEARNING,
        status=201, response=EnrollmentSchema, errors=(404, 409, 429),
        error_notes={
            402: "The course is paid: paid enrollment comes with payments (not built yet).",
        },
        description=(
            "Published free courses; a paid course answers 402 until payments exist. Already "
            "enrolled: 409 (never a second enrollment, also under parallel requests). Enrolling "
            "again after cancelling reactivates the same enrollment with its progress. "
            + CHANGES_LIMIT
        ),
    ),
    Endpoint(
        "DELETE", ENROLLMENT, cancel, SIGNED_IN, "Cancel my enrollment", LEARNING, status=204,
        errors=(404, 429),
        description=(
            "Lesson access ends; the progress is kept. Cancelling twice is fine. " + CHANGES_LIMIT
        ),
    ),
    Endpoint(
        "GET", "/api/v1/users/me/enrollments", my_enrollments, SIGNED_IN, "My enrollments",
        LEARNING, query=EnrollmentQuerySchema, response=MyEnrollmentSchema, paginated=True,
        description=(
            "Newest first, each with its course and the next lesson to study. Every enrollment "
            "is listed, cancelled ones too; where you may no longer see the course (taken back "
            "to draft, or archived after you cancelled) `course_visible` is false and `course` "
            "and `next_lesson` are null."
        ),
    ),
    Endpoint(
        "PUT", "/api/v1/courses/{id}/lessons/{lesson_id}/progress", set_progress, SIGNED_IN,
        "Record progress on a lesson", LEARNING, body=ProgressUpdateSchema,
        response=ProgressAnswerSchema, errors=(403, 404),
        description=(
            "Idempotent. Answers with the course's freshly computed figures and the "
            "enrollment's `status`, settled in the same transaction (`completed` once this "
            "update completes the course). "
            "Needs a current (active or completed) enrollment: without one, 403 in a course "
            "you can see, 404 in one you cannot (a draft, or an archived course)."
        ),
    ),
    Endpoint(
        "GET", "/api/v1/courses/{id}/progress", course_progress, SIGNED_IN,
        "My progress in a course", LEARNING, response=CourseProgressSchema, errors=(404,),
        description=(
            "Needs a current (active or completed) enrollment in a course you can see: after "
            "cancelling, or once the course is a draft again, 404. Re-enrolling brings the "
            "kept progress back."
        ),
    ),
    Endpoint(
        "GET", "/api/v1/courses/{id}/enrollments", course_enrollments,
        only("instructor", "admin"), "Who is enrolled in a course", LEARNING,
        query=EnrollmentQuerySchema, response=CourseEnrollmentSchema, paginated=True,
        errors=(403, 404),
        description="The course's instructor and admins; another instructor gets 403.",
    ),
    Endpoint(
        "GET", "/api/v1/users/{id}/enrollments", user_enrollments, only("admin"),
        "A user's enrollments", LEARNING, query=EnrollmentQuerySchema,
        response=MyEnrollmentSchema, paginated=True,
        description=(
            "What the user sees in `GET /api/v1/users/me/enrollments`, except that admins see "
            "every course: each item carries its course and next lesson."
        ),
    ),
]  # fmt: skip
