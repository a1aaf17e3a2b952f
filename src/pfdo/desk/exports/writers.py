"""Writing tables as files: CSV for Russian Excel, xlsx with typed cells, or JSON.

- **CSV** is the dialect a Russian-locale Excel opens with a double click, no import
  wizard: UTF-8 with a byte order mark, `;` between cells, CRLF line ends; money with a
  decimal comma and no thousands separator (`1500,00`, which that Excel reads as a number),
  dates `ДД.ММ.ГГГГ`. Several tables (the period report) follow one another, each after a
  line with its name and before an empty line.
- **xlsx** (xlsxwriter): one sheet per table, a bold header row frozen at the top, money
  as numbers in rubles with the format `# ##0.00`, dates as dates, codes and certificate
  numbers as text (a number's leading zeros survive), and a totals row whose cells are
  `SUM` formulas carrying their computed values.
- **JSON**: money as ruble strings with two decimals and ISO dates, as the CLI prints.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pfdo.desk.exports.table import Column, Table, Value
from pfdo.domain.errors import InvalidInput
from pfdo.domain.money import format_rubles

FORMATS = ("csv", "xlsx", "json")
Progress = Callable[[int, int], None]
_EVERY = 1000  # rows between two progress calls


def write(
    tables: Sequence[Table], fmt: str, out: str | Path, progress: Progress | None = None
) -> None:
    """Write the tables to `out` in `fmt` (one of `FORMATS`)."""
    writer = {"csv": _csv, "xlsx": _xlsx, "json": _json}.get(fmt)
    if writer is None:
        raise InvalidInput(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        writer(tables, Path(out), _Ticker(progress, sum(len(t.rows) for t in tables)))
    except _file_errors() as error:
        raise InvalidInput(f"cannot write {out}: {_reason(error)}") from None


def _file_errors() -> tuple[type[Exception], ...]:
    """The errors of writing a file; xlsxwriter's are counted once an xlsx is written (it
    is imported then, so that a command that writes no xlsx need not load it)."""
    xlsx = sys.modules.get("xlsxwriter.exceptions")
    return (OSError,) if xlsx is None else (OSError, xlsx.XlsxFileError)


def _reason(error: Exception) -> str:
    """Why a file could not be written (xlsxwriter wraps the OSError in its own error)."""
    xlsx = sys.modules.get("xlsxwriter.exceptions")
    wrapped = xlsx is not None and isinstance(error, xlsx.XlsxFileError)
    cause = error.args[0] if wrapped and error.args else error
    return (cause.strerror if isinstance(cause, OSError) else None) or str(cause)


def write_document(document: Any, out: str | Path) -> None:
    """A JSON document (a report exactly as `--json` prints it) to a file."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot write {out}: {_reason(error)}") from None


class _Ticker:
    """Calls `progress(done, total)` every `_EVERY` rows and at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % _EVERY == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def csv_cell(column: Column, value: Value) -> str:
    """A cell as Russian Excel reads it: `1500,00`, `15.01.2025`."""
    if value is None:
        return ""
    if column.kind == "money" and isinstance(value, int):
        return format_rubles(value).replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def json_cell(column: Column, value: Value) -> Any:
    if column.kind == "money" and isinstance(value, int):
        return format_rubles(value)
    return value.isoformat() if isinstance(value, date) else value


def _csv(tables: Sequence[Table], out: Path, ticker: _Ticker) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        for index, table in enumerate(tables):
            if len(tables) > 1:
                writer.writerow([table.name])
            writer.writerow(table.keys)
            for row in table.rows:
                writer.writerow([csv_cell(c, row.get(c.key)) for c in table.columns])
                ticker.tick()
            if table.summed:
                writer.writerow(_totals(table, lambda c, v: csv_cell(c, v)))
            if index < len(tables) - 1:
                writer.writerow([])


def _totals(table: Table, cell: Callable[[Column, Value], Any]) -> list[Any]:
    first, *rest = table.columns
    values = [table.totals_label if not first.summed else cell(first, table.totals[first.key])]
    return values + [cell(c, table.totals[c.key]) if c.summed else "" for c in rest]


def _json(tables: Sequence[Table], out: Path, ticker: _Ticker) -> None:
    def document(table: Table) -> dict[str, Any]:
        rows = []
        for row in table.rows:
            rows.append({c.key: json_cell(c, row.get(c.key)) for c in table.columns})
            ticker.tick()
        totals = {c.key: json_cell(c, table.totals[c.key]) for c in table.summed}
        return {"rows": rows, "totals": totals}

    whole = document(tables[0]) if len(tables) == 1 else {t.name: document(t) for t in tables}
    out.write_text(json.dumps(whole, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _xlsx(tables: Sequence[Table], out: Path, ticker: _Ticker) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    formats = {
        "header": book.add_format({"bold": True, "bottom": 1}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "count": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": "dd.mm.yyyy"}),
        "total": book.add_format({"bold": True, "top": 1}),
        "total money": book.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"}),
        "total count": book.add_format({"bold": True, "top": 1, "num_format": "0"}),
    }
    for table in tables:
        _sheet(book, formats, table, ticker)
    book.close()


def _sheet(book: Any, formats: dict[str, Any], table: Table, ticker: _Ticker) -> None:
    sheet = book.add_worksheet(table.name[:31])
    sheet.freeze_panes(1, 0)
    for col, column in enumerate(table.columns):
        sheet.set_column(col, col, max(12, len(column.key) + 2), formats.get(column.kind))
        sheet.write_string(0, col, column.key, formats["header"])
    for line, row in enumerate(table.rows, start=1):
        for col, column in enumerate(table.columns):
            _xlsx_cell(sheet, formats, line, col, column, row.get(column.key))
        ticker.tick()
    if not table.summed:
        return
    last = len(table.rows) + 1
    sheet.write_string(last, 0, table.totals_label, formats["total"])
    for col, column in enumerate(table.columns):
        if not column.summed:
            continue
        total = table.totals[column.key]
        value = total / 100 if column.kind == "money" else total
        from xlsxwriter.utility import xl_rowcol_to_cell

        span = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(max(last - 1, 1), col)}"
        formula = f"=SUM({span})" if table.rows else "=0"
        style = formats["total money" if column.kind == "money" else "total count"]
        sheet.write_formula(last, col, formula, style, value)


def _xlsx_cell(
    sheet: Any, formats: dict[str, Any], line: int, col: int, column: Column, value: Value
) -> None:
    if value is None:
        sheet.write_blank(line, col, None, formats.get(column.kind))
    elif column.kind == "money" and isinstance(value, int):
        sheet.write_number(line, col, value / 100, formats["money"])
    elif column.kind == "count" and isinstance(value, int):
        sheet.write_number(line, col, value, formats["count"])
    elif isinstance(value, date):
        sheet.write_datetime(line, col, value, formats["date"])
    else:
        sheet.write_string(line, col, str(value))
