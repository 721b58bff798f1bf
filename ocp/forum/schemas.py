"""What goes in and out of the forum API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ocp.web.schemas import (
    ID_RANGE,
    InputSchema,
    Moment,
    PageQuerySchema,
    StrictBoolean,
    StrictInteger,
    TrimmedString,
)

TITLE_MAX = 200
BODY_MAX = 20_000  # characters of HTML as sent
QUERY_MAX = 200
SORTS = ("activity", "newest", "replies")


def _flag(description: str) -> fields.Boolean:
    return fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={"description": description})


class ThreadQuerySchema(PageQuerySchema):
    q = TrimmedString(
        validate=validate.Length(max=QUERY_MAX),
        metadata={"description": "Words to find in titles and bodies, the thread's or a post's."},
    )
    pinned = _flag("true: only pinned threads; false: only the others.")
    mine = _flag("true: threads you started or posted in.")
    unanswered = _flag("true: threads nobody but their author has replied to.")
    sort = fields.String(
        load_default="activity",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": (
                "`activity` (default): pinned first, then the latest post (or creation) first; "
                "`newest`: the newest thread first; `replies`: the most replies first."
            )
        },
    )


def _body(required: bool) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=BODY_MAX),
        metadata={
            "description": (
                "HTML, sanitized on write (the allow-list of course descriptions); it must keep "
                "some visible text."
            )
        },
    )


def _title(required: bool) -> TrimmedString:
    return TrimmedString(required=required, validate=validate.Length(min=1, max=TITLE_MAX))


class ThreadCreateSchema(InputSchema):
    title = _title(True)
    body = _body(True)


class ThreadUpdateSchema(InputSchema):
    title = _title(False)
    body = _body(False)
    pinned = StrictBoolean(metadata={"description": "Moderators only."})
    locked = StrictBoolean(metadata={"description": "Moderators only."})


class PostCreateSchema(InputSchema):
    body = _body(True)
    parent_id = StrictInteger(
        allow_none=True,
        validate=ID_RANGE,
        metadata={"description": "A post of the same thread that is not itself a reply."},
    )


class PostUpdateSchema(InputSchema):
    body = _body(True)


class MuteCreateSchema(InputSchema):
    user_id = StrictInteger(required=True, validate=ID_RANGE)
    until = Moment(
        required=True,
        metadata={"description": "In the future, at most 366 days ahead; UTC without an offset."},
    )


class AuthorSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


class ThreadFieldsSchema(Schema):
    """A thread as every reader sees it: the data of ``thread.*`` events."""

    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    author = fields.Nested(AuthorSchema, required=True)
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Sanitized HTML."})
    pinned = fields.Boolean(required=True)
    locked = fields.Boolean(required=True)
    reply_count = fields.Integer(required=True, metadata={"description": "Posts not deleted."})
    last_activity_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(required=True, allow_none=True)


class ThreadSchema(ThreadFieldsSchema):
    """A thread as the caller sees it."""

    unread_count = fields.Integer(
        required=True,
        metadata={
            "description": (
                "Posts by others after the last time you marked the thread read (all of them "
                "before you ever did)."
            )
        },
    )
    subscribed = fields.Boolean(
        required=True, metadata={"description": "Whether you get `forum.reply` notifications."}
    )


class PostSchema(Schema):
    id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True)
    author = fields.Nested(AuthorSchema, required=True)
    body = fields.String(
        required=True, allow_none=True, metadata={"description": "Sanitized HTML; null if deleted."}
    )
    parent_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(required=True, allow_none=True)
    deleted = fields.Boolean(required=True)


class SubscriptionSchema(Schema):
    thread_id = fields.Integer(required=True)
    subscribed = fields.Boolean(required=True)


class MuteSchema(Schema):
    course_id = fields.Integer(required=True)
    user = fields.Nested(AuthorSchema, required=True)
    until = fields.DateTime(required=True)
    muted_by = fields.Nested(AuthorSchema, required=True)
    created_at = fields.DateTime(required=True)
