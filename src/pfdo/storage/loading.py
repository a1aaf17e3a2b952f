"""Reading the log in bulk: many aggregates with one query, and pages of the log.

The library's repository reads one aggregate per query. A billing run or a period close
needs thousands, so this module selects the stored events of a whole batch of ids at once
(`originator_id IN (...)`), in version order, and replays each aggregate from them.

Aggregates are replayed from their latest snapshot when one is stored, then from the
events after it: contracts and certificates have one when a billing run stored it for
those it has just saved (`EventLog.store_snapshots`), the kinds of
`EventLog.snapshotting_intervals` (periods, programs, tallies, ...) every so many events at
their save. A snapshot is a cache of the state at a version, nothing more: the log stays
the record, the chain, rebuilds and audits never read snapshots, and deleting every stored
snapshot is always safe (loads then replay the whole log). Only the latest snapshot of an
aggregate is kept. A snapshot of an older version of an aggregate's state is upcast to the
current shape by the aggregate's own upcasters (`class_version`, as events are); one
that cannot be (`StaleSnapshot`) is passed over, and the aggregate replayed from its
first event.

`read_log` reads a page of the log in order with one plain query, leaving the decoding
of each event to its reader (most readers skip most events). The SQL itself is the
backend's, in `pfdo.storage` (`EventLog.storage`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from pfdo.domain.base import StaleSnapshot
from pfdo.storage import LoggedEvent
from pfdo.storage.store import EventLog

__all__ = [
    "LoadedBatch",
    "LoggedEvent",
    "WarmAggregates",
    "bring_up",
    "bring_up_many",
    "load_batch",
    "load_many",
    "read_aggregate_log",
    "read_log",
]

_CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


@dataclass
class LoadedBatch:
    """Aggregates loaded together, and the version of the snapshot each started from."""

    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)
    snapshot_versions: dict[UUID, int] = field(default_factory=dict)

    def replayed_at_length(self, at_least: int) -> list[Aggregate]:
        """The aggregates (as they are now, new events included) with `at_least` events
        that no stored snapshot holds."""
        return [
            a
            for key, a in self.aggregates.items()
            if a.version - self.snapshot_versions.get(key, 0) >= at_least
        ]


def load_batch(
    log: EventLog, ids: Iterable[UUID], decode: Callable[[LoggedEvent], Any]
) -> LoadedBatch:
    """Every aggregate of `ids` that exists: from its latest snapshot, if any, then its
    stored events after it (decoded by `decode`, e.g. a
    `pfdo.projections.decoding.EventDecoder` for every class)."""
    wanted = list(dict.fromkeys(ids))
    batch = LoadedBatch()
    found, versions = batch.aggregates, batch.snapshot_versions
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        # the latest snapshots, and the events after the snapshot each aggregate starts
        # from (a snapshot stored meanwhile changes nothing: events are only added)
        snapshots, events = log.storage.load(chunk)
        stale: dict[UUID, int] = {}
        for snapshot in snapshots:
            try:
                found[snapshot.originator_id] = _from_snapshot(log, snapshot)
            except StaleSnapshot:
                stale[snapshot.originator_id] = 0
                continue
            versions[snapshot.originator_id] = snapshot.originator_version
        if stale:  # replayed from the start: their events after the snapshot come again
            events = [e for e in events if e.originator_id not in stale]
            events += log.storage.events_after(stale)
        for stored in events:
            key = stored.originator_id
            found[key] = decode(stored).mutate(found.get(key))
    return batch


def load_many(
    log: EventLog, ids: Iterable[UUID], decode: Callable[[LoggedEvent], Any]
) -> dict[UUID, Aggregate]:
    """Every aggregate of `ids` that exists (see `load_batch`)."""
    return load_batch(log, ids, decode).aggregates


class WarmAggregates:
    """The aggregates one executor's commands read and wrote lately, kept between
    commands so that the next command need not read them again (at most `size`, the
    least recently used forgotten first).

    An aggregate kept here may be behind the log (another writer may have saved it
    since): the executor uses one only where that cannot go unnoticed. An aggregate the
    command writes conflicts on its version when saved; one it only reads has its version
    checked against the log (`EventStorage.latest_versions`, one query for all of them)
    before the save. Either way a stale one is forgotten and the command decided again on
    fresh loads. Whatever a command read is forgotten when it fails (a decision may have
    changed it before it refused), so only saved states are kept.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._kept: OrderedDict[UUID, Aggregate] = OrderedDict()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        found = self._kept.get(aggregate_id)
        if found is not None:
            self._kept.move_to_end(aggregate_id)
        return found

    def keep(self, aggregates: Iterable[Aggregate]) -> None:
        for aggregate in aggregates:
            self._kept[aggregate.id] = aggregate
            self._kept.move_to_end(aggregate.id)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        for aggregate_id in aggregate_ids:
            self._kept.pop(aggregate_id, None)


def bring_up(
    log: EventLog, aggregate: Aggregate, decode: Callable[[LoggedEvent], Any]
) -> Aggregate:
    """`aggregate` as the log holds it now: the events stored after its version, if
    any, applied to it (one query)."""
    return bring_up_many(log, {aggregate.id: aggregate}, decode)[aggregate.id]


def bring_up_many(
    log: EventLog, aggregates: dict[UUID, Aggregate], decode: Callable[[LoggedEvent], Any]
) -> dict[UUID, Aggregate]:
    """`aggregates`, updated in place to what the log holds now: the events stored after
    each one's version applied to it (one query per `_CHUNK` of them)."""
    ids = list(aggregates)
    for start in range(0, len(ids), _CHUNK):
        bounds = {i: aggregates[i].version for i in ids[start : start + _CHUNK]}
        for stored in log.storage.events_after(bounds):
            key = stored.originator_id
            aggregates[key] = decode(stored).mutate(aggregates[key])
    return aggregates


def _from_snapshot(log: EventLog, stored: LoggedEvent) -> Aggregate:
    snapshot = log.mapper.to_domain_event(
        StoredEvent(stored.originator_id, stored.originator_version, stored.topic, stored.state)
    )
    return snapshot.mutate(None)  # type: ignore[attr-defined,no-any-return]


def read_log(log: EventLog, after: int, limit: int) -> list[LoggedEvent]:
    """Up to `limit` events after position `after`, in log order."""
    return log.storage.read_log(after, limit)


def read_aggregate_log(log: EventLog, aggregate_id: UUID) -> list[LoggedEvent]:
    """One aggregate's events with their log positions, in version order."""
    return log.storage.read_aggregate_log(aggregate_id)
