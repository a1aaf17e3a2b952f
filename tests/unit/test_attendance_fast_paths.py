"""The import's fast paths answer as the walks they stand for: a journal read a column at
a time gives the marks and errors the row-by-row walk gives, and lessons checked by their
range and months are recorded or refused as the lesson-by-lesson walk would."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from test_contract_rules import enrolled

from pfdo.application.results import RowError
from pfdo.desk.imports import cells
from pfdo.domain import billing
from pfdo.domain.errors import Refused

WHERE = {"contract": 0, "date": 1, "present": 2}
DATES = ["2025-02-04", "06.02.2025", "2025-02-11", "2025-02-31", "someday", " 13.02.2025 ", ""]
FLAGS = ["да", "Нет", "", "+", "0", "maybe", " yes "]


def walked(
    rows: list[tuple[int, list[str]]], where: dict[str, int]
) -> tuple[list[cells.Mark], list[RowError]]:
    """What the row-by-row walk alone gives."""
    errors: list[RowError] = []
    fast, cells._good_marks = cells._good_marks, lambda *_: None  # type: ignore[assignment]
    try:
        return cells.lesson_cells(rows, where, errors), errors
    finally:
        cells._good_marks = fast


def journal(rng: random.Random, wrong: bool) -> list[tuple[int, list[str]]]:
    dates = DATES if wrong else DATES[:3] + DATES[5:6]
    flags = FLAGS if wrong else FLAGS[:5]
    contracts = ["c1", "c2", " c3 ", ""] if wrong else ["c1", "c2", " c3 "]
    rows = []
    for line in range(2, 2 + rng.randrange(1, 30)):
        row = [rng.choice(contracts), rng.choice(dates), rng.choice(flags)]
        rows.append((line, row[: rng.choice([1, 2, 3, 3, 3])] if wrong else row))
    return rows


@pytest.mark.parametrize("seed", range(200))
@pytest.mark.parametrize("where", [WHERE, {"contract": 0, "date": 1}, {"date": 0, "contract": 2}])
def test_a_journal_read_by_columns_gives_what_the_walk_gives(
    seed: int, where: dict[str, int]
) -> None:
    rng = random.Random(seed)
    rows = journal(rng, wrong=seed % 2 == 1)
    errors: list[RowError] = []
    assert (cells.lesson_cells(rows, where, errors), errors) == walked(rows, where)


def test_a_good_journal_takes_the_column_path() -> None:
    rows = [(2, ["c1", "04.02.2025", "да"]), (3, ["c1", "2025-02-06", ""])]
    assert cells._good_marks(rows, 0, 1, 2) == [
        (2, "c1", date(2025, 2, 4), True),
        (3, "c1", date(2025, 2, 6), True),
    ]


def test_lessons_in_open_months_are_recorded_around_a_billed_month() -> None:
    certificate, contract = enrolled(mode="attendance")
    contract.record_attendance([(date(2025, 2, 4), True)], date(2025, 2, 28))
    billing.bill_month(contract, certificate, "2025-02", date(2025, 3, 1))
    days = [date(2025, 1, 20), date(2025, 3, 4)]  # February, between them, is billed
    assert contract.record_lessons(days, False, date(2025, 3, 31)) == 2
    assert contract.attendance["2025-01-20"] is False and contract.attendance["2025-03-04"] is False


@pytest.mark.parametrize(
    ("days", "refusal"),
    [
        ([date(2025, 3, 4), date(2025, 4, 1)], "lesson date 2025-04-01 is after the business date"),
        ([date(2025, 1, 10), date(2025, 2, 4)], "lesson date 2025-01-10 is outside it"),
        ([date(2025, 3, 3), date(2025, 2, 5)], r"month 2025-02 is already billed"),
        ([], "no lesson date given"),
    ],
)
def test_wrong_lessons_are_refused_as_the_walk_refuses_them(days: list[date], refusal: str) -> None:
    certificate, contract = enrolled(mode="attendance")
    contract.record_attendance([(date(2025, 2, 4), True)], date(2025, 2, 28))
    billing.bill_month(contract, certificate, "2025-02", date(2025, 3, 1))
    with pytest.raises(Refused, match=refusal):
        contract.record_lessons(days, True, date(2025, 3, 31))
    assert list(contract.attendance) == ["2025-02-04"]


def test_a_long_list_of_lessons_is_recorded_in_its_order() -> None:
    _, contract = enrolled(mode="attendance")
    days = [date(2025, 3, 31) - timedelta(days=n) for n in range(60)]
    assert contract.record_lessons(days, True, date(2025, 3, 31)) == 60
    assert list(contract.attendance) == [d.isoformat() for d in days]
