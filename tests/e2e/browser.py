"""What the browser tests share (the ``chromium`` fixture is in conftest.py): an admin who
publishes a course on a running ``serve``, students signed in inside a browser context, and
the check that a page allows no script."""

from __future__ import annotations

import shutil
from typing import Any

import aiohttp
import pytest
from playwright.async_api import BrowserContext, Response

from tests.helpers import PASSWORD

CHROMIUM = shutil.which("chromium")
ADMIN = "admin@example.com"
NEEDS_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)


async def publish_course(base: str, *, title: str, price: str, lesson: str) -> dict[str, Any]:
    """The admin (made by ``createadmin``) signs in with a cookie session and publishes a
    course with one lesson; the course as the API answers it."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        login = await http.post(
            f"{base}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
        )
        assert login.status == 200, await login.text()
        headers = {"X-CSRF-Token": (await login.json())["csrf_token"]}
        created = await http.post(
            f"{base}/api/v1/courses", json={"title": title, "price": price}, headers=headers
        )
        assert created.status == 201, await created.text()
        course = dict(await created.json())
        made = await http.post(
            f"{base}/api/v1/courses/{course['id']}/lessons", json={"title": lesson}, headers=headers
        )
        assert made.status == 201, await made.text()
        published = await http.patch(
            f"{base}/api/v1/courses/{course['id']}", json={"status": "published"}, headers=headers
        )
        assert published.status == 200, await published.text()
    return course


async def sign_in(context: BrowserContext, base: str, name: str) -> str:
    """Register and sign in a new student in ``context``; the session's CSRF token."""
    email = f"{name}@example.com"
    registered = await context.request.post(
        f"{base}/api/v1/auth/register",
        data={"email": email, "password": PASSWORD, "full_name": name},
    )
    assert registered.status == 201, await registered.text()
    login = await context.request.post(
        f"{base}/api/v1/auth/login", data={"email": email, "password": PASSWORD}
    )
    assert login.status == 200, await login.text()
    return str((await login.json())["csrf_token"])


def assert_forbids_scripts(response: Response | None) -> None:
    """The page's Content-Security-Policy allows no script at all, and forms to itself only."""
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    directives = {
        words[0].lower(): words[1:]
        for words in (part.split() for part in policy.split(";"))
        if words
    }
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src == ["'none'"], policy
    for finer in ("script-src-elem", "script-src-attr"):
        assert directives.get(finer, script_src) == ["'none'"], policy
    assert directives.get("form-action") == ["'self'"], policy
