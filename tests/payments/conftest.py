"""Fixtures of the payments tests: a local fake of Stripe's API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.payments.stripe_fake import StripeFake, running_stripe_fake


@pytest.fixture
async def stripe_fake() -> AsyncIterator[StripeFake]:
    """Stripe's API for one test, served on 127.0.0.1 (its base URL is ``stripe_fake.url``)."""
    async with running_stripe_fake() as fake:
        yield fake
