"""In CI (OCP_CI=1, set by .ci/run) a skipped test fails the run: CI must prove everything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SKIPPING = """
import pytest

@pytest.mark.skipif(True, reason="a tool is missing")
def test_skipped_by_marker():
    pass

def test_skipped_inside():
    pytest.skip("not today")

def test_runs():
    assert sum([1, 1]) == 2
"""


def run(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "test_skipping.py"
    target.write_text(SKIPPING)
    env = {k: v for k, v in os.environ.items() if k != "OCP_CI"}
    if ci:
        env["OCP_CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         str(target)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_skips_pass_outside_ci(tmp_path: Path) -> None:
    done = run(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 2 skipped" in done.stdout


def test_skips_fail_in_ci(tmp_path: Path) -> None:
    done = run(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout
    assert done.stdout.count("skipped in CI, which must run every test") >= 2, done.stdout
    assert "1 passed" in done.stdout
