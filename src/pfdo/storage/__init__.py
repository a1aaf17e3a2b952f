"""Storage: where pfdo reaches under the `eventsourcing` library, one module per backend.

The library's repository reads one aggregate per query and its notification log pages of
ten; pfdo's bulk paths (billing, closing, catch-up, audit) need more, so they read and
write the library's own tables with SQL of their own: `sqlite.py` and `postgres.py` hold
that SQL and every call of a recorder's private methods, behind the `EventStorage`
interface below, which `pfdo.storage.loading` calls. `event_log.py` holds the application, whose
`save` calls the library's private steps of its own `save`.

All of it relies on library behaviour that is not public API: the table and column
names, the private methods and what they do. `EVENTSOURCING_VERSION` is the version it
was written and checked against; tests/integration/test_library_contract.py pins that
behaviour on both backends and fails first, and clearly, when the library changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import RecordConflictError, StoredEvent

#: The `eventsourcing` release these modules were written against (pyproject pins it).
EVENTSOURCING_VERSION = "9.5.6"


class LoggedEvent(NamedTuple):
    """One stored event at its position in the log, not yet decoded (position 0 when it
    was read without one)."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def changed_since(read: Mapping[UUID, int], latest: Mapping[UUID, int]) -> bool:
    """Whether any aggregate of `read` ({id: version as read}) is at another version in
    `latest` ({id: last version in the log}; none: never saved)."""
    return any(latest.get(key, 0) != version for key, version in read.items())


class ReadChangedMeanwhile(RecordConflictError):
    """A save refused because an aggregate the decision only read (`unchanged`) gained
    events since: nothing was written, and the command is decided again."""


class EventStorage(Protocol):
    """The raw reads and writes pfdo makes on one store's event and snapshot tables."""

    def events_after(self, bounds: Mapping[UUID, int]) -> list[LoggedEvent]:
        """The stored events of each id in `bounds` after its version there, in version
        order for each id."""

    def load(self, ids: Sequence[UUID]) -> tuple[list[LoggedEvent], list[LoggedEvent]]:
        """What loading `ids` reads: the latest snapshot of each that has one, and the
        stored events of each after that snapshot (after version 0 without one), in
        version order for each id; in one round trip where the backend allows it."""

    def latest_versions(self, ids: Sequence[UUID]) -> dict[UUID, int]:
        """The version of the last stored event of each of `ids` that has any."""

    def replace_snapshots(
        self, superseded: Sequence[tuple[UUID, int]], stored: Sequence[StoredEvent]
    ) -> None:
        """In one transaction: delete the snapshots of each (id, version) of `superseded`
        at or below that version, and insert `stored` (the library's insert; an
        `IntegrityError` when one is there already)."""

    def read_log(self, after: int, limit: int) -> list[LoggedEvent]:
        """Up to `limit` events after log position `after`, in log order."""

    def read_aggregate_log(self, aggregate_id: UUID) -> list[LoggedEvent]:
        """One aggregate's events with their log positions, in version order."""
