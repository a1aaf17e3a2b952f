"""The stored read models against the log: every stored row must be the row the log gives.

The refolded workspace holds the rows the log gives up to the projector's position; the
stored tables are read and matched with them on their primary keys. A stored row the log
does not give, a row the log gives that is not stored, and every column that differs is a
problem naming the table, the key, the columns and the event that last wrote the row. The
histories (`pfdo_movements`, one row per money event) are compared as a stream in log
order, so that they are never held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from pfdo.audit.problems import Problem, Problems
from pfdo.projections import tables as t
from pfdo.projections.workspace import Key, Row, primary_key

PAGE = 1000

#: table -> the column that names the aggregate a row belongs to, and how to say it
_OWNERS: Mapping[str, tuple[str, str]] = {
    "pfdo_periods": ("period", "period"),
    "pfdo_categories": ("period", "period"),
    "pfdo_providers": ("provider", "provider"),
    "pfdo_programs": ("program", "program"),
    "pfdo_certificates": ("number", "certificate"),
    "pfdo_balances": ("number", "certificate"),
    "pfdo_movements": ("number", "certificate"),
    "pfdo_contracts": ("contract", "contract"),
    "pfdo_contract_months": ("contract", "contract"),
    "pfdo_waiting": ("number", "certificate"),
    "pfdo_invoices": ("provider", "provider"),
}


def _plain(value: Any) -> Any:
    """Values as both stores give them back: datetimes in UTC without a zone."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _shown(value: Any) -> str:
    value = _plain(value)
    return value.isoformat() if isinstance(value, date) else repr(value)


def _owner(table: Table, row: Row) -> str:
    column, kind = _OWNERS[table.name]
    return f"{kind} {row[column]}"


def _differences(table: Table, stored: Row | None, expected: Row | None) -> str | None:
    if stored is None:
        return "the log gives this row; the store does not have it"
    if expected is None:
        return "the store has this row; the log does not give it"
    changed = [
        f"{c.name} is {_shown(stored[c.name])} in the store, the log gives "
        f"{_shown(expected[c.name])}"
        for c in table.columns
        if _plain(stored[c.name]) != _plain(expected[c.name])
    ]
    return "; ".join(changed) or None


def _problem(table: Table, key: Key, row: Row, position: int | None, text: str) -> Problem:
    shown = ", ".join(str(part) for part in key)
    return Problem(
        check="projection",
        position=position,
        aggregate=_owner(table, row),
        event=None,
        message=f"{table.name} ({shown}): {text}",
    )


def compare_tables(connection: Connection, ws: Any, problems: Problems) -> None:
    """Every folded table but the histories, row by row; `ws` is a TracingWorkspace."""
    for table in t.FOLDED_TABLES:
        if table is t.movements:
            continue
        names = primary_key(table)
        stored = {
            tuple(row[n] for n in names): dict(row)
            for row in connection.execute(select(table)).mappings()
        }
        expected: dict[Key, Row] = ws.table(table)
        for key in sorted(stored.keys() | expected.keys(), key=str):
            found, wanted = stored.get(key), expected.get(key)
            text = _differences(table, found, wanted)
            if text is not None:
                row = found or wanted or {}
                problems.extend([_problem(table, key, row, ws.writer(table, key), text)])


class MovementComparison:
    """The stored histories against the movements the log gives, in log order."""

    def __init__(self, connection: Connection, through: int, problems: Problems) -> None:
        self._stored = self._read(connection, through)
        self._next: Row | None = next(self._stored, None)
        self._through = through
        self._problems = problems

    @staticmethod
    def _read(connection: Connection, through: int) -> Iterator[Row]:
        seq, last = t.movements.c.seq, 0
        while True:
            query = select(t.movements).where(seq > last, seq <= through).order_by(seq)
            rows = [dict(r) for r in connection.execute(query.limit(PAGE)).mappings()]
            yield from rows
            if len(rows) < PAGE:
                return
            last = rows[-1]["seq"]

    def feed(self, expected: Row) -> None:
        """The next movement the log gives (rows beyond `through` are not compared)."""
        if expected["seq"] > self._through:
            return
        while self._next is not None and self._next["seq"] < expected["seq"]:
            self._report(self._next, None)
            self._next = next(self._stored, None)
        if self._next is not None and self._next["seq"] == expected["seq"]:
            self._report(self._next, expected)
            self._next = next(self._stored, None)
        else:
            self._report(None, expected)

    def finish(self) -> None:
        while self._next is not None:
            self._report(self._next, None)
            self._next = next(self._stored, None)

    def _report(self, stored: Row | None, expected: Row | None) -> None:
        text = _differences(t.movements, stored, expected)
        if text is not None:
            row = stored or expected or {}
            self._problems.extend([_problem(t.movements, (row["seq"],), row, row["seq"], text)])
