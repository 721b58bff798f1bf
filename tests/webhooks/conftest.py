"""Webhook tests call a receiver on this machine: private addresses are allowed here (the
SSRF tests build their own settings without it)."""

from __future__ import annotations

import dataclasses

import pytest

from ocp.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhooks_allow_private=True)
