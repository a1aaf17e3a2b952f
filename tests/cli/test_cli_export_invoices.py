"""`pfdo export invoices`: the advances and invoices as a spreadsheet (issue 13, rules 16-17).

The year's contract is advanced at 50% in February, January and February are billed and
invoiced, the advance is paid. The xlsx read back holds every figure of `invoice list`,
with typed cells; the CSV is the Russian Excel dialect; `--unpaid` keeps the payables.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import Pfdo

SCHOOL = ("--provider", "school-1")


@pytest.fixture
def invoiced(year: Pfdo) -> Pfdo:
    year.json("period", "settings", "2025", "--advance", "50", "--on", "2025-01-01")
    year.enroll()
    year.json("invoice", "advance", *SCHOOL, "--month", "2025-02", "--on", "2025-02-01")
    year.json("invoice", "pay", "school-1/2025-02-A", "--on", "2025-02-03")
    for month, day in (("2025-01", "2025-02-01"), ("2025-02", "2025-03-01")):
        year.json("bill", "--month", month, "--on", day)
        year.json("invoice", "issue", *SCHOOL, "--month", month, "--on", day)
    return year


def test_invoices_in_xlsx_read_back_are_every_figure_of_invoice_list(
    invoiced: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "invoices.xlsx"
    exported = invoiced.json("export", "invoices", "--format", "xlsx", "--out", str(out))
    listed = invoiced.json("invoice", "list")["invoices"]
    assert exported["rows"] == len(listed) == 3
    assert (exported["invoiced"], exported["advanced"], exported["due"]) == (
        "2322.58", "750.00", "2322.58",
    )  # fmt: skip
    sheet = openpyxl.load_workbook(out, data_only=True).active
    header, *rows, totals = list(sheet.iter_rows(values_only=True))
    assert list(header) == list(listed[0])
    for row, line in zip(rows, listed, strict=True):
        for key, value in zip(header, row, strict=True):
            expected = line[key]
            if key in ("amount", "advance", "adjustments", "due"):
                assert Decimal(str(value)).quantize(Decimal("0.01")) == Decimal(expected)
            elif key in ("issued_on", "paid_on"):
                shown = value.date() if isinstance(value, datetime) else value
                assert shown == (None if expected is None else date.fromisoformat(expected))
            else:
                assert value == expected
    assert totals[0] == "total"
    assert Decimal(str(totals[header.index("due")])) == Decimal(exported["due"])


def test_unpaid_invoices_in_csv_are_the_payables(invoiced: Pfdo, tmp_path: Path) -> None:
    out = tmp_path / "payables.csv"
    exported = invoiced.json("export", "invoices", "--unpaid", "--format", "csv", "--out", str(out))
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(text.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert [r[0] for r in rows[1:-1]] == ["school-1/2025-01", "school-1/2025-02"]
    assert rows[-1][rows[0].index("due")] == exported["due"].replace(".", ",") == "1572,58"


def test_an_unknown_period_exports_nothing(invoiced: Pfdo, tmp_path: Path) -> None:
    out = tmp_path / "none.xlsx"
    assert (
        invoiced.refused("export", "invoices", "--period", "1999", "--out", str(out))
        == "Error: period 1999 does not exist"
    )
    assert not out.exists()
