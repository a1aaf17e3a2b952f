"""Copying a store's log into another store, SQLite or PostgreSQL either way, at the same
positions.

The audit chain hashes each event with its log position, and auditors' signed
checkpoints name positions: a copy keeps every event at the position it has in the source,
gaps included (PostgreSQL's sequence leaves one where a save was refused). Beside the log
travel the store's side tables (`SIDE_TABLES`: the secrets, sealed as they are, and the
service's tokens when the store has them), row for row. Snapshots do not travel (they are
a cache). The read models and the chain are not copied either: the caller folds them on
the target from the copied log (`pfdo.application.store_copy`).

The source is read in one read transaction, up to the position it had when the copy
started: writers go on meanwhile, and what they write is left to the next copy, which
copies only what the target lacks, after checking that the target's last event is the
source's event at that position. The target is written in batches of `BATCH` events, each
batch one transaction, in log order: a copy killed midway leaves the target a prefix of
the source, which the next copy completes. On PostgreSQL the log's sequence is moved past
the copied positions in each batch, so that the target's own writers go on after them.

Before anything is written, the target is looked at: a folder, a file or database that is
not a pfdo store, a store of other events (its last event is not the source's at that
position, or it has other secrets), a source that is missing: each is refused (`NotACopy`,
`StoreUnavailable`, `NoStore`) and nothing is created.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import Column, Engine, MetaData, Table
from sqlalchemy import inspect as sql_inspect

from pfdo.domain.errors import NoStore, Refused
from pfdo.storage import secrets
from pfdo.storage.store import (
    LOG_TABLE,
    Found,
    StoreURL,
    connect_postgres,
    inspect,
    open_engine,
    opening,
    refusal,
    store_errors,
)

#: The tables a copy carries beside the log, verbatim, in this order: the store's secrets
#: (`pfdo.storage.secrets`), the checkpoints kept in the store (`pfdo.audit.checkpoint`:
#: signed records, not folded from the log) and the service's tokens. A table the source
#: lacks is skipped. The list is the one place that says what travels beside the log.
SIDE_TABLES: tuple[str, ...] = ("pfdo_audit_secrets", "pfdo_checkpoints", "pfdo_tokens")
#: The table among `SIDE_TABLES` that says whose store it is: a target with events must
#: hold the same rows as the source.
_IDENTITY_TABLE = "pfdo_audit_secrets"
#: Events per transaction on the target.
BATCH = 5_000
_PG_LOG = f"public.{LOG_TABLE['postgresql']}"
_LOG_NAME = {"sqlite": LOG_TABLE["sqlite"], "postgresql": _PG_LOG}


class NotACopy(Refused):
    """The target of a copy holds a store that is not a copy of the source (other events,
    other secrets, or events past the source's last)."""


class Event(NamedTuple):
    """One event of the log as a copy moves it: its position, aggregate, version, topic
    and stored state (ciphertext on an encrypted store)."""

    position: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes


#: An event as read and written in bulk: (position, id as the source's driver gives it,
#: version, topic, state); `Event` normalises the id for comparisons.
Row = tuple[int, Any, int, str, bytes]


def _event(row: Sequence[Any]) -> Event:
    position, originator_id, version, topic, state = row
    key = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    return Event(int(position), key, int(version), str(topic), bytes(state))


class SideRows(NamedTuple):
    """A side table's rows as read from the source, with its column names."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class CopiedLog:
    """What `copy_log` did.

    Attributes:
        events: how many events it copied this time.
        position: the source's last position it copied up to (the target's last now).
        seconds: how long it took.
    """

    events: int
    position: int
    seconds: float


Progress = Callable[[int, int], None]


# -- the two backends, raw -----------------------------------------------------------------


class _Side:
    """A raw connection to one store's log and side tables (one backend's SQL)."""

    kind: str
    connection: Any

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(statement, params)

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    def last_position(self) -> int:
        raise NotImplementedError

    def events(self, after: int, through: int, limit: int) -> list[Event]:
        raise NotImplementedError

    def stream(self, after: int, through: int, size: int) -> Iterator[list[Row]]:
        """The events after `after` up to `through` in log order, `size` at a time, as
        raw rows, read by one statement (in the reading transaction)."""
        raise NotImplementedError

    def event_at(self, position: int) -> Event | None:
        found = self.events(position - 1, position, 1)
        return found[0] if found and found[0].position == position else None

    def count(self, after: int, through: int) -> int:
        raise NotImplementedError

    def side_rows(self, table: str) -> SideRows | None:
        """Every row of `table` (in a stable order), or None when the store lacks it."""
        if not self.table_exists(table):
            return None
        cursor = self.connection.execute(f"SELECT * FROM {table} ORDER BY 1")
        columns = tuple(d[0] for d in cursor.description)
        return SideRows(columns, [tuple(_plain(v) for v in row) for row in cursor.fetchall()])

    def close(self) -> None:
        self.connection.close()


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


class _SQLite(_Side):
    kind = "sqlite"
    _LOG = LOG_TABLE["sqlite"]

    def __init__(self, url: StoreURL, found: Found) -> None:
        where = url.sqlite_read_only_uri() if found.state == "read_only" else url.sqlite_path
        self.connection = sqlite3.connect(
            where, uri=where.startswith("file:"), isolation_level=None, timeout=30
        )
        if found.state != "read_only":
            self.connection.execute(f"PRAGMA synchronous={url.synchronous.upper()}")

    def table_exists(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self.connection.execute(query, (name,)).fetchone() is not None

    @contextmanager
    def reading(self) -> Iterator[None]:
        self.connection.execute("BEGIN")  # WAL: the first read fixes the snapshot
        try:
            yield
        finally:
            self.connection.execute("ROLLBACK")

    def last_position(self) -> int:
        row = self.connection.execute(f"SELECT MAX(rowid) FROM {self._LOG}").fetchone()
        return int(row[0] or 0)

    def count(self, after: int, through: int) -> int:
        query = f"SELECT count(*) FROM {self._LOG} WHERE rowid > ? AND rowid <= ?"
        return int(self.connection.execute(query, (after, through)).fetchone()[0])

    def events(self, after: int, through: int, limit: int) -> list[Event]:
        query = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {self._LOG} "
            "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
        )
        return [_event(r) for r in self.connection.execute(query, (after, through, limit))]

    def stream(self, after: int, through: int, size: int) -> Iterator[list[Row]]:
        query = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {self._LOG} "
            "WHERE rowid > ? AND rowid <= ? ORDER BY rowid"
        )
        cursor = self.connection.execute(query, (after, through))
        try:
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()

    def writing(self) -> None:
        """Leave the WAL's checkpoints to the end of the copy (`checkpoint`): one per
        batch would write most pages twice."""
        self.connection.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> None:
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def write(self, events: Sequence[Row], side: Sequence[tuple[str, SideRows]]) -> None:
        """One transaction: the side tables mirrored, then `events` in log order (their
        ids as SQLite stores them, 32 hex digits)."""
        c = self.connection
        c.execute("BEGIN IMMEDIATE")
        try:
            for table, rows in side:
                c.execute(f"DELETE FROM {table}")
                marks = ",".join("?" * len(rows.columns))
                c.executemany(
                    f"INSERT INTO {table} ({','.join(rows.columns)}) VALUES ({marks})", rows.rows
                )
            c.executemany(
                f"INSERT INTO {self._LOG} (rowid, originator_id, originator_version, topic, "
                "state) VALUES (?,?,?,?,?)",
                events,
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise


class _Postgres(_Side):
    kind = "postgresql"

    def __init__(self, url: StoreURL) -> None:
        self.connection = connect_postgres(url)
        self.connection.prepare_threshold = None  # one-off statements: none prepared

    def table_exists(self, name: str) -> bool:
        row = self.connection.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
        return bool(row[0])

    @contextmanager
    def reading(self) -> Iterator[None]:
        self.connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            self.connection.execute("ROLLBACK")

    def last_position(self) -> int:
        row = self.connection.execute(f"SELECT MAX(notification_id) FROM {_PG_LOG}").fetchone()
        return int(row[0] or 0)

    def count(self, after: int, through: int) -> int:
        query = (
            f"SELECT count(*) FROM {_PG_LOG} WHERE notification_id > %s AND notification_id <= %s"
        )
        return int(self.connection.execute(query, (after, through)).fetchone()[0])

    def events(self, after: int, through: int, limit: int) -> list[Event]:
        query = (
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {_PG_LOG} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        )
        cursor = self.connection.execute(query, (after, through, limit))
        return [_event(r) for r in cursor.fetchall()]

    def stream(self, after: int, through: int, size: int) -> Iterator[list[Row]]:
        query = (
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {_PG_LOG} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id"
        )
        with self.connection.cursor(name="pfdo_copy") as cursor:  # a server-side cursor
            cursor.itersize = size
            cursor.execute(query, (after, through))
            while rows := cursor.fetchmany(size):
                yield rows

    def writing(self) -> None:
        pass

    def checkpoint(self) -> None:
        pass

    def write(self, events: Sequence[Row], side: Sequence[tuple[str, SideRows]]) -> None:
        """One transaction, under the log's table lock (the one every pfdo writer takes):
        the side tables mirrored, `events` in log order, the sequence moved past them."""
        c = self.connection
        with c.transaction():
            c.execute(f"LOCK TABLE {_PG_LOG} IN EXCLUSIVE MODE")
            for table, rows in side:
                c.execute(f"DELETE FROM {table}")
                with c.cursor().copy(f"COPY {table} ({','.join(rows.columns)}) FROM STDIN") as cp:
                    for row in rows.rows:
                        cp.write_row(row)
                self._continue_sequences(table, rows.columns)
            columns = "notification_id, originator_id, originator_version, topic, state"
            with c.cursor().copy(f"COPY {_PG_LOG} ({columns}) FROM STDIN") as cp:
                for e in events:
                    cp.write_row(e)
            c.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                f"GREATEST((SELECT MAX(notification_id) FROM {_PG_LOG}), 1))",
                (_PG_LOG,),
            )

    def _continue_sequences(self, table: str, columns: Sequence[str]) -> None:
        """Move each serial or identity column's sequence of `table` past the rows copied
        with their own values, so that the target's inserts go on after them."""
        c = self.connection
        for column in columns:
            row = c.execute("SELECT pg_get_serial_sequence(%s, %s)", (table, column)).fetchone()
            if row is None or row[0] is None:
                continue
            c.execute(
                f"SELECT setval(%s, COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) "
                f"FROM {table}",
                (row[0],),
            )


def _connect(url: StoreURL, found: Found) -> _SQLite | _Postgres:
    return _SQLite(url, found) if url.kind == "sqlite" else _Postgres(url)


# -- the copy ------------------------------------------------------------------------------


def same_store(source: StoreURL, target: StoreURL) -> bool:
    """Whether two URLs name the same store."""
    from pathlib import Path

    if source.kind != target.kind:
        return False
    if source.kind == "sqlite":
        return Path(source.sqlite_path).resolve() == Path(target.sqlite_path).resolve()
    keys = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME")
    return [dict(source.pg)[k] for k in keys] == [dict(target.pg)[k] for k in keys]


def copy_log(
    source: StoreURL,
    target: StoreURL,
    *,
    resume: bool = False,
    batch: int = BATCH,
    progress: Progress | None = None,
    known: Sequence[Table] = (),
) -> CopiedLog:
    """Copy the log and the side tables of `source` into `target`, at the same positions:
    everything into an empty (or missing) target, the events it lacks into a target that
    is a copy of `source` (`resume`: it must be one already). `progress(done, total)` is
    called after each batch. `known`: pfdo's definitions of side tables defined above
    this layer, to create them on the target as pfdo does (the others are created as
    the source has them).

    Raises:
        NoStore: there is no pfdo store at `source`; with `resume`, none at `target`.
        NotACopy: `target` holds another store's events or secrets, or events past the
            source's last position; or it is the source itself.
        StoreUnavailable: either store is a folder, not a pfdo store, read-only (the
            target), unreachable or failing.
    """
    started = time.perf_counter()
    if same_store(source, target):
        raise NotACopy(f"cannot copy {source.describe()} onto itself")
    found_source = inspect(source)
    error = refusal(source, found_source, create=False, write=False)
    if error is not None:
        raise error
    found_target = inspect(target)
    error = refusal(target, found_target, create=True, write=True)
    if error is not None:
        raise error
    holds_store = found_target.state == "ok"
    if resume and not holds_store:
        raise NoStore(f"nothing to resume: no pfdo store at {target.where()}")
    with ExitStack() as stack:
        stack.enter_context(store_errors(source, "cannot copy from"))
        reader = _connect(source, found_source)
        stack.callback(reader.close)
        stack.enter_context(reader.reading())
        through = reader.last_position()
        side = [(t, rows) for t in SIDE_TABLES if (rows := reader.side_rows(t)) is not None]
        after = 0
        if holds_store:
            with store_errors(target, "cannot copy to"):
                after = _copied_so_far(reader, side, target, found_target, through)
        with store_errors(target, "cannot copy to"):
            _prepare(source, target, [table for table, _ in side], known)
            writer = _connect(target, Found("ok"))
            stack.callback(writer.close)
        copied = _copy_events(reader, writer, side, after, through, batch, progress, target)
    return CopiedLog(copied, through, time.perf_counter() - started)


def _copied_so_far(
    reader: _SQLite | _Postgres,
    side: Sequence[tuple[str, SideRows]],
    target: StoreURL,
    found: Found,
    through: int,
) -> int:
    """The target's last position when it is a copy of the source (0: it holds no
    events); else `NotACopy`, saying why."""
    other = _connect(target, found)
    try:
        last = other.last_position()
        if last == 0:
            return 0
        where = target.where()
        if last > through:
            raise NotACopy(
                f"{where} holds events up to position {last}, past the source's last "
                f"({through}): it is not a copy of this source, or was written to since"
            )
        theirs, ours = other.event_at(last), reader.event_at(last)
        if ours is None or theirs != ours:
            raise NotACopy(
                f"{where} is not a copy of this source: its event at position {last} "
                "is not the source's"
            )
        identity = dict(side).get(_IDENTITY_TABLE)
        if identity is not None and other.side_rows(_IDENTITY_TABLE) != identity:
            raise NotACopy(f"{where} is not a copy of this source: its secrets are other")
        return last
    finally:
        other.close()


def _prepare(
    source: StoreURL, target: StoreURL, tables: Sequence[str], known: Sequence[Table]
) -> None:
    """Create the target's log tables (a new store, as pfdo creates one) and the side
    tables the source has: pfdo's own as pfdo defines them, the others as the source has
    them."""
    with opening(target, create=True, read_only=False) as opened:
        try:
            _create_side_tables(source, opened.engine, tables, (secrets.secrets, *known))
        finally:
            opened.log.close()
            opened.engine.dispose()


def _create_side_tables(
    source: StoreURL, engine: Engine, tables: Sequence[str], known: Sequence[Table]
) -> None:
    present = set(sql_inspect(engine).get_table_names())
    missing = [t for t in tables if t not in present]
    if not missing:
        return
    metadata = MetaData()
    reflected = None
    definitions = {table.name: table for table in known}
    for table in missing:
        if table in definitions:
            definitions[table].to_metadata(metadata)
            continue
        reflected = reflected or open_engine(source, read_only=True)
        _generic(Table(table, MetaData(), autoload_with=reflected), metadata)
    if reflected is not None:
        reflected.dispose()
    metadata.create_all(engine)


def _generic(table: Table, metadata: MetaData) -> Table:
    """`table` with its columns' types in SQLAlchemy's generic form: a table reflected
    from one backend, to be created on the other."""
    columns = []
    for column in table.columns:
        try:
            kind = column.type.as_generic()
        except NotImplementedError:
            kind = column.type
        columns.append(
            Column(column.name, kind, primary_key=column.primary_key, nullable=column.nullable)
        )
    return Table(table.name, metadata, *columns)


def _copy_events(
    reader: _SQLite | _Postgres,
    writer: _SQLite | _Postgres,
    side: Sequence[tuple[str, SideRows]],
    after: int,
    through: int,
    batch: int,
    progress: Progress | None,
    target: StoreURL,
) -> int:
    """Copy the events after `after` up to `through`, `batch` per transaction; the side
    tables go with the first."""
    total = reader.count(after, through)
    # PostgreSQL hands ids as UUIDs, which SQLite stores as 32 hex digits; PostgreSQL
    # takes either form
    as_hex = reader.kind == "postgresql" and writer.kind == "sqlite"
    copied = 0
    with store_errors(target, "cannot copy to"):
        writer.writing()
        if side:
            writer.write([], side)
    for rows in reader.stream(after, through, batch):
        if as_hex:
            rows = [(p, i.hex, v, t, s) for p, i, v, t, s in rows]
        with store_errors(target, "cannot copy to"):
            writer.write(rows, ())
        copied += len(rows)
        if progress is not None:
            progress(copied, total)
    with store_errors(target, "cannot copy to"):
        writer.checkpoint()
    return copied


def log_events(url: StoreURL, after: int = 0, through: int | None = None) -> list[Event]:
    """The events of the store at `url` after position `after` up to `through` (its end
    when None), in log order, as a copy reads them (for comparing a copy with its source).

    Raises:
        NoStore: there is no pfdo store at `url`.
        StoreUnavailable: it is a folder, not a pfdo store, unreachable or failing.
    """
    found = inspect(url)
    error = refusal(url, found, create=False, write=False)
    if error is not None:
        raise error
    with store_errors(url, "cannot read"):
        side = _connect(url, found)
        try:
            end = side.last_position() if through is None else through
            return side.events(after, end, max(end - after, 0))
        finally:
            side.close()


def last_position(url: StoreURL) -> int:
    """The last position of the log of the store at `url`: 0 when it is empty or there is
    no pfdo store there yet (a copy's progress, seen from outside).

    Raises:
        StoreUnavailable: it is a folder, not a pfdo store, unreachable or failing.
    """
    found = inspect(url)
    if found.state in ("missing", "empty", "no_folder"):
        return 0
    error = refusal(url, found, create=False, write=False)
    if error is not None:
        raise error
    with store_errors(url, "cannot read"):
        side = _connect(url, found)
        try:
            return side.last_position() if side.table_exists(_LOG_NAME[url.kind]) else 0
        finally:
            side.close()
