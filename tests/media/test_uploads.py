"""Uploads on PostgreSQL + Redis with a real arq worker: the whole path, rights and ranges."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from PIL import Image

from ocp.app import create_app
from ocp.appkeys import BUS
from ocp.config import Settings
from ocp.media.models import Blob, Upload
from tests.helpers import Account, Users, expect_problem

RunJobs = Callable[[], Awaitable[int]]
UPLOADS = "/api/v1/uploads"


def png_bytes(width: int = 64, height: int = 48, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def form(data: bytes, filename: str = "picture.png", content_type: str = "image/png") -> Any:
    body = aiohttp.FormData(quote_fields=False)  # as browsers send names: raw UTF-8
    body.add_field("file", io.BytesIO(data), filename=filename, content_type=content_type)
    return body


async def upload(
    account: Account, data: bytes, filename: str = "picture.png", content_type: str = "image/png"
) -> dict[str, Any]:
    response = await account.client.post(
        UPLOADS, data=form(data, filename, content_type), headers=account.csrf_headers()
    )
    assert response.status == 202, await response.text()
    assert response.headers["Location"].endswith(f"/{(await response.json())['id']}")
    return dict(await response.json())


async def get(account: Account, upload_id: int) -> dict[str, Any]:
    response = await account.client.get(f"{UPLOADS}/{upload_id}")
    assert response.status == 200, await response.text()
    return dict(await response.json())


def stored_files(settings: Settings) -> list[Path]:
    root = settings.effective_media_dir
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"
    )


def temporary_files(settings: Settings) -> list[Path]:
    return sorted((settings.effective_media_dir / "tmp").glob("*"))


async def make_course(owner: Account, **fields: Any) -> int:
    response = await owner.client.post(
        "/api/v1/courses", json={"title": "Media course", **fields}, headers=owner.csrf_headers()
    )
    assert response.status == 201, await response.text()
    return int((await response.json())["id"])


async def test_an_image_is_stored_processed_and_served(
    users: Users, run_jobs: RunJobs, client: TestClient, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    events = client.server.app[BUS].subscribe({f"user:{teacher.id}"})
    data = png_bytes(64, 48)
    created = await upload(teacher, data, filename="../../etc/Cover image.png")
    assert created["status"] == "processing"
    assert created["filename"] == "Cover image.png"
    assert created["size"] == len(data) and created["url"] is None
    assert await run_jobs() == 2  # the processing, then the uploader's notification

    ready = await get(teacher, created["id"])
    assert ready["status"] == "ready", ready
    assert ready["content_type"] == "image/png" and ready["kind"] == "image"
    assert (ready["width"], ready["height"]) == (64, 48)
    assert ready["reason"] is None and ready["attempts"] == 1
    assert ready["url"] == f"/media/{ready['sha256']}"

    download = await teacher.client.get(ready["url"])
    assert download.status == 200
    assert await download.read() == data
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("inline;")
    assert "sandbox" in download.headers["Content-Security-Policy"]

    thumbnail = await teacher.client.get(ready["thumbnail_url"])
    assert thumbnail.status == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(await thumbnail.read()))
    assert image.format == "JPEG" and max(image.size) <= 320

    await asyncio.sleep(0.2)
    seen = []
    while not events.queue.empty():
        seen.append(events.queue.get_nowait())
    assert [e.type for e in seen] == ["upload.processing", "upload.ready", "notification.created"]
    assert all(e.data["id"] == created["id"] for e in seen if e.type.startswith("upload."))
    assert seen[-1].data["data"] == {"upload_id": created["id"], "status": "ready"}


async def test_a_lying_file_is_rejected_and_its_bytes_dropped(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    created = await upload(teacher, html, filename="photo.png", content_type="image/png")
    await run_jobs()
    rejected = await get(teacher, created["id"])
    assert rejected["status"] == "rejected"
    assert (
        rejected["reason"] and rejected["url"] is None and rejected["content_type"] != "image/png"
    )
    assert stored_files(settings) == []
    assert await Blob.all().count() == 0
    download = await teacher.client.get(f"/media/{rejected['sha256']}")
    await expect_problem(download, 404)


async def test_a_pdf_counts_its_pages_and_downloads_as_an_attachment(
    users: Users, run_jobs: RunJobs
) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, out.getvalue(), "slides.pdf", "application/pdf")
    await run_jobs()
    ready = await get(teacher, created["id"])
    assert ready["status"] == "ready" and ready["pages"] == 3, ready
    assert ready["thumbnail_url"] is None
    download = await teacher.client.get(ready["url"])
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''slides.pdf" in download.headers["Content-Disposition"]


async def test_the_same_bytes_are_stored_once_and_go_with_the_last_upload(
    users: Users, run_jobs: RunJobs, settings: Settings
) -> None:
    teacher = await users.signed_in("instructor")
    other = await users.signed_in("instructor")
    data = png_bytes(10, 10, "blue")
    first = await upload(teacher, data)
    second = await upload(other, data, filename="same.png")
    await run_jobs()
    assert first["sha256"] == second["sha256"]
    assert len(stored_files(settings)) == 2  # the file and its thumbnail, once
    deleted = await teacher.client.delete(
        f"{UPLOADS}/{first['id']}", headers=teacher.csrf_headers()
    )
    assert deleted.status == 204
    assert len(stored_files(settings)) == 2  # the other upload still has them
    assert (await other.client.get(f"/media/{first['sha256']}")).status == 200
    assert (await teacher.client.get(f"/media/{first['sha256']}")).status == 404
    again = await teacher.client.delete(f"{UPLOADS}/{first['id']}", headers=teacher.csrf_headers())
    await expect_problem(again, 404)
    gone = await other.client.delete(f"{UPLOADS}/{second['id']}", headers=other.csrf_headers())
    assert gone.status == 204
    assert stored_files(settings) == [] and await Blob.all().count() == 0


async def test_an_upload_over_the_limit_is_413_and_leaves_nothing(
    aiohttp_client: Callable[..., Awaitable[TestClient]], settings: Settings
) -> None:
    small = replace(settings, max_upload_mb=1)
    client = await aiohttp_client(create_app(small))
    users = Users(client, lambda: aiohttp_client(client.server))
    teacher = await users.signed_in("instructor")
    big = b"x" * (2 * 2**20)
    response = await teacher.client.post(
        UPLOADS, data=form(big, "big.txt", "text/plain"), headers=teacher.csrf_headers()
    )
    await expect_problem(response, 413)

    async def chunked() -> Any:
        for _ in range(4):
            yield b"y" * (2**19)

    writer = aiohttp.MultipartWriter("form-data")
    part = writer.append(chunked(), {"Content-Type": "text/plain"})
    part.set_content_disposition("form-data", name="file", filename="big.txt")
    streamed = await teacher.client.post(UPLOADS, data=writer, headers=teacher.csrf_headers())
    await expect_problem(streamed, 413)
    assert await Upload.all().count() == 0 and await Blob.all().count() == 0
    assert stored_files(small) == [] and temporary_files(small) == []

    fits = await teacher.client.post(
        UPLOADS, data=form(b"y" * 1000, "notes.txt", "text/plain"), headers=teacher.csrf_headers()
    )
    assert fits.status == 202


async def test_rights_on_uploads(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    student = await users.signed_in()
    admin = await users.signed_in("admin")
    refused = await student.client.post(
        UPLOADS, data=form(png_bytes()), headers=student.csrf_headers()
    )
    await expect_problem(refused, 403)
    anonymous = await users.client.post(UPLOADS, data=form(png_bytes()))
    await expect_problem(anonymous, 401)
    no_csrf = await teacher.client.post(UPLOADS, data=form(png_bytes()))
    await expect_problem(no_csrf, 403)

    created = await upload(teacher, png_bytes())
    await run_jobs()
    for other in (rival, student):
        await expect_problem(await other.client.get(f"{UPLOADS}/{created['id']}"), 404)
        deleted = await other.client.delete(
            f"{UPLOADS}/{created['id']}", headers=other.csrf_headers()
        )
        await expect_problem(deleted, 404)
        listed = await other.client.get(UPLOADS)
        assert (await listed.json())["total"] == 0
        await expect_problem(await other.client.get(f"/media/{created['sha256']}"), 404)
    await expect_problem(await users.client.get(f"/media/{created['sha256']}"), 404)
    assert (await admin.client.get(f"{UPLOADS}/{created['id']}")).status == 200
    assert (await admin.client.get(f"/media/{created['sha256']}")).status == 200
    mine = await teacher.client.get(UPLOADS)
    assert [item["id"] for item in (await mine.json())["items"]] == [created["id"]]


async def test_lessons_attach_ready_uploads_of_the_owner_and_readers_download_them(
    users: Users, run_jobs: RunJobs
) -> None:
    teacher = await users.signed_in("instructor")
    rival = await users.signed_in("instructor")
    admin = await users.signed_in("admin")
    course_id = await make_course(teacher)
    lessons = f"/api/v1/courses/{course_id}/lessons"
    text = await upload(teacher, b"# Week 1\n\nRead this.\n", "week1.md", "text/markdown")
    pending = await upload(teacher, png_bytes(5, 5), "later.png")
    theirs = await upload(rival, png_bytes(7, 7, "green"), "theirs.png")

    early = await teacher.client.post(
        lessons,
        json={"title": "Too early", "asset_id": pending["id"]},
        headers=teacher.csrf_headers(),
    )
    body = await expect_problem(early, 422)
    assert "asset_id" in body["errors"]
    await run_jobs()
    for asset_id in (theirs["id"], 999_999):
        wrong = await admin.client.post(
            lessons,
            json={"title": "Not theirs", "asset_id": asset_id},
            headers=admin.csrf_headers(),
        )
        assert "asset_id" in (await expect_problem(wrong, 422))["errors"]

    made = await teacher.client.post(
        lessons,
        json={"title": "Reading", "content_type": "file", "asset_id": text["id"]},
        headers=teacher.csrf_headers(),
    )
    assert made.status == 201, await made.text()
    lesson = await made.json()
    assert lesson["asset"]["url"] == f"/media/{text['sha256']}"
    assert lesson["asset"]["content_type"] == "text/markdown"
    preview = await teacher.client.post(
        lessons,
        json={"title": "Preview", "asset_id": pending["id"], "is_preview": True},
        headers=teacher.csrf_headers(),
    )
    assert preview.status == 201
    published = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": "published"}, headers=teacher.csrf_headers()
    )
    assert published.status == 200

    in_use = await teacher.client.delete(f"{UPLOADS}/{text['id']}", headers=teacher.csrf_headers())
    await expect_problem(in_use, 409)
    assert (await get(teacher, text["id"]))["status"] == "ready"

    student = await users.signed_in()
    outsider = await users.signed_in()
    url = lesson["asset"]["url"]
    await expect_problem(await student.client.get(url), 404)
    # A preview lesson's file is for anyone who may see the course.
    assert (await users.client.get(f"/media/{pending['sha256']}")).status == 200
    enrolled = await student.client.post(
        f"/api/v1/courses/{course_id}/enrollment", headers=student.csrf_headers()
    )
    assert enrolled.status == 201
    got = await student.client.get(url)
    assert got.status == 200
    assert got.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["Cache-Control"] == "private, no-cache"
    await expect_problem(await outsider.client.get(url), 404)
    outline = await student.client.get(lessons)
    assert (await outline.json())[0]["asset"]["url"] == url
    locked = await outsider.client.get(lessons)
    assert (await locked.json())[0]["asset"] is None

    detached = await teacher.client.patch(
        f"{lessons}/{lesson['id']}", json={"asset_id": None}, headers=teacher.csrf_headers()
    )
    assert detached.status == 200 and (await detached.json())["asset"] is None
    await expect_problem(await student.client.get(url), 404)
    gone = await teacher.client.delete(f"{UPLOADS}/{text['id']}", headers=teacher.csrf_headers())
    assert gone.status == 204


async def test_a_published_course_cover_is_public(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    cover = await upload(teacher, png_bytes(400, 200), "cover.png")
    pdf_like = await upload(teacher, b"plain words\n", "notes.txt", "text/plain")
    await run_jobs()
    course_id = await make_course(teacher, cover_id=cover["id"])
    not_image = await teacher.client.patch(
        f"/api/v1/courses/{course_id}",
        json={"cover_id": pdf_like["id"]},
        headers=teacher.csrf_headers(),
    )
    assert "cover_id" in (await expect_problem(not_image, 422))["errors"]
    course = await (await teacher.client.get(f"/api/v1/courses/{course_id}")).json()
    assert course["cover_id"] == cover["id"]
    assert course["cover_image_url"] == f"/media/{cover['sha256']}"
    assert course["cover_thumbnail_url"] == f"/media/{cover['sha256']}-thumb"
    await expect_problem(await users.client.get(course["cover_image_url"]), 404)

    await teacher.client.post(
        f"/api/v1/courses/{course_id}/lessons",
        json={"title": "One"},
        headers=teacher.csrf_headers(),
    )
    await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": "published"}, headers=teacher.csrf_headers()
    )
    anyone = await users.client.get(course["cover_image_url"])
    assert anyone.status == 200 and anyone.headers["Cache-Control"].startswith("public")
    assert (await users.client.get(course["cover_thumbnail_url"])).status == 200
    listed = await (await users.client.get("/api/v1/courses")).json()
    assert listed["items"][0]["cover_image_url"] == course["cover_image_url"]
    in_use = await teacher.client.delete(f"{UPLOADS}/{cover['id']}", headers=teacher.csrf_headers())
    await expect_problem(in_use, 409)


async def test_range_requests_let_video_seek(users: Users, run_jobs: RunJobs) -> None:
    teacher = await users.signed_in("instructor")
    created = await upload(teacher, b"plain text " * 1000, "long.txt", "text/plain")
    await run_jobs()
    url = (await get(teacher, created["id"]))["url"]
    part = await teacher.client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status == 206
    assert part.headers["Content-Range"] == "bytes 100-199/11000"
    assert await part.read() == (b"plain text " * 1000)[100:200]
    tail = await teacher.client.get(url, headers={"Range": "bytes=-5"})
    assert tail.status == 206 and await tail.read() == b"text "
    outside = await teacher.client.get(url, headers={"Range": "bytes=20000-"})
    assert outside.status == 416
    head = await teacher.client.head(url)
    assert head.status == 200 and head.headers["Content-Length"] == "11000"
    assert head.headers["Accept-Ranges"] == "bytes"
    etag = (await teacher.client.get(url)).headers["ETag"]
    cached = await teacher.client.get(url, headers={"If-None-Match": etag})
    assert cached.status == 304
