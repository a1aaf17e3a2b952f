"""A journal's cells read in one pass give the marks and errors a cell-by-cell check gives."""

from __future__ import annotations

from datetime import date

import pytest

from pfdo.application.results import RowError
from pfdo.desk.imports.cells import SheetDates, lesson_cells
from pfdo.domain.errors import InvalidInput

WHERE = {"contract": 0, "date": 1, "present": 2}


def test_a_date_text_seen_before_is_the_same_date() -> None:
    dates = SheetDates()
    assert dates["05.02.2025"] == dates["05.02.2025"] == date(2025, 2, 5)
    assert dates["2025-02-05"] == date(2025, 2, 5)


def test_a_cached_parser_still_refuses_a_bad_date_every_time() -> None:
    dates = SheetDates()
    for _ in range(2):
        with pytest.raises(InvalidInput, match=r"31\.02\.2025"):
            dates["31.02.2025"]
    assert "31.02.2025" not in dates


def test_a_bad_date_repeated_is_an_error_at_each_of_its_lines() -> None:
    rows = [(2, ["k1", "31.02.2025", "да"]), (3, ["k1", "03.02.2025"]), (4, ["k2", "31.02.2025"])]
    errors: list[RowError] = []
    marks = lesson_cells(rows, WHERE, errors)
    assert marks == [(3, "k1", date(2025, 2, 3), True)]
    assert [(e.line, e.column) for e in errors] == [(2, "date"), (4, "date")]
    assert "'31.02.2025' is not a date in the form YYYY-MM-DD or ДД.ММ.ГГГГ" in errors[1].reason


def test_wrong_cells_of_a_row_are_named_contract_then_date_then_present() -> None:
    errors: list[RowError] = []
    assert lesson_cells([(7, ["", "someday", "maybe"])], WHERE, errors) == []
    assert [(e.line, e.column) for e in errors] == [(7, "contract"), (7, "date"), (7, "present")]
    assert errors[0].reason == "empty"
    assert errors[2].reason.startswith("'maybe' is not one of 1/yes/y/true/да/д/+ or 0/no/")


def test_present_flags_any_case_and_empty_means_present() -> None:
    rows = [(2, ["k", "2025-02-03", " НЕТ "]), (3, ["k", "2025-02-06", ""])]
    rows.append((4, ["k", "2025-02-10"]))
    marks = lesson_cells(rows, WHERE, [])
    assert [m[3] for m in marks] == [False, True, True]


def test_a_lesson_given_twice_is_refused_at_its_later_line() -> None:
    rows = [(2, ["k", "03.02.2025"]), (3, ["k", "2025-02-03", "0"])]
    errors: list[RowError] = []
    assert len(lesson_cells(rows, {"contract": 0, "date": 1}, errors)) == 1
    assert errors == [
        RowError(line=3, column="date", reason="lesson 2025-02-03 of contract k is also on line 2")
    ]
