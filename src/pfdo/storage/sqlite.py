"""The SQLite store: pfdo's own SQL on the library's tables, and its private insert.

The library's SQLite recorder keeps events in `stored_events` (the log position is the
table's `rowid`, which the library's notification ids are) and snapshots in
`stored_snapshots`, both keyed by (originator_id, originator_version), the id as 32 hex
digits. Queries go through the recorder's own datastore, so they share its connection
pool and its lock timeout. A read is one statement on the pool's autocommit connection,
without the library's `BEGIN ... ROLLBACK` around it: one statement reads one snapshot of
the database anyway (WAL), so a load reads each id's latest snapshot and the events after
it in one statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteDatastore,
)

from pfdo.storage import LoggedEvent, ReadChangedMeanwhile, changed_since

_COLUMNS = "originator_id, originator_version, topic, state"
# The events of each id after that id's own version: one index range per id. (A single
# lower bound for a whole batch read every event of an aggregate without a snapshot and,
# for the rest, eight times the rows it used.)
_EVENTS_AFTER = """
WITH wanted(id, after) AS (VALUES {bounds})
SELECT e.originator_id, e.originator_version, e.topic, e.state
  FROM wanted CROSS JOIN {events} e
 WHERE e.originator_id = wanted.id AND e.originator_version > wanted.after
 ORDER BY e.originator_id, e.originator_version
"""
# The last version of each id: an index seek to each id's last entry.
_LATEST_VERSIONS = """
SELECT originator_id, MAX(originator_version) FROM {events}
 WHERE originator_id IN ({ids}) GROUP BY originator_id
"""
# Each id's latest snapshot (flagged 1) and its events after that snapshot's version (0):
# an index seek for the snapshot's version, one index range for the events.
_LOAD = """
WITH wanted(id) AS (VALUES {ids}),
 since(id, v) AS (SELECT id, (SELECT MAX(s.originator_version) FROM {snapshots} s
                              WHERE s.originator_id = wanted.id) FROM wanted)
SELECT 1, s.originator_id, s.originator_version, s.topic, s.state
  FROM since CROSS JOIN {snapshots} s
 WHERE s.originator_id = since.id AND s.originator_version = since.v
UNION ALL
SELECT 0, e.originator_id, e.originator_version, e.topic, e.state
  FROM since CROSS JOIN {events} e
 WHERE e.originator_id = since.id AND e.originator_version > coalesce(since.v, 0)
 ORDER BY 1, 2, 3
"""
_DELETE_SUPERSEDED = "DELETE FROM {snapshots} WHERE originator_id = ? AND originator_version <= ?"


#: Statements each connection keeps prepared. (The library opens its connections with
#: `cached_statements=True`, a cache of one: every command's statements, its `BEGIN`,
#: inserts, `COMMIT` and reads, evicted each other and were prepared again each time.)
STATEMENT_CACHE = 128


def configure_connections(
    datastore: SQLiteDatastore, synchronous: str, busy_timeout: float | None = None
) -> None:
    """Have the datastore's pool open its connections as pfdo needs them: as the library
    does (autocommit, its lock timeout, WAL, rows as `sqlite3.Row`), with a statement cache
    of `STATEMENT_CACHE`, `PRAGMA synchronous=<synchronous>` ("full" or "normal") and a
    busy timeout of `busy_timeout` seconds (None: the pool's lock timeout). It
    replaces the pool's private `_create_connection` on this one pool; call it before the
    pool opens its first connection, as `EventLog.construct_factory` does."""
    if synchronous not in ("full", "normal"):
        raise ValueError(f"synchronous={synchronous!r}: full or normal")
    pool = datastore.pool

    def create_connection() -> SQLiteConnection:
        try:
            connection = sqlite3.connect(
                database=pool.db_name,
                uri=True,
                check_same_thread=False,  # the pool hands it to one thread at a time
                isolation_level=None,  # autocommit: transactions are begun explicitly
                cached_statements=STATEMENT_CACHE,
                timeout=busy_timeout
                if busy_timeout is not None
                else pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not pool.is_sqlite_memory_mode and not pool.is_journal_mode_wal:
            (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
            if mode.lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
                pool.journal_mode_was_changed_to_wal = True
            pool.is_journal_mode_wal = True
        connection.execute(f"PRAGMA synchronous={synchronous.upper()}")
        connection.row_factory = sqlite3.Row  # the library's own reads take rows by name
        return SQLiteConnection(sqlite_conn=connection, max_age=pool.max_age)

    pool._create_connection = create_connection  # type: ignore[method-assign]


def _latest_versions(cursor: Any, table: str, ids: Sequence[UUID]) -> dict[UUID, int]:
    """The last version of each of `ids` that has events in `table`, read with `cursor`
    (any with `execute` and `fetchall`: inside a transaction or not)."""
    by_hex = {i.hex: i for i in ids}
    cursor.execute(_LATEST_VERSIONS.format(ids=",".join("?" * len(ids)), events=table), [*by_hex])
    return {by_hex[key]: version for key, version in cursor.fetchall()}


class GuardedRecorder(SQLiteApplicationRecorder):
    """The library's application recorder, its insert checking in its own transaction that
    the aggregates a decision only read are still as it read them.

    The events go first: the insert takes the database's write lock, so no other save can
    commit between the check that follows and this save's commit, and the check reads the
    latest state (a writer's snapshot is always the latest)."""

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        unchanged: Mapping[UUID, int] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Insert, and return the events' log positions. `unchanged`: {id: version} of
        aggregates the decision only read; if any has an event after that version, the
        transaction is rolled back (nothing written) and `ReadChangedMeanwhile` raised."""
        with self.datastore.transaction(commit=True) as cursor:
            positions = self._insert_events(cursor, stored_events, **kwargs)
            if unchanged:
                latest = _latest_versions(cursor, self.events_table_name, list(unchanged))
                if changed_since(unchanged, latest):
                    raise ReadChangedMeanwhile("an aggregate the decision read has changed since")
        return positions


class SQLiteStorage:
    """`pfdo.storage.EventStorage` on the library's SQLite recorders."""

    def __init__(
        self, events: SQLiteApplicationRecorder, snapshots: SQLiteAggregateRecorder | None
    ) -> None:
        self._events, self._snapshots = events, snapshots

    @property
    def _snapshots_table(self) -> str:
        assert self._snapshots is not None
        return self._snapshots.events_table_name

    def events_after(self, bounds: Mapping[UUID, int]) -> list[LoggedEvent]:
        marks = ",".join(["(?,?)"] * len(bounds))
        query = _EVENTS_AFTER.format(bounds=marks, events=self._events.events_table_name)
        params = [p for key, version in bounds.items() for p in (key.hex, version)]
        return self._rows(query, params, bounds)

    def load(self, ids: Sequence[UUID]) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
        if self._snapshots is None:
            return [], self.events_after(dict.fromkeys(ids, 0))
        query = _LOAD.format(
            ids=",".join(["(?)"] * len(ids)),
            snapshots=self._snapshots_table,
            events=self._events.events_table_name,
        )
        by_hex = {i.hex: i for i in ids}
        snapshots: list[LoggedEvent] = []
        events: list[LoggedEvent] = []
        for flag, key, version, topic, state in self._fetch(query, list(by_hex)):
            logged = LoggedEvent(0, by_hex.get(key) or UUID(key), version, topic, state)
            (snapshots if flag else events).append(logged)
        return snapshots, events

    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        with self._events.datastore.get_connection(commit=False) as connection:
            cursor = connection._sqlite_conn.cursor()
            return _latest_versions(cursor, self._events.events_table_name, ids)

    def _fetch(self, statement: str, params: list[Any]) -> list[Any]:
        """The rows of one read-only statement, on an autocommit connection of the pool
        (`sqlite3` errors reach `pfdo.storage.store.store_errors` as they are)."""
        with self._events.datastore.get_connection(commit=False) as connection:
            return connection._sqlite_conn.execute(statement, params).fetchall()

    def _rows(self, statement: str, params: list[Any], ids: Iterable[UUID]) -> list[LoggedEvent]:
        rows = self._fetch(statement, params)
        by_hex = {i.hex: i for i in ids}  # one UUID object per aggregate, not one per row
        return [LoggedEvent(0, by_hex.get(r[0]) or UUID(r[0]), r[1], r[2], r[3]) for r in rows]

    def replace_snapshots(
        self, superseded: Sequence[tuple[UUID, int]], stored: Sequence[StoredEvent]
    ) -> None:
        recorder = self._snapshots
        if recorder is None:
            return
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                _DELETE_SUPERSEDED.format(snapshots=recorder.events_table_name),
                [(i.hex, v) for i, v in superseded],
            )
            recorder._insert_events(cursor, stored)

    def _positioned(self, where: str, params: list[Any]) -> list[LoggedEvent]:
        table = self._events.events_table_name
        statement = f"SELECT rowid, {_COLUMNS} FROM {table} {where}"
        return [LoggedEvent(*row) for row in self._fetch(statement, params)]

    def read_log(self, after: int, limit: int) -> list[LoggedEvent]:
        return self._positioned("WHERE rowid > ? ORDER BY rowid LIMIT ?", [after, limit])

    def read_aggregate_log(self, aggregate_id: UUID) -> list[LoggedEvent]:
        where = "WHERE originator_id = ? ORDER BY originator_version"
        return self._positioned(where, [aggregate_id.hex])
