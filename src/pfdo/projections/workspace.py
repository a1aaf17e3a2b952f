"""A working set of read-model rows that a fold changes, then writes in one go.

The fold reads and writes rows by primary key. For an incremental catch-up the rows a
page of events will touch are loaded first, a few queries per table (`prefetch`); a row
missed there is loaded on first touch. For a rebuild the tables start empty and nothing
is loaded. Either way the fold code is the same. `flush` updates the rows that were
stored and inserts the new ones, each kind with one statement per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, select, update

Key = tuple[Any, ...]
Row = dict[str, Any]

_CHUNK = 400  # keys per IN (...) query


def primary_key(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.primary_key.columns)


class Workspace:
    """Rows touched by a fold, keyed by table and primary key, plus appended rows."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection
        self._rows: dict[Table, dict[Key, Row | None]] = {}
        self._stored: dict[Table, set[Key]] = {}
        self._dirty: dict[Table, set[Key]] = {}
        self._appended: dict[Table, list[Row]] = {}

    def _fetch(self, table: Table, keys: list[Key]) -> None:
        rows = self._rows.setdefault(table, {})
        stored = self._stored.setdefault(table, set())
        names = primary_key(table)
        for key in keys:
            rows[key] = None
        if self._connection is None:
            return
        # By the key's first column only: an index prefix every database uses (SQLite
        # scans the table for a row-value IN); the few extra rows are harmless.
        first = table.c[names[0]]
        leads = list(dict.fromkeys(key[0] for key in keys))
        for start in range(0, len(leads), _CHUNK):
            query = select(table).where(first.in_(leads[start : start + _CHUNK]))
            for found in self._connection.execute(query).mappings():
                row = dict(found)
                key = tuple(row[name] for name in names)
                if key not in stored:
                    rows[key] = row
                    stored.add(key)

    def prefetch(self, wanted: Iterable[tuple[Table, Key]]) -> None:
        """Load, with few queries, the rows about to be touched."""
        missing: dict[Table, list[Key]] = {}
        for table, key in wanted:
            if key not in self._rows.get(table, {}):
                missing.setdefault(table, []).append(key)
        for table, keys in missing.items():
            self._fetch(table, list(dict.fromkeys(keys)))

    def get(self, table: Table, *key: Any) -> Row | None:
        rows = self._rows.get(table)
        if rows is None or key not in rows:
            self._fetch(table, [key])
        return self._rows[table][key]

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

    def flush(self, connection: Connection) -> None:
        """Write every changed row: updates for stored rows, inserts for new ones."""
        for table, keys in self._dirty.items():
            stored = self._stored.get(table, set())
            changed = [(k, r) for k in keys if (r := self._rows[table][k]) is not None]
            updates = [r for k, r in changed if k in stored]
            inserts = [r for k, r in changed if k not in stored]
            if updates:
                connection.execute(_update_statement(table), [_keyed(table, r) for r in updates])
            if inserts:
                insert_rows(connection, table, inserts)
            stored.update(k for k, _ in changed)
        self._dirty = {}
        for table, rows in self.take_appended().items():
            if rows:
                insert_rows(connection, table, rows)


def insert_rows(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Insert many rows with one plain executemany: the statement is built once and each
    value goes through its column type's bind processor, as SQLAlchemy would do, without
    SQLAlchemy's per-row bookkeeping (which dominates a rebuild)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = list(table.columns)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)})"
        f" VALUES ({', '.join([mark] * len(columns))})"
    )
    processors = [(c.name, c.type.bind_processor(dialect)) for c in columns]
    params = [tuple(p(row[name]) if p else row[name] for name, p in processors) for row in rows]
    connection.exec_driver_sql(statement, params)


def _update_statement(table: Table) -> Any:
    names = primary_key(table)
    where = and_(*(table.c[name] == bindparam(f"key_{name}") for name in names))
    values: dict[str, Any] = {
        c.name: bindparam(c.name) for c in table.columns if c.name not in names
    }
    return update(table).where(where).values(values)


def _keyed(table: Table, row: Row) -> Row:
    return {**row, **{f"key_{name}": row[name] for name in primary_key(table)}}
