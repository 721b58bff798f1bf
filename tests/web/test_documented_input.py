"""The OpenAPI document says exactly what the input fields take.

Where a field's rules go beyond a type and a length (trimmed text, slugs, URLs, decimal
prices), a value satisfies the documented schema if and only if the field accepts it: a
client (or a fuzzer) that trusts the document is neither refused valid input nor lets
invalid input through.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from ocp.app import all_endpoints
from ocp.courses.schemas import CatalogQuerySchema, CourseUpdateSchema, LessonFieldsSchema
from ocp.users.schemas import LoginSchema, ProfileUpdateSchema, TokenCreateSchema
from ocp.web import openapi

PIECES = [
    *" \t\n\r\x0b\x0c\x1c\x1f\x00\x08\x7f\x85\xa0\u2003\u3000",
    *"aZ09-._:/?#%[]@é€",
    "http://",
    "https://",
    "ftp://",
    "example.com",
    "ab-cd",
    "en",
    "pt-br",
    "19.99",
    "100000",
    "100000.01",
    ":8080",
    "/a.png",
]
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(max_size=40),
    st.integers(0, 2100).map(lambda n: " " * n + "ab"),
    st.integers(0, 2100).map(lambda n: "https://e.example/" + "a" * n),
)
PROFILE, COURSE, LESSON = ProfileUpdateSchema(), CourseUpdateSchema(), LessonFieldsSchema()
CASES = [
    ("ProfileUpdate", "full_name", PROFILE),  # trimmed, 1-100
    ("ProfileUpdate", "bio", PROFILE),  # trimmed, up to 2000
    ("ProfileUpdate", "avatar_url", PROFILE),  # http(s) URL, "" for none
    ("Login", "email", LoginSchema()),
    ("TokenCreate", "name", TokenCreateSchema()),
    ("CourseUpdate", "title", COURSE),  # trimmed, 3-200
    ("CourseUpdate", "category", COURSE),  # a trimmed slug
    ("CourseUpdate", "language", COURSE),  # a trimmed language code
    ("CourseUpdate", "cover_image_url", COURSE),
    ("CourseUpdate", "price", COURSE),  # a decimal string (or a number)
    ("LessonFields", "title", LESSON),
    ("LessonFields", "video_url", LESSON),  # https only
]


@cache
def document() -> dict[str, Any]:
    return openapi.build(all_endpoints())


def documented(schema: dict[str, Any], value: Any) -> bool:
    """Valid by JSON Schema's rules (patterns in ECMA-262: `$` is the very end), as the
    validator schemathesis uses judges it."""
    return bool(jsonschema_rs.Draft4Validator(schema).is_valid(value))


def accepted(schema: Schema, name: str, value: Any) -> bool:
    try:
        schema.load({name: value}, partial=True)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("component", "name", "schema"), CASES, ids=[f"{c}.{n}" for c, n, _ in CASES]
)
@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_body_fields_take_exactly_what_the_document_says(
    component: str, name: str, schema: Schema, data: st.DataObject
) -> None:
    declared = document()["components"]["schemas"][component]["properties"][name]
    patterns = [declared.get("pattern")] + [s.get("pattern") for s in declared.get("anyOf", [])]
    strategies = [TEXT] + [st.from_regex(p) for p in patterns if p]
    value = data.draw(st.one_of(strategies))
    assert documented(declared, value) == accepted(schema, name, value), (value, declared)


@given(value=st.one_of(TEXT, st.from_regex(r"^[0-9]{1,7}(?:\.[0-9]{1,3})?$")))
@settings(max_examples=400, derandomize=True, deadline=None)
def test_query_prices_take_exactly_what_the_document_says(value: str) -> None:
    operation = document()["paths"]["/api/v1/courses"]["get"]
    declared = next(p["schema"] for p in operation["parameters"] if p["name"] == "price_min")
    assert documented(declared, value) == accepted(CatalogQuerySchema(), "price_min", value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (19.99, True),
        (0, True),
        (100000, True),
        (100000.0, True),
        (0.5, True),
        (19.999, False),
        (-0.01, False),
        (100000.01, False),
        (True, False),
    ],
)
def test_numeric_prices_are_documented_as_numbers_with_cents(value: Any, ok: bool) -> None:
    declared = document()["components"]["schemas"]["CourseUpdate"]["properties"]["price"]
    number = next(s for s in declared["anyOf"] if s["type"] == "number")
    assert number == {"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01}
    assert accepted(COURSE, "price", value) is ok


def test_trimmed_limits_count_what_is_sent_and_what_is_left() -> None:
    """The maximum counts the characters sent, the minimum what trimming leaves; control
    characters are refused anywhere, also where trimming would have removed them."""
    assert accepted(PROFILE, "full_name", " " * 98 + "ab")
    assert not accepted(PROFILE, "full_name", " " * 99 + "ab")
    assert not accepted(PROFILE, "full_name", "   ")
    assert not accepted(PROFILE, "full_name", "\x1fName")
    assert PROFILE.load({"full_name": "  Ada Lovelace \n"}) == {"full_name": "Ada Lovelace"}
    assert not accepted(COURSE, "title", " ab ")
    assert COURSE.load({"category": " data-science\t"}) == {"category": "data-science"}


def test_an_empty_url_means_none() -> None:
    assert PROFILE.load({"avatar_url": ""}) == {"avatar_url": None}
    assert PROFILE.load({"avatar_url": "  "}) == {"avatar_url": None}
    assert COURSE.load({"cover_image_url": ""}) == {"cover_image_url": None}
    assert LESSON.load({"video_url": ""}) == {"video_url": None}
    assert PROFILE.load({"avatar_url": " https://cdn.example.com/a.png "}) == {
        "avatar_url": "https://cdn.example.com/a.png"
    }
    assert not accepted(LESSON, "video_url", "http://videos.example.com/v.mp4")
