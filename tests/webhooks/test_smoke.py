"""The main path: an enrollment reaches a registered receiver, signed, and is recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from tests.forum.helpers import enroll
from tests.helpers import Users
from tests.learning.test_flow import make_course
from tests.webhooks.helpers import catch_up, deliveries, register
from tests.webhooks.receiver import receiver


async def test_an_enrollment_is_delivered_signed(
    users: Users, client: TestClient, run_jobs: Callable[[], Awaitable[int]]
) -> None:
    admin = await users.signed_in("admin")
    teacher = await users.signed_in("instructor")
    student = await users.signed_in()
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks", ["enrollment.created"])
        assert hook["secret"].startswith("whsec_")
        course_id, _ = await make_course(teacher, lessons=1)
        await enroll(student, course_id)
        await catch_up(client.app)
        await run_jobs()
        assert len(target.received) == 1
        payload = target.verify(hook["secret"])
        assert payload["type"] == "enrollment.created"
        assert payload["data"]["course_id"] == course_id
        sent = target.received[0].headers
        listed = await deliveries(admin, hook["id"])
        assert [d["status"] for d in listed] == ["succeeded"]
        assert listed[0]["event_id"] == sent["webhook-id"]
        assert listed[0]["attempts"] == 1 and listed[0]["response_status"] == 200
