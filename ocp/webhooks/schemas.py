"""What the webhook endpoints take and answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ocp.web.schemas import InputSchema, Moment, PageQuerySchema, StrictBoolean, TrimmedString
from ocp.webhooks.addresses import MAX_URL
from ocp.webhooks.catalog import ALL, EVENT_TYPES
from ocp.webhooks.models import DeliveryStatus

MAX_EVENT_TYPES = len(EVENT_TYPES)
TYPES_HELP = (
    '`["*"]` for every type, or a list of types (each once): '
    + ", ".join(f"`{name}`" for name in EVENT_TYPES)
    + "."
)


def _check_event_types(value: list[str]) -> None:
    if not value:
        raise ValidationError('Give at least one event type, or ["*"].')
    if len(set(value)) != len(value):
        raise ValidationError("Each event type once.")
    if ALL in value and len(value) > 1:
        raise ValidationError('"*" stands alone: it already means every type.')
    unknown = sorted(t for t in value if t != ALL and t not in EVENT_TYPES)
    if unknown:
        raise ValidationError(f"Unknown event types: {', '.join(unknown)}.")


EventTypes = lambda **kwargs: fields.List(  # noqa: E731
    fields.String(validate=validate.Length(max=64)),
    validate=[validate.Length(max=MAX_EVENT_TYPES + 1), _check_event_types],
    metadata={"description": TYPES_HELP},
    **kwargs,
)


class UrlField(fields.String):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=validate.Length(min=1, max=MAX_URL),
            metadata={
                "description": (
                    "https:// only, resolving only to public addresses (checked here and at "
                    "every delivery)."
                ),
                "example": "https://crm.example.com/ocp-events",
            },
            **kwargs,
        )


class WebhookCreateSchema(InputSchema):
    url = UrlField(required=True)
    event_types = EventTypes(required=True)
    description = TrimmedString(validate=validate.Length(max=500), load_default="")


class WebhookUpdateSchema(InputSchema):
    url = UrlField()
    event_types = EventTypes()
    description = TrimmedString(validate=validate.Length(max=500))
    enabled = StrictBoolean()


class WebhookSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    event_types = fields.List(fields.String())
    enabled = fields.Boolean()
    disabled_reason = fields.String(
        allow_none=True,
        metadata={
            "description": (
                "Why OCP turned it off: `gone` (the receiver answered 410) or `failing` "
                "(every try failed for 5 days); null when on, or turned off by an admin."
            )
        },
    )
    failing_since = fields.DateTime(
        allow_none=True, metadata={"description": "The first failed try since the last success."}
    )
    previous_secret_expires_at = fields.Method(
        "_previous_until",
        metadata={"description": "Until when the secret before a rotation still signs."},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _previous_until(self, endpoint: Any) -> str | None:
        until = endpoint.previous_secret_until
        return until.isoformat() if endpoint.previous_secret and until is not None else None


class WebhookWithSecretSchema(WebhookSchema):
    secret = fields.String(
        allow_none=True,
        metadata={
            "description": (
                "`whsec_` + base64 of 32 random bytes. Shown only in this answer (null in an "
                "answer replayed for an `Idempotency-Key`: rotate to get a new one)."
            ),
        },
    )


class DeliverySchema(Schema):
    id = fields.Integer()
    event_id = fields.UUID(metadata={"description": "The `webhook-id` of every try."})
    type = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in DeliveryStatus]})
    attempts = fields.Integer()
    response_status = fields.Integer(allow_none=True, metadata={"description": "The last try's."})
    response_body = fields.String(
        allow_none=True, metadata={"description": "At most 1 KB of the last answer."}
    )
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class DeliveryQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf([s.value for s in DeliveryStatus]))


class ReplaySchema(InputSchema):
    since = Moment(required=True)


class ReplayResultSchema(Schema):
    replayed = fields.Integer(metadata={"description": "Deliveries made or started again."})
    complete = fields.Boolean(
        metadata={"description": "False when more events remain: call again with `next_since`."}
    )
    next_since = fields.String(allow_none=True)
