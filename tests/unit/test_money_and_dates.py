"""Money in kopecks and rubles; dates, months and ages."""

from __future__ import annotations

from datetime import date

import pytest

from pfdo.domain.calendar import (
    age_on,
    eighteenth_birthday,
    months_between,
    parse_month,
    parse_sheet_date,
)
from pfdo.domain.errors import InvalidInput
from pfdo.domain.money import format_rubles, parse_rubles


@pytest.mark.parametrize(
    ("text", "kopecks"),
    [
        ("1500", 150000),
        ("1500.5", 150050),
        ("1500.00", 150000),
        ("0.01", 1),
        ("0", 0),
    ],
)
def test_rubles_are_read_into_kopecks(text: str, kopecks: int) -> None:
    assert parse_rubles(text) == kopecks


@pytest.mark.parametrize("text", ["1500.123", "-5", "+5", "1,5", "", "abc", "1e3", "1500."])
def test_malformed_amounts_are_refused_with_the_reason(text: str) -> None:
    with pytest.raises(InvalidInput, match="at most two decimals"):
        parse_rubles(text)


def test_kopecks_print_as_rubles_with_two_decimals() -> None:
    assert [format_rubles(k) for k in (150000, 150050, 1, 0, -274)] == [
        "1500.00",
        "1500.50",
        "0.01",
        "0.00",
        "-2.74",
    ]


def test_age_counts_whole_years_and_turns_on_the_birthday() -> None:
    assert age_on(date(2015, 5, 1), date(2025, 4, 30)) == 9
    assert age_on(date(2015, 5, 1), date(2025, 5, 1)) == 10


def test_a_child_born_on_29_february_has_birthdays_on_28_february_in_common_years() -> None:
    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 2, 28)
    assert eighteenth_birthday(date(2008, 3, 15)) == date(2026, 3, 15)
    assert age_on(date(2016, 2, 29), date(2025, 2, 27)) == 8
    assert age_on(date(2016, 2, 29), date(2025, 2, 28)) == 9
    assert age_on(date(2016, 2, 29), date(2028, 2, 28)) == 11
    assert age_on(date(2016, 2, 29), date(2028, 2, 29)) == 12


def test_months_between_lists_every_touched_month() -> None:
    assert list(months_between(date(2025, 11, 30), date(2026, 2, 1))) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


@pytest.mark.parametrize("text", ["2025-13", "2025-1", "25-01", "2025/01"])
def test_malformed_months_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        parse_month(text)


def test_a_sheet_date_is_iso_or_russian_in_ascii_digits_and_a_real_day() -> None:
    assert parse_sheet_date("16.01.2025") == parse_sheet_date("2025-01-16") == date(2025, 1, 16)
    for text in ("31.02.2025", "1.2.2025", "16.01.25", "16/01/2025", "１６.01.2025", "00.01.2025"):
        with pytest.raises(InvalidInput, match=r"YYYY-MM-DD or ДД\.ММ\.ГГГГ"):
            parse_sheet_date(text)
