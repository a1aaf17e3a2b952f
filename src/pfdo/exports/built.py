"""The tables the desk exports, each built from an answer of the public API.

`register_table` is a provider's monthly register (`Ledger.register`), `balances_table`
every certificate's money per period, `invoices_table` the advances and invoices,
`report_tables` the three tables of the period report. A new export is one more function
here returning a `Table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pfdo.domain.balance import BALANCE_FIELDS
from pfdo.exports.results import PeriodReport, ReportTotals
from pfdo.exports.table import Column, Table
from pfdo.results import InvoiceList, Register

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
    )
    rows = [line.model_dump() for line in register.lines]
    return Table(f"register {register.month}", columns, rows)


def balances_table(lines: Sequence[Mapping[str, Any]]) -> Table:
    """Every certificate's balance line: number, period, category and the six amounts."""
    columns = (Column("number"), Column("period"), Column("category"), *_MONEY)
    return Table("balances", columns, lines)


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
    totals = Table(
        "totals",
        (Column("period"), *figures),
        [{"period": report.period, **report.totals.model_dump()}],
    )
    return [
        Table("categories", categories, [c.model_dump() for c in report.categories]),
        Table("providers", providers, [p.model_dump() for p in report.providers]),
        totals,
    ]
