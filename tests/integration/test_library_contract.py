"""The `eventsourcing` behaviour pfdo relies on beyond the library's public API, pinned.

`pfdo.storage` reads and writes the library's tables with its own SQL and calls private
methods of its application and recorders. These tests fail first, and say what changed,
when an upgrade of the library moves any of it: the version, the private methods and
their parameters, the tables and columns the SQL reads, the atomic and optimistic
`save`, gapless notification ids, and snapshots stored where the SQL looks for them.
"""

from __future__ import annotations

import inspect
import sqlite3
import tomllib
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import RecordConflictError
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteConnection, SQLiteDatastore

from pfdo.storage import EVENTSOURCING_VERSION
from pfdo.storage.loading import load_many, read_aggregate_log, read_log
from pfdo.storage.sqlite import configure_connections
from pfdo.storage.store import EventLog, StoreURL, open_event_log

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


class Counter(Aggregate):
    """A throw-away aggregate: pfdo's storage must not care what it stores."""

    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


@pytest.fixture
def log(db_url: str) -> Iterator[EventLog]:
    opened = open_event_log(StoreURL.parse(db_url))
    try:
        yield opened
    finally:
        opened.close()


def _counted(log: EventLog, times: int) -> Counter:
    counter = Counter()
    for _ in range(times):
        counter.count_one()
    log.save(counter)
    return counter


def _columns(log: EventLog, table: str) -> list[str]:
    recorder: Any = log.recorder
    with recorder.datastore.transaction(commit=False) as cursor:
        if _is_sqlite(log):
            cursor.execute(f"PRAGMA table_info({table})")
            return [row[1] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (recorder.datastore.schema, table),
        )
        return [row["column_name"] for row in cursor.fetchall()]


def _is_sqlite(log: EventLog) -> bool:
    return isinstance(log.recorder.datastore, SQLiteDatastore)  # type: ignore[attr-defined]


def _parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


# -- the version ------------------------------------------------------------------------


def test_the_installed_library_is_the_release_the_storage_modules_were_written_against() -> None:
    installed = version("eventsourcing")
    assert installed == EVENTSOURCING_VERSION, (
        f"eventsourcing {installed} is installed, but pfdo.storage was written against "
        f"{EVENTSOURCING_VERSION}: check pfdo/storage/*.py and the other tests of this "
        "file against the new release, then raise EVENTSOURCING_VERSION and the pin"
    )


def test_pyproject_pins_the_release_the_storage_modules_were_written_against() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert f"eventsourcing[postgres]=={EVENTSOURCING_VERSION}" in dependencies


# -- the private methods, as pfdo calls them -------------------------------------------


def test_the_application_s_private_steps_of_save_take_what_pfdo_passes() -> None:
    assert _parameters(Application._record) == ["self", "processing_event"]
    assert _parameters(Application._take_snapshots) == ["self", "processing_event"]
    assert _parameters(Application._notify) == ["self", "recordings"]
    processing = ProcessingEvent[UUID]()
    assert (processing.events, processing.aggregates, processing.saved_kwargs) == ([], {}, {})
    assert callable(processing.collect_events)


def test_the_snapshot_recorders_private_inserts_take_a_cursor_and_stored_events() -> None:
    assert _parameters(SQLiteAggregateRecorder._insert_events) == [
        "self",
        "c",
        "stored_events",
        "_",
    ]
    assert _parameters(PostgresAggregateRecorder._insert_stored_events) == [
        "self",
        "curs",
        "stored_events",
        "_",
    ]


def test_the_datastores_open_transactions_with_and_without_commit() -> None:
    for datastore in (SQLiteDatastore, PostgresDatastore):
        commit = inspect.signature(datastore.transaction).parameters["commit"]
        assert commit.kind is inspect.Parameter.KEYWORD_ONLY


def test_a_store_s_recorders_expose_what_the_storage_modules_read(log: EventLog) -> None:
    recorder: Any = log.recorder
    assert log.snapshots is not None
    snapshots: Any = log.snapshots.recorder
    assert snapshots.datastore is recorder.datastore  # one database, one pool
    if not _is_sqlite(log):
        assert recorder.datastore.schema == "public"
        assert recorder.datastore.originator_id_type == "uuid"
        assert recorder.channel_name == "pfdo_events"  # pfdo.application.follower listens on it


# -- the tables and columns the SQL reads ----------------------------------------------


def test_the_events_and_snapshots_live_in_the_tables_the_sql_reads(log: EventLog) -> None:
    assert log.snapshots is not None
    events: Any = log.recorder
    snapshots: Any = log.snapshots.recorder
    if _is_sqlite(log):
        assert (events.events_table_name, snapshots.events_table_name) == (
            "stored_events",
            "stored_snapshots",
        )
    else:
        assert (events.events_table_name, snapshots.events_table_name) == (
            "pfdo_events",
            "pfdo_snapshots",
        )
    stored = ["originator_id", "originator_version", "topic", "state"]
    position = [] if _is_sqlite(log) else ["notification_id"]  # SQLite: the rowid
    assert _columns(log, events.events_table_name) == stored + position
    assert _columns(log, snapshots.events_table_name) == stored


def test_pfdo_s_reads_give_what_the_library_s_own_reads_give(log: EventLog) -> None:
    counters = [_counted(log, n) for n in (3, 1, 2)]
    notifications = log.recorder.select_notifications(start=1, limit=100)  # type: ignore[attr-defined]
    page = read_log(log, 0, 100)
    assert [n.id for n in page] == [n.id for n in notifications]
    assert [(UUID(str(e.originator_id)), e.originator_version, e.topic, e.state) for e in page] == [
        (n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
    ]
    assert read_log(log, page[1].id, 2) == page[2:4]
    first = counters[0]
    assert [e.originator_version for e in read_aggregate_log(log, first.id)] == [1, 2, 3, 4]
    after = log.storage.events_after({first.id: 2, counters[2].id: 0})
    assert [(e.originator_id, e.originator_version) for e in after] == sorted(
        [
            (first.id, 3),
            (first.id, 4),
            (counters[2].id, 1),
            (counters[2].id, 2),
            (counters[2].id, 3),
        ]
    )


# -- save: atomic, optimistic, gapless --------------------------------------------------


def test_a_save_of_several_aggregates_is_refused_whole_when_one_of_them_is_stale(
    log: EventLog,
) -> None:
    kept, other = _counted(log, 1), _counted(log, 1)
    stale = log.repository.get(kept.id)
    kept.count_one()
    log.save(kept)
    end = log.recorder.max_notification_id()
    stale.count_one()
    other.count_one()
    with pytest.raises(RecordConflictError):
        log.save(other, stale)
    assert log.recorder.max_notification_id() == end
    assert log.repository.get(other.id).version == 2  # the other's event was not written
    fresh = log.repository.get(other.id)
    fresh.count_one()
    (recording,) = log.save(fresh)
    assert log.repository.get(other.id).version == 3
    # SQLite leaves no gap; PostgreSQL's sequence is not transactional: the refused save
    # used two ids. Nothing in pfdo needs them gapless across a refusal (the log is read
    # by "position > p", and a catch-up that finds a gap reads the log).
    if _is_sqlite(log):
        assert recording.notification.id == end + 1
    else:
        assert recording.notification.id == end + 3


def test_notification_ids_of_saves_that_succeed_are_gapless_and_increasing(
    log: EventLog,
) -> None:
    recordings = [log.save(Counter()) for _ in range(3)]
    recordings.append(log.save(*[Counter() for _ in range(4)]))
    ids = [r.notification.id for batch in recordings for r in batch]
    assert ids == list(range(1, 8))
    stored = log.recorder.select_notifications(start=1, limit=100)  # type: ignore[attr-defined]
    assert [n.id for n in stored] == ids
    assert log.recorder.max_notification_id() == 7


# -- snapshots --------------------------------------------------------------------------


def test_snapshots_are_stored_where_the_sql_reads_them_and_replaced_there(
    log: EventLog,
) -> None:
    counter = _counted(log, 4)
    log.take_snapshot(counter.id)  # the library's own snapshotting, as for periods
    snapshots, events = log.storage.load([counter.id])
    assert [(s.originator_id, s.originator_version) for s in snapshots] == [(counter.id, 5)]
    assert events == []  # none after the snapshot
    counter.count_one()
    log.save(counter)
    log.store_snapshots([counter])  # pfdo's: delete the older, insert through the recorder
    assert log.snapshots is not None
    kept = list(log.snapshots.get(counter.id))  # the library reads pfdo's snapshot
    assert [s.originator_version for s in kept] == [6]
    other = _counted(log, 1)
    latest, after = log.storage.load([counter.id, other.id])
    assert [(s.originator_id, s.originator_version) for s in latest] == [(counter.id, 6)]
    assert [(e.originator_id, e.originator_version) for e in after] == [
        (other.id, v) for v in (1, 2)
    ]
    loaded = load_many(log, [counter.id], _decoder(log))
    assert loaded[counter.id].count == 5  # type: ignore[attr-defined]


def _decoder(log: EventLog) -> Callable[[Any], Any]:
    from eventsourcing.persistence import StoredEvent

    def decode(stored: Any) -> Any:
        return log.mapper.to_domain_event(
            StoredEvent(stored.originator_id, stored.originator_version, stored.topic, stored.state)
        )

    return decode


def test_the_sqlite_pool_opens_connections_in_the_private_method_pfdo_replaces(
    tmp_path: Path,
) -> None:
    """`storage.sqlite.configure_connections` replaces the pool's `_create_connection` with
    pfdo's own, which reads the pool's settings and wraps its `sqlite3` connection in the
    library's `SQLiteConnection` as `_sqlite_conn`; the library's own opener keeps one
    statement prepared (`cached_statements=True`), which is why pfdo opens its own."""
    datastore = SQLiteDatastore(str(tmp_path / "pool.sqlite"), lock_timeout=7)
    pool = datastore.pool
    try:
        assert _parameters(pool._create_connection) == []
        assert (pool.db_name, pool.lock_timeout, pool.max_age) == (
            str(tmp_path / "pool.sqlite"),
            7,
            None,
        )
        assert pool.is_sqlite_memory_mode is False
        configure_connections(datastore, "normal")
        connection = pool._create_connection()
        assert isinstance(connection, SQLiteConnection)
        raw = connection._sqlite_conn
        assert isinstance(raw, sqlite3.Connection) and raw.isolation_level is None
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert pool.is_journal_mode_wal
        connection.close()
    finally:
        datastore.close()
