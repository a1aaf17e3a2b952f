"""The period report: what a municipality tells the region about one period.

Per category: the limits and what is funded against them (count and nominal sum, as the
read models keep them for rule 3), and the money of its certificates (credited,
available, reserved, spent, expired). Per provider with contracts in the period: the
contracts, the certificate money still reserved for them, spent (charges less refunds),
released and refunded, and the parents' parts of the billed months (co-payments). The
totals add the categories' money and the providers' movements; since every movement of
a contract names its provider, `totals.reserved` and `totals.spent` equal both the
categories' and the providers' sums.

Units never mix (rule 22): each category and each provider line is in one unit (a
provider with contracts in both has a line per unit); `totals` adds the ruble lines and
`totals_hours` the person-hour lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pfdo.desk.exports.export_results import (
    CategoryReport,
    PeriodReport,
    ProviderReport,
    ReportTotals,
)
from pfdo.domain.units import HOURS, RUB, UNITS, Unit

_MONEY = ("credited", "available", "reserved", "spent", "expired")


def category_report(row: Mapping[str, Any], money: Mapping[str, Any] | None) -> CategoryReport:
    amounts = {f: int(money[f]) if money else 0 for f in _MONEY}
    return CategoryReport(
        category=row["category"],
        nominal=row["nominal"],
        count_limit=row["count_limit"],
        sum_limit=row["sum_limit"],
        funded_count=row["funded_count"],
        funded_sum=row["funded_sum"],
        unit=row["unit"],
        **amounts,
    )


def by_provider_and_unit(key: tuple[str, str]) -> tuple[str, int]:
    """Providers by code, each one's ruble line before its hours line."""
    return key[0], UNITS.index(cast(Unit, key[1]))


def provider_report(
    key: tuple[str, str], moved: Mapping[str, int], contracts: Mapping[str, int]
) -> ProviderReport:
    def kind(name: str) -> int:
        return moved.get(name, 0)

    provider, unit = key
    return ProviderReport(
        provider=provider,
        unit=cast(Unit, unit),
        contracts=contracts.get("contracts", 0),
        reserved=kind("reserved") - kind("charged") - kind("released"),
        spent=kind("charged") - kind("refunded"),
        released=kind("released"),
        refunded=kind("refunded"),
        parent=contracts.get("parent", 0),
    )


def period_report(
    period: Mapping[str, Any],
    categories: list[CategoryReport],
    providers: list[ProviderReport],
    issued: int,
) -> PeriodReport:
    """The report of a period from its categories' and providers' lines."""
    totals, totals_hours = (
        _totals(
            issued,
            [c for c in categories if c.unit == unit],
            [p for p in providers if p.unit == unit],
        )
        for unit in (RUB, HOURS)
    )
    return PeriodReport(
        period=period["period"],
        municipality=period["municipality"],
        start=period["start"],
        end=period["end"],
        status=period["status"],
        categories=categories,
        providers=providers,
        totals=totals,
        totals_hours=totals_hours,
    )


def _totals(
    issued: int, categories: list[CategoryReport], providers: list[ProviderReport]
) -> ReportTotals:
    return ReportTotals(
        issued=issued,
        funded_count=sum(c.funded_count for c in categories),
        funded_sum=sum(c.funded_sum for c in categories),
        released=sum(p.released for p in providers),
        refunded=sum(p.refunded for p in providers),
        parent=sum(p.parent for p in providers),
        **{f: sum(getattr(c, f) for c in categories) for f in _MONEY},
    )
