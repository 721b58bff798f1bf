"""Which ``Range`` a file download acts on (RFC 9110 section 14), header by header."""

from __future__ import annotations

import pytest

from ocp.web.files import honoured_range

SIZE = 100


@pytest.mark.parametrize(
    ("header", "acted_on"),
    [
        ("bytes=0-9", "bytes=0-9"),
        ("bytes=90-", "bytes=90-"),
        ("bytes=-10", "bytes=-10"),
        ("bytes=0-0", "bytes=0-0"),
        ("Bytes=0-9", "bytes=0-9"),  # the unit is case-insensitive
        ("BYTES=5-5", "bytes=5-5"),
        ("bytes=0-9999", "bytes=0-99"),  # a last position past the end means "to the end"
        ("bytes=-500", "bytes=-100"),  # a suffix longer than the file is all of it
        ("bytes=007-009", "bytes=7-9"),
        ("bytes= 0-9 ", "bytes=0-9"),  # optional whitespace around a list element
        ("bytes=0-9,", "bytes=0-9"),  # empty list elements are allowed and ignored
        ("bytes=,,0-9", "bytes=0-9"),
        ("bytes=99-", "bytes=99-"),  # the last byte
    ],
)
def test_a_valid_single_range_is_honoured(header: str, acted_on: str) -> None:
    assert honoured_range("GET", [header], SIZE) == acted_on


@pytest.mark.parametrize(
    "header",
    [
        "bytes=100-",  # starts at the end
        "bytes=100-200",
        "bytes=5000-",
        "bytes=-0",  # a zero-length suffix
        "bytes=" + "9" * 5000 + "-",  # a first position past any file (and int()'s limit)
    ],
)
def test_a_valid_range_outside_the_file_is_unsatisfiable(header: str) -> None:
    """aiohttp answers 416 with ``Content-Range: bytes */100`` to what this returns."""
    assert honoured_range("GET", [header], SIZE) == f"bytes={SIZE}-"


def test_every_range_of_an_empty_file_is_unsatisfiable() -> None:
    assert honoured_range("GET", ["bytes=0-"], 0) == "bytes=0-"
    assert honoured_range("GET", ["bytes=-5"], 0) == "bytes=0-"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=5-1",  # last before first: invalid, so the whole header goes
        "bytes=",
        "bytes=-",
        "bytes=,",
        "bytes=--5",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=0x10-",
        "bytes=1.5-2",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits are not DIGIT
        "bytes 0-9",
        "bytes =0-9",  # no whitespace around "="
        "bytes=0-9;q=1",
        "items=0-1",  # a unit we do not know
        "=0-9",
        "0-9",
        "",
        "bytes=0-1,5-6",  # several ranges: no multipart/byteranges here, so none
        "bytes=0-1, -5",
        "bytes=0-1,abc",
    ],
)
def test_anything_else_is_ignored(header: str) -> None:
    assert honoured_range("GET", [header], SIZE) is None


def test_two_range_fields_are_ignored() -> None:
    assert honoured_range("GET", ["bytes=0-1", "bytes=2-3"], SIZE) is None


@pytest.mark.parametrize("method", ["HEAD", "POST", "PUT", "DELETE", "PATCH"])
def test_only_get_honours_ranges(method: str) -> None:
    assert honoured_range(method, ["bytes=0-9"], SIZE) is None
