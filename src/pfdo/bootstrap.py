"""The one place that builds pfdo's parts on a store: engine, event log, projector, timeline.

`Ledger` and `Auditor.open` both start here, so a store is opened the same way whoever
opens it. Opening creates the store's tables on first use and nothing more: it folds
nothing, reads no environment beyond the store's own location, and leaves catching the
read models up to an explicit step.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from pfdo.failures import store_errors
from pfdo.projections.runner import Projector
from pfdo.projections.timeline import Timeline
from pfdo.store import (
    EventLog,
    StoreURL,
    ensure_postgres_database,
    open_engine,
    open_event_log,
    schema_lock,
)


@dataclass(frozen=True)
class Parts:
    """The objects that work on one store."""

    store: StoreURL
    engine: Engine
    log: EventLog
    projector: Projector
    timeline: Timeline

    def close(self) -> None:
        self.log.close()
        self.engine.dispose()


def bootstrap(db: str | None = None) -> Parts:
    """Open (creating on first use) the store `db`: a SQLite path, `sqlite:///PATH` or
    `postgresql://...`; default `PFDO_DB`, then `./pfdo.sqlite`."""
    store = StoreURL.parse(db)
    with store_errors(store):
        if store.kind == "postgresql":
            ensure_postgres_database(store)
        engine = open_engine(store)
        with schema_lock(store):
            log = open_event_log(store)
            projector = Projector(log, engine)
            projector.ensure_schema()
    return Parts(store, engine, log, projector, Timeline(log))
