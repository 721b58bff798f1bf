"""The event log: domain events recorded with the change they describe, then published, and
the reactions to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.events.reactions import REACT

    return Domain("events", models=["ocp.events.models"], jobs=[REACT])
