"""Units of an entitlement (rules 21, 22): rubles, or person-hours of a social certificate.

Every amount of a category, a certificate's pot, a contract and its months is an integer
in its category's unit: kopecks for `rub`, hundredths of an hour for `hours`. Both are
read and printed the same way, with two decimals (`"21.42"`). The arithmetic of rules 5,
6 and 9 (`pfdo.domain.pricing`) knows no unit; what is unit-specific is only that a
contract in hours has no co-payment, and that a provider is always paid rubles: a month of
an hours contract converts at the program's normative cost of a person-hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Unit = Literal["rub", "hours"]
RUB: Unit = "rub"
HOURS: Unit = "hours"
UNITS: tuple[Unit, ...] = (RUB, HOURS)


def unit_of(state: Mapping[str, Any]) -> Unit:
    """The unit of a category, pot or contract state (each has one: the aggregates
    upcast older snapshots and events to it)."""
    unit: Unit = state["unit"]
    return unit


def to_rubles(amount: int, unit: str, hour_cost: int | None) -> int:
    """Kopecks a provider is paid for `amount` of a contract in `unit` (rule 21):
    rubles as they are; hours at `floor(hours_hundredths * K_kopecks / 100)`."""
    if unit == RUB:
        return amount
    if hour_cost is None:
        raise ValueError("an amount in hours needs the normative cost of a person-hour")
    return amount * hour_cost // 100
