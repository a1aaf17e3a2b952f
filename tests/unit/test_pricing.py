"""Rules 5, 6 and 9 with the exact figures of docs/RULES.md."""

from __future__ import annotations

from datetime import date

import pytest

from pfdo.domain.pricing import (
    bill_attendance,
    bill_fixed,
    contract_days_in,
    contract_schedule,
    month_prices,
    split_share,
)


def test_a_partial_month_costs_its_share_of_days_rounded_down() -> None:
    # 1500.00 a month, 15..31 January: 17 of 31 days -> 150000 * 17 / 31 = 82258.06 -> 82258
    assert month_prices(150000, date(2025, 1, 15), date(2025, 1, 31)) == [("2025-01", 82258)]


def test_a_contract_touching_four_months_is_priced_month_by_month() -> None:
    prices = month_prices(150000, date(2025, 1, 15), date(2025, 4, 10))
    # April: 10 of 30 days -> 150000 * 10 / 30 = 50000
    assert prices == [
        ("2025-01", 82258),
        ("2025-02", 150000),
        ("2025-03", 150000),
        ("2025-04", 50000),
    ]
    assert sum(p for _, p in prices) == 432258


def test_february_of_a_leap_year_has_29_days() -> None:
    # 1000.00, 1..10 February 2024: 100000 * 10 / 29 = 34482.75 -> 34482
    assert month_prices(100000, date(2024, 2, 1), date(2024, 2, 10)) == [("2024-02", 34482)]
    assert contract_days_in("2024-02", date(2024, 1, 20), date(2024, 3, 5)) == 29


def test_a_one_day_contract_pays_one_day() -> None:
    # 3000.00 for 1 of 30 days of June -> 300000 / 30 = 10000
    assert month_prices(300000, date(2025, 6, 7), date(2025, 6, 7)) == [("2025-06", 10000)]


def test_the_share_split_gives_leftover_kopecks_to_the_largest_remainders() -> None:
    # s = 2000.00 of P = 4322.58: floors 38059, 69402, 69402, 23134 leave 3 kopecks;
    # remainders 292778, 430284, 430284, 143428: February and March (a tie, earlier first)
    # then January get one each.
    assert split_share(200000, [82258, 150000, 150000, 50000]) == [38060, 69403, 69403, 23134]


def test_ties_in_the_remainder_go_to_the_earlier_month() -> None:
    # 100 kopecks over three equal months: 33 each, the one left goes to the first month
    assert split_share(100, [1000, 1000, 1000]) == [34, 33, 33]
    # two kopecks left: first and second month
    assert split_share(101, [1000, 1000, 1000]) == [34, 34, 33]


def test_a_full_share_equals_the_prices_and_a_zero_share_is_all_zero() -> None:
    assert split_share(432258, [82258, 150000, 150000, 50000]) == [82258, 150000, 150000, 50000]
    assert split_share(0, [82258, 150000]) == [0, 0]


def test_a_share_above_the_price_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        split_share(11, [5, 5])


def test_the_certificate_pays_what_is_available_and_the_parents_the_rest() -> None:
    schedule = contract_schedule(150000, date(2025, 1, 15), date(2025, 4, 10), available=200000)
    assert [m.certificate for m in schedule] == [38060, 69403, 69403, 23134]
    assert [m.parent for m in schedule] == [44198, 80597, 80597, 26866]
    assert sum(m.parent for m in schedule) == 432258 - 200000


def test_a_certificate_with_nothing_available_leaves_everything_to_the_parents() -> None:
    schedule = contract_schedule(150000, date(2025, 2, 1), date(2025, 2, 28), available=0)
    assert [(m.price, m.certificate, m.parent) for m in schedule] == [(150000, 0, 150000)]


def test_fixed_mode_charges_the_whole_certificate_part() -> None:
    bill = bill_fixed(price=150000, certificate=69403)
    assert (bill.charged, bill.released, bill.parent) == (69403, 0, 80597)


def test_attendance_mode_pays_in_proportion_to_lessons_attended() -> None:
    # c = 822.58, 2 of 3 lessons: floor(82258 * 2 / 3) = 54838, released 27420
    bill = bill_attendance(price=82258, certificate=82258, present=2, recorded=3)
    assert (bill.charged, bill.released, bill.parent) == (54838, 27420, 0)


def test_attendance_mode_also_scales_the_parents_part() -> None:
    # p = 1500.00, c = 694.03, 5 of 8 lessons:
    # charged floor(69403*5/8) = 43376, parents floor(80597*5/8) = 50373
    bill = bill_attendance(price=150000, certificate=69403, present=5, recorded=8)
    assert (bill.charged, bill.released, bill.parent) == (43376, 26027, 50373)


def test_a_month_where_every_lesson_was_missed_releases_everything() -> None:
    bill = bill_attendance(price=150000, certificate=150000, present=0, recorded=8)
    assert (bill.charged, bill.released, bill.parent) == (0, 150000, 0)


def test_attendance_billing_needs_at_least_one_recorded_lesson() -> None:
    with pytest.raises(ValueError, match="cannot be billed"):
        bill_attendance(price=100, certificate=100, present=0, recorded=0)
