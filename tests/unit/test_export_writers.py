"""The export writers: one table, three formats, the same figures; dates stay dates."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pfdo import InvalidInput
from pfdo.desk.exports import Column, Table, write

TABLE = Table(
    "contracts",
    (
        Column("contract"),
        Column("start", "date"),
        Column("price", "money"),
        Column("months", "count", total=True),
    ),
    [
        {"contract": "0012", "start": date(2025, 1, 15), "price": 432258, "months": 4},
        {"contract": "0013", "start": date(2025, 2, 1), "price": 150000, "months": 1},
        {"contract": "0014", "start": None, "price": 1, "months": 0},
    ],
)


def test_the_totals_are_the_sums_of_money_and_chosen_columns() -> None:
    assert TABLE.totals == {"price": 582259, "months": 5}


def test_xlsx_holds_dates_as_dates_money_as_rubles_and_codes_as_text(tmp_path: Path) -> None:
    write([TABLE], "xlsx", tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx", data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("0012", datetime(2025, 1, 15), 4322.58, 4)
    assert rows[3] == ("0014", None, 0.01, 0)
    assert rows[4] == ("total", None, 5822.59, 5)
    assert sheet["B2"].number_format == "dd.mm.yyyy" and sheet["B2"].is_date


def test_csv_writes_dates_as_russian_excel_reads_them(tmp_path: Path) -> None:
    write([TABLE], "csv", tmp_path / "t.csv")
    rows = list(csv.reader((tmp_path / "t.csv").read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert rows == [
        ["contract", "start", "price", "months"],
        ["0012", "15.01.2025", "4322,58", "4"],
        ["0013", "01.02.2025", "1500,00", "1"],
        ["0014", "", "0,01", "0"],
        ["total", "", "5822,59", "5"],
    ]


def test_json_writes_iso_dates_and_ruble_strings(tmp_path: Path) -> None:
    write([TABLE], "json", tmp_path / "t.json")
    written = json.loads((tmp_path / "t.json").read_text("utf-8"))
    assert written["rows"][0] == {"contract": "0012", "start": "2025-01-15", "price": "4322.58",
                                  "months": 4}  # fmt: skip
    assert written["totals"] == {"price": "5822.59", "months": 5}


def test_several_tables_are_sheets_of_one_book_and_sections_of_one_csv(tmp_path: Path) -> None:
    other = Table("empty", (Column("x"), Column("amount", "money")), [])
    write([TABLE, other], "xlsx", tmp_path / "t.xlsx")
    write([TABLE, other], "csv", tmp_path / "t.csv")
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames == ["contracts", "empty"]
    text = (tmp_path / "t.csv").read_bytes().decode("utf-8-sig")
    assert (
        text.startswith("contracts\r\ncontract;")
        and "\r\n\r\nempty\r\nx;amount\r\ntotal;0,00" in text
    )


def test_a_progress_callback_hears_the_rows_written(tmp_path: Path) -> None:
    heard: list[tuple[int, int]] = []
    write([TABLE], "csv", tmp_path / "t.csv", lambda done, total: heard.append((done, total)))
    assert heard == [(3, 3)]


def test_an_unknown_format_or_an_unwritable_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="format 'ods' is not one of csv, xlsx, json"):
        write([TABLE], "ods", tmp_path / "t.ods")
    for fmt in ("csv", "xlsx", "json"):
        missing = tmp_path / "missing" / f"t.{fmt}"
        with pytest.raises(InvalidInput) as raised:
            write([TABLE], fmt, missing)
        assert str(raised.value) == f"cannot write {missing}: No such file or directory"
    assert not (tmp_path / "missing").exists()
