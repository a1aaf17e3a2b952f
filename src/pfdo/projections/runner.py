"""Keeping the read models level with the log: exactly-once catch-up, and full rebuild.

Catch-up locks the position row first, reads the events after the stored position, hands
them to each same-transaction fold (`folds.py`: the read models, the audit chain), writes
the new position, and commits: all in one transaction. Two processes catching up at once
therefore serialise on that row and never fold an event twice. Rebuild resets every fold
and folds the whole log again in pages, in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Recording
from sqlalchemy import Connection, Dialect, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from pfdo.domain.errors import StoreUnavailable
from pfdo.projections import tables as t
from pfdo.projections.protocol import Page, SameTransactionFold
from pfdo.storage.loading import LoggedEvent, read_log
from pfdo.storage.store import EventLog

PAGE = 1000
REBUILD_PAGE = 50_000
_NAME = "main"


class _PositionSQL:
    """The position row's three statements, in the driver's own SQL (they run on every
    command's catch-up)."""

    def __init__(self, dialect: Dialect) -> None:
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        table, position, name = quote(t.position.name), quote("position"), quote("name")
        where = f"WHERE {name} = {mark}"
        self.lock = f"UPDATE {table} SET {position} = {position} {where} RETURNING {position}"
        self.set = f"UPDATE {table} SET {position} = {mark} {where}"
        self.read = f"SELECT {position} FROM {table} {where}"


@dataclass(frozen=True)
class RebuildReport:
    """How many events a rebuild folded and how long it took."""

    events: int
    seconds: float


class Projector:
    """Folds the event log into its same-transaction folds (`folds`, in that order)."""

    def __init__(
        self,
        log: EventLog,
        engine: Engine,
        folds: Sequence[SameTransactionFold],
        *,
        page: int = PAGE,
        rebuild_page: int = REBUILD_PAGE,
        read_only: bool = False,
    ) -> None:
        """`read_only`: the store may not be written; the read models stay as stored."""
        self.read_only = read_only
        self.page = page
        self.rebuild_page = rebuild_page
        self._log = log
        self._engine = engine
        self._folds = tuple(folds)
        self._position_statements: _PositionSQL | None = None

    def ensure_schema(self) -> None:
        t.position.create(self._engine, checkfirst=True)
        try:
            with self._engine.begin() as connection:
                if connection.execute(select(t.position.c.position)).first() is None:
                    connection.execute(insert(t.position).values(name=_NAME, position=0))
        except IntegrityError:
            pass  # another process created the position row first
        for fold in self._folds:
            fold.ensure_schema(self._engine)
        with self._engine.connect() as connection:
            outdated = any(fold.outdated(connection) for fold in self._folds)
        if outdated:  # written by an older pfdo (or new): refold it all, once
            self.rebuild()

    def _position_sql(self, connection: Connection) -> _PositionSQL:
        if self._position_statements is None:
            self._position_statements = _PositionSQL(connection.dialect)
        return self._position_statements

    def _lock_position(self, connection: Connection) -> int:
        """Take the write lock on the position row and read it: one statement."""
        statement = self._position_sql(connection).lock
        return int(connection.exec_driver_sql(statement, (_NAME,)).scalar_one())

    def _set_position(self, connection: Connection, position: int) -> None:
        statement = self._position_sql(connection).set
        connection.exec_driver_sql(statement, (position, _NAME))

    def position(self) -> int:
        with self._engine.connect() as connection:
            statement = self._position_sql(connection).read
            return int(connection.exec_driver_sql(statement, (_NAME,)).scalar_one())

    def _page(self, after: int) -> Sequence[LoggedEvent]:
        return read_log(self._log, after, self.page)

    def _extend(self, connection: Connection, page: Page) -> None:
        """Fold `page` into every fold and move the position past it (the position row
        is locked on `connection`: all of it commits together)."""
        for fold in self._folds:
            fold.extend(connection, page)
        self._set_position(connection, page.events[-1].id)

    def catch_up(self, recorded: Sequence[Recording[Any]] = ()) -> int:
        """Fold every event not yet folded; return how many were folded.

        `recorded`, the recordings of a save just made, are folded as they are, without
        reading them back from the log, when they are the next events to fold.
        """
        if self.read_only:
            return 0  # the read models stay as stored: see `behind`
        folded = self._fold_recorded(recorded) if recorded else 0
        # reads only, no write lock, while the read models are level with the log
        position = recorded[-1].notification.id if folded else self.position()
        while position < self._log_end():
            with self._engine.begin() as connection:
                after = self._lock_position(connection)
                notifications = self._page(after)
                if not notifications:
                    return folded
                self._extend(connection, Page(after, notifications))
                position = notifications[-1].id
                folded += len(notifications)
        return folded

    def behind(self) -> int:
        """How many events of the log the read models have not folded yet."""
        return max(0, self._log_end() - self.position())

    def _fold_recorded(self, recorded: Sequence[Recording[Any]]) -> int:
        notifications = [r.notification for r in recorded]
        with self._engine.begin() as connection:
            after = self._lock_position(connection)
            if after != notifications[0].id - 1:
                return 0  # not next in line: the general path below reads the log
            events = [
                LoggedEvent(n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for n in notifications
            ]
            domain_events = [(r.notification.id, r.domain_event) for r in recorded]
            self._extend(connection, Page(after, events, domain_events))
        return len(events)

    def _log_end(self) -> int:
        return self._log.recorder.max_notification_id() or 0

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> RebuildReport:
        """Reset every fold and fold the whole log again, in one transaction.

        The log is read in pages of `rebuild_page` events; each fold decides what it
        holds from page to page and what it writes when (see `ReadModels`).
        """
        if self.read_only:
            raise StoreUnavailable("cannot rebuild the read models: the store is read-only")
        started = time.perf_counter()
        events = last = 0
        total = self._log_end()
        with self._engine.begin() as connection:
            self._lock_position(connection)
            rebuilds = [fold.rebuilding(connection) for fold in self._folds]
            while page := read_log(self._log, last, self.rebuild_page):
                for rebuild in rebuilds:
                    rebuild.fold(Page(last, page))
                events += len(page)
                last = page[-1].id
                if progress is not None:
                    progress(last, total)
            for rebuild in rebuilds:
                rebuild.complete(last)
            self._set_position(connection, last)
        return RebuildReport(events=events, seconds=time.perf_counter() - started)
