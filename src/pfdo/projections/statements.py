"""Plain driver statements for the read-model tables, built once per table and dialect.

A fold writes and reads tens of thousands of rows a second; SQLAlchemy's per-row work
(compiling keyed parameters, building result rows) would cost more than the database's.
So each table gets its INSERT, UPDATE-by-key and SELECT-by-first-key-column as plain SQL
in the driver's parameter style, run with `exec_driver_sql`, and values pass through
the same type processors SQLAlchemy would apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table

Key = tuple[Any, ...]
Row = dict[str, Any]
Processors = tuple[tuple[int, Callable[[Any], Any]], ...]

_CHUNK = 400  # keys per IN (...) query


def _getter(names: tuple[str, ...]) -> Callable[[Row], tuple[Any, ...]]:
    """The function from a row to the values of `names`, as a tuple (a C itemgetter)."""
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names)


@cache
def primary_key(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.primary_key.columns)


@cache
def key_of(table: Table) -> Callable[[Row], Key]:
    """The function from a row of `table` to its primary key, as a tuple."""
    return _getter(primary_key(table))


@dataclass(frozen=True)
class TableSQL:
    """One table's driver statements, and how values pass between Python and the driver."""

    columns: tuple[str, ...]
    insert: str
    update: str
    select: str  # ends with "IN (": close with the keys' marks
    mark: str
    insert_values: Callable[[Row], tuple[Any, ...]]
    update_values: Callable[[Row], tuple[Any, ...]]
    bind: Processors  # by position in what insert_values gives
    update_bind: Processors  # by position in what update_values gives
    result: Processors  # by position in `columns`

    def keys_clause(self, count: int) -> str:
        return self.select + ", ".join([self.mark] * count) + ")"


def _processors(found: Iterable[Callable[[Any], Any] | None]) -> Processors:
    return tuple((i, p) for i, p in enumerate(found) if p is not None)


_STATEMENTS: dict[tuple[Table, str, str, str], TableSQL] = {}


def _table_sql(table: Table, dialect: Dialect) -> TableSQL:
    """The statements of `table` for `dialect`, built on first use (a cache by dialect
    kind, not by engine, so that opening many stores does not grow it)."""
    kind = (table, dialect.name, dialect.driver, dialect.paramstyle)
    sql = _STATEMENTS.get(kind)
    if sql is None:
        sql = _STATEMENTS[kind] = _build_table_sql(table, dialect)
    return sql


def _build_table_sql(table: Table, dialect: Dialect) -> TableSQL:
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = tuple(c.name for c in table.columns)
    key = primary_key(table)
    values = tuple(name for name in columns if name not in key)
    name = quote(table.name)
    setting = ", ".join(f"{quote(c)} = {mark}" for c in values)
    where = " AND ".join(f"{quote(c)} = {mark}" for c in key)
    # As SQLAlchemy does for a plain executemany: each column type's own bind processor
    # (none, for SQLite and psycopg, on these tables: the drivers adapt dates themselves).
    binds = {c.name: c.type.bind_processor(dialect) for c in table.columns}
    # Reading back, the dialect's processors (SQLite keeps dates as text).
    results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in table.columns]
    return TableSQL(
        columns=columns,
        insert=(
            f"INSERT INTO {name} ({', '.join(quote(c) for c in columns)})"
            f" VALUES ({', '.join([mark] * len(columns))})"
        ),
        update=f"UPDATE {name} SET {setting} WHERE {where}",
        select=(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {name} WHERE {quote(key[0])} IN ("
        ),
        mark=mark,
        insert_values=_getter(columns),
        update_values=_getter(values + key),
        bind=_processors(binds[c] for c in columns),
        update_bind=_processors(binds[c] for c in values + key),
        result=_processors(results),
    )


def _parameters(
    rows: list[Row], values: Callable[[Row], tuple[Any, ...]], processors: Processors
) -> list[tuple[Any, ...]]:
    if not processors:
        return [values(row) for row in rows]
    params = []
    for row in rows:
        value = list(values(row))
        for i, process in processors:
            value[i] = process(value[i])
        params.append(tuple(value))
    return params


def insert_rows(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Insert many rows with one plain executemany: the statement is built once and each
    value goes through its column type's bind processor, as SQLAlchemy would do, without
    SQLAlchemy's per-row bookkeeping (which dominates a rebuild)."""
    sql = _table_sql(table, connection.dialect)
    connection.exec_driver_sql(sql.insert, _parameters(rows, sql.insert_values, sql.bind))


def update_rows(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Update many stored rows, every column but the key, by their primary keys."""
    sql = _table_sql(table, connection.dialect)
    connection.exec_driver_sql(sql.update, _parameters(rows, sql.update_values, sql.update_bind))


def fetch_rows(connection: Connection, table: Table, leads: list[Any]) -> list[Row]:
    """The stored rows whose first key column is one of `leads` (an index prefix every
    database uses, where SQLite scans the table for a row-value IN; the few extra rows
    are harmless)."""
    sql = _table_sql(table, connection.dialect)
    columns, processors, found = sql.columns, sql.result, []
    for start in range(0, len(leads), _CHUNK):
        chunk = tuple(leads[start : start + _CHUNK])
        result = connection.exec_driver_sql(sql.keys_clause(len(chunk)), chunk)
        for stored in result.fetchall():
            values = list(stored)
            for i, process in processors:
                values[i] = process(values[i])
            found.append(dict(zip(columns, values, strict=True)))
    return found
