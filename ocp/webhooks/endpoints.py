"""Registering webhook endpoints: create, change, delete, rotate their secret, and ask for
deliveries again (a retry, a replay from the event log, a test)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from ocp.config import Settings
from ocp.errors import Conflict, NotFound, ValidationFailed
from ocp.events.models import LoggedEvent
from ocp.users.models import User
from ocp.webhooks import addresses, signing
from ocp.webhooks.catalog import EVENT_TYPES, TEST_EVENT, wants
from ocp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

MAX_ENDPOINTS = 100
ROTATION_OVERLAP = timedelta(hours=24)
REPLAY_MAX = 10_000  # events one replay call redelivers; the answer says where to go on
REPLAY_BATCH = 1_000


def now() -> datetime:
    return datetime.now(UTC)


async def checked_url(raw: str, settings: Settings) -> str:
    """The URL as stored, once allowed; 422 with the reason otherwise."""
    allow = settings.webhooks_allow_private
    try:
        url = addresses.parse(raw, allow_private=allow)
        await addresses.check(url, allow_private=allow)
    except addresses.AddressRefused as refused:
        raise ValidationFailed(errors={"url": [str(refused)]}) from None
    return str(url)


def secrets_in_use(endpoint: WebhookEndpoint, at: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the one before for a day after a
    rotation."""
    found = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > at:
        found.append(endpoint.previous_secret)
    return found


async def create(*, admin: User, values: dict[str, Any], settings: Settings) -> WebhookEndpoint:
    url = await checked_url(values["url"], settings)
    async with in_transaction() as conn:
        if await WebhookEndpoint.all().using_db(conn).count() >= MAX_ENDPOINTS:
            raise Conflict(f"At most {MAX_ENDPOINTS} webhook endpoints; delete one first")
        return await WebhookEndpoint.create(
            url=url,
            description=values.get("description", ""),
            event_types=values["event_types"],
            secret=signing.new_secret(),
            created_by_id=admin.id,
            using_db=conn,
        )


async def get(endpoint_id: int) -> WebhookEndpoint:
    found = await WebhookEndpoint.get_or_none(id=endpoint_id)
    if found is None:
        raise NotFound("No such webhook endpoint")
    return found


async def list_all(*, offset: int, limit: int) -> tuple[list[WebhookEndpoint], int]:
    query = WebhookEndpoint.all()
    return await query.order_by("id").offset(offset).limit(limit), await query.count()


async def update(endpoint_id: int, values: dict[str, Any], settings: Settings) -> WebhookEndpoint:
    changes = dict(values)
    if "url" in changes:
        changes["url"] = await checked_url(changes["url"], settings)
    if changes.get("enabled") is True:
        changes["disabled_reason"] = None
        changes["failing_since"] = None
    elif changes.get("enabled") is False:
        changes["disabled_reason"] = None  # turned off by an admin, not by OCP
    async with in_transaction() as conn:
        endpoint = await WebhookEndpoint.filter(id=endpoint_id).select_for_update().using_db(conn)
        if not endpoint:
            raise NotFound("No such webhook endpoint")
        found = endpoint[0]
        if changes.get("enabled") is True and found.enabled:
            changes.pop("disabled_reason")
            changes.pop("failing_since")
        for name, value in changes.items():
            setattr(found, name, value)
        if changes:
            await found.save(update_fields=[*changes, "updated_at"], using_db=conn)
    return found


async def delete(endpoint_id: int) -> None:
    if not await WebhookEndpoint.filter(id=endpoint_id).delete():
        raise NotFound("No such webhook endpoint")


async def rotate_secret(endpoint_id: int) -> WebhookEndpoint:
    """A new secret; the one before keeps signing alongside for 24 hours."""
    async with in_transaction() as conn:
        rows = await WebhookEndpoint.filter(id=endpoint_id).select_for_update().using_db(conn)
        if not rows:
            raise NotFound("No such webhook endpoint")
        endpoint = rows[0]
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now() + ROTATION_OVERLAP
        endpoint.secret = signing.new_secret()
        await endpoint.save(
            update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"],
            using_db=conn,
        )
    return endpoint


def _must_be_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled: enable it first (PATCH enabled=true)")


async def send_test(endpoint_id: int) -> WebhookDelivery:
    """A ``webhook.test`` delivery to this endpoint alone, sent by the worker within a second."""
    endpoint = await get(endpoint_id)
    _must_be_enabled(endpoint)
    moment = now()
    return await WebhookDelivery.create(
        endpoint_id=endpoint.id,
        event_id=uuid.uuid4(),
        type=TEST_EVENT,
        occurred_at=moment,
        data={"webhook_id": endpoint.id, "message": "A test event from OCP"},
        next_attempt_at=moment,
    )


async def delivery_of(endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    found = await WebhookDelivery.get_or_none(id=delivery_id, endpoint_id=endpoint_id)
    if found is None:
        raise NotFound("No such delivery of this endpoint")
    return found


async def list_deliveries(
    endpoint_id: int, *, status: str | None, offset: int, limit: int
) -> tuple[list[WebhookDelivery], int]:
    _ = await get(endpoint_id)
    query = WebhookDelivery.filter(endpoint_id=endpoint_id)
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("-id").offset(offset).limit(limit), await query.count()


async def retry(endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now, whatever became of it, on a fresh schedule of tries."""
    endpoint = await get(endpoint_id)
    _must_be_enabled(endpoint)
    moment = now()
    async with in_transaction() as conn:
        rows = await (
            WebhookDelivery.filter(id=delivery_id, endpoint_id=endpoint_id)
            .select_for_update()
            .using_db(conn)
        )
        if not rows:
            raise NotFound("No such delivery of this endpoint")
        delivery = rows[0]
        if delivery.locked_until is not None and delivery.locked_until > moment:
            raise Conflict("The delivery is being sent right now; see its outcome shortly")
        _restart(delivery, moment)
        await delivery.save(update_fields=[*RESTARTED, "updated_at"], using_db=conn)
    return delivery


RESTARTED = ("status", "round_attempts", "next_attempt_at", "locked_until")


def _restart(delivery: WebhookDelivery, moment: datetime) -> None:
    delivery.status = DeliveryStatus.PENDING
    delivery.round_attempts = 0
    delivery.next_attempt_at = moment
    delivery.locked_until = None


async def replay(endpoint_id: int, since: datetime) -> dict[str, Any]:
    """Redeliver, from the event log, every event since ``since`` the endpoint wants, with
    their original ids; at most REPLAY_MAX per call (``next_since`` says where to go on)."""
    endpoint = await get(endpoint_id)
    _must_be_enabled(endpoint)
    if since > now():
        raise ValidationFailed(errors={"since": ["Must not be in the future."]})
    types = [t for t in EVENT_TYPES if wants(endpoint.event_types, t)]
    replayed = 0
    after_id = 0
    last: datetime | None = None
    complete = True
    while True:
        rows = (
            await LoggedEvent.filter(
                occurred_at__gte=since, type__in=types, published_at__isnull=False, id__gt=after_id
            )
            .order_by("id")
            .limit(REPLAY_BATCH)
            .values("id", "event_id", "type", "data", "occurred_at")
        )
        if not rows:
            break
        if replayed + len(rows) > REPLAY_MAX:
            rows = rows[: REPLAY_MAX - replayed]
            complete = False
        await _redeliver(endpoint.id, rows)
        replayed += len(rows)
        after_id = int(rows[-1]["id"])
        last = rows[-1]["occurred_at"]
        if not complete or len(rows) < REPLAY_BATCH:
            break
    return {
        "replayed": replayed,
        "complete": complete,
        "next_since": None if complete or last is None else last.isoformat(),
    }


async def _redeliver(endpoint_id: int, rows: list[dict[str, Any]]) -> None:
    moment = now()
    async with in_transaction() as conn:
        await WebhookDelivery.bulk_create(
            [
                WebhookDelivery(
                    endpoint_id=endpoint_id,
                    event_id=row["event_id"],
                    type=row["type"],
                    occurred_at=row["occurred_at"],
                    data=row["data"],
                    next_attempt_at=moment,
                )
                for row in rows
            ],
            ignore_conflicts=True,
            using_db=conn,
        )
        _ = await (
            WebhookDelivery.filter(
                endpoint_id=endpoint_id, event_id__in=[row["event_id"] for row in rows]
            )
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=moment))
            .using_db(conn)
            .update(
                status=DeliveryStatus.PENDING,
                round_attempts=0,
                next_attempt_at=moment,
                locked_until=None,
            )
        )
