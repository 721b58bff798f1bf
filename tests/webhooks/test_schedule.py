"""The retry schedule: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (10% jitter) between
tries, then ``failed`` after the eighth; as a function, and driven through eight real
failures (each wait cut short by making the delivery due)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from ocp.webhooks.deliveries import next_wait
from tests.helpers import Users
from tests.learning.test_flow import make_course
from tests.webhooks.delivery_helpers import add_lessons, make_due, stored, wait_of
from tests.webhooks.helpers import catch_up, deliveries, register
from tests.webhooks.receiver import receiver

RunJobs = Callable[[], Awaitable[int]]
WAITS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]


def within_jitter(wait: timedelta, base: timedelta, slack: float = 0.0) -> bool:
    return base * 0.9 - timedelta(seconds=slack) <= wait <= base * 1.1 + timedelta(seconds=slack)


@pytest.mark.parametrize(("tries", "base"), list(enumerate(WAITS, start=1)))
def test_next_wait_follows_the_schedule_within_10_percent(tries: int, base: timedelta) -> None:
    waits = [next_wait(tries) for _ in range(300)]
    assert all(w is not None and within_jitter(w, base) for w in waits), (tries, base)
    seconds = sorted(w.total_seconds() for w in waits if w is not None)
    assert seconds[-1] - seconds[0] > base.total_seconds() * 0.1, "jittered, not fixed"


def test_there_is_no_wait_after_the_eighth_try() -> None:
    assert next_wait(8) is None
    assert next_wait(9) is None


async def test_eight_failures_follow_the_schedule_then_fail(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    await catch_up(client.app)
    async with receiver() as target:
        target.statuses = [500] * 8
        hook = await register(admin, target.url + "/hooks", ["lesson.created"])
        await add_lessons(teacher, course_id)
        await catch_up(client.app)
        await run_jobs()
        for tries, base in enumerate(WAITS, start=1):
            [listed] = await deliveries(admin, hook["id"])
            assert listed["status"] == "pending", (tries, listed)
            assert listed["attempts"] == tries
            assert listed["response_status"] == 500
            wait = wait_of(await stored(listed["id"]))
            assert within_jitter(wait, base, slack=0.05), (tries, wait, base)
            assert await make_due(hook["id"]) == 1
            await catch_up(client.app)
            await run_jobs()
        assert len(target.received) == 8
        assert {r.headers["webhook-id"] for r in target.received} == {listed["event_id"]}
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "failed"
        assert listed["attempts"] == 8
        assert listed["next_attempt_at"] is None
        assert listed["response_status"] == 500
        await catch_up(client.app)
        await run_jobs()
        assert len(target.received) == 8, "a failed delivery is not tried again by itself"
