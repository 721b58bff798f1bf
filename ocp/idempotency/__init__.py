"""Idempotency-Key: a caller's POST or PATCH sent again answers as the first time did."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.domains import Domain


def domain() -> Domain:
    from ocp.domains import Domain

    return Domain("idempotency", models=["ocp.idempotency.models"])
