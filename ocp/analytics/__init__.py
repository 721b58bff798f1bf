"""Analytics: rollups kept from domain events, their API, and the live dashboard page."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.analytics import live, pages, rollups, views
    from ocp.domains import Domain
    from ocp.events.consumers import Consumer

    return Domain(
        "analytics",
        models=["ocp.analytics.models"],
        routes=[*views.routes, *pages.routes],
        consumers=[
            Consumer(
                "analytics",
                frozenset(rollups.EVENT_TYPES),
                rollups.apply_batch,
                after=live.push_updates,
            )
        ],
    )
