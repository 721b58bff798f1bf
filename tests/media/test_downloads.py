"""``GET /media/{key}`` and ranges: what RFC 9110 says to honour, ignore or refuse."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from tests.helpers import Account, Users
from tests.media.test_uploads import get, upload

RunJobs = Callable[[], Awaitable[int]]
BODY = b"".join(b"line %05d of the handout\n" % n for n in range(500))
SIZE = len(BODY)

MALFORMED = [
    "bytes=abc",
    "bytes=5-1",
    "items=0-1",
    "bytes=",
    "bytes=-",
    "bytes=,",
    "bytes 0-9",
    "bytes =0-9",
    "bytes=0x10-",
    "bytes=\u0661-\u0662",
    "bytes=0-1,5-6",  # several ranges: not supported, so ignored
    "bytes=0-1, -5",
    "0-9",
]


async def _file(users: Users, run_jobs: RunJobs) -> tuple[Account, str]:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, BODY, "handout.txt", "text/plain")
    await run_jobs()
    ready = await get(teacher, created["id"])
    assert ready["status"] == "ready", ready
    return teacher, str(ready["url"])


async def test_an_invalid_range_is_ignored_and_the_whole_file_sent(
    users: Users, run_jobs: RunJobs
) -> None:
    teacher, url = await _file(users, run_jobs)
    for header in MALFORMED:
        response = await teacher.client.get(url, headers={"Range": header})
        assert response.status == 200, (header, response.status)
        assert "Content-Range" not in response.headers, header
        assert await response.read() == BODY, header


async def test_ranges_that_are_valid(users: Users, run_jobs: RunJobs) -> None:
    teacher, url = await _file(users, run_jobs)
    for header, first, last in [
        ("bytes=0-0", 0, 0),
        ("bytes=100-199", 100, 199),
        ("Bytes=100-199", 100, 199),
        ("bytes=100-199,", 100, 199),  # a canonical form is handed to aiohttp
        ("bytes=-25", SIZE - 25, SIZE - 1),
        ("bytes=-999999", 0, SIZE - 1),
        ("bytes=12000-999999", 12000, SIZE - 1),
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE - 1),
    ]:
        response = await teacher.client.get(url, headers={"Range": header})
        assert response.status == 206, (header, response.status)
        assert response.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}", header
        assert await response.read() == BODY[first : last + 1], header
        # rewriting the header keeps what every response carries
        assert response.headers["Content-Security-Policy"].endswith("sandbox"), header
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Request-ID"]


async def test_a_valid_range_past_the_end_is_416(users: Users, run_jobs: RunJobs) -> None:
    teacher, url = await _file(users, run_jobs)
    for header in (f"bytes={SIZE}-", "bytes=999999-", f"bytes={SIZE}-{SIZE + 10}", "bytes=-0"):
        response = await teacher.client.get(url, headers={"Range": header})
        assert response.status == 416, (header, response.status)
        assert response.headers["Content-Range"] == f"bytes */{SIZE}", header
        assert await response.read() == b"", header


async def test_head_ignores_range(users: Users, run_jobs: RunJobs) -> None:
    """RFC 9110 section 14.2: GET is the only method that honours ``Range``."""
    teacher, url = await _file(users, run_jobs)
    for header in ("bytes=0-9", "bytes=999999-"):
        response = await teacher.client.head(url, headers={"Range": header})
        assert response.status == 200, (header, response.status)
        assert response.headers["Content-Length"] == str(SIZE)
        assert "Content-Range" not in response.headers


async def test_preconditions_come_before_the_range(users: Users, run_jobs: RunJobs) -> None:
    teacher, url = await _file(users, run_jobs)
    etag = (await teacher.client.get(url)).headers["ETag"]
    cached = await teacher.client.get(url, headers={"If-None-Match": etag, "Range": "bytes=-0"})
    assert cached.status == 304 and await cached.read() == b""
    stale = await teacher.client.get(url, headers={"If-Match": '"other"', "Range": "bytes=0-9"})
    assert stale.status == 412
    fresh = await teacher.client.get(url, headers={"If-Match": etag, "Range": "bytes=0-9"})
    assert fresh.status == 206 and await fresh.read() == BODY[:10]


async def test_a_header_that_is_not_utf8_does_not_break_a_rewritten_range(
    users: Users, run_jobs: RunJobs, client: TestClient
) -> None:
    """Rewriting ``Range`` clones the request; a field of raw bytes must not make that a 500."""
    owner = await users.with_token("instructor")
    created = await upload(owner, BODY, "own.txt", "text/plain")
    await run_jobs()
    url = (await get(owner, created["id"]))["url"]
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(
        f"GET {url} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {owner.token}\r\n".encode()
        + b"X-Junk: \xff\xfe\xc3\r\nRange: bytes=0-9,\r\nConnection: close\r\n\r\n"
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 206 "), answer[:200]
    assert answer.endswith(BODY[:10])


async def test_the_openapi_document_lists_every_status_a_download_answers(
    client: TestClient,
) -> None:
    paths = (await (await client.get("/api/openapi.json")).json())["paths"]
    get_answers = paths["/media/{key}"]["get"]["responses"]
    assert {"200", "206", "304", "404", "412", "416"} <= set(get_answers)
    assert get_answers["206"]["headers"]["Content-Range"]["required"] is True
    assert "content" not in get_answers["304"] and "content" not in get_answers["416"]
    head_answers = paths["/media/{key}"]["head"]["responses"]
    assert {"200", "304", "404", "412"} <= set(head_answers)
    assert not {"206", "416"} & set(head_answers)  # HEAD ignores Range
