"""A workbook's repeated cells are turned into text once, and equal values of different
types (`1`, `1.0`, `True`) keep their own text."""

from __future__ import annotations

import io
from datetime import date

import xlsxwriter

from pfdo.desk.sheets import read_workbook


def _workbook(rows: list[list[object]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet, dated = book.add_worksheet(), book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, ["a", "b", "c"])
    for n, row in enumerate(rows, start=1):
        for m, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(n, m, value, dated)
            else:
                sheet.write(n, m, value)
    book.close()
    return out.getvalue()


def test_equal_values_of_different_types_keep_their_own_text() -> None:
    data = _workbook([[1, True, 1.5], [1.0, False, 1], [True, 1, 2.25]])
    sheet = read_workbook(data, "test")
    expected = [["1", "1", "1.5"], ["1", "0", "1"], ["1", "1", "2.25"]]
    assert [row for _, row in sheet.rows] == expected


def test_a_repeated_date_cell_is_the_same_text_on_every_line() -> None:
    day = date(2025, 2, 3)
    sheet = read_workbook(_workbook([["k", day, "да"], ["k2", day, "нет"]]), "test")
    assert [row[1] for _, row in sheet.rows] == ["2025-02-03", "2025-02-03"]
    assert [line for line, _ in sheet.rows] == [2, 3]
