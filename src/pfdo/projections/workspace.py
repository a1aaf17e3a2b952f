"""A working set of read-model rows that a fold changes, then writes in one go.

The fold reads and writes rows by primary key. For an incremental catch-up, rows missing
from the working set are loaded from the database on first touch; for a rebuild the
tables start empty and nothing is loaded. Either way the fold code is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, select

Key = tuple[Any, ...]
Row = dict[str, Any]
Loader = Callable[[Table, Key], Row | None]


def primary_key(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.primary_key.columns)


def db_loader(connection: Connection) -> Loader:
    """Load a row by primary key from the database (incremental catch-up)."""

    def load(table: Table, key: Key) -> Row | None:
        columns = [table.c[name] for name in primary_key(table)]
        query = select(table).where(and_(*(c == v for c, v in zip(columns, key, strict=True))))
        found = connection.execute(query).mappings().first()
        return dict(found) if found is not None else None

    return load


def no_loader(_table: Table, _key: Key) -> Row | None:
    """Every table starts empty (rebuild)."""
    return None


class Workspace:
    """Rows touched by a fold, keyed by table and primary key, plus appended rows."""

    def __init__(self, loader: Loader = no_loader) -> None:
        self._load = loader
        self._rows: dict[Table, dict[Key, Row | None]] = {}
        self._dirty: dict[Table, set[Key]] = {}
        self._appended: dict[Table, list[Row]] = {}

    def get(self, table: Table, *key: Any) -> Row | None:
        rows = self._rows.setdefault(table, {})
        if key not in rows:
            rows[key] = self._load(table, key)
        return rows[key]

    def require(self, table: Table, *key: Any) -> Row:
        row = self.get(table, *key)
        if row is None:
            raise LookupError(f"{table.name} has no row {key}: the log is out of order")
        self._dirty.setdefault(table, set()).add(key)
        return row

    def put(self, table: Table, row: Row) -> None:
        key = tuple(row[name] for name in primary_key(table))
        self._rows.setdefault(table, {})[key] = row
        self._dirty.setdefault(table, set()).add(key)

    def append(self, table: Table, row: Row) -> None:
        self._appended.setdefault(table, []).append(row)

    def take_appended(self) -> dict[Table, list[Row]]:
        appended, self._appended = self._appended, {}
        return appended

    def flush(self, connection: Connection, *, replace: bool) -> None:
        """Write every changed row; `replace` deletes the stored version first."""
        for table, keys in self._dirty.items():
            rows = [r for k in keys if (r := self._rows[table][k]) is not None]
            if replace:
                columns = [table.c[name] for name in primary_key(table)]
                for key in keys:
                    connection.execute(
                        delete(table).where(
                            and_(*(c == v for c, v in zip(columns, key, strict=True)))
                        )
                    )
            if rows:
                connection.execute(insert(table), rows)
        self._dirty = {}
        for table, rows in self.take_appended().items():
            if rows:
                connection.execute(insert(table), rows)
