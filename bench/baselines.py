"""The peers that pfdo's figures are divided by: what the database and the library can do
on their own, on the same disk, with the same settings, in the same run.

- single commits: one single-row insert + commit per transaction, in a table shaped like
  the library's `stored_events`, on a connection opened as the library opens it (WAL,
  autocommit with explicit BEGIN, synchronous left at its default);
- executemany: many such rows inserted in one transaction;
- raw read: `SELECT state FROM stored_events` and `json.loads` of every row;
- library read: the recorder's `select_notifications` in pages of 1,000 and the
  mapper's `to_domain_event` for each, i.e. the library's own notification reading.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

PAGE = 1000
_TOPIC = "pfdo.domain.certificate:Certificate.Charged"
_CREATE = (
    "CREATE TABLE IF NOT EXISTS raw_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
_INSERT = "INSERT INTO raw_events VALUES (?,?,?,?)"


@contextmanager
def library_like_connection(path: str) -> Iterator[sqlite3.Connection]:
    """A SQLite connection opened as eventsourcing's SQLite datastore opens one."""
    connection = sqlite3.connect(
        path, uri=True, check_same_thread=False, isolation_level=None, timeout=30
    )
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        yield connection
    finally:
        connection.close()


def sqlite_settings(path: str) -> dict[str, str]:
    """journal_mode and synchronous as a library-like connection sees them on `path`."""
    with library_like_connection(path) as connection:
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        sync = connection.execute("PRAGMA synchronous").fetchone()[0]
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return {"journal_mode": str(journal), "synchronous": f"{sync} ({names.get(sync, '?')})"}


def _rows(count: int, state_size: int) -> list[tuple[str, int, str, bytes]]:
    state = json.dumps({"pad": "x" * max(0, state_size - 12)}).encode()
    return [(uuid.uuid4().hex, 1, _TOPIC, state) for _ in range(count)]


def single_commits(path: str, count: int, state_size: int) -> float:
    """Transactions per second: BEGIN, one INSERT, COMMIT, `count` times."""
    rows = _rows(count, state_size)
    with library_like_connection(path) as connection:
        connection.execute(_CREATE)
        started = time.perf_counter()
        for row in rows:
            connection.execute("BEGIN")
            connection.execute(_INSERT, row)
            connection.execute("COMMIT")
        return count / (time.perf_counter() - started)


def executemany(path: str, count: int, state_size: int) -> float:
    """Rows per second: `count` rows by one `executemany` in one transaction."""
    rows = _rows(count, state_size)
    with library_like_connection(path) as connection:
        connection.execute(_CREATE)
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany(_INSERT, rows)
        connection.execute("COMMIT")
        return count / (time.perf_counter() - started)


def raw_read_sqlite(path: str, table: str) -> tuple[int, float]:
    """(events, seconds) to select every stored state and decode it with json.loads."""
    with closing(sqlite3.connect(path)) as connection:
        started = time.perf_counter()
        count = 0
        for (state,) in connection.execute(f"SELECT state FROM {table} ORDER BY rowid"):
            json.loads(state)
            count += 1
        return count, time.perf_counter() - started


def raw_read_postgres(dsn: str, table: str) -> tuple[int, float]:
    """(events, seconds) to select every stored state from PostgreSQL and decode it."""
    import psycopg

    with psycopg.connect(dsn) as connection, connection.cursor(name="raw_read") as cursor:
        started = time.perf_counter()
        cursor.itersize = 10_000
        cursor.execute(f"SELECT state FROM {table} ORDER BY notification_id")
        count = 0
        for (state,) in cursor:
            json.loads(bytes(state))
            count += 1
        return count, time.perf_counter() - started


def library_read(log: Any) -> tuple[int, float]:
    """(events, seconds) for the library's notification reading, pages of 1,000, each
    notification turned into a domain event by the application's mapper."""
    recorder, to_event = log.recorder, log.mapper.to_domain_event
    started = time.perf_counter()
    count = after = 0
    while notifications := recorder.select_notifications(start=after + 1, limit=PAGE):
        for notification in notifications:
            to_event(notification)
        count += len(notifications)
        after = notifications[-1].id
    return count, time.perf_counter() - started


def postgres_single_commits(dsn: str, count: int, state_size: int) -> float:
    """Transactions per second on PostgreSQL: one single-row insert + commit each."""
    import psycopg

    rows = _rows(count, state_size)
    with psycopg.connect(dsn) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (originator_id TEXT, "
            "originator_version INTEGER, topic TEXT, state BYTEA, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        connection.commit()
        started = time.perf_counter()
        for row in rows:
            connection.execute(_INSERT.replace("?", "%s"), row)
            connection.commit()
        return count / (time.perf_counter() - started)


def scratch_file(directory: str, name: str) -> str:
    """A fresh file name in `directory` (removing a leftover of an earlier call)."""
    path = os.path.join(directory, name)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def copy_sqlite(source: str, target: str) -> str:
    """A consistent copy of a SQLite store (WAL included), via the backup API."""
    scratch_file(os.path.dirname(target), os.path.basename(target))
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


@contextmanager
def raw_report_queries(path: str, number: str, as_of: str) -> Iterator[dict[str, Any]]:
    """The read models' rows behind `balance`, `balance --as-of` and `history`, selected
    with plain sqlite3 (no catch-up, no validation, no result objects)."""
    with closing(sqlite3.connect(path)) as connection:
        queries = {
            "balance": ("SELECT * FROM pfdo_balances WHERE number=? ORDER BY period", (number,)),
            "as-of": (
                'SELECT period, kind, amount FROM pfdo_movements WHERE number=? AND "on"<=? '
                "ORDER BY seq",
                (number, as_of),
            ),
            "history": ("SELECT * FROM pfdo_movements WHERE number=? ORDER BY seq", (number,)),
        }

        def runner(sql: str, params: tuple[str, ...]) -> Any:
            return lambda: connection.execute(sql, params).fetchall()

        yield {name: runner(sql, params) for name, (sql, params) in queries.items()}
