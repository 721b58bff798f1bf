"""Deliveries end to end on PostgreSQL + Redis + a real arq worker: signatures, retries,
timeouts, 410 and 5 days failing, redirects, secret rotation, replay and retry, one
endpoint never holding up another, and the event type filters."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from standardwebhooks.webhooks import WebhookVerificationError

from ocp.appkeys import EVENTS
from ocp.events.models import LoggedEvent
from ocp.learning.models import LessonProgress
from ocp.webhooks.catalog import EVENT_TYPES
from ocp.webhooks.deliveries import IN_FLIGHT, dispatch
from ocp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.forum.helpers import enroll
from tests.helpers import Account, Users
from tests.learning.test_flow import make_course
from tests.webhooks.delivery_helpers import (
    add_lessons,
    closed_port_url,
    counting_receiver,
    endpoint_of,
    make_due,
    notifications,
    post,
    set_failing_since,
    stored,
    wait_of,
)
from tests.webhooks.helpers import catch_up, deliveries, register
from tests.webhooks.receiver import receiver

RunJobs = Callable[[], Awaitable[int]]
LESSONS = ["lesson.created"]


async def course_of(users: Users, client: TestClient) -> tuple[Account, int]:
    """A teacher and a published course, its events consumed (before any endpoint)."""
    teacher = await users.signed_in("instructor")
    course_id, _ = await make_course(teacher, lessons=1)
    await catch_up(client.app)
    return teacher, course_id


async def run(client: TestClient, run_jobs: RunJobs) -> None:
    """What the worker does every second: consumers, due deliveries handed out, jobs run."""
    await catch_up(client.app)
    await run_jobs()


# 1. Signatures, body, webhook-id ----------------------------------------------------------


async def test_a_delivery_is_signed_and_keeps_its_webhook_id_on_the_retry(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.statuses = [500]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        [lesson_id] = await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        assert len(target.received) == 1
        first = target.verify(hook["secret"])
        assert set(first) == {"type", "timestamp", "data"}
        assert first["type"] == "lesson.created"
        assert first["data"] == {"course_id": course_id, "lesson_id": lesson_id}
        assert first["timestamp"].endswith("Z"), first["timestamp"]
        occurred = datetime.fromisoformat(first["timestamp"].replace("Z", "+00:00"))
        assert abs((datetime.now(UTC) - occurred).total_seconds()) < 30
        headers = target.received[0].headers
        assert headers["webhook-signature"].startswith("v1,")
        assert " " not in headers["webhook-signature"], "one secret, one signature"
        assert int(headers["webhook-timestamp"]) == pytest.approx(
            datetime.now(UTC).timestamp(), abs=30
        )
        [listed] = await deliveries(admin, hook["id"])
        assert listed["event_id"] == headers["webhook-id"]
        assert listed["status"] == "pending"

        await make_due(hook["id"])
        await run(client, run_jobs)
        assert len(target.received) == 2
        again = target.verify(hook["secret"])
        assert again == first
        assert target.received[1].headers["webhook-id"] == headers["webhook-id"]
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "succeeded" and listed["attempts"] == 2


async def test_the_test_event_arrives_signed(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks", LESSONS)
        status, made = await post(admin, f"/api/v1/webhooks/{hook['id']}/test")
        assert status == 202, made
        assert made["type"] == "webhook.test" and made["status"] == "pending"
        await run(client, run_jobs)
        assert len(target.received) == 1
        payload = target.verify(hook["secret"])
        assert payload["type"] == "webhook.test"
        assert payload["data"]["webhook_id"] == hook["id"]
        assert target.received[0].headers["webhook-id"] == made["event_id"]
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "succeeded"


# 2. Retries -------------------------------------------------------------------------------


async def test_a_500_is_retried_about_5_s_later_keeping_1_kb_of_the_answer(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.statuses = [500]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "pending"
        assert listed["attempts"] == 1
        assert listed["response_status"] == 500
        assert listed["response_body"] == "x" * 1024, "the receiver sent 3000 characters"
        assert "500" in listed["error"]
        assert listed["duration_ms"] is not None and listed["duration_ms"] >= 0
        assert listed["next_attempt_at"] is not None
        row = await stored(listed["id"])
        assert 4.5 <= wait_of(row).total_seconds() <= 5.5, wait_of(row)

        await run(client, run_jobs)
        assert len(target.received) == 1, "not due yet: no second try"

        await make_due(hook["id"])
        await run(client, run_jobs)
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "succeeded"
        assert listed["attempts"] == 2
        assert listed["response_status"] == 200
        assert listed["error"] is None
        assert listed["next_attempt_at"] is None


async def test_a_refused_connection_is_an_error_and_retried(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    hook = await register(admin, closed_port_url(), LESSONS)
    await add_lessons(teacher, course_id)
    await run(client, run_jobs)
    [listed] = await deliveries(admin, hook["id"])
    assert listed["status"] == "pending"
    assert listed["attempts"] == 1
    assert listed["response_status"] is None
    assert listed["error"] and "connect" in listed["error"], listed["error"]
    row = await stored(listed["id"])
    assert 4.5 <= wait_of(row).total_seconds() <= 5.5
    await make_due(hook["id"])
    await run(client, run_jobs)
    [listed] = await deliveries(admin, hook["id"])
    assert listed["status"] == "pending" and listed["attempts"] == 2
    assert 4 * 60 * 0.9 <= wait_of(await stored(listed["id"])).total_seconds() <= 5 * 60 * 1.1


# 3. Timeout -------------------------------------------------------------------------------


async def test_a_receiver_slower_than_10_s_is_a_timeout_and_retried(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.delay = 60.0  # far past the 10 s: only the cut-off ends the try
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await add_lessons(teacher, course_id)
        started = asyncio.get_running_loop().time()
        await run(client, run_jobs)
        took = asyncio.get_running_loop().time() - started
        assert len(target.received) == 1
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "pending" and listed["attempts"] == 1
        assert listed["response_status"] is None
        assert "10 s" in listed["error"], listed["error"]
        # Cut at 10 s, not at the receiver's 60 (loose above: a loaded machine is slower).
        assert 9_500 <= listed["duration_ms"] < 30_000, listed["duration_ms"]
        assert took < 30, "the try was cut at 10 s"
        assert 4.5 <= wait_of(await stored(listed["id"])).total_seconds() <= 5.5


# 5. 410 Gone ------------------------------------------------------------------------------


async def test_a_410_disables_the_endpoint_and_tells_every_admin(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    other_admin = await users.signed_in("admin")
    student = await users.signed_in()
    teacher, course_id = await course_of(users, client)
    async with receiver() as target, receiver() as watcher:
        target.statuses = [410]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        watch = await register(admin, watcher.url + "/w", ["webhook.endpoint_disabled"])
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        await run(client, run_jobs)  # the reaction that notifies, the event delivered
        told = watcher.verify(watch["secret"])
        assert told["type"] == "webhook.endpoint_disabled"
        assert told["data"] == {"webhook_id": hook["id"], "url": hook["url"], "reason": "gone"}
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "failed"
        assert listed["response_status"] == 410
        assert listed["attempts"] == 1
        assert listed["next_attempt_at"] is None
        shown = await endpoint_of(admin, hook["id"])
        assert shown["enabled"] is False
        assert shown["disabled_reason"] == "gone"
        for each in (admin, other_admin):
            [note] = await notifications(each, "webhook.disabled")
            assert note["data"] == {"webhook_id": hook["id"], "reason": "gone"}
        assert await notifications(student, "webhook.disabled") == []
        assert await notifications(teacher, "webhook.disabled") == []

        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        [gone] = await deliveries(admin, hook["id"])
        assert gone["id"] == listed["id"], "disabled: no new deliveries"
        assert len(target.received) == 1
        base = f"/api/v1/webhooks/{hook['id']}"
        for path, body in [
            (f"{base}/deliveries/{gone['id']}/retry", None),
            (f"{base}/replay", {"since": "2020-01-01T00:00:00Z"}),
            (f"{base}/test", None),
        ]:
            status, _ = await post(admin, path, body)
            assert status == 409, (path, status)

        answer = await admin.client.patch(
            f"/api/v1/webhooks/{hook['id']}", json={"enabled": True}, headers=admin.csrf_headers()
        )
        assert answer.status == 200, await answer.text()
        body = await answer.json()
        assert body["enabled"] is True and body["disabled_reason"] is None
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        both = await deliveries(admin, hook["id"])
        assert [d["status"] for d in both] == ["succeeded", "failed"]
        assert len(target.received) == 2
        target.verify(hook["secret"])


async def test_several_410s_at_once_turn_the_endpoint_off_once(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.statuses = [410, 410, 410]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await add_lessons(teacher, course_id, 3)
        await run(client, run_jobs)
        await run(client, run_jobs)
        tried = len(target.received)
        assert tried >= 2, "side by side: more than one 410 came back"
        listed = await deliveries(admin, hook["id"])
        assert sorted(d["status"] for d in listed) == ["failed"] * tried + ["pending"] * (3 - tried)
        assert len(await notifications(admin, "webhook.disabled")) == 1
        disabled = await LoggedEvent.filter(type="webhook.endpoint_disabled").count()
        assert disabled == 1


# 6. Five days failing ---------------------------------------------------------------------


async def test_an_endpoint_failing_for_5_days_is_disabled_and_admins_told(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.statuses = [500, 500, 500]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        shown = await endpoint_of(admin, hook["id"])
        assert shown["enabled"] is True
        assert shown["failing_since"] is not None, "the first failure starts the clock"

        await set_failing_since(hook["id"], timedelta(days=4))
        await make_due(hook["id"])
        await run(client, run_jobs)
        assert (await endpoint_of(admin, hook["id"]))["enabled"] is True, "4 days: still on"

        await set_failing_since(hook["id"], timedelta(days=6))
        await make_due(hook["id"])
        await run(client, run_jobs)
        await run(client, run_jobs)
        assert len(target.received) == 3
        shown = await endpoint_of(admin, hook["id"])
        assert shown["enabled"] is False
        assert shown["disabled_reason"] == "failing"
        [note] = await notifications(admin, "webhook.disabled")
        assert note["data"] == {"webhook_id": hook["id"], "reason": "failing"}
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "pending", "the delivery waits for the endpoint"


async def test_a_success_clears_failing_since(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await set_failing_since(hook["id"], timedelta(days=2))
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        shown = await endpoint_of(admin, hook["id"])
        assert shown["failing_since"] is None
        assert shown["enabled"] is True
        assert (await WebhookEndpoint.get(id=hook["id"])).failing_since is None


# 7. Redirects -----------------------------------------------------------------------------


async def test_a_redirect_is_a_failure_and_not_followed(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.statuses = [302]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        assert [r.path for r in target.received] == ["/hooks"], "not followed"
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "pending"
        assert listed["response_status"] == 302
        assert "redirect" in listed["error"]
        assert listed["next_attempt_at"] is not None


# 8. Secret rotation -----------------------------------------------------------------------


async def test_after_a_rotation_both_secrets_verify_until_the_overlap_ends(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks", LESSONS)
        old = hook["secret"]
        status, rotated = await post(admin, f"/api/v1/webhooks/{hook['id']}/rotate-secret")
        assert status == 200, rotated
        new = rotated["secret"]
        assert new != old and new.startswith("whsec_")

        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        assert len(target.received) == 1
        assert len(target.received[0].headers["webhook-signature"].split(" ")) == 2
        assert target.verify(new) == target.verify(old)

        _ = await WebhookEndpoint.filter(id=hook["id"]).update(
            previous_secret_until=datetime.now(UTC) - timedelta(seconds=1)
        )
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        assert len(target.received) == 2
        assert len(target.received[1].headers["webhook-signature"].split(" ")) == 1
        target.verify(new)
        with pytest.raises(WebhookVerificationError):
            target.verify(old)


async def test_a_second_rotation_drops_the_oldest_secret(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks", LESSONS)
        rotate = f"/api/v1/webhooks/{hook['id']}/rotate-secret"
        _, middle = await post(admin, rotate)
        _, newest = await post(admin, rotate)
        await add_lessons(teacher, course_id)
        await run(client, run_jobs)
        assert len(target.received[0].headers["webhook-signature"].split(" ")) == 2
        assert target.verify(newest["secret"]) == target.verify(middle["secret"])
        with pytest.raises(WebhookVerificationError):
            target.verify(hook["secret"])


# 9. Replay and retry ----------------------------------------------------------------------


async def test_a_replay_redelivers_with_the_original_webhook_ids(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        hook = await register(admin, target.url + "/hooks", LESSONS)
        before = datetime.now(UTC)
        await add_lessons(teacher, course_id, 3)
        await run(client, run_jobs)
        first = [r.headers["webhook-id"] for r in target.received]
        assert len(first) == len(set(first)) == 3
        after = datetime.now(UTC)

        status, result = await post(
            admin, f"/api/v1/webhooks/{hook['id']}/replay", {"since": before.isoformat()}
        )
        assert status == 202, result
        assert result["replayed"] == 3 and result["complete"] is True
        await run(client, run_jobs)
        again = [r.headers["webhook-id"] for r in target.received[3:]]
        assert sorted(again) == sorted(first)
        for index in range(6):
            target.verify(hook["secret"], index)
        listed = await deliveries(admin, hook["id"])
        assert len(listed) == 3, "the same deliveries, sent again"
        assert {d["attempts"] for d in listed} == {2}
        assert {d["status"] for d in listed} == {"succeeded"}

        status, result = await post(
            admin, f"/api/v1/webhooks/{hook['id']}/replay", {"since": after.isoformat()}
        )
        assert status == 202, result
        assert result["replayed"] == 0
        await run(client, run_jobs)
        assert len(target.received) == 6


async def test_a_failed_delivery_retried_keeps_its_webhook_id(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    async with receiver() as target:
        target.statuses = [500]
        hook = await register(admin, target.url + "/hooks", LESSONS)
        await add_lessons(teacher, course_id)
        await catch_up(client.app)
        [made] = await deliveries(admin, hook["id"])
        # Seven tries already behind it: this failure is its last.
        _ = await WebhookDelivery.filter(id=made["id"]).update(round_attempts=7)
        await run_jobs()
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "failed" and listed["next_attempt_at"] is None

        status, body = await post(
            admin, f"/api/v1/webhooks/{hook['id']}/deliveries/{made['id']}/retry"
        )
        assert status == 202, body
        assert body["status"] == "pending"
        await run(client, run_jobs)
        assert len(target.received) == 2
        ids = {r.headers["webhook-id"] for r in target.received}
        assert ids == {made["event_id"]}
        target.verify(hook["secret"])
        [listed] = await deliveries(admin, hook["id"])
        assert listed["status"] == "succeeded" and listed["attempts"] == 2


# 10. Isolation ----------------------------------------------------------------------------


async def test_a_slow_endpoint_holds_up_neither_another_nor_more_than_its_slots(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    """At most ``IN_FLIGHT`` (two jobs' worth) of the slow endpoint's deliveries are out at
    once; the fast endpoint's all arrive before the slow receiver answered once."""
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    events = IN_FLIGHT + 4
    async with counting_receiver(delay=5.0) as slow, counting_receiver() as fast:
        slow_hook = await register(admin, slow.url + "/slow", LESSONS)
        fast_hook = await register(admin, fast.url + "/fast", LESSONS)
        await add_lessons(teacher, course_id, events)
        await catch_up(client.app)
        started = asyncio.get_running_loop().time()
        await run_jobs()
        assert len(fast.received) == events
        assert all(at - started < 4.5 for at in fast.arrivals), [  # before slow answers
            round(at - started, 2) for at in fast.arrivals
        ]
        assert {d["status"] for d in await deliveries(admin, fast_hook["id"], "?per_page=100")} == {
            "succeeded"
        }
        assert slow.most_in_flight == IN_FLIGHT, slow.most_in_flight
        assert len(slow.received) == events
        listed = await deliveries(admin, slow_hook["id"], "?per_page=100")
        assert {d["status"] for d in listed} == {"succeeded"}


# 11. Event type filters -------------------------------------------------------------------


async def test_endpoints_get_only_the_types_they_asked_for(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    admin = await users.signed_in("admin")
    teacher = await users.signed_in("instructor")
    student = await users.signed_in()
    async with receiver() as paid_only, receiver() as everything:
        orders = await register(admin, paid_only.url + "/orders", ["order.paid"])
        every = await register(admin, everything.url + "/all", ["*"])
        course_id, [lesson_id] = await make_course(teacher, lessons=1)
        await enroll(student, course_id)
        progress = f"/api/v1/courses/{course_id}/lessons/{lesson_id}/progress"
        answer = await student.client.put(
            progress, json={"position_seconds": 5}, headers=student.csrf_headers()
        )
        assert answer.status == 200, await answer.text()
        # A visit on a later day is ``learner.active``, an internal event.
        _ = await LessonProgress.filter(lesson_id=lesson_id).update(
            last_seen_at=datetime.now(UTC) - timedelta(days=2)
        )
        answer = await student.client.put(
            progress, json={"position_seconds": 9}, headers=student.csrf_headers()
        )
        assert answer.status == 200, await answer.text()
        await run(client, run_jobs)

        logged = set(await LoggedEvent.all().values_list("type", flat=True))
        assert {"catalog.changed", "learner.active", "enrollment.created"} <= logged, logged
        assert await deliveries(admin, orders["id"]) == []
        assert paid_only.received == []

        sent = {d["type"] for d in await deliveries(admin, every["id"], "?per_page=100")}
        assert sent == logged & set(EVENT_TYPES), (sent, logged)
        assert "catalog.changed" not in sent and "learner.active" not in sent
        got = {
            everything.verify(every["secret"], i)["type"] for i in range(len(everything.received))
        }
        assert got == sent


async def test_passes_at_once_never_hand_out_more_than_in_flight(
    users: Users, client: TestClient
) -> None:
    """What several workers do at the same moment: each pass hands out what is due. Together
    they must not put more than ``IN_FLIGHT`` of one endpoint's deliveries out."""
    admin = await users.signed_in("admin")
    teacher, course_id = await course_of(users, client)
    hook = await register(admin, closed_port_url(), LESSONS)
    await add_lessons(teacher, course_id, 3 * IN_FLIGHT)
    await catch_up(client.app)
    context = client.app[EVENTS].context
    assert context is not None
    out = []
    for _ in range(40):  # the race is timing-dependent: many rounds make it show
        _ = await WebhookDelivery.filter(endpoint_id=hook["id"]).update(locked_until=None)
        _ = await asyncio.gather(*(dispatch(context) for _ in range(8)))
        out.append(await WebhookDelivery.filter(locked_until__isnull=False).count())
        if out[-1] > IN_FLIGHT:
            break
    assert max(out) <= IN_FLIGHT, out
