"""Imports: many attendance marks from a file, recorded in one atomic bulk.

A journal of lessons is a sheet (`pfdo.desk.sheets`: CSV in UTF-8, UTF-8 with BOM, UTF-16 or
cp1251, separated by `;`, tab or `,`) with a header line naming its columns: `contract`
(`договор`), `date` (`дата`: `YYYY-MM-DD` or `ДД.ММ.ГГГГ`) and optionally `present`
(`присутствие` or `явка`: see `cells.PRESENT`, `cells.ABSENT`; empty is present); other columns are
ignored. The whole journal is checked first and every wrong cell is returned as data (a
`RowError`); only a journal without errors is recorded, contract by contract, inside
`Ledger.bulk()` as one chunk, so the import is all or nothing; with `partial`, the good
marks are recorded and the rest become row errors.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter, not_
from typing import TYPE_CHECKING

from pfdo.application.actors import file_actor
from pfdo.application.results import AttendanceImported, RowError
from pfdo.desk.imports.cells import Mark, lesson_cells
from pfdo.desk.imports.columns import Field, locate
from pfdo.desk.sheets import Source, load
from pfdo.domain.errors import InvalidInput, PfdoError

if TYPE_CHECKING:  # the Ledger is handed in: the desk sits below the facade
    from pfdo.ledger import Ledger

FIELDS = (
    Field("contract", ("договор",), help="the contract's code"),
    Field("date", ("дата",), help="YYYY-MM-DD or ДД.ММ.ГГГГ"),
    Field("present", ("присутствие", "явка"), required=False,
          help="1/yes/y/true/да/д/+ (present, also when empty), 0/no/n/false/нет/н/-"),
)  # fmt: skip
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
    be read or decoded raises `InvalidInput`."""
    file, sheet = load(source, "attendance journal", encoding)
    where, errors = locate(sheet.header, FIELDS)
    marks = lesson_cells(sheet.rows, where, errors) if not errors else []
    return Journal(name or file or "journal", sheet.header, sheet.rows, marks, errors)


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
    partial: bool = False,
    rejected: Sequence[RowError] = (),
    actor: str | None = None,
) -> AttendanceImported:
    """Record every mark, all or nothing; with `partial`, every mark the rules accept
    (a contract's marks refused together are then tried one by one) and the refusals are
    row errors beside the wrong rows `rejected` when the journal was read. With
    `request_id`, each contract's marks carry `REQUEST-ID:N` (one by one, `REQUEST-ID:N:K`),
    so a retried import returns at once and writes nothing (`skipped`). Every mark's
    event records `actor` (rule 25; default `import:FILE`, the journal's file name)."""
    groups = _groups(marks)
    count, codes = sum(len(g) for g in groups), {g[0][1] for g in groups}
    done, skipped, refused = 0, 0, list[RowError]()
    who = actor if actor is not None else file_actor(file or "journal")
    with ledger.bulk(chunk=count + 1, actor=who) as bulk:
        parts = [] if request_id is None else [f"{request_id}:{i}" for i in range(len(groups))]
        bulk.prefetch(contracts=codes, request_ids=parts)
        for index, group in enumerate(groups):
            part = None if request_id is None else f"{request_id}:{index}"
            try:
                skipped += _record(bulk, group, on, part)
            except PfdoError as error:
                if not partial:
                    raise type(error)(f"attendance journal, line {group[0][0]}: {error}") from None
                for n, mark in enumerate(group):
                    try:
                        skipped += _record(bulk, [mark], on, part and f"{part}:{n}")
                    except PfdoError as one:
                        refused.append(_refusal(mark[0], one))
            done += len(group)
            if progress is not None:
                progress(done, count)
    recorded = count - len(refused)
    errors = sorted([*rejected, *refused], key=lambda e: (e.line, e.column))
    rows = count + len({e.line for e in rejected})
    return AttendanceImported(
        file=file,
        rows=rows,
        written=recorded - skipped,
        skipped=rows - recorded + skipped,
        errors=errors,
        recorded=recorded,
        contracts=len(codes),
    )


def _groups(marks: Iterable[Mark]) -> list[list[Mark]]:
    """The marks of each contract alike (present before absent), by contract then date:
    one command each. Bucketing then sorting each bucket by date orders them as sorting
    every mark by (contract, absent, date) would, ties kept in their order."""
    marks = list(marks)
    buckets: defaultdict[tuple[str, bool], list[Mark]] = defaultdict(list)
    keys = zip(map(itemgetter(1), marks), map(not_, map(itemgetter(3), marks)), strict=True)
    for key, mark in zip(keys, marks, strict=True):
        buckets[key].append(mark)
    by_date = itemgetter(2)
    return [sorted(buckets[key], key=by_date) for key in sorted(buckets)]


def _record(ledger: Ledger, marks: list[Mark], on: date | str | None, part: str | None) -> int:
    """Record marks of one contract alike; how many were already recorded (a replay)."""
    before = ledger.requests_replayed
    _, contract, _, present = marks[0]
    dates = list(map(itemgetter(2), marks))
    ledger.record_attendance(contract, dates=dates, present=present, on=on, request_id=part)
    return len(marks) if ledger.requests_replayed > before else 0


def _refusal(line: int, error: PfdoError) -> RowError:
    reason = " ".join(str(error).split())
    column = "contract" if "does not exist" in reason or "contract" not in reason else "date"
    return RowError(line=line, column=column, reason=reason)
