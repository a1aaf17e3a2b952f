"""What the desk's exports and the period report return (their JSON is the CLI's JSON).

An export answers with the file it wrote, its format, how many rows and the totals of its
table, flat beside them (`total_certificate`, `credited`, ...), as docs/CLI.md gives them.
"""

from __future__ import annotations

from datetime import date

from pfdo.application.fields import Kopecks
from pfdo.application.results import Result
from pfdo.domain.units import Unit


class Exported(Result):
    file: str
    format: str
    rows: int


class RegisterExported(Exported):
    provider: str
    month: str
    total_certificate: Kopecks
    total_parent: Kopecks
    present: int
    recorded: int


class BalancesExported(Exported):
    """The totals are the ruble pots'; `hours` the person-hour pots' (rule 22), if any."""

    period: str | None
    nominal: Kopecks
    credited: Kopecks
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    expired: Kopecks
    hours: dict[str, Kopecks] | None = None


class InvoicesExported(Exported):
    provider: str | None
    period: str | None
    unpaid: bool
    invoiced: Kopecks  # the invoices' amounts (their registers)
    advanced: Kopecks  # the advances issued
    adjustments: Kopecks
    due: Kopecks  # what every document listed asks for


class CategoryReport(Result):
    """A category against its limits, and its certificates' money."""

    category: str
    nominal: Kopecks
    count_limit: int | None
    sum_limit: Kopecks | None
    funded_count: int
    funded_sum: Kopecks
    unit: Unit = "rub"
    credited: Kopecks
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    expired: Kopecks


class ProviderReport(Result):
    """A provider's contracts of the period and the certificate money they moved: still
    reserved, spent (charged less refunds), released, refunded; and the parents' parts of
    its billed months (co-payments)."""

    provider: str
    contracts: int
    reserved: Kopecks
    spent: Kopecks
    released: Kopecks
    refunded: Kopecks
    parent: Kopecks
    unit: Unit = "rub"


class ReportTotals(Result):
    issued: int
    funded_count: int
    funded_sum: Kopecks
    credited: Kopecks
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    released: Kopecks
    refunded: Kopecks
    expired: Kopecks
    parent: Kopecks


class PeriodReport(Result):
    period: str
    municipality: str
    start: date
    end: date
    status: str
    categories: list[CategoryReport]
    providers: list[ProviderReport]
    totals: ReportTotals  # of the ruble lines
    totals_hours: ReportTotals | None = None  # of the person-hour lines (rule 22)


class PeriodReportExported(Exported, ReportTotals):
    """The report written to a file: the file, its rows (categories and providers) and
    the report's totals, flat beside them."""

    period: str
