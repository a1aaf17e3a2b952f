"""The read models as one same-transaction fold: balances, histories, registers.

A catch-up folds a page into a workspace that loads the rows the page touches, and
writes them back. A rebuild empties the tables and folds the whole log into one
workspace held from page to page, so a row is written once, with its final values, and
never read back; when it holds more than `rebuild_rows` rows it is written and dropped,
and the next pages load back the rows they touch: memory stays bounded by that number
and the page, not by the size of the region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from pfdo.projections import tables as t
from pfdo.projections.decoding import EventDecoder
from pfdo.projections.fold import fold_event, handled_event_types, touches
from pfdo.projections.protocol import Page
from pfdo.projections.workspace import Workspace
from pfdo.storage.store import EventLog

# A rebuild reads pages of events and holds up to REBUILD_ROWS rows across pages:
# 545 MiB peak RSS for the 2.8 million events of a 100,000-children region.
REBUILD_ROWS = 150_000


class ReadModels:
    """Folds pages of the log into the read-model tables (`tables.py`)."""

    def __init__(self, log: EventLog, *, rebuild_rows: int = REBUILD_ROWS) -> None:
        self.rebuild_rows = rebuild_rows
        self._handled = handled_event_types()
        self._decoder = EventDecoder(log.mapper, self._handled)

    def ensure_schema(self, engine: Engine) -> None:
        t.metadata.create_all(engine)

    def outdated(self, connection: Connection) -> bool:
        """Whether the tables have an older shape than `SCHEMA_VERSION` (or an unknown
        one): then only a rebuild, which makes them anew, may fold into them."""
        return _stored_version(connection) != t.SCHEMA_VERSION

    def events(self, page: Page) -> list[tuple[int, Any]]:
        """The page's events the read models fold, as (position, domain event)."""
        if page.recorded is not None:
            return [(seq, e) for seq, e in page.recorded if type(e) in self._handled]
        decode = self._decoder.decode
        return [(n.id, e) for n in page.events if (e := decode(n)) is not None]

    def extend(self, connection: Connection, page: Page) -> None:
        ws = Workspace(connection)
        fold_into(ws, self.events(page))
        ws.flush(connection)

    def rebuilding(self, connection: Connection) -> _Rebuild:
        """Empty the tables; make them anew when their shape is outdated."""
        stored = _stored_version(connection)
        if stored != t.SCHEMA_VERSION:
            t.metadata.drop_all(connection, tables=t.FOLDED_TABLES)
            t.metadata.create_all(connection, tables=t.FOLDED_TABLES)
            row = {"name": _SCHEMA, "version": t.SCHEMA_VERSION}
            if stored is None:
                connection.execute(insert(t.schema).values(row))
            else:
                connection.execute(update(t.schema).where(t.schema.c.name == _SCHEMA).values(row))
        else:
            for table in t.FOLDED_TABLES:
                connection.execute(delete(table))
        return _Rebuild(self, connection)


_SCHEMA = "read_models"


def _stored_version(connection: Connection) -> int | None:
    found = connection.execute(
        select(t.schema.c.version).where(t.schema.c.name == _SCHEMA)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def fold_into(ws: Workspace, events: Sequence[tuple[int, Any]]) -> None:
    """Fold `events`, in order, into `ws`, loading first the rows they touch."""
    if ws.loads:
        ws.prefetch(key for _, event in events for key in touches(event))
    for seq, event in events:
        fold_event(ws, event, seq)


class _Rebuild:
    """The read models' part of a rebuild: one workspace held across pages."""

    def __init__(self, read_models: ReadModels, connection: Connection) -> None:
        self._read_models, self._connection = read_models, connection
        self._ws = Workspace()  # the tables are empty: nothing to load

    def fold(self, page: Page) -> None:
        """Fold the page; write its histories, and the rows too when they are many."""
        fold_into(self._ws, self._read_models.events(page))
        if self._ws.size <= self._read_models.rebuild_rows:
            self._ws.flush_appended(self._connection)
            return
        self._ws.flush(self._connection)
        self._ws = Workspace(self._connection)

    def complete(self, through: int) -> None:
        self._ws.flush(self._connection)
