"""Properties of the pure pricing arithmetic (rules 5, 6 and 9 (docs/RULES.md)), of money and
of ages (29 February births have birthdays on 28 February in common years, ГК РФ ст. 192).

Every property is checked against `pfdo_reference`, the tests' own re-implementation of
the rules, and against the rules' stated bounds (c_m <= p_m, sum(c_m) = s, ...).
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from math import floor

import pfdo_reference as ref
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pfdo import InvalidInput
from pfdo.domain import calendar, pricing
from pfdo.domain.money import format_rubles, parse_rubles

FAST = settings(max_examples=200, deadline=None)

monthly_prices = st.one_of(st.integers(0, 100), st.integers(0, 10_000_000))
kopecks = st.integers(0, 10_000_000)


@st.composite
def date_ranges_in_one_year(draw: st.DrawFn) -> tuple[date, date]:
    """A start and an end date (end >= start) inside one calendar year, leap years too."""
    year = draw(st.integers(1999, 2041))
    start = draw(st.dates(date(year, 1, 1), date(year, 12, 31)))
    end = draw(st.dates(start, date(year, 12, 31)))
    return start, end


@st.composite
def shares_and_prices(draw: st.DrawFn) -> tuple[int, list[int]]:
    """Month prices of a contract and a certificate share 0 <= s <= P."""
    prices = draw(
        st.lists(st.one_of(st.integers(0, 5), st.integers(0, 600_000)), min_size=1, max_size=12)
    )
    share = draw(st.integers(0, sum(prices)))
    return share, prices


@FAST
@given(monthly_prices, date_ranges_in_one_year())
@example(300_000, (date(2024, 2, 10), date(2024, 2, 29)))
@example(100, (date(2025, 1, 31), date(2025, 3, 1)))
def test_month_prices_are_the_monthly_price_times_the_share_of_days_rounded_down(
    price: int, dates: tuple[date, date]
) -> None:
    start, end = dates
    assert pricing.month_prices(price, start, end) == ref.month_prices(price, start, end)


@FAST
@given(date_ranges_in_one_year())
def test_contract_days_in_its_months_add_up_to_the_days_of_the_contract(
    dates: tuple[date, date],
) -> None:
    start, end = dates
    months = [m for m, _ in pricing.month_prices(1, start, end)]
    days = [pricing.contract_days_in(m, start, end) for m in months]
    assert sum(days) == (end - start).days + 1
    assert all(d >= 1 for d in days)


@FAST
@given(monthly_prices, date_ranges_in_one_year())
def test_a_whole_month_costs_the_monthly_price_and_a_part_never_more(
    price: int, dates: tuple[date, date]
) -> None:
    start, end = dates
    for month, p in pricing.month_prices(price, start, end):
        whole = ref.first_of(month) >= start and ref.first_of_next(month) - timedelta(1) <= end
        assert p == price if whole else 0 <= p <= price


@FAST
@given(shares_and_prices())
@example((1, [1, 1, 1]))
@example((2, [1, 1, 1]))
@example((7, [3, 3, 3]))
@example((0, [0, 0]))
def test_split_share_is_the_largest_remainder_split_with_ties_to_the_earlier_month(
    case: tuple[int, list[int]],
) -> None:
    share, prices = case
    assert pricing.split_share(share, prices) == ref.split_share(share, prices)


@FAST
@given(shares_and_prices())
def test_split_share_never_gives_a_month_more_than_its_price_and_adds_up_to_the_share(
    case: tuple[int, list[int]],
) -> None:
    share, prices = case
    parts = pricing.split_share(share, prices)
    total = sum(prices)
    assert len(parts) == len(prices)
    assert all(0 <= c <= p for c, p in zip(parts, prices, strict=True))
    assert sum(parts) == (share if total else 0)
    for c, p in zip(parts, prices, strict=True):
        lower = share * p // total if total else 0
        assert c in (lower, lower + 1)


@FAST
@given(shares_and_prices())
def test_split_share_gives_the_leftover_kopecks_to_the_largest_fractional_parts(
    case: tuple[int, list[int]],
) -> None:
    share, prices = case
    total = sum(prices)
    assume(total > 0)
    parts = pricing.split_share(share, prices)
    fractions = [Fraction(share * p, total) - share * p // total for p in prices]
    topped = [
        i for i, (c, p) in enumerate(zip(parts, prices, strict=True)) if c > share * p // total
    ]
    others = [i for i in range(len(prices)) if i not in topped]
    for i in topped:
        for j in others:
            # a month that got no extra kopeck has a smaller fraction, or an equal one later
            assert fractions[i] > fractions[j] or (fractions[i] == fractions[j] and i < j)


@FAST
@given(st.lists(st.integers(1, 600_000), min_size=1, max_size=12), st.integers(1, 10**6))
def test_split_share_refuses_a_share_above_the_contract_price(
    prices: list[int], extra: int
) -> None:
    with pytest.raises(ValueError):
        pricing.split_share(sum(prices) + extra, prices)


@FAST
@given(monthly_prices, date_ranges_in_one_year(), st.integers(-1_000_000, 10_000_000))
def test_a_new_contract_takes_from_the_certificate_at_most_what_is_available(
    price: int, dates: tuple[date, date], available: int
) -> None:
    start, end = dates
    schedule = pricing.contract_schedule(price, start, end, available)
    prices = ref.month_prices(price, start, end)
    contract_price = sum(p for _, p in prices)
    share = min(contract_price, max(0, available))
    expected = ref.split_share(share, [p for _, p in prices])
    assert [(m.month, m.price, m.certificate) for m in schedule] == [
        (month, p, c) for (month, p), c in zip(prices, expected, strict=True)
    ]
    assert all(m.parent == m.price - m.certificate >= 0 for m in schedule)


@st.composite
def month_bills(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """A month's price p, certificate part c <= p, and a of n lessons present (n >= 1)."""
    price = draw(st.integers(0, 1_000_000))
    part = draw(st.integers(0, price))
    recorded = draw(st.integers(1, 31))
    present = draw(st.integers(0, recorded))
    return price, part, present, recorded


@FAST
@given(month_bills())
def test_attendance_billing_charges_the_share_of_lessons_attended_and_releases_the_rest(
    case: tuple[int, int, int, int],
) -> None:
    price, part, present, recorded = case
    bill = pricing.bill_attendance(price, part, present, recorded)
    assert bill.charged + bill.released == part
    assert bill.charged == floor(Fraction(part * present, recorded))
    assert bill.parent == floor(Fraction((price - part) * present, recorded))
    assert 0 <= bill.charged <= part
    assert 0 <= bill.parent <= price - part
    assert (bill.charged, bill.released, bill.parent) == ref.bill(
        "attendance", price, part, present, recorded
    )


@FAST
@given(month_bills())
def test_attendance_billing_charges_everything_when_every_lesson_was_attended(
    case: tuple[int, int, int, int],
) -> None:
    price, part, _, recorded = case
    bill = pricing.bill_attendance(price, part, recorded, recorded)
    assert (bill.charged, bill.released, bill.parent) == (part, 0, price - part)


@FAST
@given(month_bills())
def test_fixed_billing_charges_the_whole_certificate_part(case: tuple[int, int, int, int]) -> None:
    price, part, _, _ = case
    bill = pricing.bill_fixed(price, part)
    assert (bill.charged, bill.released, bill.parent) == (part, 0, price - part)


@FAST
@given(st.integers(0, 100), st.integers(0, 100), st.integers(-5, 5), st.integers(-5, 40))
def test_attendance_billing_refuses_impossible_lesson_counts(
    price: int, part: int, present: int, recorded: int
) -> None:
    assume(recorded <= 0 or not 0 <= present <= recorded)
    with pytest.raises(ValueError):
        pricing.bill_attendance(price + part, part, present, recorded)


@FAST
@given(st.integers(0, 10**14 - 1))
def test_rubles_round_trip_through_kopecks(amount: int) -> None:
    text = format_rubles(amount)
    assert text == ref.rubles(amount)
    assert parse_rubles(text) == amount


@FAST
@given(
    st.from_regex(r"\A-?\d{1,6}\.\d{3,4}\Z", fullmatch=True)
    | st.from_regex(r"\A-\d{1,6}(\.\d{1,2})?\Z", fullmatch=True)
)
def test_a_third_decimal_or_a_sign_is_an_input_error(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_rubles(text)


leap_day_births = st.integers(1960, 2040).filter(ref.is_leap).map(lambda y: date(y, 2, 29))
births = st.dates(date(1960, 1, 1), date(2040, 12, 31)) | leap_day_births


@FAST
@given(births, st.dates(date(1960, 1, 1), date(2070, 12, 31)))
@example(date(2008, 2, 29), date(2025, 2, 28))
@example(date(2008, 2, 29), date(2025, 2, 27))
@example(date(2008, 2, 29), date(2028, 2, 28))
@example(date(2008, 2, 29), date(2028, 2, 29))
@example(date(2008, 3, 1), date(2025, 2, 28))
def test_age_counts_the_birthdays_up_to_the_day_with_29_february_on_28_february_in_common_years(
    birth: date, day: date
) -> None:
    assume(day >= birth)
    assert calendar.age_on(birth, day) == ref.age(birth, day)


@FAST
@given(births)
@example(date(2008, 2, 29))
@example(date(2012, 2, 29))
def test_a_child_turns_18_on_the_first_day_of_age_18(birth: date) -> None:
    turns = calendar.eighteenth_birthday(birth)
    assert ref.age(birth, turns) == 18
    assert ref.age(birth, turns - timedelta(days=1)) == 17
    if (birth.month, birth.day) == (2, 29):
        assert turns == (date(birth.year + 18, 2, 29 if ref.is_leap(birth.year + 18) else 28))
