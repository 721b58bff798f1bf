"""Payments: orders, checkout through a provider, provider webhooks, refunds and coupons."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain
    from ocp.payments import views

    return Domain("payments", models=["ocp.payments.models"], routes=views.routes)
