"""Amounts in minor units of their currency, the way payment providers count them.

A course's price is kept in hundredths (``price_cents``) whatever its currency; an order keeps
what is charged in the currency's real minor units: cents for USD, whole yen for JPY (no
minor unit), thousandths for KWD. Stripe counts the same way.
"""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 currencies whose minor unit is not a hundredth.
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
THREE_DECIMAL = frozenset("BHD IQD JOD KWD LYD OMR TND".split())  # noqa: SIM905


def exponent(currency: str) -> int:
    """Digits after the decimal point in ``currency``'s minor unit."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def from_hundredths(hundredths: int, currency: str) -> int | None:
    """A price kept in hundredths, in ``currency``'s minor units; None when it cannot be
    charged exactly (a fraction of a yen)."""
    digits = exponent(currency)
    if digits >= 2:
        return hundredths * 10 ** (digits - 2)
    whole, rest = divmod(hundredths, 10 ** (2 - digits))
    return None if rest else whole


def to_minor(amount: Decimal, currency: str) -> int | None:
    """A decimal amount in minor units; None when it has more digits than the currency."""
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def format_minor(minor: int, currency: str) -> str:
    """Minor units as the decimal string the API shows ("19.99", "1500" for JPY)."""
    digits = exponent(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f}"


def percent_of(minor: int, percent: int) -> int:
    """``percent`` of an amount, rounded half up to a whole minor unit."""
    return (minor * percent + 50) // 100
