"""`pfdo export register|balances`: the figures of `pfdo register` and `pfdo balance`
written as xlsx (typed cells, frozen header, totals), as CSV for Russian Excel (UTF-8
with BOM, `;`, decimal comma) and as JSON; read back, every figure is the same."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import CONTRACT, NUMBER, SECOND, Pfdo
from desk_scenario import DANCE, set_up_desk

from pfdo import Ledger

BALANCE_KEYS = ("nominal", "credited", "available", "reserved", "spent", "expired")


@pytest.fixture
def desk(year: Pfdo) -> Pfdo:
    return set_up_desk(year)


def rubles(value: Any) -> Decimal:
    """A money cell read back (a float of rubles) as the JSON's exact rubles."""
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(Decimal("0.01"))


def sheet_of(path: Path) -> Any:
    book = openpyxl.load_workbook(path, data_only=True)
    return book.worksheets[0]


def test_balances_in_xlsx_read_back_are_every_figure_of_pfdo_balance(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "balances.xlsx"
    printed = desk.json("export", "balances", "--format", "xlsx", "--out", str(out))
    sheet = sheet_of(out)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("number", "period", "category", *BALANCE_KEYS, "unit")
    assert sheet.freeze_panes == "A2"
    assert [r[0] for r in rows[1:]] == [NUMBER, SECOND, "total"]
    for row in rows[1:3]:
        (expected,) = desk.json("balance", str(row[0]))["periods"]
        assert (row[1], row[2]) == (expected["period"], expected["category"])
        for key, cell in zip(BALANCE_KEYS, row[3:-1], strict=True):
            assert rubles(cell) == Decimal(expected[key]), key
        assert row[-1] == expected["unit"] == "rub"
    totals = rows[3]
    for index, key in enumerate(BALANCE_KEYS, start=3):
        assert rubles(totals[index]) == sum(rubles(r[index]) for r in rows[1:3])
        assert rubles(totals[index]) == Decimal(printed[key])
    assert printed["rows"] == 2
    assert (printed["file"], printed["format"]) == (str(out), "xlsx")


def test_xlsx_money_cells_are_numbers_with_two_decimals_and_totals_are_sum_formulas(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "balances.xlsx"
    desk.json("export", "balances", "--out", str(out))  # xlsx is the default
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet["D2"].data_type == "n" and sheet["D2"].number_format == "#,##0.00"
    assert sheet["A2"].data_type == "s"  # a certificate number stays text
    assert sheet["D4"].value == "=SUM(D2:D3)"
    assert sheet["A1"].font.b


def test_a_register_in_xlsx_read_back_is_every_figure_of_pfdo_register(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "register.xlsx"
    printed = desk.json(
        "export", "register", "--provider", "school-1", "--month", "2025-01", "--out", str(out)
    )
    register = desk.json("register", "--provider", "school-1", "--month", "2025-01")
    rows = list(sheet_of(out).iter_rows(values_only=True))
    keys = ("contract", "number", "program", "certificate", "parent", "present", "recorded")
    assert rows[0] == (*keys, "unit", "hours")
    assert len(rows) == len(register["lines"]) + 2
    for row, line in zip(rows[1:-1], register["lines"], strict=True):
        assert row[:3] == (line["contract"], line["number"], line["program"])
        assert (rubles(row[3]), rubles(row[4])) == (
            Decimal(line["certificate"]),
            Decimal(line["parent"]),
        )
        assert row[5:] == (line["present"], line["recorded"], "rub", None)
    assert rubles(rows[-1][3]) == Decimal(register["total_certificate"]) == Decimal("722.58")
    assert rubles(rows[-1][4]) == Decimal(register["total_parent"])
    assert (printed["total_certificate"], printed["total_parent"]) == (
        register["total_certificate"],
        register["total_parent"],
    )
    assert (printed["provider"], printed["month"], printed["rows"]) == ("school-1", "2025-01", 1)


def test_an_attendance_register_carries_the_lessons_and_the_parents_part(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "register.xlsx"
    desk.json("export", "register", "--provider", "school-2", "--month", "2025-01",
              "--out", str(out))  # fmt: skip
    register = desk.json("register", "--provider", "school-2", "--month", "2025-01")
    (line,) = register["lines"]
    (row,) = list(sheet_of(out).iter_rows(min_row=2, max_row=2, values_only=True))
    assert row[0] == DANCE and row[5:7] == (1, 2) == (line["present"], line["recorded"])
    assert rubles(row[4]) == Decimal(line["parent"]) > 0


def test_csv_is_utf8_with_a_bom_semicolons_and_decimal_commas(desk: Pfdo, tmp_path: Path) -> None:
    out = tmp_path / "balances.csv"
    printed = desk.json("export", "balances", "--period", "2025", "--format", "csv",
                        "--out", str(out))  # fmt: skip
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["number", "period", "category", *BALANCE_KEYS, "unit"]
    for row in rows[1:-1]:
        (expected,) = desk.json("balance", row[0])["periods"]
        assert row[3:] == [*(expected[k].replace(".", ",") for k in BALANCE_KEYS), "rub"]
    assert rows[-1][0] == "total"
    assert rows[-1][3:-1] == [printed[k].replace(".", ",") for k in BALANCE_KEYS]


def test_a_register_in_csv_keeps_codes_as_written(desk: Pfdo, tmp_path: Path) -> None:
    out = tmp_path / "register.csv"
    desk.json("export", "register", "--provider", "school-1", "--month", "2025-02",
              "--format", "csv", "--out", str(out))  # fmt: skip
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1][:7] == [CONTRACT, NUMBER, "chess", "1500,00", "0,00", "0", "0"]
    assert rows[1][7:] == ["rub", ""]  # a ruble contract has no hours
    assert rows[2][:7] == ["total", "", "", "1500,00", "0,00", "0", "0"]


def test_json_export_writes_rows_and_totals_as_the_cli_prints_amounts(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "balances.json"
    printed = desk.json("export", "balances", "--format", "json", "--out", str(out))
    written = json.loads(out.read_text("utf-8"))
    lines = [desk.json("balance", n)["periods"][0] for n in (NUMBER, SECOND)]
    assert [{k: r[k] for k in BALANCE_KEYS} for r in written["rows"]] == [
        {k: line[k] for k in BALANCE_KEYS} for line in lines
    ]
    assert written["totals"] == {k: printed[k] for k in BALANCE_KEYS}


def test_the_api_exports_as_the_cli_does(desk: Pfdo, tmp_path: Path) -> None:
    with Ledger(desk.db, create=False) as ledger:
        exported = ledger.export_register(
            "school-1", month="2025-01", format="csv", out=str(tmp_path / "r.csv")
        )
        balances = ledger.export_balances(period="2025", out=str(tmp_path / "b.xlsx"))
    assert (exported.rows, exported.total_certificate) == (1, 72258)
    assert balances.format == "xlsx" and balances.rows == 2
    assert balances.credited == 12000_00 + 1000_00


def test_an_export_of_a_missing_store_creates_neither_store_nor_file(tmp_path: Path) -> None:
    store, out = tmp_path / "pfdo.sqlite", tmp_path / "b.xlsx"
    line = Pfdo(str(store)).refused("export", "balances", "--out", str(out))
    assert line == f"Error: no pfdo store at {store}"
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_provider_or_period_is_refused_and_writes_no_file(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "x.xlsx"
    assert (
        desk.refused(
            "export", "register", "--provider", "nobody", "--month", "2025-01", "--out", str(out)
        )
        == "Error: provider nobody does not exist"
    )
    assert desk.refused("export", "balances", "--period", "1999", "--out", str(out)) == (
        "Error: period 1999 does not exist"
    )
    assert not out.exists()


def test_a_malformed_month_format_or_folder_exits_2_and_writes_nothing(
    desk: Pfdo, tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    stderr = desk.malformed(
        "export", "register", "--provider", "school-1", "--month", "2025-13", "--out", str(out)
    )
    assert stderr.startswith("Error: ") and "month" in stderr
    stderr = desk.malformed("export", "balances", "--format", "ods", "--out", str(out))
    assert "'ods' is not one of 'csv', 'xlsx', 'json'" in stderr
    missing = tmp_path / "no" / "such" / "b.csv"
    stderr = desk.malformed("export", "balances", "--format", "csv", "--out", str(missing))
    assert stderr == f"Error: cannot write {missing}: No such file or directory\n"
    assert not out.exists() and not missing.parent.exists()


def test_an_empty_register_is_a_header_and_a_zero_totals_row(desk: Pfdo, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    printed = desk.json("export", "register", "--provider", "school-1", "--month", "2025-06",
                        "--out", str(out))  # fmt: skip
    rows = list(sheet_of(out).iter_rows(values_only=True))
    assert printed["rows"] == 0 and printed["total_certificate"] == "0.00"
    assert rows[0][0] == "contract" and rows[1][0] == "total" and rubles(rows[1][3]) == 0


def test_an_xlsx_into_a_missing_folder_is_one_error_line(desk: Pfdo, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "b.xlsx"
    stderr = desk.malformed("export", "balances", "--out", str(missing))
    assert stderr == f"Error: cannot write {missing}: No such file or directory\n"
