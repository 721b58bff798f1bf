"""Payment settings are read and checked at start-up; amounts use each currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocp.config import Settings, SettingsError
from ocp.payments import money

STRIPE = {
    "OCP_PAYMENTS_PROVIDER": "stripe",
    "OCP_STRIPE_API_KEY": "sk_test_123",
    "OCP_PAYMENTS_WEBHOOK_SECRET": "whsec_abc",
    "OCP_PUBLIC_URL": "https://learn.example.com/",
}


def test_the_sandbox_is_the_default_with_a_secret_of_its_own() -> None:
    """With nothing set the sandbox is used, signing with a secret derived from the key."""
    settings = Settings(secret_key="k" * 40)
    assert settings.payments_provider == "sandbox"
    assert settings.sandbox_webhook_secret.startswith("whsec_")
    other = Settings(secret_key="j" * 40)
    assert other.sandbox_webhook_secret != settings.sandbox_webhook_secret
    given = Settings(secret_key="k" * 40, payments_webhook_secret="whsec_given")
    assert given.sandbox_webhook_secret == "whsec_given"


def test_stripe_settings_are_read_and_complete() -> None:
    """Every Stripe setting is read; the public URL loses its trailing slash."""
    settings = Settings.from_env(STRIPE)
    settings.check_production()
    assert settings.payments_provider == "stripe"
    assert settings.public_url == "https://learn.example.com"
    assert settings.stripe_api_key == "sk_test_123"


@pytest.mark.parametrize(
    "missing", ["OCP_STRIPE_API_KEY", "OCP_PAYMENTS_WEBHOOK_SECRET", "OCP_PUBLIC_URL"]
)
def test_stripe_without_one_of_its_settings_refuses_to_start(missing: str) -> None:
    """Stripe with a setting missing is refused with a line naming it, embedded or not."""
    env = {k: v for k, v in STRIPE.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(env).check_production()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OCP_PAYMENTS_PROVIDER", "paypal"),
        ("OCP_PUBLIC_URL", "learn.example.com"),
        ("OCP_PUBLIC_URL", "ftp://learn.example.com"),
        ("OCP_REFUND_DAYS", "-1"),
        ("OCP_REFUND_DAYS", "two"),
        ("OCP_REFUND_MAX_PROGRESS", "101"),
        ("OCP_CHECKOUTS_PER_MINUTE", "0"),
    ],
)
def test_malformed_payment_settings_are_refused(name: str, value: str) -> None:
    """A malformed payment setting stops start-up with a message naming it."""
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


@pytest.mark.parametrize(
    ("hundredths", "currency", "minor", "shown"),
    [
        (1999, "USD", 1999, "19.99"),
        (150000, "JPY", 1500, "1500"),
        (1999, "KWD", 19990, "19.990"),
        (5, "EUR", 5, "0.05"),
    ],
)
def test_prices_become_minor_units_of_their_currency(
    hundredths: int, currency: str, minor: int, shown: str
) -> None:
    """A course price in hundredths is charged in the currency's own minor unit."""
    assert money.from_hundredths(hundredths, currency) == minor
    assert money.format_minor(minor, currency) == shown


def test_what_cannot_be_charged_exactly_is_refused() -> None:
    """A fraction of a yen, or a third decimal in dollars, has no minor unit to charge."""
    assert money.from_hundredths(150050, "JPY") is None
    assert money.to_minor(Decimal("1.234"), "USD") is None
    assert money.to_minor(Decimal("10.5"), "JPY") is None
    assert money.to_minor(Decimal("1.234"), "KWD") == 1234


def test_percent_discounts_round_half_up() -> None:
    """10% of 19.99 is 2.00 (1.999 rounded half up); 50% of 0.01 is 0.01."""
    assert money.percent_of(1999, 10) == 200
    assert money.percent_of(1, 50) == 1
    assert money.percent_of(1999, 100) == 1999
