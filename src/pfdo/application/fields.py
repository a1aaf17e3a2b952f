"""Field types shared by the API's inputs and results.

`Kopecks` is an integer amount of kopecks inside Python and a ruble string with two
decimals (`"1500.00"`) in JSON. `RublesIn` accepts rubles from outside (`1500`, `"1500.5"`,
`"1500.00"`) and turns them into kopecks, refusing a third decimal, a sign or more than
`MAX_AMOUNT` (`TotalRublesIn`: `MAX_TOTAL`).

Input cannot lie: what is meant as a number takes ASCII digits only (`Count`,
`CertificateNumber`, amounts, dates and months), and an identifier (`Code`) is NFC text of
1 to `CODE_MAX` visible characters, without spaces, control or format characters (a
zero-width space would make a "second" child look like the first). Free text (`Text`,
`OptionalText`) has at most `TEXT_MAX` characters and no control characters. These are
the limits of every field, stated once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, PlainSerializer

from pfdo.domain.calendar import parse_date, parse_month
from pfdo.domain.errors import InvalidInput
from pfdo.domain.money import MAX_AMOUNT, MAX_TOTAL, format_rubles, parse_rubles

T = TypeVar("T")

#: Identifiers: child ids, municipality, period, category, provider, program and contract
#: codes.
CODE_MAX = 64
#: Names, titles and reasons.
TEXT_MAX = 1000
#: Whole numbers: counts, ages, capacities.
COUNT_DIGITS = 9
CODE_FORM = f"1-{CODE_MAX} characters, no spaces"
#: Request ids: long enough for a client's key of 200 characters behind a service's prefix.
REQUEST_ID_MAX = 256
REQUEST_ID_FORM = f"1-{REQUEST_ID_MAX} printable characters"
TEXT_FORM = f"at most {TEXT_MAX:,} characters"

_DIGITS = re.compile(rf"[0-9]{{1,{COUNT_DIGITS}}}", re.ASCII)
_NUMBER = re.compile(r"[0-9]{10}", re.ASCII)
_CONTRACT = re.compile(r"[0-9]{10}-[0-9]{3,9}", re.ASCII)
# control, format (zero-width, bidi), line and paragraph separators, surrogates, private
# use and unassigned code points: nothing an operator could see or type on purpose
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_CONTROL = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _character(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def check_code(value: Any, what: str = "identifier") -> str:
    """An identifier as NFC text of 1 to CODE_MAX visible characters without spaces."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} {value!r} is not text")
    text = unicodedata.normalize("NFC", value)
    if not 1 <= len(text) <= CODE_MAX:
        raise InvalidInput(f"{what} must be {CODE_FORM}; got {len(text):,} characters")
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in _INVISIBLE:
            raise InvalidInput(
                f"{what} {value!r} contains {_character(ch)}: it must be {CODE_FORM} "
                "(visible characters only)"
            )
    return text


def check_request_id(value: Any) -> str | None:
    """A request id: NFC text of 1 to `REQUEST_ID_MAX` printable characters (spaces, `:` and
    `/` allowed; no control, format or line-separator characters), so that a service may
    scope a client's key by a prefix (`token:NAME:KEY`). Else `InvalidInput` naming
    `request_id`."""
    if value is None:
        return None
    reason = _request_id_problem(value)
    if reason is not None:
        shown = repr(value) if len(repr(value)) <= 80 else f"{repr(value)[:60]}..."
        raise InvalidInput(f"request id {shown} {reason}", (("request_id", reason),))
    return unicodedata.normalize("NFC", value)


def check_texts(value: Any, field: str) -> list[str]:
    """A list (any iterable but text) of texts; else `InvalidInput` naming `field`."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        reason = f"expected a list of text, got {type(value).__name__}"
        raise InvalidInput(f"{field}: {reason}", ((field, reason),))
    texts = list(value)
    for i, item in enumerate(texts):
        if not isinstance(item, str):
            reason = f"expected text, got {type(item).__name__}"
            raise InvalidInput(f"{field}.{i}: {reason}", ((f"{field}.{i}", reason),))
    return texts


def check_seconds(value: Any, field: str = "busy_timeout") -> float | None:
    """A number of seconds, 0 or more and finite (None stays None); else `InvalidInput`
    naming `field`."""
    if value is None:
        return None
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0:
        reason = f"expected a number of seconds 0 or more, got {value!r}"
        raise InvalidInput(f"{field}: {reason}", ((field, reason),))
    return float(value)


def _request_id_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"is not text: expected text, got {type(value).__name__}"
    text = unicodedata.normalize("NFC", value)
    if not 1 <= len(text) <= REQUEST_ID_MAX:
        return f"must be {REQUEST_ID_FORM}; got {len(text):,} characters"
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE or (ch.isspace() and ch != " "):
            return f"contains {_character(ch)}: it must be {REQUEST_ID_FORM}"
    return None


def _text(value: Any, required: bool) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise ValueError("must not be empty")
    if len(text) > TEXT_MAX:
        raise ValueError(f"must be {TEXT_FORM}; got {len(text):,}")
    for ch in text:
        if unicodedata.category(ch) in _CONTROL:
            raise ValueError(f"contains {_character(ch)}: control characters are not allowed")
    return text


def _code_in(value: Any) -> str:
    try:
        return check_code(value, "it")
    except InvalidInput as error:
        raise ValueError(str(error).removeprefix("it ")) from None


def _count_in(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise ValueError(f"{value!r} is not a whole number: expected 1 to {COUNT_DIGITS} digits 0-9")


def _number_in(value: Any) -> str:
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return value
    raise ValueError(f"{value!r} is not a certificate number: expected 10 digits 0-9")


def _contract_in(value: Any) -> str:
    if isinstance(value, str) and _CONTRACT.fullmatch(value.strip()):
        return value.strip()
    raise ValueError(
        f"{value!r} is not a contract code: expected a certificate number and a serial, "
        "like 1234567890-001"
    )


def _as_value_error(parse: Callable[[str], T], value: str) -> T:
    """Run a parser, re-raising its InvalidInput as ValueError so that pydantic names the
    field it came from."""
    try:
        return parse(value)
    except InvalidInput as error:
        raise ValueError(str(error)) from None


def _rubles_in(value: Any, limit: int = MAX_AMOUNT, unit: str = "rubles") -> int:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"{value!r} is not an amount in {unit}")
    return _as_value_error(partial(parse_rubles, limit=limit, unit=unit), str(value))


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


#: rubles from outside (`1500`, `"1500.5"`), held as kopecks; at most `MAX_AMOUNT`
RublesIn = Annotated[int, BeforeValidator(_rubles_in)]
#: as `RublesIn`, up to `MAX_TOTAL` (a category's sum limit)
TotalRublesIn = Annotated[int, BeforeValidator(partial(_rubles_in, limit=MAX_TOTAL))]
#: hours with two decimals at most (rule 21), held as hundredths
HoursIn = Annotated[int, BeforeValidator(partial(_rubles_in, unit="hours"))]
#: an amount: integer kopecks (or hundredths of an hour) in Python, `"1500.00"` in JSON
Kopecks = Annotated[
    int,
    BeforeValidator(_kopecks_from_json),
    PlainSerializer(format_rubles, return_type=str, when_used="json"),
]
#: a `date`, or text `YYYY-MM-DD` in ASCII digits
DateIn = Annotated[date, BeforeValidator(_date_in)]
#: a month, text `YYYY-MM`
MonthIn = Annotated[str, BeforeValidator(_month_in)]
#: an identifier: NFC text of 1 to `CODE_MAX` visible characters, no spaces
Code = Annotated[str, BeforeValidator(_code_in)]
#: a name, title or reason: 1 to `TEXT_MAX` characters, no control characters
Text = Annotated[str, BeforeValidator(partial(_text, required=True))]
#: as `Text`, possibly empty
OptionalText = Annotated[str, BeforeValidator(partial(_text, required=False))]
#: a whole number in ASCII digits (a count, age or capacity)
Count = Annotated[int, BeforeValidator(_count_in)]
#: a certificate number: 10 ASCII digits
CertificateNumber = Annotated[str, BeforeValidator(_number_in)]
#: a contract code: its certificate's number, a dash and a serial (`1234567890-001`)
ContractCode = Annotated[str, BeforeValidator(_contract_in)]
