"""Mail settings are read and checked at start-up; the SMTP URL says how to connect."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp.config import Settings, SettingsError
from ocp.notifications.mailer import MaildirMailer, SmtpMailer, make_mailer


def test_smtp_settings_are_read() -> None:
    """OCP_SMTP_URL and OCP_MAIL_FROM are taken as given."""
    settings = Settings.from_env(
        {
            "OCP_SMTP_URL": "smtp://mailer:s%40cret@mail.example.com:587?starttls=true",
            "OCP_MAIL_FROM": "Courses <courses@example.com>",
        }
    )
    assert settings.smtp_url == "smtp://mailer:s%40cret@mail.example.com:587?starttls=true"
    assert settings.mail_from == "Courses <courses@example.com>"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OCP_SMTP_URL", "http://mail.example.com"),
        ("OCP_SMTP_URL", "mail.example.com:25"),
        ("OCP_SMTP_URL", "smtp://"),
        ("OCP_MAIL_FROM", "no address here"),
    ],
)
def test_malformed_mail_settings_are_refused(name: str, value: str) -> None:
    """A malformed mail setting stops start-up with a message naming it."""
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_an_smtp_url_says_host_port_credentials_and_tls() -> None:
    """STARTTLS on request, TLS from the start for smtps, escaped credentials decoded."""
    plain = SmtpMailer("smtp://mailer:s%40cret@mail.example.com:587?starttls=true")
    assert (plain.host, plain.port, plain.start_tls, plain.use_tls) == (
        "mail.example.com",
        587,
        True,
        False,
    )
    assert (plain.username, plain.password) == ("mailer", "s@cret")
    secure = SmtpMailer("smtps://mail.example.com")
    assert (secure.port, secure.use_tls, secure.start_tls) == (465, True, False)
    bare = SmtpMailer("smtp://localhost:2525")
    assert (bare.port, bare.start_tls, bare.username) == (2525, False, None)


def test_without_a_server_mail_goes_to_the_maildir(tmp_path: Path) -> None:
    """Embedded default: a Maildir under the data folder."""
    mailer = make_mailer(Settings(data_dir=tmp_path))
    assert isinstance(mailer, MaildirMailer) and mailer.path == tmp_path / "mail"
    assert isinstance(make_mailer(Settings(smtp_url="smtp://localhost:25")), SmtpMailer)
