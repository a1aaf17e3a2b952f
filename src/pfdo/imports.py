"""Imports: many attendance marks from a file, recorded in one atomic bulk.

A journal of lessons is a sheet (`pfdo.sheets`: CSV in UTF-8, UTF-8 with BOM, UTF-16 or
cp1251, separated by `;`, tab or `,`) with a header line naming its columns: `contract`
(`договор`), `date` (`дата`: `YYYY-MM-DD` or `ДД.ММ.ГГГГ`) and optionally `present`
(`присутствие` or `явка`: see `PRESENT`, `ABSENT`; empty is present); other columns are
ignored. The whole journal is checked first and every wrong cell is returned as data (a
`RowError`); only a journal without errors is recorded, contract by contract, inside
`Ledger.bulk()` as one chunk, so the import is all or nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import IO

from pfdo.domain.calendar import parse_sheet_date
from pfdo.domain.errors import InvalidInput, PfdoError
from pfdo.ledger import Ledger
from pfdo.results import AttendanceImported, RowError
from pfdo.sheets import decode, read_sheet

Mark = tuple[int, str, date, bool]  # line, contract, lesson date, present
#: A journal: a file's path, or a stream of its text or its bytes.
Source = str | os.PathLike[str] | IO[str] | IO[bytes]

COLUMNS = {
    "contract": ("contract", "договор"),
    "date": ("date", "дата"),
    "present": ("present", "присутствие", "явка"),
}
PRESENT = ("1", "yes", "y", "true", "да", "д", "+")
ABSENT = ("0", "no", "n", "false", "нет", "н", "-")
_SHOWN = 10  # errors named in a rejection's message


class JournalRejected(InvalidInput):
    """A journal with wrong rows: nothing of it was recorded; `errors` names every cell."""

    def __init__(self, file: str, errors: list[RowError]) -> None:
        self.file, self.errors = file, errors
        rows = len({e.line for e in errors})
        shown = "; ".join(f"line {e.line}, column {e.column}: {e.reason}" for e in errors[:_SHOWN])
        more = f"; and {len(errors) - _SHOWN} more" if len(errors) > _SHOWN else ""
        wrong = "1 row is wrong" if rows == 1 else f"{rows} rows are wrong"
        super().__init__(f"attendance journal {file}: {wrong}; nothing was written ({shown}{more})")


@dataclass(frozen=True)
class Journal:
    """A journal read and checked: its marks, or the errors that keep it from being recorded."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    marks: list[Mark]
    errors: list[RowError]

    def key(self, on: date | str | None = None) -> str:
        """A digest of what the journal records (whatever its encoding or separator)."""
        text = repr((sorted((m[1], m[2].isoformat(), m[3]) for m in self.marks), str(on)))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def read_journal(source: Source, *, encoding: str | None = None, name: str = "") -> Journal:
    """Read and check a journal: every wrong cell becomes a `RowError`; a file that cannot
    be decoded raises `InvalidInput`."""
    if isinstance(source, str | os.PathLike):
        name = name or str(source)
        try:
            data: str | bytes = Path(source).read_bytes()
        except OSError as error:
            raise InvalidInput(f"attendance journal {name}: {error.strerror}") from None
    else:
        data = source.read()
    text = (
        decode(data, f"attendance journal {name or ''}".strip(), encoding)
        if isinstance(data, bytes)
        else data
    )
    sheet = read_sheet(text)
    names = [cell.lower() for cell in sheet.header]
    where = {key: next((i for i, n in enumerate(names) if n in aliases), None)
             for key, aliases in COLUMNS.items()}  # fmt: skip
    errors = [
        RowError(line=1, column=key, reason=f"no column {' or '.join(COLUMNS[key])}")
        for key in ("contract", "date")
        if where[key] is None
    ]
    marks: list[Mark] = []
    if not errors:
        seen: dict[tuple[str, date], int] = {}
        for line, row in sheet.rows:
            mark = _mark(line, row, where, errors)
            if mark is not None and (first := seen.setdefault(mark[1:3], line)) != line:
                reason = f"lesson {mark[2]} of contract {mark[1]} is also on line {first}"
                errors.append(RowError(line=line, column="date", reason=reason))
            elif mark is not None:
                marks.append(mark)
    return Journal(name or "journal", sheet.header, sheet.rows, marks, errors)


def _mark(
    line: int, row: list[str], where: dict[str, int | None], errors: list[RowError]
) -> Mark | None:
    def cell(key: str) -> str:
        index = where[key]
        return row[index].strip() if index is not None and index < len(row) else ""

    before = len(errors)
    contract, day, flag = cell("contract"), cell("date"), cell("present").lower() or "1"
    if not contract:
        errors.append(RowError(line=line, column="contract", reason="empty"))
    try:
        lesson = parse_sheet_date(day)
    except InvalidInput as error:
        errors.append(RowError(line=line, column="date", reason=str(error)))
    if flag not in PRESENT + ABSENT:
        reason = f"{flag!r} is not one of {'/'.join(PRESENT)} or {'/'.join(ABSENT)}"
        errors.append(RowError(line=line, column="present", reason=reason))
    return None if len(errors) > before else (line, contract, lesson, flag in PRESENT)


def read_marks(source: Source, *, encoding: str | None = None) -> list[Mark]:
    """The marks of a journal; a journal with wrong rows raises `JournalRejected`."""
    journal = read_journal(source, encoding=encoding)
    if journal.errors:
        raise JournalRejected(journal.file, journal.errors)
    return journal.marks


def import_attendance(
    ledger: Ledger,
    marks: Iterable[Mark],
    *,
    on: date | str | None = None,
    request_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    file: str = "",
) -> AttendanceImported:
    """Record every mark, all or nothing. With `request_id`, each contract's marks carry
    `REQUEST-ID:N`, so a retried import returns at once and writes nothing (`skipped`).
    Whether the marks were written is judged by whether the log grew, so a concurrent
    writer can make a retry look `written`; the marks themselves are never written twice."""
    ordered = sorted(marks, key=lambda m: (m[1], not m[3], m[2]))
    groups = [list(g) for _, g in groupby(ordered, key=lambda m: (m[1], m[3]))]
    done, before = 0, ledger.log_position()
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
    written = len(ordered) if ledger.log_position() > before else 0
    return AttendanceImported(
        file=file,
        rows=len(ordered),
        written=written,
        skipped=len(ordered) - written,
        errors=[],
        recorded=len(ordered),
        contracts=len({m[1] for m in ordered}),
    )
