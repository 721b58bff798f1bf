"""The live OpenAPI document passes Redocly's recommended ruleset with no error.

Redocly CLI is a Node.js tool from the npm registry, pinned below. The first run installs it
with npm into a cache folder (``OCP_TEST_CACHE``, else ``~/.cache/ocp-tests``); later runs
reuse it. Without npm this test fails and says so: it never skips.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

REDOCLY_CLI = "2.77.0"
# The only warnings the document keeps, and why: the WebSocket's success is 101 Switching
# Protocols, which no 2xx can stand for.
ACCEPTED_WARNINGS = {
    ("operation-2xx-response", "#/paths/~1api~1v1~1ws/get/responses"),
    # A browser's form post, answered by a redirect to the order's page (post/redirect/get).
    ("operation-2xx-response", "#/paths/~1pay~1sandbox~1{id}/post/responses"),
}
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


def _cache() -> Path:
    root = os.environ.get("OCP_TEST_CACHE") or Path.home() / ".cache" / "ocp-tests"
    return Path(root) / f"redocly-cli-{REDOCLY_CLI}"


def redocly() -> Path:
    """The pinned Redocly CLI, installed with npm on first use (one installer at a time)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(
            "this test lints the OpenAPI document with Redocly CLI, which needs Node.js 20+ "
            "and npm: install them (Debian: apt-get install nodejs npm) and run it again"
        )
    folder = _cache()
    binary = folder / "node_modules" / ".bin" / "redocly"
    if binary.exists():
        return binary
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
            shutil.rmtree(partial, ignore_errors=True)
            done = subprocess.run(
                [npm, "install", "--prefix", str(partial), "--no-audit", "--no-fund",
                 f"@redocly/cli@{REDOCLY_CLI}"],
                capture_output=True, text=True, timeout=540, env={**os.environ, **QUIET},
            )  # fmt: skip
            if done.returncode != 0:
                shutil.rmtree(partial, ignore_errors=True)
                pytest.fail(f"npm could not install @redocly/cli@{REDOCLY_CLI}:\n{done.stderr}")
            partial.rename(folder)
    return binary


@pytest.mark.timeout(600)
async def test_document_passes_redoclys_recommended_rules(
    client: TestClient, tmp_path: Path
) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    linted = subprocess.run(
        [str(redocly()), "lint", "--extends", "recommended", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ, **QUIET},
    )  # fmt: skip
    try:
        report = json.loads(linted.stdout)
    except ValueError:
        pytest.fail(f"redocly lint said no JSON (exit {linted.returncode}):\n{linted.stderr}")
    assert report["version"] == REDOCLY_CLI
    problems = {
        (p["severity"], p["ruleId"], p["location"][0]["pointer"], p["message"])
        for p in report["problems"]
    }
    errors = {p for p in problems if p[0] == "error"}
    assert not errors, errors
    warnings = {(rule, pointer) for severity, rule, pointer, _ in problems if severity == "warn"}
    assert warnings == ACCEPTED_WARNINGS
    assert linted.returncode == 0, linted.stderr
