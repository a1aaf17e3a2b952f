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
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

from pfdo.storage import LoggedEvent

_COLUMNS = "originator_id, originator_version, topic, state"
# one id: a plain equality, which PostgreSQL 15 can also scan in index order
_LATEST_SNAPSHOT = f"""
SELECT {_COLUMNS} FROM {{snapshots}}
 WHERE originator_id = %s ORDER BY originator_version DESC LIMIT 1
"""
_LATEST_SNAPSHOTS = """
SELECT s.originator_id, s.originator_version, s.topic, s.state FROM {snapshots} s JOIN
 (SELECT originator_id AS id, MAX(originator_version) AS v FROM {snapshots}
  WHERE originator_id = ANY(%s) GROUP BY originator_id) m
 ON s.originator_id = m.id AND s.originator_version = m.v
"""
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
_DELETE_SUPERSEDED = "DELETE FROM {snapshots} WHERE originator_id = %s AND originator_version <= %s"


def _uuid(key: Any) -> UUID:
    return key if isinstance(key, UUID) else UUID(str(key))


def _table(recorder: PostgresAggregateRecorder) -> Composed:
    """The recorder's table, qualified with its datastore's schema."""
    schema = Identifier(recorder.datastore.schema)
    return SQL("{}.{}").format(schema, Identifier(recorder.events_table_name))


class PostgresStorage:
    """`pfdo.storage.EventStorage` on the library's PostgreSQL recorders."""

    def __init__(
        self, events: PostgresApplicationRecorder, snapshots: PostgresAggregateRecorder | None
    ) -> None:
        self._events, self._snapshots = events, snapshots

    def latest_snapshots(self, ids: Sequence[UUID]) -> list[LoggedEvent]:
        if self._snapshots is None:
            return []
        one = len(ids) == 1
        query = _LATEST_SNAPSHOT if one else _LATEST_SNAPSHOTS
        statement = SQL(query).format(snapshots=_table(self._snapshots))
        return self._rows(statement, [ids[0] if one else list(ids)])

    def events_after(self, bounds: Mapping[UUID, int]) -> list[LoggedEvent]:
        statement = SQL(_EVENTS_AFTER).format(
            id_type=SQL(self._events.datastore.originator_id_type),
            events=_table(self._events),
        )
        return self._rows(statement, [list(bounds), list(bounds.values())])

    def load(self, ids: Sequence[UUID]) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
        if self._snapshots is None:
            return [], self.events_after(dict.fromkeys(ids, 0))
        statement = SQL(_LOAD).format(
            id_type=SQL(self._events.datastore.originator_id_type),
            snapshots=_table(self._snapshots),
            events=_table(self._events),
        )
        snapshots: list[LoggedEvent] = []
        events: list[LoggedEvent] = []
        for r in self._fetch(statement, [list(ids)]):
            logged = LoggedEvent(
                0, r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )
            (snapshots if r["snapshot"] else events).append(logged)
        return snapshots, events

    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        statement = SQL(_LATEST_VERSIONS).format(events=_table(self._events))
        rows = self._fetch(statement, [list(ids)])
        return {_uuid(r["originator_id"]): r["version"] for r in rows}

    def _rows(self, statement: Composed, params: list[Any]) -> list[LoggedEvent]:
        return [
            LoggedEvent(
                0, r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )
            for r in self._fetch(statement, params)
        ]

    def _fetch(self, statement: Composed, params: list[Any]) -> list[dict[str, Any]]:
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
