"""An in-memory `pfdo.application.reading.Reader`, for deciding commands in unit and
property tests without a store.

Aggregates are kept as saved and each read hands out a copy, so a decision changes
nothing kept until `save`; the versions read are noted (`reads`), as the executor notes
them to decide again a refusal on records that changed since. The read-model queries
answer from the aggregates kept; the settlement ones are not kept in memory.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.errors import NotFound
from pfdo.storage.pseudonyms import Pseudonyms

A = TypeVar("A", bound=Aggregate)


class Conflict(Exception):
    """A save whose aggregates another save changed since they were read."""


class MemoryReader:
    """Aggregates kept as saved, each read as a copy; a save checks their versions."""

    def __init__(self) -> None:
        self.saved: dict[UUID, Aggregate] = {}
        #: id -> version of what the current decision read (0: not stored), watched reads
        self.reads: dict[UUID, int] = {}
        self._ids = Pseudonyms(b"memory-reader-key")

    # -- aggregates -------------------------------------------------------------------

    @property
    def ids(self) -> Pseudonyms:
        return self._ids

    def kept(self, aggregate_id: UUID) -> Aggregate | None:
        """What a read of `aggregate_id` finds (kept as saved, not copied)."""
        return self.saved.get(aggregate_id)

    def find_id(self, cls: type[A], aggregate_id: UUID) -> A | None:
        found = self.kept(aggregate_id)
        self.reads[aggregate_id] = 0 if found is None else found.version
        return copy.deepcopy(found)  # type: ignore[return-value]

    def find_ids(
        self, cls: type[A], aggregate_ids: Sequence[UUID], *, watched: bool = True
    ) -> dict[UUID, A | None]:
        reads = dict(self.reads)
        found = {i: self.find_id(cls, i) for i in aggregate_ids}
        if not watched:
            self.reads = reads
        return found

    def find(self, cls: type[A], key: str) -> A | None:
        return self.find_id(cls, cls.id_for(key))  # type: ignore[attr-defined]

    def get(self, cls: type[A], key: str, what: str) -> A:
        found = self.find(cls, key)
        if found is None:
            raise NotFound(f"{what} {key} does not exist")
        return found

    def exists(self, cls: type[Aggregate], key: str) -> bool:
        return self.find(cls, key) is not None

    # -- the read models, answered from what is kept ----------------------------------

    def settle(self) -> None:
        pass

    def _all(self, cls: type[A]) -> list[A]:
        return [a for a in self.saved.values() if isinstance(a, cls)]

    def funded_numbers(self, period: str, category: str | None = None) -> list[str]:
        return sorted(
            c.number
            for c in self._all(Certificate)
            if period in c.pots and category in (None, c.pots[period]["category"])
        )

    def unbilled_months(self, period: str) -> list[str]:
        return sorted(
            f"{c.code} {month}"
            for c in self._all(Contract)
            if c.period == period
            for month, state in c.months.items()
            if state["status"] == "open"
        )

    def advance_lines(self, provider: str, month: str) -> list[Any]:
        raise NotImplementedError("the registers are not kept in memory")

    def invoice_basis(self, provider: str, month: str, invoiced: Collection[str]) -> Any:
        raise NotImplementedError("the registers are not kept in memory")

    def providers_in(self, period: str) -> list[str]:
        return sorted({c.provider for c in self._all(Contract) if c.period == period})

    def register_totals(self, provider: str, months: Collection[str]) -> dict[str, int]:
        raise NotImplementedError("the registers are not kept in memory")

    # -- writing ----------------------------------------------------------------------

    def stale(self, reads: dict[UUID, int]) -> bool:
        """Whether another save changed any of `reads` since."""
        return any(
            (0 if (a := self.saved.get(i)) is None else a.version) != v for i, v in reads.items()
        )

    def save(self, changed: Sequence[Aggregate]) -> None:
        """Keep `changed` as decided, or raise `Conflict` (nothing kept) when another save
        changed one of them since it was read."""
        for aggregate in changed:
            stored = self.saved.get(aggregate.id)
            before = aggregate.version - len(aggregate.pending_events)
            if (0 if stored is None else stored.version) != before:
                raise Conflict
        for aggregate in changed:
            aggregate.collect_events()
            self.saved[aggregate.id] = aggregate
