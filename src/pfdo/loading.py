"""Reading the log in bulk: many aggregates with one query, and pages of the log.

The library's repository reads one aggregate per query. A billing run or a period close
needs thousands, so this module selects the stored events of a whole batch of ids at once
(`originator_id IN (...)`), in version order, and replays each aggregate from them.

Contracts and certificates are replayed from their latest snapshot when one is stored
(`save_snapshots`, which a billing run calls for the aggregates it has just saved), then
from the events after it. A snapshot is a cache of the state at a version, nothing more:
the log stays the record, the chain, rebuilds and audits never read snapshots, and
deleting every stored snapshot is always safe (loads then replay the whole log). Only
the latest snapshot of an aggregate is kept. Kinds the library snapshots on its own
(periods, programs, municipalities) load through its repository instead.

`read_log` reads a page of the log in order with one plain query, leaving the decoding
of each event to its reader (most readers skip most events).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, StoredEvent

from pfdo.store import EventLog

_CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


class LoggedEvent(NamedTuple):
    """One stored event at its position in the log, not yet decoded."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


# The latest snapshot of each of {ids}: for one id, an index seek from its last version.
_LATEST_SNAPSHOT = """
SELECT originator_id, originator_version, topic, state FROM {snapshots}
 WHERE originator_id IN ({ids}) ORDER BY originator_version DESC LIMIT 1
"""
_LATEST_SNAPSHOTS = """
SELECT s.originator_id, s.originator_version, s.topic, s.state FROM {snapshots} s JOIN
 (SELECT originator_id AS id, MAX(originator_version) AS v FROM {snapshots}
  WHERE originator_id IN ({ids}) GROUP BY originator_id) m
 ON s.originator_id = m.id AND s.originator_version = m.v
"""
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
_EVENTS_AFTER_POSTGRES = """
SELECT e.originator_id, e.originator_version, e.topic, e.state
  FROM unnest(%s::{id_type}[], %s::bigint[]) AS wanted(id, after)
  JOIN {schema}.{events} e ON e.originator_id = wanted.id AND e.originator_version > wanted.after
 ORDER BY e.originator_id, e.originator_version
"""


def _latest_snapshots(log: EventLog, ids: Sequence[UUID]) -> list[LoggedEvent]:
    if log.snapshots is None:
        return []
    tables = {"snapshots": log.snapshots.recorder.events_table_name}  # type: ignore[attr-defined]
    query = _LATEST_SNAPSHOT if len(ids) == 1 else _LATEST_SNAPSHOTS
    return _select(log, query, tables, ids)


def _events_after(log: EventLog, bounds: dict[UUID, int]) -> list[LoggedEvent]:
    """The stored events of each id in `bounds` after its version there, in version
    order for each id."""
    recorder: Any = log.recorder
    if _is_postgres(log):
        from psycopg.sql import SQL, Identifier

        statement = SQL(_EVENTS_AFTER_POSTGRES).format(
            id_type=SQL(recorder.datastore.originator_id_type),
            schema=Identifier(recorder.datastore.schema),
            events=Identifier(recorder.events_table_name),
        )
        return _postgres_rows(recorder, statement, [list(bounds), list(bounds.values())])
    marks = ",".join(["(?,?)"] * len(bounds))
    query = _EVENTS_AFTER.format(bounds=marks, events=recorder.events_table_name)
    params = [p for key, version in bounds.items() for p in (key.hex, version)]
    return _sqlite_rows(recorder, query, params, bounds)


def _select(
    log: EventLog, query: str, tables: dict[str, str], ids: Sequence[UUID]
) -> list[LoggedEvent]:
    """Run `query`, written for SQLite with `{ids}` for the list of ids and a name in
    braces for each of `tables`, on the store's database."""
    recorder: Any = log.recorder
    if _is_postgres(log):
        from psycopg.sql import SQL, Identifier

        schema = Identifier(recorder.datastore.schema)
        qualified = {k: SQL("{}.{}").format(schema, Identifier(v)) for k, v in tables.items()}
        # one id: a plain equality, which PostgreSQL 15 can also scan in index order
        one = len(ids) == 1
        text = query.replace("IN ({ids})", "= %s" if one else "= ANY(%s)")
        statement = SQL(text).format(**qualified)
        return _postgres_rows(recorder, statement, [ids[0] if one else list(ids)])
    text = query.format(ids=",".join("?" * len(ids)), **tables)
    return _sqlite_rows(recorder, text, [i.hex for i in ids], ids)


def _postgres_rows(recorder: Any, statement: Any, params: list[Any]) -> list[LoggedEvent]:
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        return [
            LoggedEvent(
                0, r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )
            for r in cursor.fetchall()
        ]


def _sqlite_rows(
    recorder: Any, statement: str, params: list[Any], ids: Iterable[UUID]
) -> list[LoggedEvent]:
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    by_hex = {i.hex: i for i in ids}  # one UUID object per aggregate, not one per row
    return [LoggedEvent(0, by_hex.get(r[0]) or UUID(r[0]), r[1], r[2], r[3]) for r in rows]


@dataclass
class LoadedBatch:
    """Aggregates loaded together, and the version of the snapshot each started from."""

    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)
    snapshot_versions: dict[UUID, int] = field(default_factory=dict)

    def replayed_at_length(self, at_least: int) -> list[Aggregate]:
        """The aggregates (as they are now, new events included) with `at_least` events
        that no stored snapshot holds."""
        return [
            a
            for key, a in self.aggregates.items()
            if a.version - self.snapshot_versions.get(key, 0) >= at_least
        ]


def load_batch(
    log: EventLog, ids: Iterable[UUID], decode: Callable[[LoggedEvent], Any]
) -> LoadedBatch:
    """Every aggregate of `ids` that exists: from its latest snapshot, if any, then its
    stored events after it (decoded by `decode`, e.g. a
    `pfdo.projections.decoding.EventDecoder` for every class)."""
    wanted = list(dict.fromkeys(ids))
    batch = LoadedBatch()
    found, versions = batch.aggregates, batch.snapshot_versions
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for snapshot in _latest_snapshots(log, chunk):
            found[snapshot.originator_id] = _from_snapshot(log, snapshot)
            versions[snapshot.originator_id] = snapshot.originator_version
        # the events after the snapshot each aggregate starts from (a snapshot stored
        # meanwhile changes nothing: events are never changed, only added)
        for stored in _events_after(log, {i: versions.get(i, 0) for i in chunk}):
            key = stored.originator_id
            found[key] = decode(stored).mutate(found.get(key))
    return batch


def load_many(
    log: EventLog, ids: Iterable[UUID], decode: Callable[[LoggedEvent], Any]
) -> dict[UUID, Aggregate]:
    """Every aggregate of `ids` that exists (see `load_batch`)."""
    return load_batch(log, ids, decode).aggregates


def _from_snapshot(log: EventLog, stored: LoggedEvent) -> Aggregate:
    snapshot = log.mapper.to_domain_event(
        StoredEvent(stored.originator_id, stored.originator_version, stored.topic, stored.state)
    )
    return snapshot.mutate(None)  # type: ignore[attr-defined,no-any-return]


def save_snapshots(log: EventLog, aggregates: Sequence[Aggregate]) -> None:
    """Store a snapshot of each aggregate at its current version, which must be saved
    (no pending events), replacing the older snapshots of the same aggregates."""
    if log.snapshots is None or not aggregates:
        return
    recorder: Any = log.snapshots.recorder
    stored = [log.mapper.to_stored_event(type(a).Snapshot.take(a)) for a in aggregates]
    superseded = [(a.id, a.version) for a in aggregates]
    # another process storing the same snapshot meanwhile is as good
    with contextlib.suppress(IntegrityError):
        _replace_snapshots(log, recorder, superseded, stored)


def _replace_snapshots(
    log: EventLog, recorder: Any, superseded: list[tuple[UUID, int]], stored: list[StoredEvent]
) -> None:
    """Delete the snapshots at or below the new versions, insert the new ones: one
    transaction, through the library's snapshot recorder and its own insert."""
    with recorder.datastore.transaction(commit=True) as cursor:
        if _is_postgres(log):
            from psycopg.sql import SQL, Identifier

            statement: Any = SQL(
                "DELETE FROM {schema}.{table} WHERE originator_id = %s AND originator_version <= %s"
            ).format(
                schema=Identifier(recorder.datastore.schema),
                table=Identifier(recorder.events_table_name),
            )
            cursor.executemany(statement, superseded)
            recorder._insert_stored_events(cursor, stored)
        else:
            cursor.executemany(
                f"DELETE FROM {recorder.events_table_name} WHERE originator_id = ? "
                "AND originator_version <= ?",
                [(i.hex, v) for i, v in superseded],
            )
            recorder._insert_events(cursor, stored)


def _is_postgres(log: EventLog) -> bool:
    return log.factory.__class__.__module__.endswith("postgres")


def _read_positioned(log: EventLog, where: str, params: list[Any]) -> list[LoggedEvent]:
    """Stored events with their log positions. `where` is written with `{position}` for
    the position column and `?` for parameters, and adapted to the store's dialect."""
    recorder: Any = log.recorder
    columns = "originator_id, originator_version, topic, state"
    if _is_postgres(log):
        from psycopg.sql import SQL, Identifier

        clause = where.format(position="notification_id").replace("?", "%s")
        statement: Any = SQL(
            "SELECT notification_id, " + columns + " FROM {schema}.{table} " + clause
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return [
                LoggedEvent(
                    r["notification_id"],
                    r["originator_id"],
                    r["originator_version"],
                    r["topic"],
                    bytes(r["state"]),
                )
                for r in cursor.fetchall()
            ]
    clause = where.format(position="rowid")
    statement = f"SELECT rowid, {columns} FROM {recorder.events_table_name} {clause}"
    sqlite_params = [p.hex if isinstance(p, UUID) else p for p in params]
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, sqlite_params)
        return [LoggedEvent(*row) for row in cursor.fetchall()]


def read_log(log: EventLog, after: int, limit: int) -> list[LoggedEvent]:
    """Up to `limit` events after position `after`, in log order."""
    return _read_positioned(log, "WHERE {position} > ? ORDER BY {position} LIMIT ?", [after, limit])


def read_aggregate_log(log: EventLog, aggregate_id: UUID) -> list[LoggedEvent]:
    """One aggregate's events with their log positions, in version order."""
    return _read_positioned(
        log, "WHERE originator_id = ? ORDER BY originator_version", [aggregate_id]
    )
