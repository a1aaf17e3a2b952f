"""Reading the log in bulk: many aggregates with one query, and pages of the log.

The library's repository reads one aggregate per query. A billing run or a period close
needs thousands, so this module selects the stored events of a whole batch of ids at once
(`originator_id IN (...)`), in version order, and replays each aggregate from them. Only
kinds that are never snapshotted are loaded this way (their log is all they have).
`read_log` reads a page of the log in order with one plain query, leaving the decoding
of each event to its reader (most readers skip most events).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from pfdo.store import EventLog

_CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


def _select_sqlite(log: EventLog, ids: Sequence[UUID]) -> list[StoredEvent]:
    recorder: Any = log.recorder
    marks = ",".join("?" * len(ids))
    statement = (
        f"SELECT originator_id, originator_version, topic, state FROM "
        f"{recorder.events_table_name} WHERE originator_id IN ({marks}) "
        "ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [i.hex for i in ids])
        return [
            StoredEvent(
                originator_id=UUID(row[0]) if isinstance(row[0], str) else row[0],
                originator_version=row[1],
                topic=row[2],
                state=row[3],
            )
            for row in cursor.fetchall()
        ]


def _select_postgres(log: EventLog, ids: Sequence[UUID]) -> list[StoredEvent]:
    from psycopg.sql import SQL, Identifier

    recorder: Any = log.recorder
    statement = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name)
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [list(ids)])
        return [
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in cursor.fetchall()
        ]


def load_many(log: EventLog, ids: Iterable[UUID]) -> dict[UUID, Aggregate]:
    """Every aggregate of `ids` that exists, replayed from its stored events."""
    wanted = list(dict.fromkeys(ids))
    select = _select_postgres if _is_postgres(log) else _select_sqlite
    to_event = log.mapper.to_domain_event
    found: dict[UUID, Aggregate] = {}
    for start in range(0, len(wanted), _CHUNK):
        for stored in select(log, wanted[start : start + _CHUNK]):
            key = stored.originator_id
            assert isinstance(key, UUID)
            event: Any = to_event(stored)
            found[key] = event.mutate(found.get(key))
    return found


class LoggedEvent(NamedTuple):
    """One stored event at its position in the log, not yet decoded."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def _is_postgres(log: EventLog) -> bool:
    return log.factory.__class__.__module__.endswith("postgres")


def read_log(log: EventLog, after: int, limit: int) -> list[LoggedEvent]:
    """Up to `limit` events after position `after`, in log order."""
    recorder: Any = log.recorder
    if _is_postgres(log):
        from psycopg.sql import SQL, Identifier

        statement: Any = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {schema}.{table} WHERE notification_id > %s ORDER BY notification_id "
            "LIMIT %s"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [after, limit])
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
    statement = (
        f"SELECT rowid, originator_id, originator_version, topic, state FROM "
        f"{recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [after, limit])
        return [LoggedEvent(*row) for row in cursor.fetchall()]


def read_aggregate_log(log: EventLog, aggregate_id: UUID) -> list[LoggedEvent]:
    """One aggregate's events with their log positions, in version order."""
    recorder: Any = log.recorder
    if _is_postgres(log):
        from psycopg.sql import SQL, Identifier

        statement: Any = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {schema}.{table} WHERE originator_id = %s ORDER BY originator_version"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [aggregate_id])
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
    statement = (
        f"SELECT rowid, originator_id, originator_version, topic, state FROM "
        f"{recorder.events_table_name} WHERE originator_id = ? "
        "ORDER BY originator_version"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [aggregate_id.hex])
        return [LoggedEvent(*row) for row in cursor.fetchall()]
