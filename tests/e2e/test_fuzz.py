"""A property-based fuzzer, driven by the live OpenAPI document, finds nothing.

A real `python -m ocp serve` (PostgreSQL + Redis) with the demo catalog, a student and an
admin, each with an API token. Schemathesis runs every check it has (`--checks all`) as
anonymous, as the student and as the admin, with a fixed seed and a bounded number of
examples; any failure fails this test with schemathesis' own report.

What the runs are told, and why (each is also in the README's Tests section):

- `DELETE /api/v1/auth/tokens/{id}` targets a decoy token of the same user: ids are small
  and `GET /api/v1/auth/tokens` lists them, so the run would otherwise revoke its own
  credential early and fuzz the rest as nobody.
- Signed-in runs send only their own token (`--generation-with-security-parameters false`):
  a generated cookie or ticket next to it is refused with 401, as it must be, which would
  leave the operation untested. The anonymous run does generate them.
- `positive_data_acceptance` also expects, where the document says why: 400 from
  `GET /api/v1/ws` (an HTTP client cannot complete a WebSocket handshake); 402 from
  enrolling in a paid course (it is bought through checkout); 422 from course and lesson
  writes whose ids name uploads, instructors or lessons that do not fit, from a checkout
  whose coupon code the course does not have, and from coupon writes that give both
  `percent_off` and `amount_off` or more decimal places than the course's currency has (no
  schema can know them), and from forum writes whose HTML has nothing readable once cleaned,
  whose `parent_id` is no top-level post of the thread, or whose mute names a moderator or a
  past `until`, from analytics ranges whose `from` is after `to` or longer than 366
  days, and from webhook writes whose URL is no https:// URL of a public address or whose
  replay starts in the future; 400 from a provider webhook and from a notification's unsubscribe
  link (no fuzzer can sign them).
- `GET /api/v1/courses/{id}/progress` is no target of stateful steps (its other phases run):
  a course has progress only for its enrolled students, so after `POST /api/v1/courses` it
  answers 404, which `ensure_resource_availability` takes for a created resource gone.
- `negative_data_rejection` also expects 202 from `POST /api/v1/uploads`: schemathesis
  encodes an extra form field holding an empty list as no part at all, then calls the valid
  request it sent (one `file` part) schema-violating. Extra parts are refused (422), as
  tests/media/test_upload_input.py checks.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from ocp.courses.seed import DEMO_PASSWORD, STUDENT_EMAIL
from tests.conftest import SECRET
from tests.e2e.processes import Server, clean_env, free_port, run_ocp

EXAMPLES = 40  # per operation and phase: the three runs take about two and a half minutes
SEED = 20261203
ADMIN_EMAIL, ADMIN_PASSWORD = "fuzz-admin@example.com", "fuzz-admin-password"
# schemathesis' defaults for positive_data_acceptance (which ALSO_EXPECTED extends) and for
# negative_data_rejection
USUAL = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
NEGATIVE = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
ALSO_EXPECTED = {
    "GET /api/v1/ws": "400",
    "POST /api/v1/courses/{id}/enrollment": "402",
    "POST /api/v1/courses": "422",
    "PATCH /api/v1/courses/{id}": "422",
    "POST /api/v1/courses/{id}/lessons": "422",
    "PATCH /api/v1/courses/{id}/lessons/{lesson_id}": "422",
    "PUT /api/v1/courses/{id}/lessons/order": "422",
    "POST /api/v1/courses/{id}/checkout": "422",
    "POST /api/v1/courses/{id}/coupons": "422",
    "PATCH /api/v1/coupons/{id}": "422",
    "POST /api/v1/payments/webhooks/{provider}": "400",
    "GET /api/v1/notifications/unsubscribe": "400",
    "POST /api/v1/notifications/unsubscribe": "400",
    "POST /api/v1/courses/{id}/threads": "422",
    "PATCH /api/v1/threads/{id}": "422",
    "POST /api/v1/threads/{id}/posts": "422",
    "PATCH /api/v1/posts/{id}": "422",
    "POST /api/v1/courses/{id}/forum/mutes": "422",
    "GET /api/v1/courses/{id}/analytics": "422",
    "GET /api/v1/admin/analytics": "422",
    "POST /api/v1/webhooks": "422",
    "PATCH /api/v1/webhooks/{id}": "422",
    "POST /api/v1/webhooks/{id}/replay": "422",
}


def _statuses(statuses: list[str]) -> str:
    return "[" + ", ".join(f'"{status}"' for status in statuses) + "]"


def _config(decoy: int) -> str:
    """schemathesis.toml: the decoy, the statuses also expected, the phase narrowed.

    (A per-operation `checks.<name>.enabled = false` loses to `--checks all` on the command
    line, so what is narrowed is a phase or a check's expected statuses.)"""
    negative = _statuses([*NEGATIVE, "202"])
    blocks = [
        ("DELETE /api/v1/auth/tokens/{id}", f'parameters = {{ "path.id" = {decoy} }}'),
        ("GET /api/v1/courses/{id}/progress", "phases.stateful.enabled = false"),
        ("POST /api/v1/uploads", f"checks.negative_data_rejection.expected-statuses = {negative}"),
    ]
    for name, status in ALSO_EXPECTED.items():
        positive = _statuses([*USUAL, status])
        blocks.append((name, f"checks.positive_data_acceptance.expected-statuses = {positive}"))
    return "\n".join(
        f'[[operations]]\ninclude-name = "{name}"\n{setting}\n' for name, setting in blocks
    )


async def _token_and_decoy(base: str, email: str, password: str) -> tuple[str, int]:
    """An API token for the account, and the id of a second one for the fuzzer to revoke."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        login = await http.post(
            f"{base}/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert login.status == 200, await login.text()
        csrf = {"X-CSRF-Token": (await login.json())["csrf_token"]}
        made = []
        for name in ("fuzz", "decoy"):
            response = await http.post(
                f"{base}/api/v1/auth/tokens", json={"name": name}, headers=csrf
            )
            assert response.status == 201, await response.text()
            made.append(await response.json())
    return made[0]["token"], int(made[1]["id"])


def _fuzz(base: str, role: str, folder: Path, token: str | None, decoy: int) -> str | None:
    """Schemathesis' report when it found something, else None."""
    config = folder / f"schemathesis-{role}.toml"
    config.write_text(_config(decoy))
    command = [
        sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; "
        "sys.exit(schemathesis())",
        "--config-file", str(config), "--no-color",
        "run", f"{base}/api/openapi.json", "--checks", "all",
        "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--generation-deterministic",
        "--workers", "1", "--request-timeout", "30",
    ]  # fmt: skip
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
        command += ["--generation-with-security-parameters", "false"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder)
    if done.returncode == 0:
        return None
    return f"schemathesis as {role} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"


@pytest.fixture
async def seeded_server(
    tmp_path: Path, database_url: str, redis_url: str
) -> AsyncIterator[tuple[str, Server]]:
    """`serve` on a migrated database with the demo catalog and an admin."""
    env = clean_env(OCP_DATABASE_URL=database_url, OCP_REDIS_URL=redis_url, OCP_SECRET_KEY=SECRET)
    seeded = run_ocp("seed", "--demo", "--courses", "20", env=env, cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    admin = run_ocp(
        "createadmin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, env=env, cwd=tmp_path
    )
    assert admin.returncode == 0, admin.stderr
    port = free_port()
    server = Server("--port", str(port), env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        await server.wait_healthy(base)
        yield base, server
    finally:
        server.stop()


@pytest.mark.timeout(1500)
async def test_the_fuzzer_finds_nothing_as_anonymous_student_and_admin(
    seeded_server: tuple[str, Server], tmp_path: Path
) -> None:
    base, server = seeded_server
    # Every token first: the anonymous run's wrong passwords fill the sign-in limits.
    student = await _token_and_decoy(base, STUDENT_EMAIL, DEMO_PASSWORD)
    admin = await _token_and_decoy(base, ADMIN_EMAIL, ADMIN_PASSWORD)
    reports = [
        _fuzz(base, "anonymous", tmp_path, None, decoy=student[1]),
        _fuzz(base, "student", tmp_path, *student),
        _fuzz(base, "admin", tmp_path, *admin),  # last: it may change what the others see
    ]
    found = [report for report in reports if report is not None]
    assert not found, "\n\n".join(found)
    assert server.process.poll() is None, server.output()
