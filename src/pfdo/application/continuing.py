"""What a continuing contract will need in the next period (rule 23), at today's prices,
for `contract list --continuing`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pfdo.application import results as res
from pfdo.domain.pricing import month_prices
from pfdo.domain.units import HOURS


def continuing_line(
    row: dict[str, Any], program: dict[str, Any] | None, following: dict[str, Any] | None
) -> res.ContinuingContract:
    """The contract of read-model `row` with its successor's dates (in `following`, the
    next period, when opened) and price at `program`'s price of today."""
    until: date = row["continues_until"]
    start: date = row["end"] + timedelta(days=1)
    end = until
    if following is not None:
        start = max(start, following["start"])
        end = min(until, following["end"])
    monthly = 0
    if program is not None:
        monthly = program["monthly_price"]
        if row["unit"] == HOURS:
            monthly = program["hours_per_month"] or 0
    price = sum(p for _, p in month_prices(monthly, start, end)) if monthly else 0
    return res.ContinuingContract(
        contract=row["contract"],
        number=row["number"],
        program=row["program"],
        end=row["end"],
        continues_until=until,
        next_start=start,
        next_end=end,
        next_period=None if following is None else following["period"],
        price=price,
        unit=row["unit"],
    )
