"""Reading the log in bulk: many aggregates with one query, and pages of the log.

The library's repository reads one aggregate per query. A billing run or a period close
needs thousands, so this module selects the stored events of a whole batch of ids at once
(`originator_id IN (...)`), in version order, and replays each aggregate from them. Only
kinds that are never snapshotted are loaded this way (their log is all they have).
`read_log` reads a page of the log in order with one plain query, leaving the decoding
of each event to its reader (most readers skip most events).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.store import EventLog

_CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


class LoggedEvent(NamedTuple):
    """One stored event at its position in the log, not yet decoded."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def _select_sqlite(log: EventLog, ids: Sequence[UUID]) -> list[LoggedEvent]:
    recorder: Any = log.recorder
    marks = ",".join("?" * len(ids))
    statement = (
        f"SELECT 0, originator_id, originator_version, topic, state FROM "
        f"{recorder.events_table_name} WHERE originator_id IN ({marks}) "
        "ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [i.hex for i in ids])
        return [
            LoggedEvent(0, UUID(r[1]) if isinstance(r[1], str) else r[1], r[2], r[3], r[4])
            for r in cursor.fetchall()
        ]


def _select_postgres(log: EventLog, ids: Sequence[UUID]) -> list[LoggedEvent]:
    from psycopg.sql import SQL, Identifier

    recorder: Any = log.recorder
    statement = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, [list(ids)])
        return [
            LoggedEvent(
                0, r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
            )
            for r in cursor.fetchall()
        ]


def load_many(
    log: EventLog, ids: Iterable[UUID], decode: Callable[[LoggedEvent], Any]
) -> dict[UUID, Aggregate]:
    """Every aggregate of `ids` that exists, replayed from its stored events (decoded by
    `decode`, e.g. a `pfdo.projections.decoding.EventDecoder` for every class)."""
    wanted = list(dict.fromkeys(ids))
    select = _select_postgres if _is_postgres(log) else _select_sqlite
    found: dict[UUID, Aggregate] = {}
    for start in range(0, len(wanted), _CHUNK):
        for stored in select(log, wanted[start : start + _CHUNK]):
            key = stored.originator_id
            found[key] = decode(stored).mutate(found.get(key))
    return found


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
