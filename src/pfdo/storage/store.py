"""Where pfdo keeps its log: the store URL, the event-store application and its engine.

A URL is a SQLite file path, `sqlite:///PATH` or `postgresql://...`. The event log uses
the `eventsourcing` library's native recorder for that database; the projections use a
SQLAlchemy engine on the same database.

A SQLite path or URL may end in `?synchronous=normal` (or `=full`, the default): SQLite's
`PRAGMA synchronous` on every connection of the store, the event log's and the read
models' alike. In WAL mode NORMAL does not sync the log file at each commit, only at
checkpoints: a committed command survives its process being killed or crashing, but the
last commits before a power cut or an operating-system crash may be lost (the file stays
consistent). FULL syncs at every commit and loses nothing.

Before anything opens a store, `inspect` looks at what is there (missing, a folder, a
file that is not a pfdo store, read-only, ...) without touching it, and `refusal` says
why that cannot be opened for what the caller means to do: a reader never creates a store,
a writer creates it only in a folder that exists, and a read-only store opens for reading
only (SQLite `mode=ro`). `opening` does both and opens; `store_errors` turns the database
drivers' errors (locked, unreachable, ...) into one-line `StoreUnavailable`.
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import (
    ConnectionUnavailableError,
    PersistenceError,
    RecordConflictError,
)
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from pfdo.domain.errors import (
    ConcurrencyConflict,
    InvalidInput,
    NoStore,
    PfdoError,
    StoreUnavailable,
)

# the event log and its transcoding live in pfdo.storage.event_log; re-exported here
from pfdo.storage.event_log import DateAsISO as DateAsISO
from pfdo.storage.event_log import EventLog as EventLog

DEFAULT_DB = "./pfdo.sqlite"
CONNECT_TIMEOUT = 5
#: Seconds a SQLite call waits for a lock another writer holds, unless `busy_timeout` says.
BUSY_TIMEOUT = 30
#: The table every pfdo store has, the `eventsourcing` library's log, on each backend.
LOG_TABLE = {"sqlite": "stored_events", "postgresql": "pfdo_events"}
_SQLITE_HEADER = b"SQLite format 3\x00"
#: SQLite's `PRAGMA synchronous` levels a store URL may ask for (`?synchronous=...`).
SYNCHRONOUS = ("full", "normal")


@dataclass(frozen=True)
class StoreURL:
    """A parsed store location."""

    kind: str
    sqlite_path: str = ""
    pg: tuple[tuple[str, str], ...] = ()
    #: SQLite's `PRAGMA synchronous` on every connection: "full" (default) or "normal".
    synchronous: str = "full"
    #: Seconds a call waits for a store another writer holds locked, then fails
    #: (`StoreUnavailable`); None: `BUSY_TIMEOUT` on SQLite, no limit on PostgreSQL.
    busy_timeout: float | None = None

    def waiting(self, busy_timeout: float | None) -> StoreURL:
        """This store, waiting `busy_timeout` seconds at most for a lock (None: as it was)."""
        return self if busy_timeout is None else replace(self, busy_timeout=busy_timeout)

    @property
    def sqlite_timeout(self) -> float:
        """The SQLite busy timeout of every connection, in seconds."""
        return BUSY_TIMEOUT if self.busy_timeout is None else self.busy_timeout

    def postgres_options(self) -> dict[str, str]:
        """The connection options that bound a PostgreSQL lock wait (none by default)."""
        return postgres_options(self.busy_timeout)

    @classmethod
    def parse(cls, url: str | None = None) -> StoreURL:
        raw = url or os.environ.get("PFDO_DB") or DEFAULT_DB
        if raw.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            return cls._parse_postgres(raw)
        if raw.startswith("sqlite:///"):
            raw = raw[len("sqlite:///") :]
        elif "://" in raw:
            raise InvalidInput(
                f"store URL {raw!r} is neither a SQLite file path, sqlite:///PATH "
                "nor postgresql://..."
            )
        raw, synchronous = _sqlite_settings(raw)
        if raw in ("", ":memory:"):
            raise InvalidInput(
                "the store must be a file: an in-memory SQLite store cannot be shared"
            )
        path = str(Path(raw).expanduser())
        return cls(kind="sqlite", sqlite_path=path, synchronous=synchronous)

    @classmethod
    def _parse_postgres(cls, raw: str) -> StoreURL:
        parts = urlsplit(raw)
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise InvalidInput(f"store URL {raw!r} names no database: postgresql://HOST/DBNAME")
        pg = {
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        }
        return cls(kind="postgresql", pg=tuple(sorted(pg.items())))

    def event_store_env(self, read_only: bool = False) -> dict[str, str]:
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                # the library's recorder, its insert checking the decision's reads
                "APPLICATION_RECORDER_TOPIC": "pfdo.storage.sqlite:GuardedRecorder",
                "SQLITE_DBNAME": self.sqlite_read_only_uri() if read_only else self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": str(BUSY_TIMEOUT),
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            # the library's recorder with its insert in one round trip (pfdo.storage.postgres)
            "APPLICATION_RECORDER_TOPIC": "pfdo.storage.postgres:OneTripRecorder",
            **dict(self.pg),
            # the insert's table lock: whole seconds, at least one (0 would wait forever)
            **(
                {}
                if self.busy_timeout is None
                else {"POSTGRES_LOCK_TIMEOUT": str(max(1, math.ceil(self.busy_timeout)))}
            ),
        }

    def sqlite_read_only_uri(self) -> str:
        """The SQLite file opened read-only. Without a `-wal` file beside it (no writer has
        it open) it is opened `immutable`, which needs no `-shm` file, so that nothing is
        created beside it, even in a folder that is not writable."""
        path = Path(self.sqlite_path).absolute()
        immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
        return f"file:{quote(str(path))}?mode=ro{immutable}"

    def sqlalchemy_url(self) -> URL:
        if self.kind == "sqlite":
            return URL.create("sqlite", database=self.sqlite_path)
        pg = dict(self.pg)
        return URL.create(
            "postgresql+psycopg",
            username=pg["POSTGRES_USER"],
            password=pg["POSTGRES_PASSWORD"] or None,
            host=pg["POSTGRES_HOST"],
            port=int(pg["POSTGRES_PORT"]),
            database=pg["POSTGRES_DBNAME"],
        )

    def where(self) -> str:
        """The store as an operator named it: the SQLite path, or the PostgreSQL database."""
        return self.sqlite_path if self.kind == "sqlite" else self.describe()

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite file {self.sqlite_path}"
        pg = dict(self.pg)
        where = f"{pg['POSTGRES_HOST']}:{pg['POSTGRES_PORT']}"
        return f"PostgreSQL database {pg['POSTGRES_DBNAME']} on {where}"


def postgres_options(busy_timeout: float | None) -> dict[str, str]:
    """The psycopg connection options that make every lock wait of a PostgreSQL session end
    after `busy_timeout` seconds (`lock_timeout`, at least a millisecond); none for None."""
    if busy_timeout is None:
        return {}
    return {"options": f"-c lock_timeout={max(1, round(busy_timeout * 1000))}"}


def _sqlite_settings(raw: str) -> tuple[str, str]:
    """A SQLite location without its `?synchronous=...`, and that level ("full" when
    none is given). A path whose last `?` starts anything else is a path as it is (a
    file name may hold a `?`)."""
    path, mark, query = raw.rpartition("?")
    if not mark or not query.lower().startswith("synchronous="):
        return raw, "full"
    return path, _synchronous(query[len("synchronous=") :])


def _synchronous(level: str) -> str:
    if level.lower() not in SYNCHRONOUS:
        raise InvalidInput(f"synchronous={level!r}: SQLite stores take full or normal")
    return level.lower()


def _sqlite_pragmas(synchronous: str) -> Callable[[Any, Any], None]:
    """What the read models' engine runs on each new SQLite connection."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={_synchronous(synchronous).upper()}")
        cursor.close()

    return on_connect


def connect_postgres(url: StoreURL) -> Any:
    """A plain autocommit psycopg connection to the store's database."""
    return _connect_postgres(url, dict(url.pg)["POSTGRES_DBNAME"])


def _connect_postgres(url: StoreURL, dbname: str) -> Any:
    import psycopg

    pg = dict(url.pg)
    return psycopg.connect(
        dbname=dbname,
        host=pg["POSTGRES_HOST"],
        port=pg["POSTGRES_PORT"],
        user=pg["POSTGRES_USER"],
        password=pg["POSTGRES_PASSWORD"],
        connect_timeout=CONNECT_TIMEOUT,
        autocommit=True,
    )


def _reason(error: Exception) -> str:
    return " ".join(line.strip() for line in str(error).strip().splitlines())


def ensure_postgres_database(url: StoreURL) -> None:
    """Check the server answers, and create the database on first use; else say why not."""
    import psycopg
    from psycopg import sql

    dbname = dict(url.pg)["POSTGRES_DBNAME"]
    try:
        _connect_postgres(url, dbname).close()
        return
    except psycopg.OperationalError as error:
        reason = _reason(error)
        if f'database "{dbname}" does not exist' not in reason:
            raise StoreUnavailable(f"cannot open {url.describe()}: {reason}") from None
    try:
        with _connect_postgres(url, "postgres") as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.Error as error:
        reason = _reason(error)
        raise StoreUnavailable(
            f"{url.describe()} does not exist and could not be created: {reason}"
        ) from None


#: Any fixed number: pfdo processes creating their tables take turns on this lock.
_SCHEMA_LOCK = 0x70666_46F


@contextmanager
def schema_lock(url: StoreURL) -> Iterator[None]:
    """Serialise table creation across processes (PostgreSQL's catalog does not like
    concurrent CREATE ... IF NOT EXISTS); SQLite's own file lock does this already."""
    if url.kind == "sqlite":
        yield
        return
    with _connect_postgres(url, dict(url.pg)["POSTGRES_DBNAME"]) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def open_event_log(url: StoreURL, *, read_only: bool = False) -> EventLog:
    """Open the event store at `url`: creating its tables on first use, or read-only."""
    if read_only:
        log = EventLog(env={**url.event_store_env(read_only=True), "CREATE_TABLE": "n"})
        log.read_only_reason = f"cannot write to {url.describe()}: it is read-only"
        return log
    env = {**url.event_store_env(), "CREATE_TABLE": "y"}
    return EventLog(env=env, synchronous=url.synchronous, busy_timeout=url.busy_timeout)


def open_engine(url: StoreURL, *, read_only: bool = False) -> Engine:
    """A SQLAlchemy engine on the same database, for the projections."""
    if url.kind == "sqlite" and read_only:
        uri = url.sqlite_read_only_uri()
        return create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(
                uri, uri=True, timeout=url.sqlite_timeout, check_same_thread=False
            ),
        )
    if url.kind == "sqlite":
        engine = create_engine(url.sqlalchemy_url(), connect_args={"timeout": url.sqlite_timeout})
        event.listen(engine, "connect", _sqlite_pragmas(url.synchronous))
        return engine
    # No pre-ping: it costs a round trip on every checkout. A connection the server
    # dropped (a restart) fails its call once, as StoreUnavailable ("try again"), and
    # SQLAlchemy then discards the pool's connections, so the next call reconnects.
    return create_engine(url.sqlalchemy_url(), connect_args=url.postgres_options())


# -- what is at a store's location, and whether it can be opened -------------------------

#: What `inspect` finds at a store's location.
State = Literal[
    "missing",  # nothing there (a PostgreSQL database that does not exist)
    "no_folder",  # nothing there, and the folder it would go in does not exist
    "not_a_folder",  # the "folder" it would go in is a file
    "folder",  # a folder, not a file
    "unreadable",  # a file this user may not read
    "empty",  # a file or database without any table: no store yet
    "not_sqlite",  # a file that is not a SQLite database
    "foreign",  # a database with tables, but not pfdo's
    "unreachable",  # a PostgreSQL server that does not answer, or refuses us
    "read_only",  # a pfdo store this user may read but not write
    "ok",  # a pfdo store this user may read and write
]


@dataclass(frozen=True)
class Found:
    """What is at a store's location, and a few words on why (for the message)."""

    state: State
    why: str = ""


def inspect(url: StoreURL) -> Found:
    """What is at `url`: a SQLite file looked at without being opened for writing, a
    PostgreSQL database asked whether it exists and has a log."""
    return inspect_sqlite(Path(url.sqlite_path)) if url.kind == "sqlite" else inspect_postgres(url)


def inspect_sqlite(path: Path) -> Found:
    """What is at a SQLite path: nothing is created or written there."""
    try:
        there = path.exists()
    except OSError as error:  # a folder on the way this user may not enter
        return Found("unreadable", f"this user may not look there ({error.strerror})")
    if not there:
        return _missing_file(path)
    if path.is_dir():
        return Found("folder", "it is a folder, not a file")
    if not os.access(path, os.R_OK):
        return Found("unreadable", "this user may not read it")
    with path.open("rb") as file:
        header = file.read(len(_SQLITE_HEADER))
    if not header:
        return Found("empty")
    if header != _SQLITE_HEADER:
        return Found("not_sqlite", "it is not a pfdo store (not a SQLite database)")
    tables = _sqlite_tables(path)
    if not tables:
        return Found("empty")
    if LOG_TABLE["sqlite"] not in tables:
        return Found("foreign", "it is not a pfdo store (a SQLite database without its log)")
    return _writable(path)


def _missing_file(path: Path) -> Found:
    folder = path.absolute().parent
    if not folder.exists():
        return Found("no_folder", f"the folder {path.parent} does not exist")
    if not folder.is_dir():
        return Found("not_a_folder", f"{path.parent} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        return Found("missing", f"the folder {path.parent} is not writable")
    return Found("missing")


def _writable(path: Path) -> Found:
    """A SQLite store is written through files beside it (-wal, -shm): its folder must be
    writable too."""
    if not os.access(path, os.W_OK):
        return Found("read_only", "the file is not writable by this user")
    if not os.access(path.absolute().parent, os.W_OK | os.X_OK):
        return Found("read_only", "its folder is not writable by this user")
    return Found("ok")


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file, read without creating or writing anything."""
    uri = StoreURL(kind="sqlite", sqlite_path=str(path)).sqlite_read_only_uri()
    connection = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}
    except sqlite3.DatabaseError:
        return set()
    finally:
        connection.close()


_POSTGRES_TABLES = (
    "SELECT to_regclass(%s) IS NOT NULL, "
    "(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())"
)


def inspect_postgres(url: StoreURL) -> Found:
    """Whether the PostgreSQL database exists and holds a log (the server must answer)."""
    import psycopg

    dbname = dict(url.pg)["POSTGRES_DBNAME"]
    try:
        with _connect_postgres(url, dbname) as connection:
            has_log, tables = connection.execute(
                _POSTGRES_TABLES, (LOG_TABLE["postgresql"],)
            ).fetchone() or (False, 0)
    except psycopg.Error as error:
        reason = _reason(error)
        if f'database "{dbname}" does not exist' in reason:
            return Found("missing")
        return Found("unreachable", reason)
    if has_log:
        return Found("ok")
    if tables:
        return Found("foreign", "it is not a pfdo store (a database without its log)")
    return Found("empty")


def refusal(url: StoreURL, found: Found, *, create: bool, write: bool) -> StoreUnavailable | None:
    """Why the store cannot be opened (`create`: creating it if absent; `write`: for
    writing), or None when it can. A typo must not create a tree of folders: a store is
    created only in a folder that exists."""
    absent = found.state in ("missing", "empty", "no_folder", "not_a_folder")
    if absent and not create:
        return NoStore(f"no pfdo store at {url.where()}")
    if absent:
        return (
            StoreUnavailable(f"cannot create {url.describe()}: {found.why}") if found.why else None
        )
    if found.state == "read_only":
        reason = f"cannot write to {url.describe()}: it is read-only ({found.why})"
        return StoreUnavailable(reason) if write else None
    if found.state == "ok":
        return None
    return StoreUnavailable(f"cannot open {url.describe()}: {found.why}")


@dataclass(frozen=True)
class Opened:
    """A store opened for a caller: its log, its engine, whether only for reading, and
    whether opening it created it (nothing was there)."""

    log: EventLog
    engine: Engine
    read_only: bool
    created: bool = False


@contextmanager
def opening(
    url: StoreURL, *, create: bool = True, read_only: bool | None = None
) -> Iterator[Opened]:
    """Open the store at `url`, or raise `StoreUnavailable` (`NoStore`) saying why not.

    `create=False` opens an existing store only. `read_only=None` opens a store this user
    may not write for reading only; `False` refuses it; `True` opens any store read-only.
    Inside the block (the schema lock held, unless read-only) the caller creates its own
    tables; if the block raises, the store is closed again.
    """
    create = create and read_only is not True
    found = inspect(url)
    error = refusal(url, found, create=create, write=create or read_only is False)
    if error is not None:
        raise error
    ro = bool(read_only) or found.state == "read_only"
    with store_errors(url, "cannot open"):
        if url.kind == "postgresql" and found.state == "missing":
            ensure_postgres_database(url)  # create=True: refusal() let it through
        engine = open_engine(url, read_only=ro)
        try:
            if ro:
                yield Opened(open_event_log(url, read_only=True), engine, True)
                return
            with schema_lock(url):
                log = open_event_log(url)
                try:
                    yield Opened(log, engine, False, created=found.state == "missing")
                except BaseException:
                    log.close()
                    raise
        except BaseException:
            engine.dispose()
            raise


_LOCKED = ("database is locked", "database table is locked")


@contextmanager
def store_errors(url: StoreURL, doing: str = "cannot use") -> Iterator[None]:
    """The errors of the libraries under pfdo (the event store, SQLAlchemy, the database
    drivers) as pfdo's own, `from None`, one line naming the store: a lost
    optimistic-concurrency race as `ConcurrencyConflict`, anything else as
    `StoreUnavailable`. A portal that embeds `Ledger` catches `PfdoError` alone."""
    try:
        yield
    except PfdoError:
        raise
    except RecordConflictError:
        raise ConcurrencyConflict(
            f"another writer changed the same records of {url.describe()} at the same "
            "time; this call wrote nothing, try it again"
        ) from None
    except ConnectionUnavailableError as error:
        reason = _reason(error) or type(error).__name__
        raise StoreUnavailable(f"{url.describe()} is busy: {reason}; try again") from None
    except Exception as error:
        if not isinstance(error, _driver_errors()):
            raise
        raise StoreUnavailable(f"{doing} {url.describe()}: {_driver_reason(error)}") from None


def _driver_errors() -> tuple[type[Exception], ...]:
    """The libraries' errors that mean the store failed. PostgreSQL's driver is counted only
    once something has loaded it: a SQLite store never does, and need not pay its import."""
    errors: tuple[type[Exception], ...] = (
        sqlite3.Error,
        SQLAlchemyError,
        EventSourcingError,
        PersistenceError,
    )
    psycopg = sys.modules.get("psycopg")
    return errors if psycopg is None else (*errors, psycopg.Error)


def _driver_reason(error: Exception) -> str:
    cause = getattr(error, "orig", None) or error.__cause__ or error
    reason = _reason(cause) if isinstance(cause, Exception) else _reason(error)
    if any(locked in reason for locked in _LOCKED):
        return f"it is locked by another process ({reason})"
    if "readonly database" in reason:
        return f"it is read-only ({reason})"
    return reason
