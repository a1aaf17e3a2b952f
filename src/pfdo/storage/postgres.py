"""The PostgreSQL store: pfdo's own SQL on the library's tables, and its private insert.

The library's PostgreSQL recorder keeps events in `<application>_events` (here
`pfdo_events`) with a `notification_id` column (the log position: increasing in commit
order because inserts lock the table; a refused save leaves a gap, for the sequence is not
transactional) and snapshots in `pfdo_snapshots`, both keyed by
(originator_id, originator_version) in the datastore's schema, the id typed as the
datastore's `originator_id_type`. Queries go through the recorder's own datastore
(rows come back as dicts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.sql import SQL, Composable, Composed, Identifier

from pfdo.storage import LoggedEvent, ReadChangedMeanwhile

_COLUMNS = "originator_id, originator_version, topic, state"
# The events of each id after that id's own version: one index range per id.
_EVENTS_AFTER = """
SELECT e.originator_id, e.originator_version, e.topic, e.state
  FROM unnest(%s::{id_type}[], %s::bigint[]) AS wanted(id, after)
  JOIN {events} e ON e.originator_id = wanted.id AND e.originator_version > wanted.after
 ORDER BY e.originator_id, e.originator_version
"""
# A load in one statement: each id's latest snapshot (an index seek backwards from its
# last version), then each id's events after it. Snapshots come first (`snapshot` true).
_LOAD = """
WITH wanted AS MATERIALIZED (
  SELECT w.id, s.originator_version AS v, s.topic, s.state
    FROM unnest(%s::{id_type}[]) AS w(id)
    LEFT JOIN LATERAL (
      SELECT originator_version, topic, state FROM {snapshots}
       WHERE originator_id = w.id ORDER BY originator_version DESC LIMIT 1
    ) s ON true
)
SELECT true AS snapshot, id AS originator_id, v AS originator_version, topic, state
  FROM wanted WHERE v IS NOT NULL
UNION ALL
SELECT false, e.originator_id, e.originator_version, e.topic, e.state
  FROM wanted JOIN {events} e
    ON e.originator_id = wanted.id AND e.originator_version > COALESCE(wanted.v, 0)
ORDER BY 1 DESC, 2, 3
"""
# The last version of each id: an index seek to each id's last entry.
_LATEST_VERSIONS = """
SELECT originator_id, MAX(originator_version) AS version FROM {events}
 WHERE originator_id = ANY(%s) GROUP BY originator_id
"""
_STATEMENTS = {
    "events after": _EVENTS_AFTER,
    "load": _LOAD,
    "latest versions": _LATEST_VERSIONS,
}
_DELETE_SUPERSEDED = "DELETE FROM {snapshots} WHERE originator_id = %s AND originator_version <= %s"


def _uuid(key: Any) -> UUID:
    return key if isinstance(key, UUID) else UUID(str(key))


def _table(recorder: PostgresAggregateRecorder) -> Composed:
    """The recorder's table, qualified with its datastore's schema."""
    schema = Identifier(recorder.datastore.schema)
    return SQL("{}.{}").format(schema, Identifier(recorder.events_table_name))


class OneTripRecorder(PostgresApplicationRecorder):
    """The library's application recorder, its insert sent in one round trip.

    The library pipelines `BEGIN`, its table lock, `NOTIFY` and the `INSERT`, waits for
    them, then sends `COMMIT` and waits again: two round trips, the table lock held
    across the client's turn between them (with more writers than cores, for as long as
    the client waits for a core). Here the `COMMIT` goes in the same pipeline and the
    client waits once; the server holds the lock only while it inserts and commits. The
    lock and the notification are the library's own statements, so the log's order
    (commit order is notification order) is kept; the rows go as four plain arrays
    rather than one array of the library's composite type (cheaper to encode), and every
    statement is rendered once. A refused insert (a conflict) makes the server skip the
    rest up to the pipeline's sync, the `COMMIT` included; the transaction is then
    rolled back and the error raised as the library raises it.
    """

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        unchanged: Mapping[UUID, int] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Insert, and return the events' log positions. `unchanged`: {id: version} of
        aggregates the decision only read; the insert (under the table lock, so no
        other save can come between) writes nothing if any has an event after that
        version, and `ReadChangedMeanwhile` is raised."""
        if not stored_events:
            return None
        columns: tuple[list[Any], list[int], list[str], list[bytes]] = ([], [], [], [])
        for e in stored_events:
            columns[0].append(e.originator_id)
            columns[1].append(e.originator_version)
            columns[2].append(e.topic)
            columns[3].append(e.state)
        ids: list[int] = []
        failed: psycopg.Error | None = None
        with self.datastore.get_connection() as connection:
            assert connection.autocommit
            try:
                with connection.pipeline() as pipeline, connection.cursor() as cursor:
                    try:
                        cursor.execute(b"BEGIN")
                        for statement in self._before_insert:
                            cursor.execute(statement, prepare=True)
                        if unchanged:
                            guard = [*columns, list(unchanged), list(unchanged.values())]
                            cursor.execute(self._guarded_insert, guard, prepare=True)
                        else:
                            cursor.execute(self._insert, columns, prepare=True)
                        with connection.cursor() as commit:
                            commit.execute(b"COMMIT")
                        pipeline.sync()
                        ids = [row["notification_id"] for row in cursor.fetchall()]
                    except psycopg.Error as error:
                        failed = error  # raised once out of the pipeline
            except psycopg.Error as error:
                # leaving the pipeline reports what it skipped after the first error
                # ("pipeline aborted"): the first error is the one that says why
                failed = failed or error
            if failed is not None:
                connection.rollback()  # the aborted block the skipped COMMIT left open
                raise failed
        if unchanged and not ids:
            raise ReadChangedMeanwhile("an aggregate the decision read has changed since")
        if len(ids) != len(stored_events):
            raise psycopg.ProgrammingError(
                f"the insert returned {len(ids)} notification ids for {len(stored_events)} events"
            )
        return ids

    @cached_property
    def _before_insert(self) -> tuple[bytes, ...]:
        """The library's lock statements and its notification, rendered once."""
        notify = SQL("NOTIFY {}").format(Identifier(self.channel_name))
        return tuple(_rendered(s) for s in (*self.lock_table_statements, notify))

    @cached_property
    def _insert(self) -> bytes:
        return self._render(_INSERT.format(guard=""))

    @cached_property
    def _guarded_insert(self) -> bytes:
        return self._render(_INSERT.format(guard=_UNCHANGED))

    def _render(self, text: str) -> bytes:
        id_type = SQL(self.datastore.originator_id_type)
        return SQL(text).format(table=_table(self), id_type=id_type).as_bytes()


_INSERT = f"""
INSERT INTO {{{{table}}}} ({_COLUMNS})
SELECT * FROM unnest(%s::{{{{id_type}}}}[], %s::bigint[], %s::text[], %s::bytea[]){{guard}}
RETURNING notification_id
"""
# none of the aggregates read has an event after the version the decision saw: one
# index seek per aggregate (LATERAL ... LIMIT 1; a plain join may be planned as a scan of
# the whole log, under the table lock)
_UNCHANGED = """
 WHERE NOT EXISTS (
  SELECT 1 FROM unnest(%s::{id_type}[], %s::bigint[]) AS seen(id, version)
   CROSS JOIN LATERAL (
    SELECT 1 FROM {table} e
     WHERE e.originator_id = seen.id AND e.originator_version > seen.version LIMIT 1
   ) later)"""


def _rendered(statement: Any) -> bytes:
    """A statement as the bytes psycopg would send (rendered once, not per execute)."""
    if isinstance(statement, Composable):
        return statement.as_bytes()
    return statement.encode() if isinstance(statement, str) else bytes(statement)


class PostgresStorage:
    """`pfdo.storage.EventStorage` on the library's PostgreSQL recorders."""

    def __init__(
        self, events: PostgresApplicationRecorder, snapshots: PostgresAggregateRecorder | None
    ) -> None:
        self._events, self._snapshots = events, snapshots
        id_type = SQL(events.datastore.originator_id_type)
        snapshot_table = _table(snapshots) if snapshots is not None else _table(events)
        # every statement rendered once (psycopg would render a composed one per execute)
        self._sql = {
            name: SQL(text)
            .format(events=_table(events), snapshots=snapshot_table, id_type=id_type)
            .as_bytes()
            for name, text in _STATEMENTS.items()
        }

    def events_after(self, bounds: Mapping[UUID, int]) -> list[LoggedEvent]:
        return self._rows(self._sql["events after"], [list(bounds), list(bounds.values())])

    def load(self, ids: Sequence[UUID]) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
        if self._snapshots is None:
            return [], self.events_after(dict.fromkeys(ids, 0))
        snapshots: list[LoggedEvent] = []
        events: list[LoggedEvent] = []
        for r in self._fetch(self._sql["load"], [list(ids)]):
            logged = LoggedEvent(
                0, r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )
            (snapshots if r["snapshot"] else events).append(logged)
        return snapshots, events

    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        rows = self._fetch(self._sql["latest versions"], [list(ids)])
        return {_uuid(r["originator_id"]): r["version"] for r in rows}

    def _rows(self, statement: bytes | Composed, params: list[Any]) -> list[LoggedEvent]:
        return [
            LoggedEvent(
                0, r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )
            for r in self._fetch(statement, params)
        ]

    def _fetch(self, statement: bytes | Composed, params: list[Any]) -> list[dict[str, Any]]:
        """The rows of one read-only statement, in one round trip: on the datastore's
        autocommit connection without `BEGIN ... ROLLBACK` around it (one statement sees
        one snapshot anyway), prepared on the server once per connection (a `ROLLBACK`
        would make psycopg drop every statement it prepared there, the recorder's
        inserts included)."""
        with self._events.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(statement, params, prepare=True)
            return cursor.fetchall()

    def replace_snapshots(
        self, superseded: Sequence[tuple[UUID, int]], stored: Sequence[StoredEvent]
    ) -> None:
        recorder = self._snapshots
        if recorder is None:
            return
        with recorder.datastore.transaction(commit=True) as cursor:
            statement = SQL(_DELETE_SUPERSEDED).format(snapshots=_table(recorder))
            cursor.executemany(statement, superseded)
            recorder._insert_stored_events(cursor, stored)

    def _positioned(self, where: str, params: list[Any]) -> list[LoggedEvent]:
        text = f"SELECT notification_id, {_COLUMNS} FROM {{table}} {where}"
        statement = SQL(text).format(table=_table(self._events))
        return [
            LoggedEvent(
                r["notification_id"],
                r["originator_id"],
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
            )
            for r in self._fetch(statement, params)
        ]

    def read_log(self, after: int, limit: int) -> list[LoggedEvent]:
        where = "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        return self._positioned(where, [after, limit])

    def read_aggregate_log(self, aggregate_id: UUID) -> list[LoggedEvent]:
        where = "WHERE originator_id = %s ORDER BY originator_version"
        return self._positioned(where, [aggregate_id])
