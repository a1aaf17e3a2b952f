"""Where pfdo keeps its log: the store URL, the event-store application and its engine.

A URL is a SQLite file path, `sqlite:///PATH` or `postgresql://...`. The event log uses
the `eventsourcing` library's native recorder for that database; the projections use a
SQLAlchemy engine on the same database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Recording, Transcoding
from sqlalchemy import Engine, create_engine, event

from pfdo.domain.errors import InvalidInput, StoreUnavailable
from pfdo.domain.period import Municipality, Period
from pfdo.domain.registry import Program

DEFAULT_DB = "./pfdo.sqlite"
CONNECT_TIMEOUT = 5


class DateAsISO(Transcoding):
    """Business dates travel as ISO strings in the stored events."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EventLog(Application[UUID]):
    """The event store: aggregates are saved here, and the log is read from here."""

    name = "pfdo"
    snapshotting_intervals = {Period: 20, Program: 20, Municipality: 20}  # noqa: RUF012

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's `save`, collecting pfdo's aggregates without its runtime protocol
        checks (two per aggregate, which cost more than encoding its events): record,
        take the due snapshots, notify, as the library does."""
        processing = ProcessingEvent[UUID]()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing.events.extend(obj.collect_events())
                processing.aggregates[obj.id] = obj
            else:
                processing.collect_events(obj)
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        try:  # the events are committed: what follows must not make the save look failed
            self._take_snapshots(processing)
            self._notify(recordings)
        except Exception:
            logging.getLogger(__name__).warning(
                "pfdo: saved, but taking snapshots failed; loads replay the log", exc_info=True
            )
        return recordings


@dataclass(frozen=True)
class StoreURL:
    """A parsed store location."""

    kind: str
    sqlite_path: str = ""
    pg: tuple[tuple[str, str], ...] = ()

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
        if raw in ("", ":memory:"):
            raise InvalidInput(
                "the store must be a file: an in-memory SQLite store cannot be shared"
            )
        return cls(kind="sqlite", sqlite_path=str(Path(raw).expanduser()))

    @classmethod
    def _parse_postgres(cls, raw: str) -> StoreURL:
        parts = urlsplit(raw)
        dbname = parts.path.lstrip("/")
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

    def event_store_env(self) -> dict[str, str]:
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {"PERSISTENCE_MODULE": "eventsourcing.postgres", **dict(self.pg)}

    def sqlalchemy_url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.sqlite_path}"
        pg = dict(self.pg)
        return (
            f"postgresql+psycopg://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@"
            f"{pg['POSTGRES_HOST']}:{pg['POSTGRES_PORT']}/{pg['POSTGRES_DBNAME']}"
        )

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite file {self.sqlite_path}"
        pg = dict(self.pg)
        where = f"{pg['POSTGRES_HOST']}:{pg['POSTGRES_PORT']}"
        return f"PostgreSQL database {pg['POSTGRES_DBNAME']} on {where}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


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
            admin.execute(f'CREATE DATABASE "{dbname}"')
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


def open_event_log(url: StoreURL) -> EventLog:
    """Open (and create on first use) the event store at `url`."""
    if url.kind == "sqlite":
        try:
            Path(url.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"cannot create {url.describe()}: {error}") from None
    env = {**url.event_store_env(), "CREATE_TABLE": "y"}
    return EventLog(env=env)


def open_engine(url: StoreURL) -> Engine:
    """A SQLAlchemy engine on the same database, for the projections."""
    if url.kind == "sqlite":
        engine = create_engine(url.sqlalchemy_url(), connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url.sqlalchemy_url(), pool_pre_ping=True)
