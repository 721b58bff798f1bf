"""The committed migrations match the models, in both dialects, and apply cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ocp import migrate
from tests.conftest import PG_SERVER


def _versions(dialect: str) -> list[str]:
    folder = migrate.location(dialect) / "models"
    return sorted(p.name.split("_")[0] for p in folder.glob("*.py"))


def test_both_dialects_have_the_same_migrations() -> None:
    assert _versions("sqlite") == _versions("postgres")
    assert _versions("sqlite"), "no migrations at all"


def test_migrations_match_the_models_in_both_dialects() -> None:
    env = {**os.environ, "OCP_MIGRATIONS_SERVER": PG_SERVER}
    done = subprocess.run(
        [sys.executable, "-m", "ocp", "makemigrations", "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sqlite: no changes" in done.stdout and "postgres: no changes" in done.stdout


def test_migrate_applies_everything_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCP_")}
    env["OCP_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "ocp", "migrate"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert f"applied {len(_versions('sqlite'))} migration(s)" in first.stdout
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "applied 0 migration(s)" in again.stdout
