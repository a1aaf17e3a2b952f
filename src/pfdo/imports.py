"""Imports: many attendance marks from a file, recorded in one atomic bulk.

A journal of lessons (CSV: `contract,date[,present]`, a header line, present being
1/0, yes/no or true/false, default 1) is checked whole before anything is decided; then
the marks are recorded, contract by contract, inside `Ledger.bulk()` as one chunk, so the
import is all or nothing: a refused mark names its line and nothing is written.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date
from itertools import groupby
from typing import TextIO

from pfdo.domain.calendar import parse_date
from pfdo.domain.errors import InvalidInput, PfdoError
from pfdo.ledger import Ledger
from pfdo.results import AttendanceImported

Mark = tuple[int, str, date, bool]  # line, contract, lesson date, present

_TRUE, _FALSE = {"1", "yes", "true", "y", "да"}, {"0", "no", "false", "n", "нет"}


def read_marks(journal: TextIO) -> list[Mark]:
    """Parse the journal; a malformed line is an input error naming it."""
    reader = csv.reader(journal)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:2] != ["contract", "date"]:
        raise InvalidInput("attendance journal: the first line must be contract,date[,present]")
    marks = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip():
            raise InvalidInput(f"attendance journal, line {line}: expected contract,date")
        flag = row[2].strip().lower() if len(row) > 2 and row[2].strip() else "1"
        if flag not in _TRUE | _FALSE:
            raise InvalidInput(
                f"attendance journal, line {line}: present {row[2]!r} "
                "is not 1/0, yes/no or true/false"
            )
        marks.append(
            (line, row[0].strip(), parse_date(row[1], f"line {line}: date"), flag in _TRUE)
        )
    return marks


def import_attendance(
    ledger: Ledger,
    marks: Iterable[Mark],
    *,
    on: date | str | None = None,
    request_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AttendanceImported:
    """Record every mark, all or nothing. With `request_id`, each contract's marks carry
    `REQUEST-ID:N`, so a retried import returns at once and writes nothing."""
    ordered = sorted(marks, key=lambda m: (m[1], not m[3], m[2]))
    groups = [list(g) for _, g in groupby(ordered, key=lambda m: (m[1], m[3]))]
    done = 0
    with ledger.bulk(chunk=len(groups) + 1) as bulk:
        for index, group in enumerate(groups):
            line, contract, _, present = group[0]
            part = None if request_id is None else f"{request_id}:{index}"
            try:
                bulk.record_attendance(
                    contract,
                    dates=[m[2] for m in group],
                    present=present,
                    on=on,
                    request_id=part,
                )
            except PfdoError as error:
                raise type(error)(f"attendance journal, line {line}: {error}") from None
            done += len(group)
            if progress is not None:
                progress(done, len(ordered))
    return AttendanceImported(recorded=len(ordered), contracts=len({m[1] for m in ordered}))
