"""`pfdo export` and `pfdo report`: the operators' desk on the command line.

Thin as the rest of the CLI: each command calls one method of the API (`Ledger.export_*`,
`Ledger.period_report`, in `pfdo.desk.exports.desk`) and prints what it answers. Exports and
reports only read the store (they never create one); the files they write are the
operator's. Over a terminal an export shows a progress bar on standard error, never under
`--json` or when its output is piped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pfdo.commandline import rendering as cli_format
from pfdo.commandline.session import MalformedInput, Session, emit, json_option, progress_bar
from pfdo.desk.exports.built import report_tables
from pfdo.desk.exports.export_results import PeriodReport
from pfdo.desk.exports.writers import FORMATS, json_cell
from pfdo.domain.errors import InvalidInput

FORMAT_HELP = (
    "csv: UTF-8 with BOM, ';', decimal comma, ДД.ММ.ГГГГ (Russian Excel opens it as it is); "
    "xlsx: typed cells, frozen header, totals; json: as --json prints amounts."
)


def _out_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--out", required=True, type=click.Path(dir_okay=False), help="The file to write."
    )(f)
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True,
        help=FORMAT_HELP,
    )(f)  # fmt: skip


@click.group()
def export() -> None:
    """Write registers and balances as spreadsheets (CSV, xlsx) or JSON files."""


@export.command("register")
@click.option("--provider", required=True, metavar="PROVIDER")
@click.option("--month", required=True, metavar="YYYY-MM")
@_out_options
@json_option
@click.pass_obj
def export_register(
    session: Session, /, provider: str, month: str, fmt: str, out: str, as_json: bool
) -> None:
    """A provider's payment register for a month: one row per billed contract, totals."""
    with progress_bar("exporting", as_json) as progress:
        result = session.call(
            lambda ledger: ledger.export_register(
                provider, month=month, format=fmt, out=out, progress=progress
            )
        )
    emit(result, as_json)


@export.command("balances")
@click.option("--period", metavar="PERIOD", help="Only this period (default: every period).")
@_out_options
@json_option
@click.pass_obj
def export_balances(
    session: Session, /, period: str | None, fmt: str, out: str, as_json: bool
) -> None:
    """Every certificate's money per period: nominal, credited, available, reserved,
    spent, expired; totals at the foot."""
    with progress_bar("exporting", as_json) as progress:
        result = session.call(
            lambda ledger: ledger.export_balances(
                period=period, format=fmt, out=out, progress=progress
            )
        )
    emit(result, as_json)


@export.command("invoices")
@click.option("--provider", metavar="PROVIDER", help="Only this provider's documents.")
@click.option("--period", metavar="PERIOD", help="Only the months of this period.")
@click.option("--unpaid", is_flag=True, help="Only what is not paid yet: the payables.")
@_out_options
@json_option
@click.pass_obj
def export_invoices(
    session: Session,
    /,
    provider: str | None,
    period: str | None,
    unpaid: bool,
    fmt: str,
    out: str,
    as_json: bool,
) -> None:
    """Advances and invoices with what is due and when it was paid; totals at the foot."""
    with progress_bar("exporting", as_json) as progress:
        result = session.call(
            lambda ledger: ledger.export_invoices(
                provider=provider, period=period, unpaid=unpaid, format=fmt, out=out,
                progress=progress,
            )
        )  # fmt: skip
    emit(result, as_json)


@click.group()
def report() -> None:
    """Reports for the region."""


@report.command("period")
@click.argument("period", metavar="PERIOD")
@click.option(
    "--format", "fmt", type=click.Choice(("text", *FORMATS)), default="text",
    show_default=True, help=f"text: tables for people; {FORMAT_HELP}",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write the report here (csv and xlsx need it)."
)
@json_option
@click.pass_obj
def report_period(
    session: Session, /, period: str, fmt: str, out: str | None, as_json: bool
) -> None:
    """A period: certificates issued; per category, funded against the limits and the
    money credited, available, reserved, spent and expired; per provider, contracts and
    the money reserved, spent, released and refunded, and the parents' co-payments."""
    if out is None and fmt in ("csv", "xlsx"):
        raise MalformedInput(InvalidInput(f"--format {fmt} needs --out FILE"))
    if out is not None and fmt == "text":
        raise MalformedInput(InvalidInput("--out needs --format csv, xlsx or json"))
    if out is not None:
        emit(
            session.call(lambda ledger: ledger.export_period_report(period, out=out, format=fmt)),
            as_json,
        )
        return
    found = session.call(lambda ledger: ledger.period_report(period))
    if as_json or fmt == "json":
        click.echo(cli_format.as_json(found))
    else:
        click.echo(report_text(found))


def report_text(found: PeriodReport) -> str:
    """The report's three tables as aligned text, each under its name."""
    lines = [f"period {found.period} ({found.municipality}, {found.start} .. {found.end}, "
             f"{found.status})"]  # fmt: skip
    for table in report_tables(found):
        rows = [{c.key: json_cell(c, row.get(c.key)) for c in table.columns} for row in table.rows]
        lines.extend(["", f"{table.name}:"])
        lines.extend(f"  {line}" for line in (cli_format.table(rows) if rows else ["(none)"]))
    return "\n".join(lines)
