"""Reactions that turn other domains' events into notifications, one per recipient."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from ocp.courses.models import Course, CourseStatus, Lesson
from ocp.events.reactions import DomainEvent, on, on_publish
from ocp.forum.models import Post, Thread, ThreadSubscription
from ocp.jobs import JobContext
from ocp.learning.access import STUDYING
from ocp.learning.models import Enrollment
from ocp.notifications import jobs
from ocp.notifications.models import MailState, Notification
from ocp.notifications.service import CREATED, notify, notify_many
from ocp.users.models import Role, User


async def _course(course_id: int, conn: BaseDBAsyncClient) -> Course | None:
    return await Course.filter(id=course_id).using_db(conn).first()


@on("enrollment.created")
async def enrollment_confirmed(
    ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient
) -> None:
    """The student is told they are enrolled; the course's instructor that someone enrolled."""
    data = event.data
    course = await _course(int(data["course_id"]), conn)
    if course is None:
        return
    student_id = int(data["user_id"])
    about = {"course_id": course.id, "enrollment_id": int(data["enrollment_id"])}
    await notify(
        conn,
        user_id=student_id,
        type="enrollment.confirmed",
        title=f"You are enrolled in {course.title}",
        body=f"You can start {course.title} now. Good luck!",
        url=f"/courses/{course.id}",
        data=about,
    )
    if course.instructor_id != student_id:
        await notify(
            conn,
            user_id=course.instructor_id,
            type="course.enrolled",
            title=f"A new student enrolled in {course.title}",
            body=f"Someone enrolled in {course.title}.",
            url=f"/courses/{course.id}/enrollments",
            data={**about, "student_id": student_id},
        )


@on("course.completed")
async def course_completed(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """The student finished every lesson of a course."""
    course = await _course(int(event.data["course_id"]), conn)
    if course is None:
        return
    await notify(
        conn,
        user_id=int(event.data["user_id"]),
        type="course.completed",
        title=f"You completed {course.title}",
        body=f"Congratulations: you finished every lesson of {course.title}.",
        url=f"/courses/{course.id}",
        data={"course_id": course.id, "enrollment_id": int(event.data["enrollment_id"])},
    )


@on("lesson.created")
async def lesson_added(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """Students of a published course hear of new lessons, once per course and hour. The
    course is locked first, so that the reactions to lessons added back to back take turns
    and each sees the notifications the one before made."""
    course = (
        await Course.filter(id=int(event.data["course_id"]))
        .select_for_update()
        .using_db(conn)
        .first()
    )
    if course is None or course.status != CourseStatus.PUBLISHED:
        return
    lesson = await Lesson.filter(id=int(event.data["lesson_id"])).using_db(conn).first()
    if lesson is None or course.published_at is None or lesson.created_at < course.published_at:
        return  # gone, or written while the course was still being built
    students = await Enrollment.filter(
        course_id=course.id, status__in=STUDYING, enrolled_at__lte=lesson.created_at
    ).using_db(conn)
    await notify_many(
        conn,
        [enrollment.user_id for enrollment in students],
        type="lesson.added",
        title=f"New in {course.title}: {lesson.title}",
        body=f"{course.title} has new lessons, starting with {lesson.title}.",
        url=f"/courses/{course.id}/lessons/{lesson.id}",
        data={"course_id": course.id, "lesson_id": lesson.id},
        group_key=f"course:{course.id}",
    )


@on("order.paid", "order.refunded")
async def order_settled(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """The buyer gets a receipt when an order is paid, and word when it is refunded."""
    data = event.data
    course = await _course(int(data["course_id"]), conn)
    title = course.title if course else f"course {data['course_id']}"
    price = f"{data['amount']} {data['currency']}"
    order = data["order_id"]
    if event.type == "order.paid":
        type, subject, body = (
            "order.receipt",
            f"Receipt: {title}",
            f"Order #{order}: {title}, {price}. Thank you!",
        )
    else:
        type, subject, body = (
            "order.refunded",
            f"Refunded: {title}",
            f"Order #{order} ({title}, {price}) was refunded.",
        )
    await notify(
        conn,
        user_id=int(data["user_id"]),
        type=type,
        title=subject,
        body=body,
        url=f"/orders/{order}",
        data={
            "order_id": int(order),
            "course_id": int(data["course_id"]),
            "amount": data["amount"],
            "currency": data["currency"],
        },
    )


EXCERPT = 200  # characters of a reply quoted in its notification


async def _may_read_forum(
    user_ids: list[int], course: Course, conn: BaseDBAsyncClient
) -> list[int]:
    """Of these users, those who may still read the course's forum: its instructor, admins and
    its students (active or completed)."""
    admins = (
        await User.filter(id__in=user_ids, role=Role.ADMIN)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    staff = {int(str(user_id)) for user_id in admins}
    if course.instructor_id in user_ids:
        staff.add(course.instructor_id)
    enrolled = (
        await Enrollment.filter(course_id=course.id, user_id__in=user_ids, status__in=STUDYING)
        .using_db(conn)
        .values_list("user_id", flat=True)
    )
    students = {int(str(user_id)) for user_id in enrolled}
    return [user_id for user_id in user_ids if user_id in staff or user_id in students]


@on("post.created")
async def forum_reply(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """A thread's followers (but the poster) hear of a new post, once per thread and hour,
    while they may still read the forum."""
    # The thread's row makes reactions to replies close together take turns, so that each
    # sees the notifications the one before made (one per follower and hour).
    thread = (
        await Thread.filter(id=int(event.data["thread_id"]), deleted_at__isnull=True)
        .select_for_update()
        .using_db(conn)
        .first()
    )
    post = (
        await Post.filter(id=int(event.data["id"])).using_db(conn).select_related("author").first()
    )
    if thread is None or post is None or post.deleted:
        return
    course = await _course(thread.course_id, conn)
    if course is None:
        return
    following = (
        await ThreadSubscription.filter(thread_id=thread.id, subscribed=True)
        .exclude(user_id=post.author_id)
        .using_db(conn)
        .values_list("user_id", flat=True)
    )
    followers = [int(str(user_id)) for user_id in following]
    readers = await _may_read_forum(followers, course, conn)
    excerpt = post.body_text if len(post.body_text) <= EXCERPT else post.body_text[:EXCERPT] + "…"
    await notify_many(
        conn,
        readers,
        type="forum.reply",
        title=f"New reply in {thread.title}",
        body=f"{post.author.full_name} replied in {thread.title}: {excerpt}",
        url=f"/courses/{course.id}/threads/{thread.id}#post-{post.id}",
        data={"course_id": course.id, "thread_id": thread.id, "post_id": post.id},
        group_key=f"thread:{thread.id}",
    )


UPLOAD_ENDS = {"ready": "is ready", "rejected": "was rejected", "failed": "failed"}


@on("upload.ready", "upload.rejected", "upload.failed")
async def upload_finished(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """The uploader hears how processing ended."""
    data = event.data
    if "owner_id" not in data:
        return  # recorded before uploads named their owner
    status = event.type.removeprefix("upload.")
    name = str(data.get("filename") or f"upload {data['id']}")
    reason = f" ({data['reason']})" if data.get("reason") else ""
    await notify(
        conn,
        user_id=int(data["owner_id"]),
        type="upload.finished",
        title=f"{name} {UPLOAD_ENDS[status]}",
        body=f"Your upload {name} {UPLOAD_ENDS[status]}{reason}.",
        url=f"/uploads/{data['id']}",
        data={"upload_id": int(data["id"]), "status": status},
    )


async def still_unmailed(events: list[DomainEvent]) -> list[DomainEvent]:
    """Of these ``notification.created``, those still waiting for their own mail."""
    ids = [int(event.data["id"]) for event in events]
    pending = set(
        await Notification.filter(id__in=ids, mail=MailState.PENDING).values_list("id", flat=True)
    )
    return [event for event in events if int(event.data["id"]) in pending]


@on_publish(CREATED, still_needed=still_unmailed)
async def mail_new_notification(ctx: JobContext, event: DomainEvent) -> None:
    """A notification to be mailed at once goes to the mail job (one run per notification)."""
    notification_id = int(event.data["id"])
    if not await Notification.exists(id=notification_id, mail=MailState.PENDING):
        return
    await ctx.jobs.enqueue(jobs.MAIL_JOB, notification_id, job_id=jobs.mail_job_id(notification_id))


DISABLED_BECAUSE = {
    "gone": "it answered 410 Gone",
    "failing": "every delivery to it failed for 5 days",
}


@on("webhook.endpoint_disabled")
async def webhook_disabled(ctx: JobContext, event: DomainEvent, conn: BaseDBAsyncClient) -> None:
    """Every active admin hears that OCP turned a webhook endpoint off, and why."""
    data = event.data
    admins = await User.filter(role=Role.ADMIN, is_active=True).using_db(conn)
    why = DISABLED_BECAUSE.get(str(data["reason"]), str(data["reason"]))
    await notify_many(
        conn,
        [admin.id for admin in admins],
        type="webhook.disabled",
        title="A webhook endpoint was turned off",
        body=f"Deliveries to {data['url']} stopped because {why}. Turn it back on when fixed.",
        url=f"/admin/webhooks/{data['webhook_id']}",
        data={"webhook_id": int(data["webhook_id"]), "reason": str(data["reason"])},
    )
