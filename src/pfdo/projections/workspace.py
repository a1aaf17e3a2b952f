"""A working set of read-model rows that a fold changes, then writes in one go.

The fold reads and writes rows by primary key. For an incremental catch-up the rows a
page of events will touch are loaded first, a few queries per table (`prefetch`); a row
missed there is loaded on first touch. A workspace without a connection stands for
tables that hold nothing it does not: a rebuild folds into one while the tables are
empty, and nothing is loaded. Either way the fold code is the same. `flush` updates the
rows that were stored and inserts the new ones, each kind with one statement per table
(`pfdo.projections.statements`).
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table

from pfdo.projections.statements import (
    Key,
    Row,
    fetch_rows,
    insert_rows,
    key_of,
    primary_key,
    update_rows,
)

__all__ = ["Key", "Row", "Workspace", "insert_rows", "key_of", "primary_key"]

_first = itemgetter(0)


class Workspace:
    """Rows touched by a fold, keyed by table and primary key, plus appended rows."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection
        self._rows: dict[Table, dict[Key, Row | None]] = {}
        self._stored: dict[Table, set[Key]] = {}
        self._dirty: dict[Table, dict[Key, None]] = {}  # a set, in first-touch order
        self._appended: dict[Table, list[Row]] = {}

    @property
    def loads(self) -> bool:
        """Whether rows this workspace has not seen may be stored (and so are loaded)."""
        return self._connection is not None

    @property
    def size(self) -> int:
        """How many rows (or known absences) the workspace holds."""
        return sum(len(rows) for rows in self._rows.values())

    def _fetch(self, table: Table, keys: list[Key]) -> None:
        rows = self._rows.setdefault(table, {})
        for key in keys:
            rows[key] = None
        if self._connection is None:
            return
        stored = self._stored.setdefault(table, set())
        found = fetch_rows(self._connection, table, list(dict.fromkeys(k[0] for k in keys)))
        row_key = key_of(table)
        for row in found:
            key = row_key(row)
            if key not in stored:
                rows[key] = row
                stored.add(key)

    def prefetch(self, wanted: Iterable[tuple[Table, Key]]) -> None:
        """Load, with few queries, the rows about to be touched."""
        if self._connection is None:
            return
        missing: dict[Table, dict[Key, None]] = {}
        for table, key in wanted:
            if key not in self._rows.get(table, {}):
                missing.setdefault(table, {})[key] = None
        for table, keys in missing.items():
            self._fetch(table, list(keys))

    def get(self, table: Table, *key: Any) -> Row | None:
        rows = self._rows.get(table)
        if rows is None or key not in rows:
            self._fetch(table, [key])
            rows = self._rows[table]
        return rows[key]

    def require(self, table: Table, *key: Any) -> Row:
        rows = self._rows.get(table)
        row = None if rows is None else rows.get(key)
        if row is None:
            row = self.get(table, *key)
            if row is None:
                raise LookupError(f"{table.name} has no row {key}: the log is out of order")
        self._dirty.setdefault(table, {})[key] = None
        return row

    def put(self, table: Table, row: Row) -> None:
        key = key_of(table)(row)
        self._rows.setdefault(table, {})[key] = row
        self._dirty.setdefault(table, {})[key] = None

    def append(self, table: Table, row: Row) -> None:
        self._appended.setdefault(table, []).append(row)

    def take_appended(self) -> dict[Table, list[Row]]:
        appended, self._appended = self._appended, {}
        return appended

    def flush(self, connection: Connection) -> None:
        """Write every changed row: updates for stored rows, inserts for new ones."""
        for table, keys in self._dirty.items():
            stored = self._stored.setdefault(table, set())
            rows = self._rows[table]
            # In key order: a B-tree index then grows at its end, a third cheaper to fill.
            changed = sorted(((k, r) for k in keys if (r := rows[k]) is not None), key=_first)
            updates = [r for k, r in changed if k in stored]
            inserts = [r for k, r in changed if k not in stored]
            if updates:
                update_rows(connection, table, updates)
            if inserts:
                insert_rows(connection, table, inserts)
            stored.update(k for k, _ in changed)
        self._dirty = {}
        self.flush_appended(connection)

    def flush_appended(self, connection: Connection) -> None:
        """Insert the appended rows (histories), which no fold reads back."""
        for table, rows in self.take_appended().items():
            if rows:
                insert_rows(connection, table, rows)
