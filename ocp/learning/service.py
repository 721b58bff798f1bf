"""Enrollment, progress and completion: what students come for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from asyncpg.exceptions import DeadlockDetectedError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ocp import ratelimit
from ocp.config import Settings
from ocp.courses import service as course_service
from ocp.courses.models import Course, CourseStatus, Lesson
from ocp.errors import Conflict, Forbidden, NotFound, PaymentRequired, TooManyRequests
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.learning.access import STUDYING
from ocp.learning.models import Enrollment, EnrollmentSource, EnrollmentStatus, LessonProgress
from ocp.learning.progress_sql import UPDATE_COMPLETION, UPDATE_PROGRESS
from ocp.ratelimit import Limiter
from ocp.realtime.events import course_channel, user_channel
from ocp.users.models import Role, User

CHANGES_WINDOW = 60  # seconds: enroll and cancel share one budget per user and minute
RACED_INSERT_TRIES = 3  # a progress statement that raced a parallel first visit runs again


def _now() -> datetime:
    return datetime.now(UTC)


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down, so 100 means every lesson is done."""
    return (100 * done) // total if total else 0


async def _announce(conn: Any, enrollment: Enrollment, type: str, data: dict[str, Any]) -> None:
    """Record an event for the student's channel and the course's (ids and figures only),
    in the transaction ``conn`` of the change."""
    payload = {
        "user_id": enrollment.user_id,
        "course_id": enrollment.course_id,
        "enrollment_id": enrollment.id,
        **data,
    }
    channels = [user_channel(enrollment.user_id), course_channel(enrollment.course_id)]
    await event_log.record(conn, type=type, data=payload, channels=channels)


async def get_enrollment(*, user_id: int, course_id: int) -> Enrollment | None:
    return await Enrollment.get_or_none(user_id=user_id, course_id=course_id)


async def current_enrollment(*, user: User, course_id: int, conn: Any = None) -> Enrollment | None:
    """The caller's current (active or completed) enrollment in a course, or None when they
    see the course but hold none; 404 when the course is unknown or hidden from them (a
    draft, or an archived course without a current enrollment), whatever they once held."""
    course = await Course.filter(id=course_id).using_db(conn).first()
    if course is None:
        raise NotFound("No such course")
    enrollment = (
        await Enrollment.filter(user_id=user.id, course_id=course_id, status__in=STUDYING)
        .using_db(conn)
        .first()
    )
    if not course_service.visible_to(course, user, studying=enrollment is not None):
        raise NotFound("No such course")
    return enrollment


async def _count_change(*, user: User, limiter: Limiter, settings: Settings) -> None:
    """Every enroll or cancel attempt counts, before anything is read or written; past the
    per-user budget: 429 with ``Retry-After``."""
    key = ratelimit.key("enrollment-changes", str(user.id))
    count, retry = await limiter.hit(key, CHANGES_WINDOW)
    if count > settings.enrollment_changes_per_minute:
        raise TooManyRequests("Too many enrollment changes; try again shortly", retry_after=retry)


async def _locked(user_id: int, course_id: int, conn: BaseDBAsyncClient) -> Enrollment | None:
    """The user's enrollment in the course, locked for the transaction ``conn``."""
    return (
        await Enrollment.filter(user_id=user_id, course_id=course_id)
        .select_for_update()
        .using_db(conn)
        .first()
    )


def _reactivate(enrollment: Enrollment) -> None:
    """Back to where it was before cancelling; the completion reaction corrects it if the
    course changed meanwhile."""
    enrollment.status = (
        EnrollmentStatus.COMPLETED
        if enrollment.completed_at is not None
        else EnrollmentStatus.ACTIVE
    )


async def _count_enrollment(course_id: int, change: int, conn: BaseDBAsyncClient) -> None:
    await (
        Course.filter(id=course_id)
        .using_db(conn)
        .update(enrollment_count=F("enrollment_count") + change)
    )


async def enroll(
    *,
    user: User,
    course_id: int,
    events: EventLog,
    limiter: Limiter,
    settings: Settings,
) -> Enrollment:
    """Enroll in a published free course; 409 when already enrolled, also under parallel
    requests (the database holds one row per user and course); a cancelled enrollment is
    reactivated with its progress."""
    await _count_change(user=user, limiter=limiter, settings=settings)
    course = await course_service.get_published(course_id=course_id)
    if course is None:
        raise NotFound("No such course open for enrollment")
    if course.price_cents > 0:
        raise PaymentRequired(
            f"This course is paid: buy it with POST /api/v1/courses/{course.id}/checkout"
        )
    try:
        async with in_transaction() as conn:
            enrollment = await _locked(user.id, course.id, conn)
            if enrollment is None:
                enrollment = await Enrollment.create(
                    user_id=user.id,
                    course_id=course.id,
                    source=EnrollmentSource.FREE,
                    using_db=conn,
                )
            elif enrollment.status in STUDYING:
                raise Conflict("Already enrolled in this course")
            else:
                _reactivate(enrollment)
                await enrollment.save(update_fields=["status", "updated_at"], using_db=conn)
            await _count_enrollment(course.id, +1, conn)
            status = {"status": enrollment.status.value}
            await _announce(conn, enrollment, "enrollment.created", status)
    except IntegrityError:
        raise Conflict("Already enrolled in this course") from None
    _ = await events.flush()
    return enrollment


async def cancel(
    *,
    user: User,
    course_id: int,
    events: EventLog,
    limiter: Limiter,
    settings: Settings,
) -> None:
    """Cancel an enrollment (kept, with its progress); lesson access ends. Repeats are fine."""
    await _count_change(user=user, limiter=limiter, settings=settings)
    async with in_transaction() as conn:
        enrollment = await _locked(user.id, course_id, conn)
        if enrollment is None:
            raise NotFound("Not enrolled in this course")
        if enrollment.status == EnrollmentStatus.CANCELLED:
            return
        enrollment.status = EnrollmentStatus.CANCELLED
        await enrollment.save(update_fields=["status", "updated_at"], using_db=conn)
        await _count_enrollment(course_id, -1, conn)
        await _announce(conn, enrollment, "enrollment.cancelled", {"status": "cancelled"})
    _ = await events.flush()  # its immediate reaction ends lesson access everywhere at once


async def grant_purchase(
    *, user_id: int, course_id: int, order_id: int, conn: BaseDBAsyncClient
) -> None:
    """The buyer of a paid order holds an enrollment (source ``paid``), once per order:
    a repeat, or a payment arriving after its refund (reactions out of order), grants
    nothing more."""
    enrollment = await _locked(user_id, course_id, conn)
    if enrollment is not None and enrollment.order_id == order_id:
        return
    if enrollment is None:
        enrollment = await Enrollment.create(
            user_id=user_id,
            course_id=course_id,
            source=EnrollmentSource.PAID,
            order_id=order_id,
            using_db=conn,
        )
    elif enrollment.status in STUDYING:
        enrollment.order_id = order_id  # enrolled already (by an admin): now also bought
        await enrollment.save(update_fields=["order_id", "updated_at"], using_db=conn)
        return
    else:
        _reactivate(enrollment)
        enrollment.source = EnrollmentSource.PAID
        enrollment.order_id = order_id
        await enrollment.save(
            update_fields=["status", "source", "order_id", "updated_at"], using_db=conn
        )
    await _count_enrollment(course_id, +1, conn)
    status = {"status": enrollment.status.value, "source": "paid", "order_id": order_id}
    await _announce(conn, enrollment, "enrollment.created", status)


async def revoke_purchase(
    *, user_id: int, course_id: int, order_id: int, conn: BaseDBAsyncClient
) -> None:
    """A refunded order's enrollment is cancelled (progress kept). Arriving before the
    payment's grant, it leaves a cancelled enrollment naming the order, so that the grant
    finds it done; an enrollment another order or an admin granted is left alone."""
    enrollment = await _locked(user_id, course_id, conn)
    if enrollment is None:
        _ = await Enrollment.create(
            user_id=user_id,
            course_id=course_id,
            source=EnrollmentSource.PAID,
            status=EnrollmentStatus.CANCELLED,
            order_id=order_id,
            using_db=conn,
        )
        return
    if enrollment.order_id != order_id:
        if enrollment.order_id is None and enrollment.source != EnrollmentSource.PAID:
            enrollment.order_id = order_id  # a later grant of this order finds it done
            await enrollment.save(update_fields=["order_id", "updated_at"], using_db=conn)
        return
    if enrollment.status == EnrollmentStatus.CANCELLED:
        return
    enrollment.status = EnrollmentStatus.CANCELLED
    await enrollment.save(update_fields=["status", "updated_at"], using_db=conn)
    await _count_enrollment(course_id, -1, conn)
    data = {"status": "cancelled", "reason": "refunded", "order_id": order_id}
    await _announce(conn, enrollment, "enrollment.cancelled", data)


async def _figures(enrollment: Enrollment, conn: Any = None) -> tuple[int, int]:
    """(completed lessons that still exist, lessons in the course), from the database."""
    total = await Lesson.filter(course_id=enrollment.course_id).using_db(conn).count()
    done = (
        await LessonProgress.filter(
            enrollment_id=enrollment.id, completed=True, lesson__course_id=enrollment.course_id
        )
        .using_db(conn)
        .count()
    )
    return done, total


async def set_progress(
    *,
    user: User,
    course_id: int,
    lesson_id: int,
    completed: bool | None,
    position_seconds: int | None,
    events: EventLog,
) -> dict[str, Any]:
    """Record a lesson's progress (idempotent); answer with it and the course's figures.

    One transaction. The row is made once per enrollment and lesson, and the completion
    flag flips conditionally, so of two identical parallel requests only one counts as the
    change (one event, one recalculation). A flip moves the enrollment's kept count of
    completed lessons under its row lock, so parallel flips of one enrollment count one
    after the other and the last sees them all; its ``progress.updated`` is recorded in the
    same transaction, and so are the enrollment's percent and status (and
    ``course.completed``, when this completes it). A lesson added or removed meanwhile is
    settled by the completion reaction to that change (``ocp/learning/handlers.py``), which
    recounts. On PostgreSQL all of it is one statement (``ocp/learning/progress_sql.py``);
    SQLite runs the same steps through the ORM.
    """
    client = Enrollment._meta.db  # looked up once: each lookup checks the running loop
    if client.capabilities.dialect == "postgres":
        answer, flipped = await _set_progress_in_one_statement(
            client, user, course_id, lesson_id, completed, position_seconds
        )
    else:
        answer, flipped = await _set_progress_step_by_step(
            user, course_id, lesson_id, completed, position_seconds
        )
    if flipped:
        _ = await events.flush()
    return answer


def _answer(lesson: dict[str, Any], done: int, total: int, status: str) -> dict[str, Any]:
    figures = {"percent": percent(done, total), "completed_lessons": done, "total_lessons": total}
    return {"lesson": lesson, "course": {**figures, "status": status}}


async def _set_progress_in_one_statement(
    client: BaseDBAsyncClient,
    user: User,
    course_id: int,
    lesson_id: int,
    completed: bool | None,
    position_seconds: int | None,
) -> tuple[dict[str, Any], bool]:
    now = _now()
    channels = [user_channel(user.id), course_channel(course_id)]
    values = [
        user.id,
        course_id,
        lesson_id,
        completed,
        position_seconds,
        now,
        user.role == Role.ADMIN,
        user.role == Role.INSTRUCTOR,
        orjson.dumps(channels).decode(),
        now.isoformat(),
    ]
    statement = UPDATE_PROGRESS if completed is None else UPDATE_COMPLETION
    for attempt in range(RACED_INSERT_TRIES):
        try:
            row = (await client.execute_query_dict(statement, values))[0]
        except DeadlockDetectedError:
            # Parallel updates of one enrollment can deadlock on its row: a completion's
            # update of it waits for the tuple lock of one queued behind it, while a first
            # visit's foreign key check shares it. PostgreSQL aborts one statement, whole:
            # running it again is safe.
            if attempt + 1 == RACED_INSERT_TRIES:
                raise Conflict("The progress changed meanwhile; try again") from None
            continue
        if row["course_status"] is None:
            raise NotFound("No such course")
        studying = row["enrollment_id"] is not None
        if row["course_status"] != CourseStatus.PUBLISHED:  # visible to all: no model to build
            course = Course(status=row["course_status"], instructor_id=row["instructor_id"])
            if not course_service.visible_to(course, user, studying=studying):
                raise NotFound("No such course")
        if row["lesson_id"] is None:
            raise NotFound("No such lesson in this course")
        if not studying:
            raise Forbidden("Enroll in the course to record progress")
        if row["written"] is not None:
            break
    else:
        raise Conflict("The progress changed meanwhile; try again")
    lesson = {
        "lesson_id": row["written"],
        "completed": row["completed"],
        "completed_at": row["completed_at"],
        "position_seconds": row["position_seconds"],
        "last_seen_at": row["last_seen_at"],
    }
    done = min(int(row["done"]), int(row["total"]))
    return _answer(lesson, done, int(row["total"]), row["status"]), bool(row["delta"])


def _lesson_progress(progress: LessonProgress) -> dict[str, Any]:
    return {
        "lesson_id": progress.lesson_id,
        "completed": progress.completed,
        "completed_at": progress.completed_at,
        "position_seconds": progress.position_seconds,
        "last_seen_at": progress.last_seen_at,
    }


async def _set_progress_step_by_step(
    user: User,
    course_id: int,
    lesson_id: int,
    completed: bool | None,
    position_seconds: int | None,
) -> tuple[dict[str, Any], bool]:
    now = _now()
    async with in_transaction() as conn:
        enrollment = await current_enrollment(user=user, course_id=course_id, conn=conn)
        if not await Lesson.filter(id=lesson_id, course_id=course_id).using_db(conn).exists():
            raise NotFound("No such lesson in this course")
        if enrollment is None:
            raise Forbidden("Enroll in the course to record progress")
        mine = LessonProgress.filter(enrollment_id=enrollment.id, lesson_id=lesson_id)
        before = await mine.using_db(conn).first()
        await LessonProgress.bulk_create(
            [LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson_id)],
            ignore_conflicts=True,
            using_db=conn,
        )
        await _record_activity(conn, enrollment, lesson_id, before, now)
        flipped = False
        if completed is not None:
            flipped = bool(
                await mine.filter(completed=not completed)
                .using_db(conn)
                .update(completed=completed, completed_at=now if completed else None)
            )
        touch: dict[str, Any] = {"last_seen_at": now}
        if position_seconds is not None:
            touch["position_seconds"] = position_seconds
        await mine.using_db(conn).update(**touch)
        progress = await mine.using_db(conn).get()
        if flipped:
            enrollment = await _lock(enrollment.id, conn)
            done, total = await _figures(enrollment, conn)
            await _announce(
                conn,
                enrollment,
                "progress.updated",
                {
                    "lesson_id": lesson_id,
                    "completed": bool(completed),
                    "percent": percent(done, total),
                    "completed_lessons": done,
                },
            )
            await _settle(enrollment, done, total, conn)
    if not flipped:  # counted after commit: the last of several parallel updates sees them all
        done, total = await _figures(enrollment)
    return _answer(_lesson_progress(progress), done, total, enrollment.status.value), flipped


async def _record_activity(
    conn: BaseDBAsyncClient,
    enrollment: Enrollment,
    lesson_id: int,
    before: LessonProgress | None,
    now: datetime,
) -> None:
    """For analytics (no channel): ``lesson.started`` on a first visit, ``learner.active`` on
    a later visit's first of the day (UTC) for that lesson; as ``progress_sql`` does."""
    if before is None:
        type = "lesson.started"
    elif before.last_seen_at.astimezone(UTC).date() < now.astimezone(UTC).date():
        type = "learner.active"
    else:
        return
    data = {
        "user_id": enrollment.user_id,
        "course_id": enrollment.course_id,
        "enrollment_id": enrollment.id,
        "lesson_id": lesson_id,
    }
    await event_log.record(conn, type=type, data=data, channels=[])


async def _lock(enrollment_id: int, conn: BaseDBAsyncClient) -> Enrollment:
    """The enrollment, locked until the transaction ends. NO KEY UPDATE: the progress rows'
    foreign keys hold KEY SHARE locks on it, which a plain FOR UPDATE would deadlock against.
    """
    return (
        await Enrollment.filter(id=enrollment_id)
        .select_for_update(no_key=True)
        .using_db(conn)
        .get()
    )


async def _settle(enrollment: Enrollment, done: int, total: int, conn: BaseDBAsyncClient) -> None:
    """Set a locked enrollment's percent and status from its figures; ``course.completed``
    is announced only by the change that moves it to completed."""
    enrollment.progress_percent = percent(done, total)
    enrollment.completed_lessons = done
    completed_now: datetime | None = None
    if enrollment.status != EnrollmentStatus.CANCELLED:
        if total and done == total:
            enrollment.status = EnrollmentStatus.COMPLETED
            if enrollment.completed_at is None:  # the first to see it announces it
                completed_now = enrollment.completed_at = _now()
        else:
            enrollment.status = EnrollmentStatus.ACTIVE
            enrollment.completed_at = None
    await enrollment.save(
        update_fields=[
            "completed_lessons",
            "progress_percent",
            "status",
            "completed_at",
            "updated_at",
        ],
        using_db=conn,
    )
    if completed_now:
        await _announce(
            conn,
            enrollment,
            "course.completed",
            {"percent": 100, "completed_at": completed_now.isoformat()},
        )


async def recalculate_completion(*, enrollment_id: int, conn: BaseDBAsyncClient) -> None:
    """Recompute an enrollment's percent and status from the database, in the transaction
    ``conn`` (a reaction's). Safe to run twice or concurrently: the enrollment row is
    locked."""
    if not await Enrollment.filter(id=enrollment_id).using_db(conn).exists():
        return
    enrollment = await _lock(enrollment_id, conn)
    done, total = await _figures(enrollment, conn)
    before = enrollment.progress_percent
    await _settle(enrollment, done, total, conn)
    if enrollment.progress_percent != before:  # lessons were added or removed meanwhile
        data = {
            "user_id": enrollment.user_id,
            "course_id": enrollment.course_id,
            "enrollment_id": enrollment.id,
            "percent": enrollment.progress_percent,
            "completed_lessons": enrollment.completed_lessons,
        }
        await event_log.record(conn, type="enrollment.recalculated", data=data, channels=[])


async def studying_enrollments(*, course_id: int, conn: BaseDBAsyncClient) -> list[int]:
    """The ids of a course's active and completed enrollments."""
    enrollments = (
        await Enrollment.filter(course_id=course_id, status__in=STUDYING)
        .using_db(conn)
        .order_by("id")
        .only("id")
    )
    return [enrollment.id for enrollment in enrollments]


async def course_progress(*, user: User, course_id: int) -> dict[str, Any]:
    """The caller's figures for one course and each lesson's state; 404 without a current
    enrollment in a course the caller may see."""
    enrollment = await current_enrollment(user=user, course_id=course_id)
    if enrollment is None:
        raise NotFound("Not enrolled in this course")
    lessons = await Lesson.filter(course_id=course_id).order_by("position", "id")
    records = {p.lesson_id: p for p in await LessonProgress.filter(enrollment_id=enrollment.id)}
    done = sum(1 for lesson in lessons if (r := records.get(lesson.id)) and r.completed)
    return {
        "percent": percent(done, len(lessons)),
        "completed_lessons": done,
        "total_lessons": len(lessons),
        "status": enrollment.status.value,
        "completed_at": enrollment.completed_at,
        "lessons": [_lesson_state(lesson, records.get(lesson.id)) for lesson in lessons],
    }


def _lesson_state(lesson: Lesson, record: LessonProgress | None) -> dict[str, Any]:
    return {
        "lesson_id": lesson.id,
        "title": lesson.title,
        "position": lesson.position,
        "completed": bool(record and record.completed),
        "completed_at": record.completed_at if record else None,
        "position_seconds": record.position_seconds if record else 0,
        "last_seen_at": record.last_seen_at if record else None,
    }


async def lesson_progress(*, user: User, course_id: int, lesson_id: int) -> dict[str, Any] | None:
    """The caller's progress on one lesson, or None when not enrolled."""
    enrollment = await Enrollment.get_or_none(
        user_id=user.id, course_id=course_id, status__in=STUDYING
    )
    lesson = await Lesson.get_or_none(id=lesson_id, course_id=course_id)
    if enrollment is None or lesson is None:
        return None
    record = await LessonProgress.get_or_none(enrollment_id=enrollment.id, lesson_id=lesson.id)
    return _lesson_state(lesson, record)


def _course_visible(enrollment: Enrollment, viewer: User) -> bool:
    """May ``viewer`` see the enrollment's (prefetched) course? The enrollment counts only
    when it is the viewer's own and current."""
    studying = enrollment.user_id == viewer.id and enrollment.status in STUDYING
    return course_service.visible_to(enrollment.course, viewer, studying=studying)


async def _with_next_lessons(
    enrollments: Sequence[Enrollment], viewer: User
) -> list[dict[str, Any]]:
    """Each enrollment with its course and the first lesson not yet completed (3 queries);
    both are None where the viewer may no longer see the course."""
    visible = {e.id for e in enrollments if _course_visible(e, viewer)}
    course_ids = {e.course_id for e in enrollments if e.id in visible}
    lessons = (
        await Lesson.filter(course_id__in=course_ids)
        .order_by("position", "id")
        .only("id", "course_id", "title", "position")
    )
    done = set(
        await LessonProgress.filter(
            enrollment_id__in=[e.id for e in enrollments], completed=True
        ).values_list("enrollment_id", "lesson_id")
    )
    items = []
    for enrollment in enrollments:
        if enrollment.id not in visible:
            items.append({"enrollment": enrollment, "course": None, "next_lesson": None})
            continue
        next_lesson = next(
            (
                lesson
                for lesson in lessons
                if lesson.course_id == enrollment.course_id
                and (enrollment.id, lesson.id) not in done
            ),
            None,
        )
        item = {"enrollment": enrollment, "course": enrollment.course, "next_lesson": next_lesson}
        items.append(item)
    return items


async def list_for_user(
    *, user_id: int, viewer: User, status: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A user's enrollments, newest first, with course summaries and next lessons where
    ``viewer`` may still see the course (all of them for admins)."""
    query = Enrollment.filter(user_id=user_id)
    if status:
        query = query.filter(status=status)
    total = await query.count()
    enrollments = (
        await query.order_by("-enrolled_at", "-id")
        .offset(offset)
        .limit(limit)
        .select_related("course", "course__instructor", "course__cover")
    )
    return await _with_next_lessons(enrollments, viewer), total


async def list_for_course(
    *, course_id: int, actor: User, status: str | None, offset: int, limit: int
) -> tuple[list[Enrollment], int]:
    """Who is enrolled in a course, for its instructor and admins."""
    course = await Course.get_or_none(id=course_id)
    if course is None:
        raise NotFound("No such course")
    if not course_service.can_edit(actor, course):
        raise Forbidden("Only the course's instructor or an admin may see its students")
    query = Enrollment.filter(course_id=course_id)
    if status:
        query = query.filter(status=status)
    total = await query.count()
    enrollments = (
        await query.order_by("-enrolled_at", "-id")
        .offset(offset)
        .limit(limit)
        .select_related("user")
    )
    return enrollments, total
