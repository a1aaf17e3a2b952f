"""The tables the desk exports, each built from an answer of the public API.

`register_table` is a provider's monthly register (`Ledger.register`), `balances_tables`
every certificate's money per period, `invoices_table` the advances and invoices,
`report_tables` the three tables of the period report. A new export is one more function
here returning a `Table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pfdo.application.results import InvoiceList, Register
from pfdo.desk.exports.export_results import PeriodReport, ReportTotals
from pfdo.desk.exports.table import Column, Table
from pfdo.domain.balance import BALANCE_FIELDS
from pfdo.domain.units import HOURS, RUB

_MONEY = tuple(Column(f, "money") for f in BALANCE_FIELDS)


def register_table(register: Register) -> Table:
    """A register's lines: one row per billed contract month, totals at the foot."""
    columns = (
        Column("contract"),
        Column("number"),
        Column("program"),
        Column("certificate", "money"),
        Column("parent", "money"),
        Column("present", "count", total=True),
        Column("recorded", "count", total=True),
        Column("unit"),
        Column("hours", "money"),  # of a contract in hours, paid as `certificate` (rule 21)
    )
    rows = [line.model_dump() for line in register.lines]
    return Table(f"register {register.month}", columns, rows)


def balances_tables(lines: Sequence[Mapping[str, Any]]) -> list[Table]:
    """Every certificate's balance line: number, period, category and the six amounts;
    the ruble pots in `balances`, then those in person-hours, if any, in a table of their
    own (rule 22: units never add up together)."""
    columns = (Column("number"), Column("period"), Column("category"), *_MONEY, Column("unit"))
    hours = [line for line in lines if line["unit"] == HOURS]
    rubles = Table("balances", columns, [line for line in lines if line["unit"] != HOURS])
    return [rubles, *([Table("balances in hours", columns, hours)] if hours else [])]


def invoices_table(invoices: InvoiceList) -> Table:
    """Advances and invoices (rules 16, 17): what is due on each and when it was paid."""
    columns = (
        Column("invoice"),
        Column("kind"),
        Column("provider"),
        Column("month"),
        Column("amount", "money", total=False),  # an advance's amount is its due
        Column("advance", "money"),
        Column("adjustments", "money"),
        Column("due", "money"),
        Column("issued_on", "date"),
        Column("paid_on", "date"),
    )
    rows = [line.model_dump() for line in invoices.invoices]
    return Table("invoices", columns, rows)


def report_tables(report: PeriodReport) -> list[Table]:
    """The period report as three tables: categories, providers and the totals."""
    categories = (
        Column("category"),
        Column("nominal", "money", total=False),
        Column("count_limit", "count"),
        Column("sum_limit", "money", total=False),
        Column("funded_count", "count", total=True),
        *(Column(f, "money") for f in ("funded_sum", *BALANCE_FIELDS[1:])),
    )
    providers = (
        Column("provider"),
        Column("contracts", "count", total=True),
        *(Column(f, "money") for f in ("reserved", "spent", "released", "refunded", "parent")),
    )
    counts = ("issued", "funded_count")
    figures = [
        Column(f, "count" if f in counts else "money", total=False)
        for f in ReportTotals.model_fields
    ]
    rows = []
    for unit, figures_of in ((RUB, report.totals), (HOURS, report.totals_hours)):
        if figures_of is not None and any(c.unit == unit for c in report.categories):
            rows.append({"period": report.period, "unit": unit, **figures_of.model_dump()})
    totals = Table("totals", (Column("period"), Column("unit"), *figures), rows)
    tables = []
    in_hours = any(c.unit == HOURS for c in report.categories)
    for unit, suffix in ((RUB, ""), (HOURS, " in hours")):
        mine = [c.model_dump() for c in report.categories if c.unit == unit]
        theirs = [p.model_dump() for p in report.providers if p.unit == unit]
        # units never add up together (rule 22): a table per unit the period has
        if mine or theirs or (unit == RUB and not in_hours):
            tables.append(Table("categories" + suffix, categories, mine))
            tables.append(Table("providers" + suffix, providers, theirs))
    return [*tables, totals]
