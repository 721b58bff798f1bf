"""docker-compose.yml and the Dockerfile, checked without Docker (no daemon on these machines).

The Compose file is validated against the Compose Specification's JSON schema (kept verbatim
in ``compose_spec.json``, from the docker-compose 1.29.2 wheel), interpolated here the way
``docker compose`` does it, and compared with the Procfile: every process the image runs is
one of the Procfile's commands, so what the Procfile test runs is what the containers run.
No PostgreSQL or Redis needed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.validators import validator_for

from ocp.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PROCFILE = ROOT / "Procfile"
SCHEMA = Path(__file__).with_name("compose_spec.json")

# The only setting without a default: a host environment holding just the secret key.
SECRET = "s3cret-" * 8
SAMPLE_ENV = {"OCP_SECRET_KEY": SECRET}
APP_SERVICES = ("migrate", "web", "worker")  # built from our Dockerfile


# --- helpers ---------------------------------------------------------------------------------


class InterpolationError(ValueError):
    """What ``docker compose`` reports for a ``${VAR:?message}`` whose variable is missing."""


_TEMPLATE = re.compile(
    r"\$(?:"
    r"(?P<escaped>\$)"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<invalid>)"
    r")"
)


def interpolate_string(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
    ``${VAR-default}``, ``${VAR:?message}`` and ``${VAR?message}``."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        name = match["braced"]
        if name is None:
            raise InterpolationError(f"invalid template in {text!r}")
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op is None:
            return value or ""
        if not missing:
            return value or ""
        if op.endswith("?"):
            raise InterpolationError(f"required variable {name} is missing a value: {arg}")
        return arg

    return _TEMPLATE.sub(replace, text)


def interpolate(node: Any, env: dict[str, str]) -> Any:
    """Every string value of the loaded file interpolated (keys are left alone, as compose does)."""
    if isinstance(node, str):
        return interpolate_string(node, env)
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, env) for value in node]
    return node


@functools.cache
def raw_compose() -> dict[str, Any]:
    with COMPOSE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    return interpolate(raw_compose(), SAMPLE_ENV if env is None else env)


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


@functools.cache
def schema_validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    declared = schema["$schema"]
    # The file says "http://json-schema.org/draft/2019-09/schema#"; jsonschema knows the https
    # spelling only, and would otherwise warn and fall back to the latest draft.
    for uri in (declared, declared.rstrip("#").replace("http://", "https://", 1)):
        cls = validator_for({"$schema": uri}, default=None)
        if cls is not None:
            cls.check_schema(schema)
            # No format checker: the spec's "duration" means Go durations ("30s"), not ISO 8601.
            return cls(schema)
    raise AssertionError(f"no jsonschema validator for {declared}")


def schema_errors(document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in schema_validator().iter_errors(document)
    ]


@functools.cache
def procfile() -> dict[str, str]:
    processes: dict[str, str] = {}
    for line in PROCFILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


def shell_line(command: str | list[str]) -> str:
    """One command line, whitespace-normalised: a list's words, or what ``sh -c`` is given.
    A leading ``exec`` is dropped: it only makes the command take the shell's place (so that
    signals reach it), the command is the same."""
    if isinstance(command, list):
        line = command[2] if command[:2] == ["sh", "-c"] and len(command) == 3 else None
        line = shlex.join(command) if line is None else line
    else:
        line = command
    words = line.split()
    if words[:1] == ["exec"]:
        words = words[1:]
    return " ".join(words)


def named_volume_mounts(svc: dict[str, Any]) -> dict[str, str]:
    """``{volume name: path in the container}`` for the service's named volumes."""
    declared = raw_compose().get("volumes") or {}
    mounts: dict[str, str] = {}
    for entry in svc.get("volumes", []):
        if isinstance(entry, str):
            source, _, rest = entry.partition(":")
            target = rest.split(":")[0]
        else:
            source, target = entry.get("source", ""), entry["target"]
        if source in declared:
            mounts[source] = target
    return mounts


def dockerfile_instructions() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(INSTRUCTION, arguments)`` of the final stage, continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:], instructions


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, arguments in dockerfile_instructions()[0]:
        if keyword == "ENV":
            for word in shlex.split(arguments):
                name, _, value = word.partition("=")
                env[name] = value
    return env


def config_settings() -> set[str]:
    """Every setting a deployment may set: tests-only ones (``OCP_TEST_*``) stay out of it."""
    source = (ROOT / "ocp" / "config.py").read_text(encoding="utf-8")
    found = set(re.findall(r"\bOCP_[A-Z0-9_]*[A-Z0-9]\b", source))
    return {name for name in found if not name.startswith("OCP_TEST_")}


# --- the interpolation helper itself ---------------------------------------------------------


def test_interpolation_follows_compose() -> None:
    env = {"SET": "v", "EMPTY": ""}
    assert interpolate_string("$$PORT $${X:-2}", env) == "$PORT ${X:-2}"
    assert interpolate_string("${SET} $SET ${UNSET}", env) == "v v "
    assert interpolate_string("${UNSET:-d} ${EMPTY:-d} ${SET:-d}", env) == "d d v"
    assert interpolate_string("${UNSET-d} ${EMPTY-d}", env) == "d "
    assert interpolate_string("${SET:?m} ${EMPTY?m}", env) == "v "
    for text in ("${UNSET:?needed}", "${EMPTY:?needed}", "${UNSET?needed}", "$ {x}", "${1}"):
        with pytest.raises(InterpolationError):
            interpolate_string(text, env)


# --- the Compose Specification -----------------------------------------------------------------


def test_compose_file_follows_the_compose_specification() -> None:
    assert schema_errors(raw_compose()) == []
    assert schema_errors(compose()) == []


def test_the_schema_check_is_not_vacuous() -> None:
    broken = compose()
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_done"
    broken["services"]["worker"]["restart_policy"] = "always"
    errors = schema_errors(broken)
    assert any(error.startswith("services/web/depends_on") for error in errors), errors
    assert any("restart_policy" in error for error in errors), errors


# --- settings ----------------------------------------------------------------------------------


def test_the_secret_key_is_required() -> None:
    for env in ({}, {"OCP_SECRET_KEY": ""}):
        with pytest.raises(InterpolationError, match="OCP_SECRET_KEY"):
            compose(env)
    for name in APP_SERVICES:
        assert service(name)["environment"]["OCP_SECRET_KEY"] == SECRET


def test_every_setting_reaches_the_app_containers() -> None:
    names = config_settings()
    assert {"OCP_DATABASE_URL", "OCP_SECRET_KEY", "OCP_MEDIA_DIR"} <= names
    for name in APP_SERVICES:
        environment = service(name)["environment"]
        assert isinstance(environment, dict), name
        missing = sorted(names - environment.keys())
        assert missing == [], f"{name} lacks {missing}"


def test_settings_come_from_the_environment_with_the_documented_defaults() -> None:
    environment = service("web")["environment"]
    settings = Settings.from_env({key: str(value) for key, value in environment.items()})
    settings.check_production()
    assert settings.database_url == "postgres://ocp:ocp@postgres:5432/ocp"
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.secret_key == SECRET
    assert str(settings.effective_media_dir) == "/data/media"
    assert settings.ffprobe == "/usr/bin/ffprobe"
    assert (settings.web_workers, settings.log_format) == (2, "json")
    # Everything else keeps config.py's defaults (README's Settings table).
    chosen = {
        "database_url",
        "redis_url",
        "secret_key",
        "data_dir",
        "media_dir",
        "ffprobe",
        "web_workers",
        "log_format",
    }
    defaults = Settings()
    differing = {
        field.name
        for field in dataclasses.fields(Settings)
        if getattr(settings, field.name) != getattr(defaults, field.name)
    }
    assert differing <= chosen, differing - chosen


def test_the_host_environment_overrides_the_defaults() -> None:
    env = {
        **SAMPLE_ENV,
        "OCP_WEB_WORKERS": "4",
        "OCP_COOKIE_SECURE": "true",
        "OCP_ALLOWED_ORIGINS": "https://app.example.com",
        "OCP_FFPROBE": "",
        "POSTGRES_PASSWORD": "pw",
        "OCP_PORT": "9000",
    }
    document = compose(env)
    for name in APP_SERVICES:
        environment = document["services"][name]["environment"]
        settings = Settings.from_env({key: str(value) for key, value in environment.items()})
        assert settings.web_workers == 4
        assert settings.cookie_secure is True
        assert settings.allowed_origins == ("https://app.example.com",)
        assert settings.ffprobe is None
        assert settings.database_url == "postgres://ocp:pw@postgres:5432/ocp"
    assert document["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == "pw"
    assert document["services"]["web"]["ports"] == ["9000:8080"]


# --- services ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_backing_services_have_healthchecks_and_named_volumes(name: str) -> None:
    svc = service(name)
    healthcheck = svc["healthcheck"]
    assert healthcheck.get("test") and not healthcheck.get("disable")
    assert named_volume_mounts(svc), f"{name} keeps its data in no named volume"


def test_migrate_is_the_release_step_run_once_when_the_backing_services_are_healthy() -> None:
    migrate = service("migrate")
    assert shell_line(migrate["command"]) == shell_line(procfile()["release"])
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["depends_on"]["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_web_and_worker_wait_for_the_migrations(name: str) -> None:
    depends_on = service(name)["depends_on"]
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_one_image_for_the_release_step_web_and_worker() -> None:
    services = compose()["services"]
    images = {name: (services[name]["image"], services[name]["build"]) for name in APP_SERVICES}
    assert len(set(images.values())) == 1, images
    assert images["web"][1] in (".", "./")


def test_media_is_one_named_volume_shared_by_web_and_worker() -> None:
    web, worker = service("web"), service("worker")
    media_dir = web["environment"]["OCP_MEDIA_DIR"]
    assert worker["environment"]["OCP_MEDIA_DIR"] == media_dir
    assert named_volume_mounts(web).get("media") == media_dir
    assert named_volume_mounts(worker).get("media") == media_dir
    assert dockerfile_env()["OCP_MEDIA_DIR"] == media_dir


def test_every_command_of_the_image_is_a_procfile_command() -> None:
    services = compose()["services"]
    processes = procfile()
    assert set(processes) == {"release", "web", "worker"}
    commands = {shell_line(command) for command in processes.values()}
    for name, svc in services.items():
        if "build" in svc:
            assert "command" in svc, f"{name} must say which Procfile command it runs"
            assert shell_line(svc["command"]) in commands, name
    assert shell_line(services["web"]["command"]) == shell_line(processes["web"])
    assert shell_line(services["worker"]["command"]) == shell_line(processes["worker"])
    # Every Procfile process has its service.
    run = {shell_line(svc["command"]) for svc in services.values() if "build" in svc}
    assert run == commands


def test_web_is_published_and_checked_for_readiness() -> None:
    web = service("web")
    assert [port.split(":")[-1] for port in web["ports"]] == [dockerfile_env()["PORT"]]
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    for name in ("web", "worker"):
        # docker's default grace (10 s) is shorter than the shutdown timeout
        grace = service(name)["stop_grace_period"]
        assert int(grace.removesuffix("s")) > int(
            service(name)["environment"]["OCP_SHUTDOWN_TIMEOUT"]
        )


# --- the Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_builds_the_production_install_and_runs_unprivileged() -> None:
    final, everything = dockerfile_instructions()
    froms = [arguments for keyword, arguments in everything if keyword == "FROM"]
    assert all(line.split()[0] == "python:3.11-slim" for line in froms), froms
    runs = " ".join(arguments for keyword, arguments in everything if keyword == "RUN")
    assert re.search(r"pip install [\"']?\.\[prod\][\"']?", runs), runs
    final_runs = " ".join(arguments for keyword, arguments in final if keyword == "RUN")
    assert "ffmpeg" in final_runs and "rm -rf /var/lib/apt/lists" in final_runs
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, users
    copied = " ".join(arguments for keyword, arguments in final if keyword == "COPY")
    for path in ("ocp/", "workers/", "migrations/", "pyproject.toml", "README.md"):
        assert path in copied, path
    assert ("WORKDIR", "/app") in final
    assert ("EXPOSE", "8080") in final
    env = dockerfile_env()
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PORT"] == "8080"
    healthcheck = [arguments for keyword, arguments in final if keyword == "HEALTHCHECK"]
    assert healthcheck and "/healthz" in healthcheck[0] and "python" in healthcheck[0]


def test_dockerfile_default_command_is_the_procfile_web_command() -> None:
    final, _ = dockerfile_instructions()
    cmd = [arguments for keyword, arguments in final if keyword == "CMD"]
    assert len(cmd) == 1
    command = json.loads(cmd[0])  # exec form, through sh -c so that $PORT expands
    assert command[:2] == ["sh", "-c"]
    assert shell_line(command) == shell_line(procfile()["web"])


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "var", ".git", "tests", ".env"} <= patterns
