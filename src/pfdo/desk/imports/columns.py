"""Column sets: which columns a sheet of one kind has, under which headers, and how each
cell is read.

A `Field` names a column by its key (the English header, as the API names the value)
and its other accepted headers (Russian ones); a header is matched without regard to
case or surrounding spaces, the columns may come in any order and other columns are
ignored. Each field reads its cell into a value or raises `InvalidInput` with the reason.
Cells are read as operators type them: rubles and hours with `,` or `.` as the decimal
mark (and spaces between thousands), dates `YYYY-MM-DD` or `ДД.ММ.ГГГГ`, whole numbers in digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pfdo.application.results import RowError
from pfdo.domain.calendar import parse_sheet_date
from pfdo.domain.errors import InvalidInput
from pfdo.domain.money import MAX_AMOUNT, format_rubles, parse_rubles

_SPACES = re.compile(r"[ \u00a0\u202f]")


def text(cell: str) -> str:
    return cell


def _decimal(cell: str) -> str:
    """`1 500,50` -> `1500.50`: spaces between thousands dropped, a lone `,` a point."""
    plain = _SPACES.sub("", cell)
    if plain.count(",") == 1 and "." not in plain:
        plain = plain.replace(",", ".")
    return plain


def rubles(cell: str) -> str:
    """`1 500,50` or `1500.5` -> `"1500.50"` (checked, as the API takes rubles)."""
    return format_rubles(parse_rubles(_decimal(cell), limit=MAX_AMOUNT))


def hours(cell: str) -> str:
    """Person-hours as rubles are read (rule 21: two decimals at most): `8`, `8,5` or
    `8.50` -> `"8.50"` (checked, as the API takes hours)."""
    return format_rubles(parse_rubles(_decimal(cell), limit=MAX_AMOUNT, unit="hours"))


def whole(cell: str) -> int:
    if not cell.isascii() or not cell.isdigit():
        raise InvalidInput(f"{cell!r} is not a whole number")
    return int(cell)


def sheet_date(cell: str) -> Any:
    return parse_sheet_date(cell)


def choice(values: dict[str, str]) -> Callable[[str], str]:
    """A cell that must be one of `values` (any case), read as what it maps to."""

    def read(cell: str) -> str:
        found = values.get(cell.lower())
        if found is None:
            raise InvalidInput(f"{cell!r} is not one of {'/'.join(values)}")
        return found

    return read


@dataclass(frozen=True)
class Field:
    """A column: its key, its other headers, whether it must be there and filled, how a
    cell is read, and a few words for the help."""

    key: str
    headers: tuple[str, ...] = ()
    read: Callable[[str], Any] = text
    required: bool = True
    help: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, *self.headers)


def locate(header: Sequence[str], fields: Sequence[Field]) -> tuple[dict[str, int], list[RowError]]:
    """Where each field's column is, and an error (line 1) for each required one missing."""
    names = [cell.strip().lower() for cell in header]
    where: dict[str, int] = {}
    errors = []
    for field in fields:
        index = next((i for i, n in enumerate(names) if n in field.names), None)
        if index is not None:
            where[field.key] = index
        elif field.required:
            reason = f"no column {' or '.join(field.names)}"
            errors.append(RowError(line=1, column=field.key, reason=reason))
    return where, errors


def read_row(
    line: int, row: Sequence[str], fields: Sequence[Field], where: dict[str, int]
) -> tuple[dict[str, Any], list[RowError]]:
    """A row's values by key (an empty optional cell is None), and its wrong cells."""
    values: dict[str, Any] = {}
    errors = []
    for field in fields:
        index = where.get(field.key)
        cell = row[index].strip() if index is not None and index < len(row) else ""
        if not cell:
            if field.required:
                errors.append(RowError(line=line, column=field.key, reason="empty"))
            values[field.key] = None
            continue
        try:
            values[field.key] = field.read(cell)
        except InvalidInput as error:
            errors.append(RowError(line=line, column=field.key, reason=str(error)))
    return values, errors


def describe(fields: Sequence[Field]) -> str:
    """The column set as `--help` shows it, one column a line."""
    width = max(len(" | ".join(f.names)) for f in fields)
    lines = []
    for field in fields:
        optional = "" if field.required else "optional: "
        lines.append(f"  {' | '.join(field.names).ljust(width)}  {optional}{field.help}")
    return "\n".join(lines)
