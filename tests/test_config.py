"""Settings come from OCP_* variables; bad values stop start-up with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp.config import Settings, SettingsError


def test_no_environment_means_embedded() -> None:
    settings = Settings.from_env({})
    assert settings.embedded
    assert settings.dialect == "sqlite"
    assert settings.effective_database_url == "sqlite://var/ocp.sqlite3"
    settings.check_production()


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "OCP_DATABASE_URL": "postgresql://u:p@db:5432/ocp",
            "OCP_REDIS_URL": "redis://r:6379/2",
            "OCP_SECRET_KEY": "k" * 40,
            "OCP_DATA_DIR": "/srv/ocp",
            "OCP_COOKIE_SECURE": "true",
            "OCP_TRUST_FORWARDED": "1",
            "OCP_ALLOWED_ORIGINS": "https://a.example/, https://b.example",
            "OCP_SESSION_MAX_AGE": "3600",
            "OCP_SESSION_IDLE_TIMEOUT": "600",
            "OCP_MAX_BODY_KB": "64",
            "OCP_LOG_LEVEL": "debug",
            "OCP_CATALOG_CACHE_MAX_AGE": "5",
        }
    )
    assert settings.database_url == "postgres://u:p@db:5432/ocp"
    assert settings.dialect == "postgres" and not settings.embedded
    assert settings.redis_url == "redis://r:6379/2"
    assert settings.data_dir == Path("/srv/ocp")
    assert settings.cookie_secure and settings.trust_forwarded
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert (settings.session_max_age, settings.session_idle_timeout) == (3600, 600)
    assert settings.max_body_kb == 64
    assert settings.log_level == "DEBUG"
    assert settings.catalog_cache_max_age == 5
    settings.check_production()


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("OCP_DATABASE_URL", "mysql://x", "postgres://"),
        ("OCP_REDIS_URL", "http://x", "redis://"),
        ("OCP_COOKIE_SECURE", "maybe", "true or false"),
        ("OCP_SESSION_MAX_AGE", "soon", "integer"),
        ("OCP_SESSION_IDLE_TIMEOUT", "5", "at least 60"),
        ("OCP_MAX_BODY_KB", "0", "at least 1"),
        ("OCP_LOG_LEVEL", "loud", "OCP_LOG_LEVEL"),
        ("OCP_CATALOG_CACHE_MAX_AGE", "0", "at least 1"),
        ("OCP_CATALOG_CACHE_MAX_AGE", "3601", "at most 3600"),
    ],
)
def test_bad_values_are_refused_by_name(variable: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says) as error:
        Settings.from_env({variable: value})
    assert variable in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        ({"OCP_REDIS_URL": "redis://r"}, "OCP_SECRET_KEY must be set"),
        ({"OCP_REDIS_URL": "redis://r", "OCP_SECRET_KEY": "short"}, "at least 32"),
        ({"OCP_SECRET_KEY": "k" * 40}, "OCP_REDIS_URL must be set"),
    ],
)
def test_production_refuses_unsafe_settings(environment: dict[str, str], says: str) -> None:
    settings = Settings.from_env({"OCP_DATABASE_URL": "postgres://db/ocp", **environment})
    with pytest.raises(SettingsError, match=says):
        settings.check_production()


def test_embedded_secret_is_generated_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    first = settings.with_secret_key().secret_key
    second = settings.with_secret_key().secret_key
    assert first and first == second and len(first) >= 48
    assert (
        Settings(data_dir=tmp_path / "var", secret_key="given").with_secret_key().secret_key
        == "given"
    )


def test_production_without_secure_cookies_is_warned_about() -> None:
    production = {"OCP_DATABASE_URL": "postgres://db/ocp", "OCP_REDIS_URL": "redis://r"}
    (warning,) = Settings.from_env(production).warnings()
    assert "OCP_COOKIE_SECURE" in warning and "\n" not in warning
    assert Settings.from_env({**production, "OCP_COOKIE_SECURE": "true"}).warnings() == []
    assert Settings.from_env({}).warnings() == []  # embedded: plain http://localhost is fine
