"""The arithmetic of rules 1, 5, 6 and 9 (docs/RULES.md), written again from the rules alone.

This is the test suite's own answer key: it does not import the engine's code. Days are
counted by walking the calendar one day at a time, month lengths by subtracting first
days, and the largest-remainder split works on exact fractions. Ages count birthdays; a
child born on 29 February has them on 28 February in common years (docs/RULES.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from math import floor

ONE_DAY = timedelta(days=1)


def month_key(day: date) -> str:
    """`YYYY-MM` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def first_of(month: str) -> date:
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def first_of_next(month: str) -> date:
    """The first day of the month after `month`."""
    first = first_of(month)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def days_in_month(month: str) -> int:
    """D_m: the number of days of a calendar month."""
    return (first_of_next(month) - first_of(month)).days


def contract_days(start: date, end: date) -> dict[str, int]:
    """d_m for every month of start..end (inclusive), by walking the days."""
    counts: dict[str, int] = {}
    day = start
    while day <= end:
        counts[month_key(day)] = counts.get(month_key(day), 0) + 1
        day += ONE_DAY
    return counts


def month_prices(monthly_price: int, start: date, end: date) -> list[tuple[str, int]]:
    """Rule 5: p_m = floor(monthly_price * d_m / D_m), months in calendar order."""
    return [
        (month, floor(Fraction(monthly_price * days, days_in_month(month))))
        for month, days in contract_days(start, end).items()
    ]


def split_share(share: int, prices: list[int]) -> list[int]:
    """Rule 6: the largest-remainder split of `share` over months priced `prices`."""
    total = sum(prices)
    if total == 0:
        return [0] * len(prices)
    exact = [Fraction(share * price, total) for price in prices]
    parts = [floor(x) for x in exact]
    leftover = share - sum(parts)
    by_fraction = sorted(range(len(prices)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_fraction[:leftover]:
        parts[index] += 1
    return parts


def bill(mode: str, price: int, part: int, present: int, recorded: int) -> tuple[int, int, int]:
    """Rule 9: (charged, released, parent) for one month."""
    if mode == "fixed":
        return part, 0, price - part
    charged = floor(Fraction(part * present, recorded))
    return charged, part - charged, floor(Fraction((price - part) * present, recorded))


def is_leap(year: int) -> bool:
    """A year whose February has 29 days."""
    return days_in_month(f"{year:04d}-02") == 29


def birthday(birth: date, year: int) -> date:
    """The birthday in `year`. A period counted in years ends on the same day of the last
    year, or on the last day of the month when that day does not exist (ГК РФ ст. 192): a
    child born on 29 February has birthdays on 28 February in common years."""
    if (birth.month, birth.day) == (2, 29) and not is_leap(year):
        return date(year, 2, 28)
    return date(year, birth.month, birth.day)


def age(birth: date, day: date) -> int:
    """Whole years on `day`: the birthdays of `birth` up to `day`."""
    years = day.year - birth.year
    return years if day >= birthday(birth, day.year) else years - 1


def rubles(kopecks: int) -> str:
    """Kopecks as the ruble string the API takes: 150050 -> "1500.50"."""
    return f"{kopecks // 100}.{kopecks % 100:02d}"
