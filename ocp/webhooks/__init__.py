"""Outbound webhooks: events pushed to the receivers admins register, signed and retried."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain

    return Domain("webhooks", models=["ocp.webhooks.models"])
