"""What the desk's exports and the period report return (their JSON is the CLI's JSON).

An export answers with the file it wrote, its format, how many rows and the totals of its
table, flat beside them (`total_certificate`, `credited`, ...), as the CLI prints them.
"""

from __future__ import annotations

from datetime import date

from pfdo.application.fields import Kopecks
from pfdo.application.results import Result
from pfdo.domain.units import Unit


class Exported(Result):
    """The base of the desk's export results: the file written.

    Attributes:
        file: its path.
        format: `csv`, `xlsx` or `json`.
        rows: the rows written.
    """

    file: str
    format: str
    rows: int


class RegisterExported(Exported):
    """What `Desk.export_register` answers: the register written and its totals.

    Attributes:
        provider: the provider's code.
        month: `YYYY-MM`.
        total_certificate: kopecks of the certificates.
        total_parent: kopecks of the parents.
        present: lessons attended, summed.
        recorded: lessons recorded, summed.
    """

    provider: str
    month: str
    total_certificate: Kopecks
    total_parent: Kopecks
    present: int
    recorded: int


class BalancesExported(Exported):
    """What `Desk.export_balances` answers. The totals are the ruble pots', in kopecks;
    `hours` the person-hour pots' (rule 22), if any.

    Attributes:
        period: the period exported; None: all.
        nominal: nominals summed.
        credited: credited.
        available: available.
        reserved: reserved.
        spent: spent.
        expired: expired.
        hours: the same totals of the pots in hours, in hundredths of an hour; None: none.
    """

    period: str | None
    nominal: Kopecks
    credited: Kopecks
    available: Kopecks
    reserved: Kopecks
    spent: Kopecks
    expired: Kopecks
    hours: dict[str, Kopecks] | None = None


class InvoicesExported(Exported):
    """What `Desk.export_invoices` answers; kopecks.

    Attributes:
        provider: the provider asked for; None: all.
        period: the period asked for; None: all.
        unpaid: whether only the unpaid were exported.
        invoiced: the invoices' amounts (their registers).
        advanced: the advances issued.
        adjustments: the adjustments deducted.
        due: what every document listed asks for.
    """

    provider: str | None
    period: str | None
    unpaid: bool
    invoiced: Kopecks  # the invoices' amounts (their registers)
    advanced: Kopecks  # the advances issued
    adjustments: Kopecks
    due: Kopecks  # what every document listed asks for


class CategoryReport(Result):
    """A category against its limits, and its certificates' money, in `unit`.

    Attributes:
        category: the category's code.
        nominal: its nominal.
        count_limit: its count limit; None: none.
        sum_limit: its sum limit; None: none.
        funded_count: certificates funded in it.
        funded_sum: credited in it, summed.
        unit: `rub` (kopecks) or `hours` (hundredths of an hour).
        credited: its certificates' pots summed: credited.
        available: available.
        reserved: reserved.
        spent: spent.
        expired: expired.
    """

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
    its billed months (co-payments). In `unit`.

    Attributes:
        provider: the provider's code.
        contracts: its contracts in the period.
        reserved: still reserved.
        spent: charged less refunds.
        released: released.
        refunded: refunded.
        parent: the parents' parts, kopecks.
        unit: `rub` or `hours`.
    """

    provider: str
    contracts: int
    reserved: Kopecks
    spent: Kopecks
    released: Kopecks
    refunded: Kopecks
    parent: Kopecks
    unit: Unit = "rub"


class ReportTotals(Result):
    """A period report's totals, over its lines of one unit.

    Attributes:
        issued: certificates issued in the municipality.
        funded_count: certificates funded.
        funded_sum: credited, summed.
        credited: credited.
        available: available.
        reserved: reserved.
        spent: spent.
        released: released.
        refunded: refunded.
        expired: expired.
        parent: the parents' parts.
    """

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
    """What `Desk.period_report` answers: a period's categories against their limits,
    its providers' money, the totals.

    Attributes:
        period: the period's code.
        municipality: its municipality's code.
        start: its first day.
        end: its last day.
        status: `open` or `closed`.
        categories: one line per category.
        providers: one line per provider and unit.
        totals: of the ruble lines, kopecks.
        totals_hours: of the person-hour lines (rule 22), hundredths of an hour; None:
            none.
        prolonged: how many contracts were prolonged into the period (rule 23).
        prolonged_reserved: what their successors reserved at enrolment, kopecks.
        prolonged_reserved_hours: the same for successors in hours, hundredths.
    """

    period: str
    municipality: str
    start: date
    end: date
    status: str
    categories: list[CategoryReport]
    providers: list[ProviderReport]
    totals: ReportTotals  # of the ruble lines
    totals_hours: ReportTotals | None = None  # of the person-hour lines (rule 22)
    prolonged: int = 0
    prolonged_reserved: Kopecks = 0
    prolonged_reserved_hours: Kopecks = 0


class PeriodReportExported(Exported, ReportTotals):
    """What `Desk.export_period_report` answers: the file, its rows (categories and
    providers) and the report's totals (`ReportTotals`), flat beside them.

    Attributes:
        period: the period's code.
    """

    period: str
