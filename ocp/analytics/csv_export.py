"""The daily series as CSV: a header row, then a row per day."""

from __future__ import annotations

import csv
import io
from typing import Any

from ocp.analytics.rollups import DAY_FIELDS
from ocp.payments import money


def daily_csv(series: list[dict[str, Any]]) -> str:
    """``date``, the day's counts, then ``revenue_<currency>`` for each currency of the range."""
    currencies = sorted({currency for day in series for currency in day["revenue"]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", *DAY_FIELDS, *(f"revenue_{c}" for c in currencies)])
    for day in series:
        writer.writerow(
            [
                day["date"],
                *(day[field] for field in DAY_FIELDS),
                *(day["revenue"].get(c, money.format_minor(0, c)) for c in currencies),
            ]
        )
    return out.getvalue()
