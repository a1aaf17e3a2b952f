"""Keeping the read models level with the log: exactly-once catch-up, and full rebuild.

Catch-up locks the position row first, reads the events after the stored position, folds
them, writes the rows and the new position, and commits: all in one transaction. Two
processes catching up at once therefore serialise on that row and never fold an event
twice. Rebuild empties the tables and folds the whole log in memory, writing in bulk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Recording
from sqlalchemy import Connection, Dialect, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from pfdo.audit.chain import ChainKeeper
from pfdo.collector import collector_paused
from pfdo.domain.errors import StoreUnavailable
from pfdo.loading import LoggedEvent, read_log
from pfdo.projections import tables as t
from pfdo.projections.decoding import EventDecoder
from pfdo.projections.fold import fold_event, handled_event_types, touches
from pfdo.projections.workspace import Workspace
from pfdo.store import EventLog

PAGE = 1000
REBUILD_PAGE = 50_000
# A rebuild reads pages of REBUILD_PAGE events and holds up to REBUILD_ROWS rows across
# pages: 545 MiB peak RSS for the 2.8 million events of a 100,000-children region.
REBUILD_ROWS = 150_000
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
    """Folds the event log into the read-model tables."""

    def __init__(
        self,
        log: EventLog,
        engine: Engine,
        *,
        page: int = PAGE,
        rebuild_page: int = REBUILD_PAGE,
        rebuild_rows: int = REBUILD_ROWS,
        read_only: bool = False,
    ) -> None:
        """`read_only`: the store may not be written; the read models stay as stored."""
        self.read_only = read_only
        self.page = page
        self.rebuild_page = rebuild_page
        self.rebuild_rows = rebuild_rows
        self._log = log
        self._engine = engine
        self._chain = ChainKeeper(log)  # the audit hash chain, one more fold (pfdo.audit)
        self._position_statements: _PositionSQL | None = None
        self._handled = handled_event_types()
        self._decoder = EventDecoder(log.mapper, self._handled)

    def ensure_schema(self) -> None:
        t.metadata.create_all(self._engine)
        try:
            with self._engine.begin() as connection:
                if connection.execute(select(t.position.c.position)).first() is None:
                    connection.execute(insert(t.position).values(name=_NAME, position=0))
        except IntegrityError:
            pass  # another process created the position row first
        self._chain.ensure_schema(self._engine)

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

    def _fold(self, ws: Workspace, notifications: Sequence[LoggedEvent]) -> None:
        decode = self._decoder.decode
        self._fold_events(ws, [(n.id, e) for n in notifications if (e := decode(n)) is not None])

    def _fold_events(self, ws: Workspace, events: Sequence[tuple[int, Any]]) -> None:
        if ws.loads:
            ws.prefetch(key for _, event in events for key in touches(event))
        for seq, event in events:
            fold_event(ws, event, seq)

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
                ws = Workspace(connection)
                self._fold(ws, notifications)
                ws.flush(connection)
                self._chain.extend(connection, after, notifications)
                position = notifications[-1].id
                self._set_position(connection, position)
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
            page = [
                LoggedEvent(n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for n in notifications
            ]
            events = [
                (r.notification.id, r.domain_event)
                for r in recorded
                if type(r.domain_event) in self._handled
            ]
            ws = Workspace(connection)
            self._fold_events(ws, events)
            ws.flush(connection)
            self._chain.extend(connection, after, page)
            self._set_position(connection, page[-1].id)
        return len(page)

    def _log_end(self) -> int:
        return self._log.recorder.max_notification_id() or 0

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> RebuildReport:
        """Empty every read model and fold the whole log again, in one transaction.

        The log is read in pages of `rebuild_page` events, folded into one workspace that
        is held from page to page, so a row is written once, with its final values, and
        never read back. When the workspace holds more than `rebuild_rows` rows it is
        written and dropped, and the next pages load back the rows they touch: memory
        stays bounded by that number and the page, not by the size of the region.
        """
        if self.read_only:
            raise StoreUnavailable("cannot rebuild the read models: the store is read-only")
        started = time.perf_counter()
        events = last = 0
        total = self._log_end()
        with self._engine.begin() as connection:
            self._lock_position(connection)
            for table in t.FOLDED_TABLES:
                connection.execute(delete(table))
            ws = Workspace()  # the tables are empty: nothing to load
            with collector_paused():
                while page := read_log(self._log, last, self.rebuild_page):
                    self._fold(ws, page)
                    ws = self._after_rebuild_page(connection, ws)
                    events += len(page)
                    last = page[-1].id
                    if progress is not None:
                        progress(last, total)
                ws.flush(connection)
            self._chain.complete(connection, last)
            self._set_position(connection, last)
        return RebuildReport(events=events, seconds=time.perf_counter() - started)

    def _after_rebuild_page(self, connection: Connection, ws: Workspace) -> Workspace:
        """Write the page's histories; write and drop the rows too when they are many."""
        if ws.size <= self.rebuild_rows:
            ws.flush_appended(connection)
            return ws
        ws.flush(connection)
        return Workspace(connection)
