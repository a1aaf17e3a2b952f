"""Field types shared by the API's inputs and results.

`Kopecks` is an integer amount of kopecks inside Python and a ruble string with two
decimals (`"1500.00"`) in JSON. `RublesIn` accepts rubles from outside (`1500`, `"1500.5"`,
`"1500.00"`) and turns them into kopecks, refusing a third decimal or a sign.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, PlainSerializer

from pfdo.domain.calendar import parse_date, parse_month
from pfdo.domain.errors import InvalidInput
from pfdo.domain.money import format_rubles, parse_rubles

T = TypeVar("T")


def _as_value_error(parse: Callable[[str], T], value: str) -> T:
    """Run a parser, re-raising its InvalidInput as ValueError so that pydantic names the
    field it came from."""
    try:
        return parse(value)
    except InvalidInput as error:
        raise ValueError(str(error)) from None


def _rubles_in(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"{value!r} is not an amount in rubles")
    return _as_value_error(parse_rubles, str(value))


def _kopecks_from_json(value: Any) -> Any:
    if isinstance(value, str):
        negative = value.startswith("-")
        kopecks = parse_rubles(value.lstrip("-"))
        return -kopecks if negative else kopecks
    return value


def _date_in(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD")
    return _as_value_error(parse_date, value)


def _month_in(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a month YYYY-MM")
    return _as_value_error(parse_month, value)


RublesIn = Annotated[int, BeforeValidator(_rubles_in)]
Kopecks = Annotated[
    int,
    BeforeValidator(_kopecks_from_json),
    PlainSerializer(format_rubles, return_type=str, when_used="json"),
]
DateIn = Annotated[date, BeforeValidator(_date_in)]
MonthIn = Annotated[str, BeforeValidator(_month_in)]
