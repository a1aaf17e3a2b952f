"""The event log: the library's application with pfdo's transcodings and its `save`.

`save` runs the library's own three private steps (record, take the due snapshots,
notify) without its runtime protocol checks, and takes a due snapshot of the aggregate
as the command left it (the library loads it back from the log first); `storage` is the
backend's `pfdo.storage.EventStorage` for pfdo's own SQL on the same tables.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import date
from functools import cached_property
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    Recording,
    Transcoding,
)
from eventsourcing.utils import Environment, EnvType

from pfdo.domain import funding
from pfdo.domain.errors import StoreUnavailable
from pfdo.domain.period import Municipality, Period
from pfdo.domain.registry import Program
from pfdo.storage import EventStorage


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
    #: what counts a category's fundings (`pfdo.domain.funding.COUNTERS`) holds a share
    #: of them each: snapshotted like a period
    snapshotting_intervals = {  # noqa: RUF012
        Period: 20,
        Program: 20,
        Municipality: 20,
        **dict.fromkeys(funding.COUNTERS, 20),
    }

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    #: Set on a log opened read-only: every save is refused before it reaches the store.
    read_only_reason = ""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        synchronous: str = "full",
        busy_timeout: float | None = None,
    ) -> None:
        """`synchronous`: SQLite's `PRAGMA synchronous` on each of the log's connections
        ("full" or "normal"; `pfdo.storage.store` says what each keeps through a crash).
        `busy_timeout`: the seconds a connection waits for another writer's lock (SQLite's
        busy timeout, PostgreSQL's `lock_timeout`; None: the library's lock timeout)."""
        self._synchronous = synchronous
        self._busy_timeout = busy_timeout
        super().__init__(env)

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        if type(factory).__module__ == "eventsourcing.sqlite":
            from eventsourcing.sqlite import SQLiteFactory

            from pfdo.storage.sqlite import configure_connections

            assert isinstance(factory, SQLiteFactory)
            configure_connections(factory.datastore, self._synchronous, self._busy_timeout)
        elif (
            type(factory).__module__ == "eventsourcing.postgres" and self._busy_timeout is not None
        ):
            from eventsourcing.postgres import PostgresFactory

            from pfdo.storage.store import postgres_options

            assert isinstance(factory, PostgresFactory)
            pool = factory.datastore.pool  # not opened yet: its connections take the option
            assert isinstance(pool.kwargs, dict)  # the library gives it as a dict
            pool.kwargs = {**pool.kwargs, **postgres_options(self._busy_timeout)}
        return factory

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's `save`, collecting pfdo's aggregates without its runtime protocol
        checks (two per aggregate, which cost more than encoding its events): record,
        take the due snapshots, notify, as the library does."""
        if self.read_only_reason:
            raise StoreUnavailable(self.read_only_reason)
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

    def _take_snapshots(self, processing: ProcessingEvent[UUID]) -> None:
        """Snapshot each saved aggregate one of whose new events falls on its kind's
        interval, as it is in memory: just saved, so the log holds exactly that state."""
        intervals = self.snapshotting_intervals
        if self.snapshots is None or not intervals:
            return
        due: dict[UUID, Aggregate] = {}
        for event in processing.events:
            aggregate = processing.aggregates.get(event.originator_id)
            if not isinstance(aggregate, Aggregate):
                continue  # not one of pfdo's (`save` collects them all)
            interval = intervals.get(type(aggregate))
            if interval and event.originator_version % interval == 0:
                due[aggregate.id] = aggregate
        self.store_snapshots(list(due.values()))

    def store_snapshots(self, aggregates: Sequence[Aggregate]) -> None:
        """Store a snapshot of each aggregate at its current version, which must be saved
        (no pending events), replacing the older snapshots of the same aggregates."""
        if self.snapshots is None or not aggregates:
            return
        stored = [self.mapper.to_stored_event(type(a).Snapshot.take(a)) for a in aggregates]
        superseded = [(a.id, a.version) for a in aggregates]
        # another process storing the same snapshot meanwhile is as good
        with contextlib.suppress(IntegrityError):
            self.storage.replace_snapshots(superseded, stored)

    @cached_property
    def storage(self) -> EventStorage:
        """pfdo's raw reads and writes on this store's tables, for its backend."""
        snapshots = self.snapshots.recorder if self.snapshots is not None else None
        backend = type(self.factory).__module__
        if backend == "eventsourcing.sqlite":
            from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteApplicationRecorder

            from pfdo.storage.sqlite import SQLiteStorage

            assert isinstance(self.recorder, SQLiteApplicationRecorder)
            assert snapshots is None or isinstance(snapshots, SQLiteAggregateRecorder)
            return SQLiteStorage(self.recorder, snapshots)
        if backend == "eventsourcing.postgres":
            from eventsourcing.postgres import (
                PostgresAggregateRecorder,
                PostgresApplicationRecorder,
            )

            from pfdo.storage.postgres import PostgresStorage

            assert isinstance(self.recorder, PostgresApplicationRecorder)
            assert snapshots is None or isinstance(snapshots, PostgresAggregateRecorder)
            return PostgresStorage(self.recorder, snapshots)
        raise TypeError(f"pfdo stores its log in SQLite or PostgreSQL, not {backend}")
