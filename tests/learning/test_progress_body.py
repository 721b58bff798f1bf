"""The progress body's shortcut loads exactly what ``ProgressUpdateSchema`` loads."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from ocp.learning.schemas import MAX_POSITION, ProgressUpdateSchema, plain_progress_update

BODIES: list[Any] = [
    {},
    {"position_seconds": 0},
    {"position_seconds": 42},
    {"position_seconds": MAX_POSITION},
    {"position_seconds": MAX_POSITION + 1},
    {"position_seconds": -1},
    {"position_seconds": 1.0},
    {"position_seconds": 1.5},
    {"position_seconds": True},
    {"position_seconds": "12"},
    {"position_seconds": None},
    {"position_seconds": 10**30},
    {"completed": True},
    {"completed": False},
    {"completed": 1},
    {"completed": "true"},
    {"completed": None},
    {"completed": True, "position_seconds": 7},
    {"completed": False, "position_seconds": -7},
    {"completed": True, "extra": 1},
    {"extra": 1},
    [],
    ["position_seconds"],
    "position_seconds",
    7,
    None,
]


@pytest.mark.parametrize("body", BODIES, ids=repr)
def test_shortcut_agrees_with_the_schema(body: Any) -> None:
    try:
        expected: dict[str, Any] | None = ProgressUpdateSchema().load(body)
    except ValidationError:
        expected = None
    got = plain_progress_update(body)
    if got is not None:  # what the shortcut takes, it loads as the schema does
        assert got == expected
        assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}
    else:  # what it leaves to the schema is an error there
        assert expected is None


def test_the_heartbeat_and_a_completion_take_the_shortcut() -> None:
    assert plain_progress_update({"position_seconds": 5}) == {"position_seconds": 5}
    assert plain_progress_update({"completed": True}) == {"completed": True}
