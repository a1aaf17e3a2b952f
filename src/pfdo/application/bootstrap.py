"""The one place that builds pfdo's parts on a store: engine, event log, projector, timeline.

`Ledger` and `Auditor.open` both start here, so a store is opened the same way whoever
opens it. Opening creates the store's tables on first use and nothing more: it folds
nothing, reads no environment beyond the store's own location, and leaves catching the
read models up to an explicit step.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from pfdo.projections.chain import ChainKeeper
from pfdo.projections.protocol import SameTransactionFold
from pfdo.projections.read_models import ReadModels
from pfdo.projections.runner import Projector
from pfdo.projections.timeline import Timeline
from pfdo.storage import pseudonyms
from pfdo.storage.store import EventLog, StoreURL, opening


@dataclass(frozen=True)
class Parts:
    """The objects that work on one store."""

    store: StoreURL
    engine: Engine
    log: EventLog
    projector: Projector
    timeline: Timeline
    read_only: bool
    created: bool = False

    def close(self) -> None:
        self.log.close()
        self.engine.dispose()


def bootstrap(
    db: str | None = None,
    *,
    create: bool = True,
    read_only: bool | None = None,
    busy_timeout: float | None = None,
) -> Parts:
    """Open the store `db`: a SQLite path, `sqlite:///PATH` or `postgresql://...`; default
    `PFDO_DB`, then `./pfdo.sqlite`. `create` and `read_only` as `pfdo.storage.store.opening`
    takes them; a read-only store gets a projector that folds nothing. `busy_timeout`: the
    seconds a call waits for a lock another writer holds (`StoreURL.busy_timeout`)."""
    store = StoreURL.parse(db).waiting(busy_timeout)
    with opening(store, create=create, read_only=read_only) as opened:
        log, engine = opened.log, opened.engine
        folds: list[SameTransactionFold] = [ReadModels(log), ChainKeeper(log)]
        projector = Projector(log, engine, folds, read_only=opened.read_only)
        if not opened.read_only:
            projector.ensure_schema()
            empty = not log.recorder.max_notification_id()
            pseudonyms.ensure_ids_key(engine, log.mapper.cipher, log_is_empty=empty)
    return Parts(store, engine, log, projector, Timeline(log), opened.read_only, opened.created)
