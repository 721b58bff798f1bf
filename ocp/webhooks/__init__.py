"""Outbound webhooks: events pushed to the receivers admins register, signed and retried."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.events.consumers import Consumer
    from ocp.jobs import JobSpec
    from ocp.webhooks import deliveries, views
    from ocp.webhooks.catalog import EVENT_TYPES

    return Domain(
        "webhooks",
        models=["ocp.webhooks.models"],
        routes=views.routes,
        jobs=[
            JobSpec(deliveries.DELIVER_JOB, deliveries.deliver, max_tries=1),
            JobSpec(
                deliveries.PRUNE_JOB, deliveries.prune, max_tries=1, minutes=frozenset({13, 43})
            ),
        ],
        consumers=[
            Consumer(
                "webhooks",
                frozenset(EVENT_TYPES),
                deliveries.create_deliveries,
                after=deliveries.after_pass,
            )
        ],
    )
