"""Hostile input to the upload API: bodies, forms, names, sizes, rights, races and keys.

Every refused upload must answer problem+json with the right status and keep nothing: no
upload row, no blob row, no file under the media dir (stored or temporary).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.config import Settings
from ocp.courses.models import Lesson
from ocp.media.models import Blob, Upload
from ocp.users.models import User
from tests.helpers import Account, Users, expect_problem
from tests.media.test_uploads import (
    form,
    get,
    make_course,
    png_bytes,
    stored_files,
    temporary_files,
    upload,
)

RunJobs = Callable[[], Awaitable[int]]
UPLOADS = "/api/v1/uploads"
BOUNDARY = "ocpTestBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


# Raw multipart bodies: exactly the bytes we mean, nothing a client library would fix. ------


def part(
    name: str | None = "file",
    data: bytes = b"hello\n",
    filename: str | bytes | None = "notes.txt",
    content_type: str | None = "text/plain",
    *,
    disposition: bytes | None = None,
) -> bytes:
    """One part: its headers and its body (no boundary lines)."""
    if disposition is None:
        disposition = b"form-data"
        if name is not None:
            disposition += b'; name="' + name.encode() + b'"'
        if isinstance(filename, str):  # a quoted-string: backslashes and quotes escaped
            filename = filename.replace("\\", "\\\\").replace('"', '\\"').encode()
        if filename is not None:  # bytes go as they are
            disposition += b'; filename="' + filename + b'"'
    headers = b"Content-Disposition: " + disposition + b"\r\n"
    if content_type is not None:
        headers += b"Content-Type: " + content_type.encode() + b"\r\n"
    return headers + b"\r\n" + data


def multipart(*parts: bytes, boundary: str = BOUNDARY) -> bytes:
    """A whole form-data body with its closing boundary."""
    mark = b"--" + boundary.encode()
    body = b"".join(mark + b"\r\n" + p + b"\r\n" for p in parts)
    return body + mark + b"--\r\n"


async def post_raw(
    account: Account, body: bytes, content_type: str = MULTIPART
) -> aiohttp.ClientResponse:
    headers = {**account.csrf_headers(), "Content-Type": content_type}
    return await account.client.post(UPLOADS, data=body, headers=headers)


async def leftovers(settings: Settings) -> list[str]:
    """What a refused upload left behind: rows and files (empty when nothing)."""
    found = [f"upload {row}" for row in await Upload.all().values("id", "filename")]
    found += [f"blob {sha}" for sha in await Blob.all().values_list("sha256", flat=True)]
    found += [f"stored file {p.name}" for p in stored_files(settings)]
    found += [f"temporary file {p.name}" for p in temporary_files(settings)]
    return found


async def assert_nothing_kept(settings: Settings) -> None:
    assert await leftovers(settings) == []


async def ready_upload(
    account: Account,
    run_jobs: RunJobs,
    data: bytes,
    filename: str = "notes.txt",
    content_type: str = "text/plain",
) -> dict[str, Any]:
    created = await upload(account, data, filename, content_type)
    await run_jobs()
    done = await get(account, created["id"])
    assert done["status"] == "ready", done
    return done


# POST /api/v1/uploads: the body ----------------------------------------------------------


async def test_a_body_that_is_not_multipart_is_415(users: Users, settings: Settings) -> None:
    teacher = await users.signed_in("instructor")
    csrf = teacher.csrf_headers()
    as_json = await teacher.client.post(UPLOADS, json={"file": "aGVsbG8="}, headers=csrf)
    await expect_problem(as_json, 415)
    urlencoded = await teacher.client.post(UPLOADS, data={"file": "hello"}, headers=csrf)
    assert urlencoded.request_info.headers["Content-Type"].startswith(
        "application/x-www-form-urlencoded"
    )
    await expect_problem(urlencoded, 415)
    await expect_problem(await teacher.client.post(UPLOADS, headers=csrf), 415)
    for content_type in ("text/plain", "multipart/mixed; boundary=x", "image/png"):
        other = await post_raw(teacher, multipart(part()), content_type)
        await expect_problem(other, 415)
    await assert_nothing_kept(settings)


# A broken Content-Disposition is only a warning in aiohttp; here, as in production, not an error.
@pytest.mark.filterwarnings("ignore::aiohttp.multipart.BadContentDispositionHeader")
@pytest.mark.filterwarnings("ignore::aiohttp.multipart.BadContentDispositionParam")
async def test_a_malformed_multipart_body_is_400_never_500(
    users: Users, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    good = multipart(part())
    cases: list[tuple[str, str, bytes, tuple[int, ...]]] = [
        ("no boundary", "multipart/form-data", good, (400,)),
        ("empty boundary", "multipart/form-data; boundary=", good, (400,)),
        ("boundary too long", "multipart/form-data; boundary=" + "b" * 80, good, (400,)),
        ("wrong boundary", "multipart/form-data; boundary=nothere", good, (400,)),
        ("garbage body", MULTIPART, b"\x00\xff garbage \r\n\r\n" * 50, (400,)),
        ("empty body", MULTIPART, b"", (400,)),
        (
            "truncated in the data",
            MULTIPART,
            b"--" + BOUNDARY.encode() + b"\r\n" + part(data=b"x" * 5000),
            (400,),
        ),
        (
            "truncated in the part headers",
            MULTIPART,
            b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="fi',
            (400, 422),
        ),
        (
            "truncated after the part headers",
            MULTIPART,
            b"--" + BOUNDARY.encode() + b"\r\n" + part(data=b""),
            (400, 422),
        ),
        (
            "a part header that is no header",
            MULTIPART,
            multipart(b"this is not a header line\r\n" + part()),
            (400,),
        ),
        (
            "a control character in a part header",
            MULTIPART,
            multipart(part(filename="bad\x7fname.txt")),
            (400,),
        ),
        (
            "a part header line far too long",
            MULTIPART,
            multipart(b"X-Long: " + b"a" * 20_000 + b"\r\n" + part()),
            (400, 431),
        ),
        (
            "too many part headers",
            MULTIPART,
            multipart(b"".join(b"X-H%d: v\r\n" % i for i in range(300)) + part()),
            (400, 431),
        ),
        (
            "a nested multipart part without a boundary",
            MULTIPART,
            multipart(part(content_type="multipart/mixed")),
            (400, 422),
        ),
        (
            "an oversized _charset_ part",
            MULTIPART,
            multipart(part("_charset_", b"x" * 64, None, None), part()),
            (400, 422),
        ),
        (
            "a _charset_ part that is not text",
            MULTIPART,
            multipart(part("_charset_", b"\xff\xfe\xfd", None, None), part()),
            (400, 422),
        ),
    ]
    wrong = []
    for label, content_type, body, statuses in cases:
        response = await post_raw(teacher, body, content_type)
        text = await response.text()
        if response.status not in statuses or not response.content_type.endswith("problem+json"):
            wrong.append(f"{label}: {response.status} {text[:200]}")
    assert not wrong, "\n".join(wrong)
    await assert_nothing_kept(settings)


async def test_a_form_without_exactly_one_named_file_is_422(
    users: Users, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")

    async def refused(body: bytes) -> dict[str, Any]:
        return dict((await expect_problem(await post_raw(teacher, body), 422))["errors"])

    assert "file" in await refused(multipart())  # no part at all
    assert "title" in await refused(multipart(part("title", b"My file", None, None)))
    assert "title" in await refused(multipart(part("title", b"My file", None, None), part()))
    assert "caption" in await refused(multipart(part("caption", b"hi", "a.txt"), part()))
    assert "_schema" in await refused(multipart(part(None, b"anonymous", "a.txt")))
    two = await refused(multipart(part(data=b"first file\n"), part(data=b"second file\n")))
    assert "file" in two
    big_then_more = multipart(part(data=b"x" * 300_000), part("extra", b"1", None, None))
    assert "extra" in await refused(big_then_more)
    assert "file" in await refused(multipart(part(filename=None)))
    assert "file" in await refused(multipart(part(filename="")))
    assert "file" in await refused(multipart(part(data=b"")))
    empty = aiohttp.FormData()
    empty.add_field("file", b"", filename="empty.txt", content_type="text/plain")
    response = await teacher.client.post(UPLOADS, data=empty, headers=teacher.csrf_headers())
    assert "file" in (await expect_problem(response, 422))["errors"]
    await assert_nothing_kept(settings)


# Names -----------------------------------------------------------------------------------


async def test_filenames_are_cut_and_cleaned(users: Users, settings: Settings) -> None:
    teacher = await users.signed_in("instructor")

    async def sent_as(filename: str | bytes, data: bytes) -> str:
        response = await post_raw(teacher, multipart(part(data=data, filename=filename)))
        assert response.status == 202, await response.text()
        name = str((await response.json())["filename"])
        assert "/" not in name and "\\" not in name, name
        assert len(name.encode()) <= 255, name
        assert not any(ord(c) < 32 or ord(c) == 127 for c in name), repr(name)
        return name

    long = await sent_as("a" * 1000 + ".txt", b"1")
    assert long.endswith(".txt") and set(long[:-4]) == {"a"}
    assert 250 <= len(long.encode()) <= 255
    wide = await sent_as("\u00e9" * 1000 + ".txt", b"2")
    assert wide.endswith(".txt") and set(wide[:-4]) == {"\u00e9"}
    emoji = await sent_as("\U0001f600" * 300 + ".md", b"3")
    assert emoji.endswith(".md") and set(emoji[:-3]) == {"\U0001f600"}
    assert await sent_as("..\\..\\evil.png", b"4") == "evil.png"
    assert await sent_as("/etc/passwd", b"5") == "passwd"
    assert await sent_as("C:\\Windows\\system32\\x.txt", b"6") == "x.txt"
    assert await sent_as("....", b"7") == "upload"
    assert await sent_as("../..", b"8") == "upload"
    assert await sent_as("a\tb\tc.txt", b"9") == "abc.txt"  # the one control a header may hold
    assert await sent_as('say "cheese".txt', b"10") == 'say "cheese".txt'
    # Unescaped backslashes, as some clients send them: whatever arrives has no separators.
    await sent_as(b"C:\\Users\\me\\..\\report.txt", b"11")

    # RFC 5987 names: percent-escapes can carry what a header line cannot.
    async def extended(encoded: str, data: bytes) -> str:
        disposition = f"form-data; name=\"file\"; filename*=UTF-8''{encoded}".encode()
        response = await post_raw(teacher, multipart(part(data=data, disposition=disposition)))
        assert response.status == 202, await response.text()
        name = str((await response.json())["filename"])
        assert "/" not in name and "\\" not in name, name
        assert not any(ord(c) < 32 or ord(c) == 127 for c in name), repr(name)
        return name

    assert await extended(quote("ev\x00il\r\n\x1b.txt", safe=""), b"20") == "evil.txt"
    assert await extended(quote("../../etc/cron.d/x.txt", safe=""), b"21") == "x.txt"
    assert await extended(quote("..\\..\\boot.ini", safe=""), b"22") == "boot.ini"
    assert await extended(quote("%2e%2e%2fsneaky.txt", safe=""), b"23") == "%2e%2e%2fsneaky.txt"

    # The same names through aiohttp's own form writer, as test_uploads sends them.
    for i, name in enumerate(("..\\..\\evil.png", "/etc/passwd", "\\\\server\\share\\x.txt")):
        created = await upload(teacher, b"form %d" % i, name, "text/plain")
        assert "/" not in created["filename"] and "\\" not in created["filename"], created

    uploads = await Upload.all().values_list("filename", flat=True)
    assert all("/" not in n and "\\" not in n for n in uploads)
    # The bytes are kept under their hash, never under a name the client chose.
    hashes = set(await Upload.all().values_list("sha256", flat=True))
    assert {p.name for p in stored_files(settings)} == hashes
    assert temporary_files(settings) == []


async def test_a_filename_that_is_not_utf8_is_refused_or_cleaned(
    users: Users, settings: Settings
) -> None:
    """Raw bytes that are no UTF-8 in the part's filename: a 400/422 that keeps nothing, or a
    name that can be stored (valid UTF-8), never a 500."""
    teacher = await users.signed_in("instructor")
    response = await post_raw(teacher, multipart(part(filename=b"bad\xff\xfename.txt")))
    text = await response.text()
    if response.status == 202:
        name = (await response.json())["filename"]
        name.encode("utf-8")  # no lone surrogates
        assert (await get(teacher, (await response.json())["id"]))["filename"] == name
        return
    left = await leftovers(settings)
    assert response.status in (400, 422) and not left, (response.status, text, left)
    await expect_problem(response, response.status)


async def test_a_declared_type_that_is_not_utf8_is_refused_or_cleaned(
    users: Users, settings: Settings
) -> None:
    """The same for the part's Content-Type, which is kept as the declared type."""
    teacher = await users.signed_in("instructor")
    body = multipart(part(content_type="text/pl\xe9ain")).replace("\xe9".encode(), b"\xe9")
    response = await post_raw(teacher, body)
    text = await response.text()
    if response.status == 202:
        assert await Upload.all().count() == 1
        return
    left = await leftovers(settings)
    assert response.status in (400, 422) and not left, (response.status, text, left)
    await expect_problem(response, response.status)


# Size ------------------------------------------------------------------------------------


async def test_an_upload_just_over_the_limit_is_413_and_at_the_limit_is_accepted(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings
) -> None:
    small = replace(settings, max_upload_mb=1)
    client = await aiohttp_client(create_app(small))
    users = Users(client, lambda: aiohttp_client(client.server))
    teacher = await users.with_token("instructor")
    limit = 2**20
    over = b"o" * (limit + 1)
    with_length = await teacher.client.post(
        UPLOADS, data=form(over, "over.txt", "text/plain"), headers=teacher.csrf_headers()
    )
    assert with_length.request_info.headers.get("Content-Length") is not None
    await expect_problem(with_length, 413)

    async def chunked() -> Any:
        yield b"c" * (limit // 2)
        yield b"c" * (limit // 2)
        yield b"c"

    writer = aiohttp.MultipartWriter("form-data")
    streamed_part = writer.append(chunked(), {"Content-Type": "text/plain"})
    streamed_part.set_content_disposition("form-data", name="file", filename="over.txt")
    streamed = await teacher.client.post(UPLOADS, data=writer, headers=teacher.csrf_headers())
    assert streamed.request_info.headers.get("Transfer-Encoding") == "chunked"
    await expect_problem(streamed, 413)

    # A Content-Length far past the limit is refused before the body is read.
    assert client.server.host is not None and client.server.port is not None
    sock_in, sock_out = await asyncio.open_connection(client.server.host, client.server.port)
    sock_out.write(
        (
            f"POST {UPLOADS} HTTP/1.1\r\n"
            f"Host: {client.server.host}:{client.server.port}\r\n"
            f"Authorization: {teacher.headers['Authorization']}\r\n"
            f"Content-Type: {MULTIPART}\r\n"
            f"Content-Length: {100 * limit}\r\n\r\n"
        ).encode()
        + b"--"
        + BOUNDARY.encode()
        + b"\r\n"
        + part(data=b"x" * 1000)
    )
    await sock_out.drain()
    status_line = await asyncio.wait_for(sock_in.readline(), 5)
    sock_out.close()
    await sock_out.wait_closed()
    assert status_line.split()[1] == b"413", status_line
    await asyncio.sleep(0.1)
    await assert_nothing_kept(small)

    exact = await teacher.client.post(
        UPLOADS, data=form(b"e" * limit, "exact.txt", "text/plain"), headers=teacher.csrf_headers()
    )
    assert exact.status == 202, await exact.text()
    assert (await exact.json())["size"] == limit
    assert await Upload.all().count() == 1 and len(stored_files(small)) == 1
    assert temporary_files(small) == []


# Rights ----------------------------------------------------------------------------------


async def test_who_may_upload(users: Users, client: TestClient, settings: Settings) -> None:
    student = await users.signed_in()
    refused = await student.client.post(
        UPLOADS, data=form(png_bytes()), headers=student.csrf_headers()
    )
    await expect_problem(refused, 403)
    await expect_problem(await client.post(UPLOADS, data=form(png_bytes())), 401)
    teacher = await users.signed_in("instructor")
    await expect_problem(await teacher.client.post(UPLOADS, data=form(png_bytes())), 403)
    wrong_csrf = await teacher.client.post(
        UPLOADS, data=form(png_bytes()), headers={"X-CSRF-Token": "not-the-token"}
    )
    await expect_problem(wrong_csrf, 403)
    forged = await teacher.client.post(
        UPLOADS,
        data=form(png_bytes()),
        headers={**teacher.csrf_headers(), "Origin": "https://evil.example"},
    )
    await expect_problem(forged, 403)
    bad_token = await client.post(
        UPLOADS, data=form(png_bytes()), headers={"Authorization": "Bearer ocp_nope"}
    )
    await expect_problem(bad_token, 401)

    gone = await users.with_token("instructor")
    await User.filter(id=gone.id).update(is_active=False)
    by_cookie = await gone.client.post(UPLOADS, data=form(png_bytes()), headers=gone.csrf_headers())
    assert by_cookie.status in (401, 403)
    await expect_problem(by_cookie, by_cookie.status)
    by_token = await client.post(UPLOADS, data=form(png_bytes()), headers=gone.headers)
    assert by_token.status in (401, 403)
    await expect_problem(by_token, by_token.status)
    await assert_nothing_kept(settings)

    robot = await users.with_token("instructor")
    with_token = await client.post(UPLOADS, data=form(png_bytes()), headers=robot.headers)
    assert with_token.status == 202, await with_token.text()
    assert (await with_token.json())["filename"] == "picture.png"
    assert await Upload.filter(owner_id=robot.id).count() == 1


# Aborted and repeated uploads ------------------------------------------------------------


async def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def test_a_client_that_disconnects_mid_upload_leaves_nothing(
    users: Users, client: TestClient, settings: Settings
) -> None:
    teacher = await users.with_token("instructor")
    server = client.server
    assert server.host is not None and server.port is not None
    head = (
        f"POST {UPLOADS} HTTP/1.1\r\n"
        f"Host: {server.host}:{server.port}\r\n"
        f"Authorization: {teacher.headers['Authorization']}\r\n"
        f"Content-Type: {MULTIPART}\r\n"
        f"Content-Length: {50 * 2**20}\r\n\r\n"
    ).encode()
    opening = b"--" + BOUNDARY.encode() + b"\r\n" + part(data=b"", filename="movie.mp4")
    bodies = [
        opening + b"m" * 300_000,  # gone early in the file
        opening + b"m" * 3_000_000,  # gone after a few chunks
        # gone after the whole file, while the server waits for the next part's headers
        opening + b"a whole small file\r\n--" + BOUNDARY.encode() + b"\r\n",
    ]
    for body in bodies:
        _, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(head + body)
        await writer.drain()
        assert await _wait_for(lambda: temporary_files(settings) != [], 3.0), "never staged"
        await asyncio.sleep(0.1)
        writer.close()
        await writer.wait_closed()
        assert await _wait_for(lambda: temporary_files(settings) == []), temporary_files(settings)
    await asyncio.sleep(0.2)
    await assert_nothing_kept(settings)
    # The server still answers.
    fine = await client.post(UPLOADS, data=form(b"after\n", "a.txt"), headers=teacher.headers)
    assert fine.status == 202


async def test_the_same_file_twice_is_two_uploads_and_one_blob(
    users: Users, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    data = b"the same bytes\n" * 100
    first = await upload(teacher, data, "one.txt", "text/plain")
    second = await upload(teacher, data, "two.txt", "text/plain")
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert await Upload.all().count() == 2 and await Blob.all().count() == 1
    assert [p.name for p in stored_files(settings)] == [first["sha256"]]
    assert temporary_files(settings) == []


# Races -----------------------------------------------------------------------------------


async def test_parallel_identical_uploads_share_one_blob_and_parallel_deletes_free_it(
    users: Users, settings: Settings
) -> None:
    teachers = [await users.signed_in("instructor") for _ in range(10)]
    data = png_bytes(33, 21, "purple")

    async def send(teacher: Account) -> aiohttp.ClientResponse:
        return await teacher.client.post(
            UPLOADS, data=form(data, "same.png"), headers=teacher.csrf_headers()
        )

    responses = await asyncio.gather(*(send(t) for t in teachers))
    bodies = [await r.text() for r in responses]
    assert [r.status for r in responses] == [202] * 10, bodies
    created = [await r.json() for r in responses]
    assert len({c["id"] for c in created}) == 10
    assert len({c["sha256"] for c in created}) == 1
    assert await Upload.all().count() == 10 and await Blob.all().count() == 1
    assert len(stored_files(settings)) == 1 and temporary_files(settings) == []

    async def delete(teacher: Account, upload_id: int) -> int:
        response = await teacher.client.delete(
            f"{UPLOADS}/{upload_id}", headers=teacher.csrf_headers()
        )
        return response.status

    statuses = await asyncio.gather(
        *(delete(t, c["id"]) for t, c in zip(teachers, created, strict=True))
    )
    assert list(statuses) == [204] * 10
    await assert_nothing_kept(settings)


async def test_deleting_while_attaching_never_leaves_a_dangling_lesson(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    course_id = await make_course(teacher)
    made = await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"title": "Racing"},
        headers=teacher.csrf_headers(),
    )
    assert made.status == 201, await made.text()
    lesson_url = f"/api/v1/courses/{course_id}/lessons/{(await made.json())['id']}"
    lesson_id = (await made.json())["id"]
    rounds = 10
    created = [
        await upload(teacher, f"round {i}\n".encode(), f"r{i}.txt", "text/plain")
        for i in range(rounds)
    ]
    await run_jobs()
    outcomes = []
    for item in created:
        attach, delete = await asyncio.gather(
            teacher.client.patch(
                lesson_url, json={"asset_id": item["id"]}, headers=teacher.csrf_headers()
            ),
            teacher.client.delete(f"{UPLOADS}/{item['id']}", headers=teacher.csrf_headers()),
        )
        attach_text, delete_text = await attach.text(), await delete.text()
        assert delete.status in (204, 409), delete_text
        assert attach.status in (200, 422), attach_text
        if delete.status == 204:
            await expect_problem(attach, 422)
        else:
            await expect_problem(delete, 409)
            assert attach.status == 200, attach_text
        outcomes.append((attach.status, delete.status))
        lesson = await Lesson.get(id=lesson_id)
        if lesson.asset_id is not None:
            assert await Upload.exists(id=lesson.asset_id), outcomes
    # Whatever upload the lesson holds is there, and so are its bytes.
    lesson = await Lesson.get(id=lesson_id)
    if lesson.asset_id is not None:
        held = await Upload.get(id=lesson.asset_id)
        assert held.blob_id is not None and await Blob.exists(sha256=held.blob_id)
    kept = set(await Upload.all().values_list("sha256", flat=True))
    assert {p.name for p in stored_files(settings)} == kept
    assert await Blob.all().count() == len(kept)


async def test_uploading_bytes_while_their_last_upload_is_deleted(
    users: Users, settings: Settings
) -> None:
    """One person deletes the only upload of some bytes while another uploads the same bytes:
    the new upload must end with its blob row and its file, whichever comes first."""
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    failures = []
    for round_ in range(8):
        data = b"shared bytes, round %d\n" % round_
        first = await upload(teacher, data, "first.txt", "text/plain")
        deleted, again = await asyncio.gather(
            teacher.client.delete(f"{UPLOADS}/{first['id']}", headers=teacher.csrf_headers()),
            rival.client.post(
                UPLOADS, data=form(data, "again.txt", "text/plain"), headers=rival.csrf_headers()
            ),
        )
        assert deleted.status == 204, await deleted.text()
        if again.status != 202:
            failures.append(f"round {round_}: upload {again.status} {await again.text()}")
            continue
        sha = (await again.json())["sha256"]
        if not await Blob.exists(sha256=sha):
            failures.append(f"round {round_}: the new upload has no blob row")
        if sha not in {p.name for p in stored_files(settings)}:
            failures.append(f"round {round_}: the new upload's file is gone")
    kept = set(await Upload.all().values_list("sha256", flat=True))
    blobs = set(await Blob.all().values_list("sha256", flat=True))
    files = {p.name for p in stored_files(settings)}
    assert not failures and kept == blobs == files, (failures, kept ^ files, blobs ^ files)
    assert temporary_files(settings) == []


async def _backends_waiting_for_locks(watch: asyncpg.Connection, count: int) -> None:
    """Wait until ``count`` backends of this database wait for a lock (``watch`` must be
    outside any transaction: pg_stat_activity is a snapshot per transaction)."""
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        if await watch.fetchval(query) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never saw {count} backends waiting for a lock")


async def test_an_upload_of_bytes_being_collected_keeps_its_blob_and_file(
    users: Users, settings: Settings
) -> None:
    """The same race, in the order that hurts, forced with a row lock held from outside:
    the delete's collection of the blob queues for the blob row first, the new upload of the
    same bytes right behind it (after its INSERT ... DO NOTHING found the row still there)."""
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    data = b"bytes collected while uploaded again\n"
    first = await upload(teacher, data, "first.txt", "text/plain")
    sha = first["sha256"]
    gate = await asyncpg.connect(settings.database_url)
    watch = await asyncpg.connect(settings.database_url)
    try:
        held = gate.transaction()
        await held.start()
        await gate.execute("SELECT 1 FROM media_blob WHERE sha256 = $1 FOR UPDATE", sha)
        deleting = asyncio.create_task(
            teacher.client.delete(f"{UPLOADS}/{first['id']}", headers=teacher.csrf_headers())
        )
        await _backends_waiting_for_locks(watch, 1)
        uploading = asyncio.create_task(
            rival.client.post(
                UPLOADS, data=form(data, "again.txt", "text/plain"), headers=rival.csrf_headers()
            )
        )
        await _backends_waiting_for_locks(watch, 2)
        await held.rollback()
        deleted, again = await deleting, await uploading
    finally:
        await gate.close()
        await watch.close()
    assert deleted.status == 204, await deleted.text()
    left = await leftovers(settings)
    assert again.status == 202, (again.status, await again.text(), left)
    assert await Upload.filter(owner_id=rival.id).count() == 1
    assert await Blob.exists(sha256=sha), left
    assert [p.name for p in stored_files(settings)] == [sha], left


# GET and DELETE /api/v1/uploads/{id}, and the list ----------------------------------------


async def test_odd_upload_ids_are_404(users: Users, settings: Settings) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, b"kept\n", "kept.txt", "text/plain")
    for raw in (
        "0",
        "-1",
        "abc",
        "99999999999999999999",
        "2147483648",
        "1.0",
        "%201",
        "+1",
        "%D9%A3",
    ):
        await expect_problem(await teacher.client.get(f"{UPLOADS}/{raw}"), 404)
        deleted = await teacher.client.delete(f"{UPLOADS}/{raw}", headers=teacher.csrf_headers())
        await expect_problem(deleted, 404)
    assert await Upload.exists(id=created["id"])
    assert len(stored_files(settings)) == 1


async def test_other_peoples_uploads_are_404_but_admins_may_manage_them(
    users: Users, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    mine = await upload(teacher, b"mine\n", "mine.txt", "text/plain")
    other = await upload(teacher, b"other\n", "other.txt", "text/plain")
    url = f"{UPLOADS}/{mine['id']}"
    await expect_problem(await rival.client.get(url), 404)
    await expect_problem(await rival.client.delete(url, headers=rival.csrf_headers()), 404)
    assert await Upload.exists(id=mine["id"])
    seen = await admin.client.get(url)
    assert seen.status == 200 and (await seen.json())["id"] == mine["id"]
    assert (await admin.client.delete(url, headers=admin.csrf_headers())).status == 204
    await expect_problem(await admin.client.delete(url, headers=admin.csrf_headers()), 404)
    await expect_problem(await teacher.client.get(url), 404)

    again = f"{UPLOADS}/{other['id']}"
    assert (await teacher.client.delete(again, headers=teacher.csrf_headers())).status == 204
    await expect_problem(await teacher.client.delete(again, headers=teacher.csrf_headers()), 404)
    await assert_nothing_kept(settings)


async def test_the_list_validates_its_query(users: Users) -> None:
    teacher = await users.signed_in("instructor")
    await upload(teacher, b"listed\n", "listed.txt", "text/plain")
    for query in (
        "status=bogus",
        "status=",
        "page=0",
        "page=-1",
        "page=abc",
        "per_page=0",
        "per_page=x",
        "owner_id=1",
        "status=ready&status=failed",
    ):
        response = await teacher.client.get(f"{UPLOADS}?{query}")
        await expect_problem(response, 422)
    capped = await teacher.client.get(f"{UPLOADS}?per_page=1000")
    assert capped.status == 200
    body = await capped.json()
    assert body["per_page"] == 100 and body["total"] == 1 and len(body["items"]) == 1
    processing = await (await teacher.client.get(f"{UPLOADS}?status=processing")).json()
    assert processing["total"] == 1
    ready = await (await teacher.client.get(f"{UPLOADS}?status=ready")).json()
    assert ready["total"] == 0 and ready["items"] == []


# GET /media/{key} ------------------------------------------------------------------------


async def test_malformed_media_keys_are_404(
    users: Users, client: TestClient, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    text = await ready_upload(teacher, run_jobs, b"a plain text file\n")
    sha = text["sha256"]
    assert (await teacher.client.get(f"/media/{sha}")).status == 200
    keys = [
        "abc",
        sha[:63],
        sha + "0",
        sha.upper(),
        f"{sha}-thumb",  # a text file has no thumbnail
        f"{sha}.png",
        f"{sha}-THUMB",
        f"{sha}%0A",
        f"{sha}%00",
        quote("../etc/passwd", safe=""),
        quote("../../" + sha, safe=""),
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%5C..%5Cwindows",
        "tmp",
    ]
    for key in keys:
        for who in (teacher.client, client):
            response = await who.get(f"/media/{key}")
            await expect_problem(response, 404)
            head = await who.head(f"/media/{key}")
            assert head.status == 404, key


async def test_media_of_rejected_and_processing_uploads_is_404(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    lying = await upload(teacher, html, "photo.png", "image/png")
    await run_jobs()
    assert (await get(teacher, lying["id"]))["status"] == "rejected"
    for who in (teacher, admin):
        await expect_problem(await who.client.get(f"/media/{lying['sha256']}"), 404)
        await expect_problem(await who.client.get(f"/media/{lying['sha256']}-thumb"), 404)

    pending = await upload(teacher, png_bytes(9, 9, "orange"), "pending.png")
    assert stored_files(settings) != []  # the bytes are there, but not for download yet
    for who in (teacher, admin):
        await expect_problem(await who.client.get(f"/media/{pending['sha256']}"), 404)
        await expect_problem(await who.client.get(f"/media/{pending['sha256']}-thumb"), 404)


async def test_odd_ranges_never_fail(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    data = b"0123456789" * 100
    text = await ready_upload(teacher, run_jobs, data)
    url = text["url"]
    for value in (
        "bytes=5-2",
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=--5",
        "bytes=0-0,5-6",
        "bytes=-0",
        "bytes=99999999999999999999999-",
        "items=0-5",
        "bytes=1-2, 3-4, 5-6, 7-8",
    ):
        response = await teacher.client.get(url, headers={"Range": value})
        body = await response.read()
        assert response.status in (200, 206, 416), (value, response.status, body[:200])
        if response.status == 200:
            assert body == data, value
    good = await teacher.client.get(url, headers={"Range": "bytes=5-9"})
    assert good.status == 206 and await good.read() == b"56789"


# Attaching uploads to lessons and courses ------------------------------------------------

BAD_IDS: list[Any] = ["7", 0, -1, 2**40, True, 1.5, [1], {"id": 1}]


async def test_lesson_asset_id_is_validated(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    course_id = await make_course(teacher)
    lessons = f"/api/v1/courses/{course_id}/lessons"
    mine = await upload(teacher, b"lesson notes\n", "notes.txt", "text/plain")
    theirs = await upload(rival, b"rival notes\n", "theirs.txt", "text/plain")
    lying = await upload(teacher, b"<html>not a png</html>", "fake.png", "image/png")
    await run_jobs()
    assert (await get(teacher, lying["id"]))["status"] == "rejected"
    assert (await get(rival, theirs["id"]))["status"] == "ready"

    made = await teacher.client.post(
        lessons, json={"title": "Plain"}, headers=teacher.csrf_headers()
    )
    assert made.status == 201
    lesson_url = f"{lessons}/{(await made.json())['id']}"
    # An id that is a string of digits is still a string, and so on.
    mine_as_text = str(mine["id"])
    for bad in [*BAD_IDS, mine_as_text, theirs["id"], lying["id"], 2**31 - 1]:
        created = await teacher.client.post(
            lessons, json={"title": "Bad", "asset_id": bad}, headers=teacher.csrf_headers()
        )
        assert "asset_id" in (await expect_problem(created, 422))["errors"], bad
        patched = await teacher.client.patch(
            lesson_url, json={"asset_id": bad}, headers=teacher.csrf_headers()
        )
        assert "asset_id" in (await expect_problem(patched, 422))["errors"], bad
    assert await Lesson.filter(asset_id__not_isnull=True).count() == 0
    assert await Lesson.all().count() == 1

    fine = await teacher.client.patch(
        lesson_url, json={"asset_id": mine["id"]}, headers=teacher.csrf_headers()
    )
    assert fine.status == 200, await fine.text()
    assert (await fine.json())["asset_id"] == mine["id"]


async def test_course_cover_id_is_validated(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    image = await upload(teacher, png_bytes(40, 30, "teal"), "cover.png")
    text = await upload(teacher, b"not an image\n", "notes.txt", "text/plain")
    theirs = await upload(rival, png_bytes(41, 31, "navy"), "theirs.png")
    lying = await upload(teacher, b"<html>not a png</html>", "fake.png", "image/png")
    pending_ids = [image["id"], text["id"], theirs["id"], lying["id"]]
    course_id = await make_course(teacher)
    early = await teacher.client.patch(
        f"/api/v1/courses/{course_id}",
        json={"cover_id": image["id"]},
        headers=teacher.csrf_headers(),
    )
    assert "cover_id" in (await expect_problem(early, 422))["errors"]  # still processing
    await run_jobs()
    assert [(await get(teacher, i))["status"] for i in pending_ids[:2]] == ["ready", "ready"]
    assert (await get(teacher, lying["id"]))["status"] == "rejected"

    for bad in [*BAD_IDS, str(image["id"]), text["id"], theirs["id"], lying["id"], 2**31 - 1]:
        patched = await teacher.client.patch(
            f"/api/v1/courses/{course_id}", json={"cover_id": bad}, headers=teacher.csrf_headers()
        )
        assert "cover_id" in (await expect_problem(patched, 422))["errors"], bad
        created = await teacher.client.post(
            "/api/v1/courses",
            json={"title": "Bad cover", "cover_id": bad},
            headers=teacher.csrf_headers(),
        )
        assert "cover_id" in (await expect_problem(created, 422))["errors"], bad
    course = await (await teacher.client.get(f"/api/v1/courses/{course_id}")).json()
    assert course["cover_id"] is None

    fine = await teacher.client.patch(
        f"/api/v1/courses/{course_id}",
        json={"cover_id": image["id"]},
        headers=teacher.csrf_headers(),
    )
    assert fine.status == 200, await fine.text()
    assert (await fine.json())["cover_id"] == image["id"]
