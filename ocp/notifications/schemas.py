"""What goes in and out of the notifications API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ocp.notifications.types import EMAIL_CHOICES, TYPES
from ocp.web.schemas import ID_RANGE, InputSchema, PageQuerySchema, StrictBoolean


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"enum": list(TYPES)})
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Plain text."})
    url = fields.String(
        required=True,
        metadata={"description": "Where the front end should go: a path of the web app."},
    )
    data = fields.Dict(required=True, metadata={"description": "Ids and figures of the subject."})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)


class NotificationQuerySchema(PageQuerySchema):
    unread = fields.Boolean(
        truthy={"true"}, falsy={"false"}, metadata={"description": "true: only the unread ones."}
    )


class ReadAllSchema(Schema):
    marked = fields.Integer(required=True, metadata={"description": "How many were unread."})


class ChoiceSchema(InputSchema):
    in_app = StrictBoolean()
    email = fields.String(validate=validate.OneOf(EMAIL_CHOICES))


class ChoiceAnswerSchema(Schema):
    in_app = fields.Boolean(required=True)
    email = fields.String(required=True, metadata={"enum": list(EMAIL_CHOICES)})


def attribute(type: str) -> str:
    """A type's name as a schema attribute: marshmallow reads dots as a path."""
    return type.replace(".", "__")


# Every type, as answered; any subset of them, as changed (unknown types: 422). The JSON keys
# are the types themselves ("enrollment.confirmed").
PreferencesSchema = Schema.from_dict(
    {
        attribute(type): fields.Nested(ChoiceAnswerSchema, required=True, data_key=type)
        for type in TYPES
    },
    name="NotificationPreferences",
)
PreferencesUpdateSchema = InputSchema.from_dict(
    {attribute(type): fields.Nested(ChoiceSchema, data_key=type) for type in TYPES},
    name="NotificationPreferencesUpdate",
)


class UnsubscribeQuerySchema(InputSchema):
    user = fields.Integer(required=True, validate=ID_RANGE)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    # Missing, it is a link that is not ours: 400, like an altered one (not 422).
    sig = fields.String(load_default="", validate=validate.Length(max=100))
