"""The operators' desk in the public API: exports and the period report.

`Desk` adds to the reports (`pfdo.application.reports.Reports`, which `Ledger` extends through it)
the methods that write a report as a spreadsheet: `export_register`, `export_balances`,
`export_period_report`, and `period_report` itself. Each validates its arguments, lets
the read models catch up, builds its tables (`built.py`) and writes them (`writers.py`);
it answers with the file, the rows and the totals. Nothing here writes to the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field, StrictStr

from pfdo.application.commands import Command
from pfdo.application.failures import translated
from pfdo.application.fields import Code
from pfdo.application.reports import Reports
from pfdo.desk.exports import built
from pfdo.desk.exports import export_results as xr
from pfdo.desk.exports import period_report as pr
from pfdo.desk.exports.writers import write, write_document
from pfdo.domain.errors import NotFound
from pfdo.projections import continuing, queries, summaries

Format = Literal["csv", "xlsx", "json"]
Progress = Callable[[int, int], None]


class _Export(Command):
    verb = "export"
    format: Format = "xlsx"
    out: StrictStr = Field(min_length=1)  # a path as text: bytes are not coerced


class _RegisterExport(_Export):
    verb = "export register"
    provider: Code


class _BalancesExport(_Export):
    verb = "export balances"
    period: Code | None = None


class _InvoicesExport(_Export):
    verb = "export invoices"


class _PeriodQuery(Command):
    verb = "report period"
    period: Code


class _PeriodExport(_Export):
    verb = "report period"
    period: Code


class Desk(Reports):
    """Exports of the registers and balances, and the period report; mixed into
    `Ledger` (with the reports of `pfdo.application.reports.Reports`): call them on a `Ledger`.

    An export writes one file `out` in `format` (`xlsx`, the default, `csv` or `json`),
    calls `progress(done, total)` as rows are written, and answers with the file, its
    rows and its table's totals (kopecks as integers). Nothing here writes to the store.
    """

    @translated
    def export_register(
        self,
        provider: str,
        *,
        month: str,
        out: str,
        format: str = "xlsx",
        progress: Progress | None = None,
    ) -> xr.RegisterExported:
        """Write a provider's register for a month (`Reports.register`) to `out`.

        Raises:
            InvalidInput: an argument is malformed, `format` is not `csv`, `xlsx` or
            `json`, or the file `out` cannot be written (no such folder, no permission).
            NotFound: the provider does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _RegisterExport.build(provider=provider, format=format, out=out)
        register = self.register(q.provider, month=month)
        table = built.register_table(register)
        write([table], q.format, q.out, progress)
        return xr.RegisterExported(
            file=q.out,
            format=q.format,
            rows=len(table.rows),
            provider=register.provider,
            month=register.month,
            total_certificate=register.total_certificate,
            total_parent=register.total_parent,
            present=table.totals["present"],
            recorded=table.totals["recorded"],
        )

    @translated
    def export_balances(
        self,
        *,
        out: str,
        period: str | None = None,
        format: str = "xlsx",
        progress: Progress | None = None,
    ) -> xr.BalancesExported:
        """Write every certificate's balance (of one period, or of all) to `out`.

        Raises:
            InvalidInput: an argument is malformed, `format` is not `csv`, `xlsx` or
            `json`, or the file `out` cannot be written (no such folder, no permission).
            NotFound: the `period` given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _BalancesExport.build(period=period, format=format, out=out)
        self._settle()
        with self._engine.connect() as connection:
            if q.period is not None and queries.period(connection, q.period) is None:
                raise NotFound(f"period {q.period} does not exist", period=q.period)
            lines = summaries.all_balances(connection, q.period)
        table, *in_hours = built.balances_tables(lines)
        write([table, *in_hours], q.format, q.out, progress)
        return xr.BalancesExported(
            file=q.out,
            format=q.format,
            rows=len(lines),
            period=q.period,
            hours=dict(in_hours[0].totals) if in_hours else None,
            **table.totals,
        )

    @translated
    def export_invoices(
        self,
        *,
        out: str,
        provider: str | None = None,
        period: str | None = None,
        unpaid: bool = False,
        format: str = "xlsx",
        progress: Progress | None = None,
    ) -> xr.InvoicesExported:
        """Write the advances and invoices (`invoices`: of a provider, of a period's
        months, the unpaid only) to `out`.

        Raises:
            InvalidInput: an argument is malformed, `format` is not `csv`, `xlsx` or
            `json`, or the file `out` cannot be written (no such folder, no permission).
            NotFound: the `provider` or `period` given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _InvoicesExport.build(format=format, out=out)
        found = self.invoices(provider=provider, period=period, unpaid=unpaid)
        table = built.invoices_table(found)
        write([table], q.format, q.out, progress)
        return xr.InvoicesExported(
            file=q.out,
            format=q.format,
            rows=len(table.rows),
            provider=provider,
            period=period,
            unpaid=unpaid,
            invoiced=sum(i.amount for i in found.invoices if i.kind == "invoice"),
            advanced=sum(i.due for i in found.invoices if i.kind == "advance"),
            adjustments=table.totals["adjustments"],
            due=table.totals["due"],
        )

    @translated
    def period_report(self, period: str) -> xr.PeriodReport:
        """A period's categories against their limits, its providers' money, the totals.

        Raises:
            InvalidInput: the period code is malformed.
            NotFound: the period does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _PeriodQuery.build(period=period)
        self._settle()
        with self._engine.connect() as connection:
            row = queries.period(connection, q.period)
            if row is None:
                raise NotFound(f"period {q.period} does not exist", period=q.period)
            money = summaries.balances_by_category(connection, q.period)
            categories = [
                pr.category_report(c, money.get(c["category"]))
                for c in summaries.categories_of(connection, q.period)
            ]
            moved = summaries.movements_by_provider(connection, q.period)
            contracts = summaries.contracts_by_provider(connection, q.period)
            providers = [
                pr.provider_report(key, moved.get(key, {}), contracts.get(key, {}))
                for key in sorted(set(moved) | set(contracts), key=pr.by_provider_and_unit)
            ]
            issued = summaries.certificates_in(connection, row["municipality"])
            prolonged, reserved, reserved_hours = continuing.prolonged_into(connection, q.period)
        return pr.period_report(row, categories, providers, issued).model_copy(
            update={
                "prolonged": prolonged,
                "prolonged_reserved": reserved,
                "prolonged_reserved_hours": reserved_hours,
            }
        )

    @translated
    def export_period_report(
        self, period: str, *, out: str, format: str = "xlsx"
    ) -> xr.PeriodReportExported:
        """Write the period report to `out`: its three tables (CSV, xlsx) or its JSON.

        Raises:
            InvalidInput: an argument is malformed, `format` is not `csv`, `xlsx` or
            `json`, or the file `out` cannot be written (no such folder, no permission).
            NotFound: the period does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _PeriodExport.build(period=period, format=format, out=out)
        report = self.period_report(q.period)
        tables = built.report_tables(report)
        if q.format == "json":
            write_document(report.model_dump(mode="json"), q.out)
        else:
            write(tables, q.format, q.out)
        return xr.PeriodReportExported(
            file=q.out,
            format=q.format,
            rows=len(report.categories) + len(report.providers),
            period=report.period,
            **report.totals.model_dump(),
        )
