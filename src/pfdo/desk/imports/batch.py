"""Importing a sheet of children, programs or enrolments: check it all, then write once.

`read_batch` reads the sheet (`pfdo.desk.sheets`: CSV in any of Excel's encodings and
separators, or xlsx) against its column set (`kinds`) and returns every wrong cell as data
(`RowError`): a missing column, an empty required cell, a bad date or amount, a duplicate
row. `import_batch` then decides every good row inside one `Ledger.bulk()`, as one chunk:
a row the rules refuse (an age outside the band, a program at capacity, an unknown
certificate) becomes a row error naming its column, never an exception.

Without `partial`, a sheet with any error writes nothing (`SheetRejected`, exit 2, for
wrong cells; `SheetRefused`, exit 1, when only the rules refused rows). With `partial` the
good rows are written: when some row was refused, the bulk is dropped and the rows that
passed are decided again on their own, so exactly they are written. Each row's request id
is derived from its values (and the business date): the same sheet imported again
replays every row and writes nothing (`skipped`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pfdo.application.actors import file_actor
from pfdo.application.results import RowError, SheetImported
from pfdo.desk.imports.columns import locate, read_row
from pfdo.desk.imports.kinds import KINDS, MOST_COMMANDS, Kind
from pfdo.desk.sheets import Source, load
from pfdo.domain.errors import InvalidInput, PfdoError, Refused

if TYPE_CHECKING:  # the Ledger is handed in: the desk sits below the facade
    from pfdo.ledger import Ledger

Record = tuple[int, dict[str, Any]]  # line, values by key
Progress = Callable[[int, int], None]
_SHOWN = 10  # errors named in a message


def rejection(what: str, file: str, errors: Sequence[RowError]) -> str:
    """`children sheet F: 2 rows are wrong; nothing was written (line 3, column ...)`."""
    rows = len({e.line for e in errors})
    shown = "; ".join(f"line {e.line}, column {e.column}: {e.reason}" for e in errors[:_SHOWN])
    more = f"; and {len(errors) - _SHOWN} more" if len(errors) > _SHOWN else ""
    wrong = "1 row is wrong" if rows == 1 else f"{rows} rows are wrong"
    return f"{what} {file}: {wrong}; nothing was written ({shown}{more})"


class SheetRejected(InvalidInput):
    """A sheet with wrong cells: nothing of it was written; `errors` names every cell."""

    def __init__(self, what: str, file: str, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(rejection(what, file, errors))


class SheetRefused(Refused):
    """A sheet whose cells are right but some rows the rules refuse: nothing written."""

    def __init__(self, what: str, file: str, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(rejection(what, file, errors))


@dataclass
class Batch:
    """A sheet read and checked: its rows, the records of the good ones, its errors."""

    kind: Kind
    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_batch(kind: Kind, source: Source, *, encoding: str | None = None) -> Batch:
    """Read a sheet of `kind` and check every cell; a file that cannot be read or decoded
    raises `InvalidInput`."""
    file, sheet = load(source, kind.what, encoding)
    batch = Batch(kind, file or kind.name, sheet.header, sheet.rows)
    where, batch.errors = locate(sheet.header, kind.fields)
    if batch.errors:
        return batch
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in sheet.rows:
        values, errors = read_row(line, row, kind.fields, where)
        if not errors:
            errors = [RowError(line=line, column=c, reason=r) for c, r in kind.check(values)]
        if not errors:
            same = tuple(values[k] for k in kind.key)
            first = seen.setdefault(same, line)
            if first != line:
                reason = f"the same {' and '.join(kind.key)} as line {first}"
                errors.append(RowError(line=line, column=kind.key[0], reason=reason))
        if errors:
            batch.errors.extend(errors)
        else:
            batch.records.append((line, values))
    return batch


def row_request_id(
    kind: Kind, values: dict[str, Any], on: date | str | None, salt: str | None = None
) -> str:
    """A row's request id: a digest of what it asks (and of the caller's request id, if
    any), whatever the file looked like; an empty cell of a column the kind gained later
    (`Kind.added`) is left out, so a row reads as it did before the column existed."""
    asked = [(k, str(v)) for k, v in values.items() if v is not None or k not in kind.added]
    text = repr((kind.name, sorted(asked), str(on), salt))
    return f"{kind.name}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


class _Drop(Exception):
    """Leaves a bulk without saving what it decided."""


def _decide(
    ledger: Ledger,
    batch: Batch,
    records: Sequence[Record],
    on: date | str | None,
    salt: str | None,
    keep: bool,
    progress: Progress | None,
    actor: str | None = None,
) -> tuple[list[RowError], int]:
    """Decide `records` in one bulk; save it if `keep` or nothing was refused. Returns
    the refusals and how many rows were replays of an earlier import."""
    refused: list[RowError] = []
    replayed = 0
    try:
        # one chunk, saved at the end or not at all
        who = actor if actor is not None else file_actor(batch.file)
        with ledger.bulk(chunk=len(records) * MOST_COMMANDS + 1, actor=who):
            for done, (line, values) in enumerate(records, start=1):
                before = ledger.requests_replayed
                try:
                    rid = row_request_id(batch.kind, values, on, salt)
                    commands = batch.kind.write(ledger, values, on, rid)
                except PfdoError as error:
                    reason = " ".join(str(error).split())
                    refused.append(RowError(line=line, column=batch.kind.blame(reason),
                                            reason=reason))  # fmt: skip
                else:
                    replayed += ledger.requests_replayed - before == commands
                if progress is not None and (done % 1000 == 0 or done == len(records)):
                    progress(done, len(records))
            if refused and not keep:
                raise _Drop
    except _Drop:
        pass
    return refused, replayed


def import_batch(
    ledger: Ledger,
    batch: Batch,
    *,
    on: date | str | None = None,
    partial: bool = False,
    request_id: str | None = None,
    progress: Progress | None = None,
    actor: str | None = None,
) -> SheetImported:
    """Write the sheet's rows: all or nothing, or with `partial` exactly the good ones.
    `request_id`, if given, is mixed into every row's own request id. Every event the
    rows write records `actor` (rule 25; default `import:FILE`, the sheet's file name)."""
    what = batch.kind.what
    if batch.errors and not partial:
        raise SheetRejected(what, batch.file, batch.errors)
    refused, replayed = _decide(
        ledger, batch, batch.records, on, request_id, False, progress, actor
    )
    written = 0 if refused else len(batch.records) - replayed
    if refused and not partial:
        raise SheetRefused(what, batch.file, sorted(refused, key=lambda e: e.line))
    if refused:
        wrong = {e.line for e in refused}
        good = [r for r in batch.records if r[0] not in wrong]
        again, replayed = _decide(ledger, batch, good, on, request_id, True, progress, actor)
        refused += again
        written = len(good) - len(again) - replayed
    errors = sorted([*batch.errors, *refused], key=lambda e: (e.line, e.column))
    return SheetImported(
        file=batch.file,
        rows=len(batch.rows),
        written=written,
        skipped=len(batch.rows) - written,
        errors=errors,
    )


def import_sheet(
    ledger: Ledger,
    kind: str,
    source: Source,
    *,
    encoding: str | None = None,
    on: date | str | None = None,
    partial: bool = False,
    request_id: str | None = None,
    actor: str | None = None,
) -> SheetImported:
    """Read, check and import a sheet of `kind` (`children`, `programs`, `enrolments`) in
    one call, as `pfdo import KIND FILE` does: a sheet with errors raises `SheetRejected`
    or `SheetRefused` (unless `partial`)."""
    if kind not in KINDS:
        raise InvalidInput(f"sheet kind {kind!r} is not one of {', '.join(KINDS)}")
    batch = read_batch(KINDS[kind], source, encoding=encoding)
    return import_batch(ledger, batch, on=on, partial=partial, request_id=request_id, actor=actor)
