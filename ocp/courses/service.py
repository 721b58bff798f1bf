"""Catalog operations: courses and lessons, who may see and change them, and the search."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from ocp.courses import search
from ocp.courses.models import Course, CourseStatus, CourseTag, Lesson
from ocp.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ocp.events import log as event_log
from ocp.events.log import EventLog
from ocp.learning import access
from ocp.media import service as media_service
from ocp.media.models import Upload
from ocp.realtime.events import course_channel
from ocp.richtext import sanitize, to_text
from ocp.users.models import Role, User

EDITORS = (Role.INSTRUCTOR, Role.ADMIN)
CATALOG_CHANGED = "catalog.changed"


def _now() -> datetime:
    return datetime.now(UTC)


def slugify(title: str) -> str:
    """ASCII, lower-case, hyphenated; ``course`` when nothing of the title survives."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200].rstrip("-")
    return slug or "course"


def can_edit(actor: User | None, course: Course) -> bool:
    """The owner (while still an instructor) and admins may change a course."""
    if actor is None:
        return False
    return actor.role == Role.ADMIN or (
        actor.id == course.instructor_id and actor.role == Role.INSTRUCTOR
    )


async def can_read_lessons(actor: User | None, course: Course) -> bool:
    """Who may read every lesson in full: its editors and its enrolled students."""
    if actor is None:
        return False
    return can_edit(actor, course) or await access.is_enrolled(
        user_id=actor.id, course_id=course.id
    )


async def get_visible(*, course_id: int, actor: User | None) -> Course:
    """A course the caller may see: published ones for anyone, drafts for their editors,
    archived ones for their editors and the students enrolled in them."""
    course = await Course.get_or_none(id=course_id).select_related("instructor", "cover")
    if course is None or not await is_visible(course, actor):
        raise NotFound("No such course")
    return course


def visible_to(course: Course, actor: User | None, *, studying: bool) -> bool:
    """Whether ``actor`` may see ``course``, knowing whether they hold a current (active or
    completed) enrollment in it: the one visibility rule, without a query."""
    if course.status == CourseStatus.PUBLISHED or can_edit(actor, course):
        return True
    return course.status == CourseStatus.ARCHIVED and studying


async def is_visible(course: Course, actor: User | None) -> bool:
    if visible_to(course, actor, studying=False):
        return True
    return (
        course.status == CourseStatus.ARCHIVED
        and actor is not None
        and await access.is_enrolled(user_id=actor.id, course_id=course.id)
    )


async def upload_grant(uploads: Sequence[Upload], actor: User | None) -> tuple[int, bool] | None:
    """Which of these uploads the caller may download through a course, if any, and whether
    anyone may (the cover of a published course): ``(upload_id, public)``. The catalog's
    file grant (``ocp/domains.py``)."""
    upload_ids = [upload.id for upload in uploads]
    covers = await Course.filter(cover_id__in=upload_ids).order_by("id")
    for course in covers:
        if course.status == CourseStatus.PUBLISHED and course.cover_id is not None:
            return course.cover_id, True
    for course in covers:
        if course.cover_id is not None and await is_visible(course, actor):
            return course.cover_id, False
    lessons = await Lesson.filter(asset_id__in=upload_ids).select_related("course").order_by("id")
    for lesson in lessons:
        course = lesson.course
        if lesson.asset_id is None or not await is_visible(course, actor):
            continue
        if lesson.is_preview or await can_read_lessons(actor, course):
            return lesson.asset_id, False
    return None


async def get_published(*, course_id: int) -> Course | None:
    """The course if it is published (what anyone may see), else None."""
    return await Course.get_or_none(id=course_id, status=CourseStatus.PUBLISHED).select_related(
        "instructor", "cover"
    )


async def get_for_write(*, course_id: int, actor: User, conn: Any = None) -> Course:
    """A course the caller may change (locked when inside a transaction): else 404 or 403."""
    query = Course.filter(id=course_id)
    if conn is not None:
        query = query.select_for_update().using_db(conn)
    course = await query.first()
    if course is None:
        raise NotFound("No such course")
    if not can_edit(actor, course):
        raise Forbidden("Only the course's instructor or an admin may change it")
    return course


async def _owner_for(actor: User, instructor_id: int | None) -> int:
    if instructor_id is None or instructor_id == actor.id:
        return actor.id
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins may create a course for someone else")
    owner = await User.get_or_none(id=instructor_id)
    if owner is None or owner.role not in EDITORS or not owner.is_active:
        raise ValidationFailed(errors={"instructor_id": ["Not an active instructor."]})
    return owner.id


def stored_values(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The values to store for validated course fields: rich text sanitized, its text kept."""
    values = dict(changes)
    if "description" in values:
        values["description"] = sanitize(values["description"])
        values["description_text"] = to_text(values["description"])
    return values


async def _set_tags(course_id: int, tags: list[str], conn: Any) -> None:
    await CourseTag.filter(course_id=course_id).using_db(conn).delete()
    if tags:
        await CourseTag.bulk_create(
            [CourseTag(course_id=course_id, tag=tag) for tag in tags], using_db=conn
        )


async def create(*, actor: User, values: Mapping[str, Any], events: EventLog) -> Course:
    """A draft owned by the caller (or, for admins, by ``instructor_id``)."""
    values = stored_values(values)
    owner_id = await _owner_for(actor, values.pop("instructor_id", None))
    base = slugify(values["title"])
    for attempt in range(5):
        slug = base if attempt == 0 else f"{base}-{secrets.token_hex(3)}"
        if attempt == 0 and await Course.exists(slug=slug):
            continue
        try:
            async with in_transaction() as conn:
                await _check_cover(values.get("cover_id"), owner_id, conn)
                course = await Course.create(
                    **values, slug=slug, instructor_id=owner_id, using_db=conn
                )
                await _set_tags(course.id, course.tags, conn)
                await _catalog_changed(conn, course.id)
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("Could not find a free slug for this title; change it slightly")
    _ = await events.flush()
    return await Course.get(id=course.id).select_related("instructor", "cover")


async def _check_cover(upload_id: int | None, owner_id: int, conn: Any) -> None:
    """A cover is a ready image uploaded by the course's instructor."""
    if upload_id is None:
        return
    upload = await media_service.attachable(
        upload_id=upload_id, owner_id=owner_id, conn=conn, field="cover_id"
    )
    if upload.kind != "image":
        raise ValidationFailed(errors={"cover_id": ["A cover must be an image."]})


async def update(
    *,
    course_id: int,
    actor: User,
    changes: Mapping[str, Any],
    events: EventLog,
) -> Course:
    """Change a course; ``status`` publishes (needs a lesson), unpublishes or archives."""
    values = stored_values(changes)
    published = False
    async with in_transaction() as conn:
        course = await get_for_write(course_id=course_id, actor=actor, conn=conn)
        await _check_cover(values.get("cover_id"), course.instructor_id, conn)
        status = values.pop("status", None)
        published = status == CourseStatus.PUBLISHED and course.status != status
        if status is not None and status != course.status:
            if status == CourseStatus.PUBLISHED:
                if await Lesson.filter(course_id=course.id).using_db(conn).count() == 0:
                    raise Conflict("A course needs at least one lesson to be published")
                course.published_at = course.published_at or _now()
                values["published_at"] = course.published_at
            values["status"] = CourseStatus(status)
        for name, value in values.items():
            setattr(course, name, value)
        if values:
            await course.save(update_fields=[*values, "updated_at"], using_db=conn)
        if "tags" in values:
            await _set_tags(course.id, values["tags"], conn)
        if published:
            await event_log.record(
                conn,
                type="course.published",
                data={"course_id": course.id},
                channels=[course_channel(course.id)],
            )
        await _catalog_changed(conn, course.id)
    _ = await events.flush()
    return await Course.get(id=course.id).select_related("instructor", "cover")


async def archive(*, course_id: int, actor: User, events: EventLog) -> None:
    """Out of the catalog and closed to new enrollments; enrolled students keep access."""
    _ = await update(
        course_id=course_id,
        actor=actor,
        changes={"status": CourseStatus.ARCHIVED},
        events=events,
    )


async def count_catalog(*, filters: Mapping[str, Any]) -> int:
    """How many published courses match ``filters``."""
    dialect = _connection_name()
    sql, params = search.catalog_count(dict(filters), dialect=dialect)
    rows = await connections.get(dialect).execute_query_dict(sql, params)
    return int(rows[0]["total"])


def _connection_name() -> str:
    return next(iter(connections.db_config))


async def categories() -> list[dict[str, Any]]:
    """Categories of published courses with their counts, most populated first."""
    rows = (
        await Course.filter(status=CourseStatus.PUBLISHED)
        .annotate(count=Count("id"))
        .group_by("category")
        .order_by("-count", "category")
        .values("category", "count")
    )
    return [{"category": row["category"], "count": int(row["count"])} for row in rows]


# Lessons -----------------------------------------------------------------------------------


def lesson_view(
    lesson: Lesson, *, readable: bool, assets: Mapping[int, Any] | None = None
) -> dict[str, Any]:
    """A lesson for a caller: content fields (and its attached upload, from ``assets``)
    only where the caller may read it."""
    locked = not (readable or lesson.is_preview)
    data = {
        name: getattr(lesson, name)
        for name in (
            "id", "course_id", "title", "description", "content_type", "position",
            "duration_minutes", "is_preview", "created_at", "updated_at",
        )
    }  # fmt: skip
    data["locked"] = locked
    for name in ("body", "video_url", "asset_id"):
        data[name] = None if locked else getattr(lesson, name)
    asset = (assets or {}).get(lesson.asset_id) if lesson.asset_id is not None else None
    data["asset"] = None if locked else media_service.asset_view(asset)
    return data


async def _assets_of(lessons: list[Lesson]) -> dict[int, Any]:
    return await media_service.uploads_by_id([x.asset_id for x in lessons if x.asset_id])


async def outline(*, course_id: int, actor: User | None) -> list[dict[str, Any]]:
    """The lessons of a visible course, in order."""
    course = await get_visible(course_id=course_id, actor=actor)
    readable = await can_read_lessons(actor, course)
    lessons = await Lesson.filter(course_id=course.id).order_by("position", "id")
    assets = await _assets_of(lessons) if readable or any(x.is_preview for x in lessons) else {}
    return [lesson_view(lesson, readable=readable, assets=assets) for lesson in lessons]


async def get_lesson(*, course_id: int, lesson_id: int, actor: User | None) -> dict[str, Any]:
    """A whole lesson: previews for anyone who sees the course, the rest for its readers."""
    course = await get_visible(course_id=course_id, actor=actor)
    lesson = await Lesson.get_or_none(id=lesson_id, course_id=course.id)
    if lesson is None:
        raise NotFound("No such lesson in this course")
    readable = await can_read_lessons(actor, course)
    view = lesson_view(lesson, readable=readable, assets=await _assets_of([lesson]))
    if view["locked"]:
        raise Forbidden("Enroll in the course to read this lesson")
    return view


async def _lesson_values(changes: Mapping[str, Any], course: Course, conn: Any) -> dict[str, Any]:
    """Checked after the caller's rights: an ``asset_id`` must be a ready upload of the
    course's instructor (locked until the transaction ends)."""
    values = dict(changes)
    if "body" in values:
        values["body"] = sanitize(values["body"])
    if values.get("asset_id") is not None:
        _ = await media_service.attachable(
            upload_id=values["asset_id"], owner_id=course.instructor_id, conn=conn, field="asset_id"
        )
    return values


async def _renumber(course_id: int, ordered: list[Lesson], conn: Any) -> None:
    for position, lesson in enumerate(ordered, start=1):
        if lesson.position != position:
            lesson.position = position
            await Lesson.filter(id=lesson.id).using_db(conn).update(position=position)
    await (
        Course.filter(id=course_id)
        .using_db(conn)
        .update(lesson_count=len(ordered), updated_at=_now())
    )


async def _ordered_lessons(course_id: int, conn: Any) -> list[Lesson]:
    return await Lesson.filter(course_id=course_id).using_db(conn).order_by("position", "id")


async def _lesson_event(conn: Any, type: str, course_id: int, lesson_id: int) -> None:
    data = {"course_id": course_id, "lesson_id": lesson_id}
    await event_log.record(conn, type=type, data=data, channels=[course_channel(course_id)])
    await _catalog_changed(conn, course_id)


async def _catalog_changed(conn: Any, course_id: int) -> None:
    """Record that what the catalog shows may have changed: every process drops its cached
    answers once this is published (``ocp/courses/handlers.py``), so after a change's request
    has answered no process serves an older page."""
    data = {"course_id": course_id}
    await event_log.record(conn, type=CATALOG_CHANGED, data=data, channels=[])


async def create_lesson(
    *, course_id: int, actor: User, values: Mapping[str, Any], events: EventLog
) -> dict[str, Any]:
    """Add a lesson at ``position`` (1-based; the end when left out or too large)."""
    async with in_transaction() as conn:
        course = await get_for_write(course_id=course_id, actor=actor, conn=conn)
        values = await _lesson_values(values, course, conn)
        lessons = await _ordered_lessons(course.id, conn)
        position = min(values.pop("position", len(lessons) + 1), len(lessons) + 1)
        lesson = await Lesson.create(
            **values, course_id=course.id, position=position, using_db=conn
        )
        lessons.insert(position - 1, lesson)
        await _renumber(course.id, lessons, conn)
        await _lesson_event(conn, "lesson.created", course_id, lesson.id)
    _ = await events.flush()
    return lesson_view(lesson, readable=True, assets=await _assets_of([lesson]))


async def _lesson_for_write(
    course_id: int, lesson_id: int, actor: User, conn: Any
) -> tuple[Course, Lesson]:
    course = await get_for_write(course_id=course_id, actor=actor, conn=conn)
    lesson = await Lesson.filter(id=lesson_id, course_id=course_id).using_db(conn).first()
    if lesson is None:
        raise NotFound("No such lesson in this course")
    return course, lesson


async def update_lesson(
    *,
    course_id: int,
    lesson_id: int,
    actor: User,
    changes: Mapping[str, Any],
    events: EventLog,
) -> dict[str, Any]:
    """Change a lesson; a new ``position`` moves it and closes the gap it leaves."""
    async with in_transaction() as conn:
        course, lesson = await _lesson_for_write(course_id, lesson_id, actor, conn)
        values = await _lesson_values(changes, course, conn)
        position = values.pop("position", None)
        for name, value in values.items():
            setattr(lesson, name, value)
        if values:
            await lesson.save(update_fields=[*values, "updated_at"], using_db=conn)
        if position is not None:
            lessons = [x for x in await _ordered_lessons(course_id, conn) if x.id != lesson.id]
            lessons.insert(min(position, len(lessons) + 1) - 1, lesson)
            await _renumber(course_id, lessons, conn)
        await _lesson_event(conn, "lesson.updated", course_id, lesson.id)
    _ = await events.flush()
    return lesson_view(lesson, readable=True, assets=await _assets_of([lesson]))


async def delete_lesson(*, course_id: int, lesson_id: int, actor: User, events: EventLog) -> None:
    """Remove a lesson; a published course keeps at least one."""
    async with in_transaction() as conn:
        course, lesson = await _lesson_for_write(course_id, lesson_id, actor, conn)
        lessons = [x for x in await _ordered_lessons(course_id, conn) if x.id != lesson.id]
        if course.status == CourseStatus.PUBLISHED and not lessons:
            raise Conflict("A published course keeps at least one lesson; unpublish it first")
        await Lesson.filter(id=lesson.id).using_db(conn).delete()
        await _renumber(course_id, lessons, conn)
        await _lesson_event(conn, "lesson.deleted", course_id, lesson_id)
    _ = await events.flush()


async def reorder_lessons(
    *, course_id: int, actor: User, lesson_ids: list[int], events: EventLog
) -> list[dict[str, Any]]:
    """Put every lesson of the course in the given order, in one transaction."""
    async with in_transaction() as conn:
        _ = await get_for_write(course_id=course_id, actor=actor, conn=conn)
        lessons = await _ordered_lessons(course_id, conn)
        by_id = {lesson.id: lesson for lesson in lessons}
        if len(lesson_ids) != len(set(lesson_ids)) or set(lesson_ids) != set(by_id):
            raise ValidationFailed(
                errors={"lesson_ids": ["List every lesson of this course exactly once."]}
            )
        ordered = [by_id[i] for i in lesson_ids]
        await _renumber(course_id, ordered, conn)
        await _catalog_changed(conn, course_id)
    _ = await events.flush()
    assets = await _assets_of(ordered)
    return [lesson_view(lesson, readable=True, assets=assets) for lesson in ordered]


async def may_read_course_channel(user: User, course_id: int) -> bool:
    """``course:<id>``: its instructor (admins read every channel)."""
    course = await Course.get_or_none(id=course_id)
    return course is not None and can_edit(user, course)
