"""Reading a journal's cells in one pass: a sheet repeats few dates and flags many times.

A journal of 100,000 lessons holds a few hundred distinct dates and a handful of
spellings of `present`: `SheetDates` parses each distinct date text once per read (a text
that is not a date is parsed, and refused, again at every line that holds it, so each
such line gets its own error), and `FLAGS` answers a `present` cell with one dict lookup.
`lesson_cells` first reads a journal column by column (`_good_marks`: each step one loop
in C over a column, each distinct date text parsed once); only a journal with a wrong
cell somewhere is then walked row by row, with the columns' indexes held in locals, and
either way the marks and the `RowError`s, in their order, are those checking cell by cell
would give.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import repeat
from operator import itemgetter

from pfdo.application.results import RowError
from pfdo.domain.calendar import parse_sheet_date
from pfdo.domain.errors import InvalidInput

Mark = tuple[int, str, date, bool]  # line, contract, lesson date, present
PRESENT = ("1", "yes", "y", "true", "да", "д", "+")
ABSENT = ("0", "no", "n", "false", "нет", "н", "-")
FLAGS: dict[str, bool] = {**dict.fromkeys(ABSENT, False), **dict.fromkeys(PRESENT, True)}
_FLAG_REASON = f"is not one of {'/'.join(PRESENT)} or {'/'.join(ABSENT)}"


class SheetDates(dict[str, date]):
    """`parse_sheet_date` remembered for the texts that are dates, for one read: a known
    text is one dict lookup; an unknown one is parsed (a non-date raises, every time)."""

    def __missing__(self, text: str) -> date:
        known = self[text] = parse_sheet_date(text)
        return known


def lesson_cells(
    rows: Sequence[tuple[int, list[str]]], where: dict[str, int], errors: list[RowError]
) -> list[Mark]:
    """Every row's mark, or its wrong cells appended to `errors` (contract, date, present,
    in that order), and a lesson given twice refused at its later line."""
    at_contract, at_date, at_flag = where["contract"], where["date"], where.get("present", -1)
    good = _good_marks(rows, at_contract, at_date, at_flag)
    if good is not None:
        return good
    dates, flags = SheetDates(), {**FLAGS, "": True}  # an empty cell is present
    seen: dict[tuple[str, date], int] = {}
    marks: list[Mark] = []
    for line, row in rows:
        width = len(row)
        contract = row[at_contract].strip() if at_contract < width else ""
        day = row[at_date].strip() if at_date < width else ""
        flag = row[at_flag].strip().lower() if 0 <= at_flag < width else ""
        wrong = not contract
        if wrong:
            errors.append(RowError(line=line, column="contract", reason="empty"))
        try:
            lesson = dates[day]
        except InvalidInput as error:
            errors.append(RowError(line=line, column="date", reason=str(error)))
            wrong = True
        present = flags.get(flag)
        if present is None:
            errors.append(RowError(line=line, column="present", reason=f"{flag!r} {_FLAG_REASON}"))
        if wrong or present is None:
            continue
        first = seen.setdefault((contract, lesson), line)
        if first != line:
            reason = f"lesson {lesson} of contract {contract} is also on line {first}"
            errors.append(RowError(line=line, column="date", reason=reason))
        else:
            marks.append((line, contract, lesson, present))
    return marks


def _good_marks(
    rows: Sequence[tuple[int, list[str]]], at_contract: int, at_date: int, at_flag: int
) -> list[Mark] | None:
    """The marks of a journal whose every cell is good, read a column at a time; None when
    a row is short or a cell is wrong (empty contract, a date or flag that is not one, a
    lesson given twice): `lesson_cells` then walks the rows to name each wrong cell."""
    cells = list(map(itemgetter(1), rows))
    try:
        contracts = list(map(str.strip, map(itemgetter(at_contract), cells)))
        # each distinct date text parsed once; a text that is not a date raises
        lessons = list(
            map(SheetDates().__getitem__, map(str.strip, map(itemgetter(at_date), cells)))
        )
        presents: list[bool | None] | None = None
        if at_flag >= 0:
            spelled = {**FLAGS, "": True}  # an empty cell is present
            flags = map(str.lower, map(str.strip, map(itemgetter(at_flag), cells)))
            presents = list(map(spelled.get, flags))
    except (IndexError, InvalidInput):  # a short row, a wrong date
        return None
    if not cells or not all(contracts) or (presents is not None and None in presents):
        return None
    if len(set(zip(contracts, lessons, strict=True))) != len(cells):
        return None  # a lesson given twice
    lines = map(itemgetter(0), rows)
    flagged: Iterable[bool | None] = repeat(True) if presents is None else presents
    return list(zip(lines, contracts, lessons, flagged, strict=False))  # type: ignore[arg-type]
