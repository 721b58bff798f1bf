"""Base schemas every domain builds on: strict input, problems, pages."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns
ID_RANGE = validate.Range(min=1, max=MAX_ID, error="Not an id.")


class InputSchema(Schema):
    """Input: only the declared fields; anything else is a 422 (no mass assignment)."""

    class Meta:
        unknown = RAISE


class StrictBoolean(fields.Boolean):
    """JSON ``true``/``false`` only; no "yes", 1 or "on" guessing."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


# Regex classes spelled out, so that they mean the same in Python and in JSON Schema's
# ECMA-262 dialect (their \s differ: U+0085 and U+FEFF). Patterns end in `$`, which in ECMA
# is the very end: the server matches them whole (fullmatch), never before a last newline.
CONTROL = "\\x00-\\x08\\x0b-\\x1f"  # control characters, but tab and newline
# What str.strip() removes and is no control character: str.isspace() less CONTROL.
BLANK = "\\t\\n \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_CONTROL = re.compile(f"[{CONTROL}]")
_ALLOWED = f"[^{CONTROL}]"
_BLANK = f"[{BLANK}]"
_SOLID = f"[^{BLANK}{CONTROL}]"  # any other allowed character


def trimmed_pattern(min_length: int = 0, inner: str | None = None) -> str:
    """The JSON Schema ``pattern`` of a trimmed string: no control character (but tab and
    newline) anywhere, and at least ``min_length`` characters left after trimming; or, with
    ``inner``, surrounding whitespace around a match of ``inner``. Exact in Python's ``re``."""
    if inner is not None:
        return f"^{_BLANK}*(?:{inner}){_BLANK}*$"
    if min_length <= 0:
        return f"^{_ALLOWED}*$"
    if min_length == 1:
        return f"^{_BLANK}*{_SOLID}{_ALLOWED}*$"
    return f"^{_BLANK}*{_SOLID}{_ALLOWED}{{{min_length - 2},}}{_SOLID}{_BLANK}*$"


def _unanchored(regex: re.Pattern[Any]) -> str:
    text = regex.pattern
    if not (isinstance(text, str) and text.startswith("^") and text.endswith("$")):
        raise ValueError(f"a trimmed string's regex must be anchored: {text!r}")
    return text[1:-1]


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed. Control characters (but tab and newline)
    are refused anywhere; a maximum length counts the characters sent, a minimum length (or a
    ``Regexp``, which must be anchored and imply it) what is left after trimming. The OpenAPI
    document gets a ``pattern`` that says exactly this."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lengths = [v for v in self.validators if isinstance(v, validate.Length)]
        regexes = [v.regex for v in self.validators if isinstance(v, validate.Regexp)]
        self.max_length = min((v.max for v in lengths if v.max is not None), default=None)
        if len(regexes) > 1:
            raise ValueError("a trimmed string takes one Regexp at most")
        minimum = max((v.min for v in lengths if v.min is not None), default=0)
        inner = _unanchored(regexes[0]) if regexes else None
        self.metadata = {"pattern": trimmed_pattern(minimum, inner), **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            raise ValidationError("Must not contain control characters.")
        if self.max_length is not None and len(text) > self.max_length:
            raise ValidationError(f"Longer than maximum length {self.max_length}.")
        return text.strip()


MAX_URL = 2048
_HOST = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_URL_REST = _HOST + f"(?::[0-9]{{1,5}})?(?:[/?#][^{BLANK}{CONTROL}\\x7f]*)?"


class HttpUrl(TrimmedString):
    """An absolute http(s) URL (``https_only``: https) of at most 2048 characters, trimmed:
    a host name or IPv4 address, an optional port, then no whitespace or control character.
    An empty string means none (``None``). One regex checks it and documents it."""

    def __init__(self, *, https_only: bool = False, **kwargs: Any) -> None:
        url = ("https" if https_only else "https?") + "://" + _URL_REST
        self.url = re.compile(url)
        metadata = {
            "pattern": trimmed_pattern(inner=f"(?:{url})?"),
            "maxLength": MAX_URL,
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)
        self.max_length = MAX_URL

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return None
        if not self.url.fullmatch(text):
            scheme = "https" if self.url.pattern.startswith("https:") else "http(s)"
            raise ValidationError(f"Not a valid {scheme} URL.")
        return text


class StrictInteger(fields.Integer):
    """A JSON number that is a whole number; no "12" strings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class Moment(fields.AwareDateTime):
    """An ISO 8601 date and time; without an offset it is taken as UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError("An ISO 8601 date and time.")
        return super()._deserialize(value, attr, data, **kwargs)


class PageQuerySchema(InputSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1),
        metadata={"description": f"Items per page; values over {MAX_PER_PAGE} are capped."},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is answered."""

    type = fields.String(required=True, metadata={"example": "urn:ocp:problem:not-found"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    request_id = fields.String(allow_none=True)
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Field name -> list of messages (validation errors only)."},
    )


class PageSchema(Schema):
    """The envelope of every list; ``items`` holds the listed objects."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
