"""Dates and calendar months as the rules use them.

A date is written `YYYY-MM-DD` and a month `YYYY-MM`, in ASCII digits and nothing else:
not the basic form `20250105`, not `２０２５-01-05`; a spreadsheet's date may also be the
Russian `ДД.ММ.ГГГГ` (`parse_sheet_date`). Age is counted in whole years on a
given date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, timedelta

from pfdo.domain.errors import InvalidInput

Month = str

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_RUSSIAN_DATE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})", re.ASCII)


def parse_date(text: str | date, what: str = "date") -> date:
    """Parse an ISO date `YYYY-MM-DD` (the extended form only)."""
    if isinstance(text, date):
        return text
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date in the form YYYY-MM-DD") from None


def parse_sheet_date(text: str, what: str = "date") -> date:
    """Parse a date as a spreadsheet writes it: `YYYY-MM-DD` or the Russian `ДД.ММ.ГГГГ`."""
    match = _RUSSIAN_DATE.fullmatch(text)
    try:
        if match is not None:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return parse_date(text)
    except (ValueError, InvalidInput):
        raise InvalidInput(
            f"{what} {text!r} is not a date in the form YYYY-MM-DD or ДД.ММ.ГГГГ"
        ) from None


def parse_month(text: str, what: str = "month") -> Month:
    """Check a month `YYYY-MM`."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12 or match.group(1) == "0000":
        raise InvalidInput(f"{what} {text!r} is not a month in the form YYYY-MM")
    return text


def month_of(day: date) -> Month:
    """The month a date falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: Month) -> date:
    """The first day of a month."""
    year, mon = (int(part) for part in month.split("-"))
    return date(year, mon, 1)


def days_in(month: Month) -> int:
    """Number of days in a month."""
    start = first_day(month)
    return calendar.monthrange(start.year, start.month)[1]


def last_day(month: Month) -> date:
    """The last day of a month."""
    return first_day(month).replace(day=days_in(month))


def next_month_start(month: Month) -> date:
    """The first day of the month after `month`."""
    return last_day(month) + timedelta(days=1)


def months_between(start: date, end: date) -> Iterator[Month]:
    """Every calendar month touched by the inclusive range start..end, in order."""
    current = month_of(start)
    while first_day(current) <= end:
        yield current
        current = month_of(next_month_start(current))


def _birthday_in(year: int, birth_date: date) -> date:
    """The birthday in `year`; 29 February falls on 28 February in a common year, as a
    period counted in years ends on the last day of its month (ГК РФ, ст. 192)."""
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on `day`."""
    had_birthday = day >= _birthday_in(day.year, birth_date)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def eighteenth_birthday(birth_date: date) -> date:
    """The day a child turns 18."""
    return _birthday_in(birth_date.year + 18, birth_date)
