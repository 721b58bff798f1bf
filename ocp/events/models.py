"""The ``event_log`` table: the outbox every domain event goes through."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class LoggedEvent(Model):
    """A domain event, written in the transaction of its change; ``published_at`` is set
    once it is on the bus. ``id`` orders publication; ``event_id`` names the event for
    consumers, the same however many times it is published."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField(unique=True)
    type = fields.CharField(max_length=100)
    data: dict = fields.JSONField()
    channels: list = fields.JSONField()
    occurred_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True, db_index=True)
    # The order of publication, which is the order of commits as consumers must see it (an
    # id is taken at insert, so a lower id may commit later): set with published_at, rising
    # from round to round (``ocp/events/log.py``), read by ``ocp/events/consumers.py``.
    published_seq = fields.BigIntField(null=True, db_index=True)

    class Meta:
        table = "event_log"


class HandledEvent(Model):
    """A reaction that has run for an event: written in the transaction of its effect, so a
    reaction delivered twice (at least once) takes effect once."""

    id = fields.BigIntField(primary_key=True)
    handler = fields.CharField(max_length=150)
    event_id = fields.UUIDField()
    handled_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    failed = fields.BooleanField(default=False)  # gave up after its last try

    class Meta:
        table = "event_handled"
        unique_together = (("handler", "event_id"),)


class EventCursor(Model):
    """How far a consumer of the log has got: every event published up to ``position``
    (``published_seq``) has been handed to it, in the transaction that moved the cursor."""

    name = fields.CharField(max_length=100, primary_key=True)
    position = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "event_cursor"
