"""A whole run's logs, web and worker, in JSON: every line parses, requests and jobs carry
their fields, and no password, token, ticket, cookie or secret appears anywhere."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from PIL import Image

from tests.conftest import SECRET
from tests.e2e.processes import REPO, free_port
from tests.helpers import PASSWORD
from tests.ops.test_serve_workers import ADMIN, Serve, env  # noqa: F401  (fixture)

NEW_PASSWORD = "a brand new passphrase"


async def test_json_logs_carry_fields_and_no_secrets(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = Serve(env, tmp_path / "serve.log", "--port", str(port), "--workers", "2")
    with (tmp_path / "worker.log").open("w") as worker_log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "arq", "workers.main.WorkerSettings"],
            env=env,
            cwd=REPO,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
    secrets = {SECRET, PASSWORD, NEW_PASSWORD}
    try:
        await serve.ready(base)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            login = await http.post(
                f"{base}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
            )
            body = await login.json()
            csrf = {"X-CSRF-Token": body["csrf_token"]}
            secrets.add(body["csrf_token"])
            secrets.update(cookie.value for cookie in jar)
            made = await http.post(f"{base}/api/v1/auth/tokens", json={"name": "l"}, headers=csrf)
            token = (await made.json())["token"]
            secrets.add(token)
            ticket = (await (await http.post(f"{base}/api/v1/ws/ticket", headers=csrf)).json())[
                "ticket"
            ]
            secrets.add(ticket)
            async with aiohttp.ClientSession() as bare:
                ws = await bare.ws_connect(f"{base}/api/v1/ws?ticket={ticket}")
                await ws.close()
                me = await bare.get(
                    f"{base}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
                )
                assert me.status == 200
                wrong = await bare.get(
                    f"{base}/api/v1/users/me", headers={"Authorization": "Bearer ocp_wrong_x"}
                )
                assert wrong.status == 401
            image = io.BytesIO()
            Image.new("RGB", (8, 8)).save(image, "PNG")
            form = aiohttp.FormData(quote_fields=False)
            form.add_field(
                "file", io.BytesIO(image.getvalue()), filename="l.png", content_type="image/png"
            )
            upload = await (
                await http.post(f"{base}/api/v1/uploads", data=form, headers=csrf)
            ).json()
            changed = await http.post(
                f"{base}/api/v1/users/me/password",
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                headers=csrf,
            )
            assert changed.status in (200, 204), await changed.text()
            deadline = time.monotonic() + 30
            while (await (await http.get(f"{base}/api/v1/uploads/{upload['id']}")).json())[
                "status"
            ] == "processing":
                assert time.monotonic() < deadline
                await asyncio.sleep(0.2)
            media = f"{base}/media/{upload['sha256']}"

            async def download(headers: dict[str, str]) -> tuple[int, str]:
                async with http.get(media, headers=headers) as response:
                    await response.read()  # and the connection goes back to the pool
                    return response.status, response.headers.get("ETag", "")

            etag = (await download({}))[1]
            sent = [
                (await download(headers))[0]
                for headers in (
                    {"Range": "bytes=0-9"},
                    {"If-None-Match": etag},
                    {"Range": "bytes=999999-"},
                    {"Range": "bytes=abc"},
                )
            ]
            assert sent == [206, 304, 416, 200]
    finally:
        assert serve.stop() == 0
        worker.terminate()
        worker.wait(timeout=30)

    lines = []
    for name in ("serve.log", "worker.log"):
        text = (tmp_path / name).read_text()
        for secret in secrets:
            assert secret not in text, f"a secret in {name}"
        for line in text.splitlines():
            lines.append(json.loads(line))  # every line is JSON
    access = [line for line in lines if line["logger"] == "ocp.access"]
    assert access and all(
        {"request_id", "user_id", "method", "route", "status", "duration_ms", "pid"} <= set(line)
        for line in access
    )
    assert any(line["route"] == "/api/v1/ws" and line["status"] == 101 for line in access)
    assert any(line["status"] == 401 for line in access)
    downloads = [line["status"] for line in access if line["route"] == "/media/{key}"]
    assert downloads == [200, 206, 304, 416, 200], downloads  # what each client got
    jobs = [line for line in lines if line["logger"] == "ocp.jobs"]
    assert any(
        line["job"] == "process_upload"
        and line["job_id"] == f"upload:{upload['id']}"
        and line["try"] == 1
        and line["outcome"] == "succeeded"
        for line in jobs
    ), jobs
