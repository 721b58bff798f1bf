"""Each notification type, made by the real action that causes it (PostgreSQL + Redis + the
real arq worker), as listed and as carried live by ``notification.created``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from ocp.appkeys import BUS
from tests.helpers import Account, Users
from tests.learning.test_flow import make_course
from tests.media.test_uploads import png_bytes, upload
from tests.notifications.test_api import enroll, listing
from tests.payments.helpers import checkout, paid_course, press

RunJobs = Callable[[], Awaitable[int]]


async def settle(run_jobs: RunJobs) -> None:
    """Run the worker until a round finds no job: reactions enqueue more jobs (the mail job,
    the reactions to an upload's end), so one round may not be enough."""
    for _ in range(6):
        if await run_jobs() == 0:
            return
    raise AssertionError("the queue never emptied")


async def notifications(account: Account) -> list[dict[str, Any]]:
    return list((await listing(account, "?per_page=100"))["items"])


async def only(account: Account, type: str) -> dict[str, Any]:
    """The account's one notification of ``type`` (there must be exactly one)."""
    found = [n for n in await notifications(account) if n["type"] == type]
    assert len(found) == 1, found
    return found[0]


async def announced(client: TestClient, account: Account, notification: dict[str, Any]) -> None:
    """``notification.created`` on ``user:<id>`` carries this notification, as listed."""
    history = await client.server.app[BUS].history(f"user:{account.id}", since=None)
    carried = [
        event.data
        for event in history
        if event.type == "notification.created" and event.data["id"] == notification["id"]
    ]
    assert len(carried) == 1, [event.type for event in history]
    event = carried[0]
    for name in ("id", "type", "title", "body", "url", "data", "created_at"):
        assert event[name] == notification[name], (name, event, notification)
    assert event["read_at"] is None


async def test_a_free_enrollment_tells_the_student_and_the_instructor(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """`enrollment.confirmed` to the student, `course.enrolled` to the course's instructor,
    each also announced live on their own channel and listed to nobody else."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    student = await users.signed_in()
    bystander = await users.signed_in()
    await enroll(student, course_id)
    await settle(run_jobs)

    confirmed = await only(student, "enrollment.confirmed")
    assert "Gardening Basics" in confirmed["title"] and confirmed["body"]
    assert confirmed["url"] == f"/courses/{course_id}"
    assert confirmed["data"]["course_id"] == course_id
    assert isinstance(confirmed["data"]["enrollment_id"], int)
    assert confirmed["read_at"] is None
    await announced(client, student, confirmed)

    enrolled = await only(teacher, "course.enrolled")
    assert "Gardening Basics" in enrolled["title"] and enrolled["body"]
    assert enrolled["url"].startswith(f"/courses/{course_id}")
    assert enrolled["data"]["course_id"] == course_id
    assert enrolled["data"]["student_id"] == student.id
    assert student.email not in enrolled["title"] + enrolled["body"]
    await announced(client, teacher, enrolled)

    assert [n["type"] for n in await notifications(student)] == ["enrollment.confirmed"]
    assert [n["type"] for n in await notifications(teacher)] == ["course.enrolled"]
    assert await notifications(bystander) == []
    bystanders = await client.server.app[BUS].history(f"user:{bystander.id}", since=None)
    assert "notification.created" not in [event.type for event in bystanders]


async def test_a_type_turned_off_in_the_app_is_neither_listed_nor_announced(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """With `in_app: false` for `enrollment.confirmed`, enrolling lists and announces
    nothing to the student (and counts nothing unread); the instructor is still told."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    student = await users.signed_in()
    chosen = await student.client.put(
        "/api/v1/notifications/preferences",
        json={"enrollment.confirmed": {"in_app": False}},
        headers=student.csrf_headers(),
    )
    assert chosen.status == 200, await chosen.text()
    await enroll(student, course_id)
    await settle(run_jobs)
    assert await notifications(student) == []
    me = await (await student.client.get("/api/v1/users/me")).json()
    assert me["unread_notifications"] == 0
    history = await client.server.app[BUS].history(f"user:{student.id}", since=None)
    assert "notification.created" not in [event.type for event in history]
    await only(teacher, "course.enrolled")


async def test_finishing_every_lesson_tells_the_student_the_course_is_completed(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """Every lesson marked complete through the progress endpoint: one `course.completed`."""
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2)
    student = await users.signed_in()
    await enroll(student, course_id)
    for lesson_id in lessons:
        done = await student.client.put(
            f"/api/v1/courses/{course_id}/lessons/{lesson_id}/progress",
            json={"completed": True},
            headers=student.csrf_headers(),
        )
        assert done.status == 200, await done.text()
    await settle(run_jobs)

    completed = await only(student, "course.completed")
    assert "Gardening Basics" in completed["title"] and completed["body"]
    assert completed["url"] == f"/courses/{course_id}"
    assert completed["data"]["course_id"] == course_id
    assert (
        completed["data"]["enrollment_id"]
        == (await only(student, "enrollment.confirmed"))["data"]["enrollment_id"]
    )
    await announced(client, student, completed)
    assert "course.completed" not in [n["type"] for n in await notifications(teacher)]


async def test_half_way_through_no_completion_is_told(users: Users, run_jobs: RunJobs) -> None:
    """One lesson of two complete: no `course.completed`."""
    teacher = await users.signed_in("instructor")
    course_id, lessons = await make_course(teacher, lessons=2)
    student = await users.signed_in()
    await enroll(student, course_id)
    done = await student.client.put(
        f"/api/v1/courses/{course_id}/lessons/{lessons[0]}/progress",
        json={"completed": True},
        headers=student.csrf_headers(),
    )
    assert done.status == 200
    await settle(run_jobs)
    assert [n["type"] for n in await notifications(student)] == ["enrollment.confirmed"]


async def test_lessons_added_to_a_published_course_tell_its_students_once_an_hour(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """Three lessons added within the hour: ONE `lesson.added` per studying student; those
    not enrolled, those who cancelled, and lessons written before publication tell nobody."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=2)
    other_course, _ = await make_course(teacher, lessons=1)
    studying = [await users.signed_in() for _ in range(2)]
    quitter = await users.signed_in()
    stranger = await users.signed_in()
    elsewhere = await users.signed_in()
    for student in (*studying, quitter):
        await enroll(student, course_id)
    await enroll(elsewhere, other_course)
    # The lessons written before publication have their reactions run only now, with the
    # course published and students enrolled: they still tell nobody.
    await settle(run_jobs)
    for student in (*studying, quitter):
        assert [n["type"] for n in await notifications(student)] == ["enrollment.confirmed"]
    cancelled = await quitter.client.delete(
        f"/api/v1/courses/{course_id}/enrollment", headers=quitter.csrf_headers()
    )
    assert cancelled.status == 204, await cancelled.text()
    await settle(run_jobs)

    added = []
    for title in ("Pruning", "Watering", "Harvest"):
        made = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons",
            json={"title": title},
            headers=teacher.csrf_headers(),
        )
        assert made.status == 201, await made.text()
        added.append((await made.json())["id"])
        await settle(run_jobs)

    for student in studying:
        told = await only(student, "lesson.added")
        assert told["url"] == f"/courses/{course_id}/lessons/{added[0]}"
        assert told["data"] == {"course_id": course_id, "lesson_id": added[0]}
        assert "Gardening Basics" in told["title"] and "Pruning" in told["title"]
        assert told["body"]
        await announced(client, student, told)
    for account in (quitter, stranger, elsewhere, teacher):
        assert "lesson.added" not in [n["type"] for n in await notifications(account)]

    other_lesson = await teacher.client.post(
        f"/api/v1/courses/{other_course}/lessons",
        json={"title": "Composting"},
        headers=teacher.csrf_headers(),
    )
    assert other_lesson.status == 201
    await settle(run_jobs)
    elsewhere_told = await only(elsewhere, "lesson.added")
    assert elsewhere_told["data"]["course_id"] == other_course
    for student in studying:
        await only(student, "lesson.added")


async def test_a_purchase_sends_a_receipt_and_a_refund_says_so(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """A sandbox purchase: `order.receipt` (and `enrollment.confirmed`) to the buyer; its
    refund: `order.refunded`; the instructor hears of the enrollment."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher, price="19.99")
    buyer = await users.signed_in()
    order = (await checkout(buyer, course_id))["order"]
    assert await press(buyer, order["id"]) == 303
    await settle(run_jobs)

    receipt = await only(buyer, "order.receipt")
    assert receipt["url"] == f"/orders/{order['id']}"
    assert receipt["data"]["order_id"] == order["id"]
    assert receipt["data"]["course_id"] == course_id
    assert str(receipt["data"]["amount"]) == "19.99" == order["amount"]
    assert receipt["data"]["currency"] == order["currency"]
    assert "Gardening Basics" in receipt["title"]
    assert "19.99" in receipt["body"] and order["currency"] in receipt["body"]
    await announced(client, buyer, receipt)
    confirmed = await only(buyer, "enrollment.confirmed")
    assert confirmed["data"]["course_id"] == course_id
    assert (await only(teacher, "course.enrolled"))["data"]["student_id"] == buyer.id

    refunded = await buyer.client.post(
        f"/api/v1/orders/{order['id']}/refund",
        json={"reason": "Bought the wrong course"},
        headers=buyer.csrf_headers(),
    )
    assert refunded.status == 200, await refunded.text()
    await settle(run_jobs)
    told = await only(buyer, "order.refunded")
    assert told["url"] == f"/orders/{order['id']}"
    assert told["data"]["order_id"] == order["id"]
    assert told["data"]["course_id"] == course_id
    assert str(told["data"]["amount"]) == "19.99"
    assert "Gardening Basics" in told["title"] and "refunded" in told["body"]
    await announced(client, buyer, told)
    listed = [n["type"] for n in await notifications(buyer)]
    assert listed[0] == "order.refunded" and listed.count("order.receipt") == 1, listed
    teachers = [n["type"] for n in await notifications(teacher)]
    assert "order.receipt" not in teachers and "order.refunded" not in teachers


async def test_an_unpaid_checkout_sends_no_receipt(users: Users, run_jobs: RunJobs) -> None:
    """A payment declined on the sandbox page tells nobody anything."""
    teacher = await users.signed_in("instructor")
    course_id = await paid_course(teacher)
    buyer = await users.signed_in()
    order = (await checkout(buyer, course_id))["order"]
    assert await press(buyer, order["id"], "decline") == 303
    await settle(run_jobs)
    status = (await (await buyer.client.get(f"/api/v1/orders/{order['id']}")).json())["status"]
    assert status == "failed"
    assert await notifications(buyer) == []
    assert await notifications(teacher) == []


async def test_a_processed_upload_tells_its_uploader_how_it_ended(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """A good image: `upload.finished` "ready"; a lying file: "rejected" with its reason;
    only to the uploader."""
    teacher = await users.signed_in("instructor")
    colleague = await users.signed_in("instructor")
    good = await upload(teacher, png_bytes(), filename="cover.png")
    await settle(run_jobs)
    ready = await only(teacher, "upload.finished")
    assert ready["url"] == f"/uploads/{good['id']}"
    assert ready["data"] == {"upload_id": good["id"], "status": "ready"}
    assert "cover.png" in ready["title"] and "ready" in ready["title"]
    assert "cover.png" in ready["body"]
    await announced(client, teacher, ready)

    lying = b"<!doctype html><html><script>alert(1)</script></html>"
    bad = await upload(teacher, lying, filename="photo.png")
    await settle(run_jobs)
    ends = {n["data"]["upload_id"]: n for n in await notifications(teacher)}
    rejected = ends[bad["id"]]
    assert rejected["type"] == "upload.finished"
    assert rejected["data"] == {"upload_id": bad["id"], "status": "rejected"}
    assert rejected["url"] == f"/uploads/{bad['id']}"
    assert "photo.png" in rejected["title"] and "rejected" in rejected["title"]
    reason = (await (await teacher.client.get(f"/api/v1/uploads/{bad['id']}")).json())["reason"]
    assert reason and reason in rejected["body"]
    await announced(client, teacher, rejected)
    assert await notifications(colleague) == []


async def test_lessons_added_back_to_back_make_one_notification(
    users: Users, run_jobs: RunJobs
) -> None:
    """Three lessons added before the worker runs (their reactions in one round, as when a
    course is extended in one sitting): still ONE `lesson.added` per student."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    students = [await users.signed_in() for _ in range(10)]
    for student in students:
        await enroll(student, course_id)
    await settle(run_jobs)
    for title in ("Pruning", "Watering", "Harvest"):
        made = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons",
            json={"title": title},
            headers=teacher.csrf_headers(),
        )
        assert made.status == 201, await made.text()
    await settle(run_jobs)
    for student in students:
        await only(student, "lesson.added")
