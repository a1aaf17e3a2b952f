"""A unit of work for bulk commands: many commands decided in memory, saved in chunks.

Inside `Ledger.bulk()`, aggregates loaded by one command stay in an identity map, so the
next command sees what the previous one decided before anything is written. Every
`chunk` commands the new events of all of them are saved in one atomic `save`. A command
the rules refuse is undone in memory (its aggregates are rebuilt from their stored
events plus the pending events of the commands before it), so a refusal inside a bulk
still writes nothing and leaves the rest of the chunk intact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

Loader = Callable[[type[Any], UUID], Aggregate | None]


def changed(*groups: Iterable[Aggregate]) -> list[Aggregate]:
    """What a save writes, the one rule for a command, a bulk's chunk and a billing run's
    batch: every aggregate of `groups` with new events, once, in the order given (a
    command's decision first, then whatever else it was handed, so the log holds its
    events in the order the decision gave)."""
    seen: set[UUID] = set()
    found: list[Aggregate] = []
    for group in groups:
        for aggregate in group:
            if aggregate.id not in seen and aggregate.pending_events:
                seen.add(aggregate.id)
                found.append(aggregate)
    return found


class UnitOfWork:
    """The aggregates of the commands not yet saved, and where each command began."""

    def __init__(self, chunk: int, keep: tuple[type[Any], ...]) -> None:
        self.chunk = chunk
        self.commands = 0
        self._keep = keep
        self._aggregates: dict[UUID, Aggregate] = {}
        self._before: dict[UUID, int] = {}
        self._absent: set[UUID] = set()  # ids read and found not stored (`prefetched`)

    def begin(self) -> None:
        """A command starts: remember nothing yet of what it touches."""
        self._before = {}

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        """A tracked aggregate handed to the current command (noting its pending events)."""
        found = self._aggregates.get(aggregate_id)
        if found is not None:
            self._before.setdefault(aggregate_id, len(found.pending_events))
        return found

    def prefetched(self, found: dict[UUID, Aggregate], wanted: list[UUID]) -> None:
        """Aggregates loaded in one batch ahead of the commands, and the ids of `wanted`
        that are not stored (none of them needs reading again in this bulk)."""
        for aggregate in found.values():
            self.track(aggregate)
        self._absent.update(i for i in wanted if i not in found)
        self._before = {}

    def known_absent(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._absent

    def track(self, aggregate: Aggregate) -> None:
        self._aggregates.setdefault(aggregate.id, aggregate)
        self._before.setdefault(aggregate.id, len(aggregate.pending_events))

    def undo(self, load: Loader) -> None:
        """Forget what the current, refused command did to the aggregates it touched."""
        for key, keep in self._before.items():
            aggregate = self._aggregates[key]
            if len(aggregate.pending_events) > keep:
                self._aggregates[key] = _rebuilt(aggregate, keep, load)
        self._before = {}

    def done(self, changed: list[Aggregate]) -> bool:
        """Record a decided command's aggregates; True when the chunk is full."""
        for aggregate in changed:
            self._aggregates.setdefault(aggregate.id, aggregate)
            self._absent.discard(aggregate.id)
        self.commands += 1
        return self.commands >= self.chunk

    def new_events(self, decided: Iterable[Aggregate]) -> Iterator[object]:
        """The events the current command added: to what it was handed (after where each
        stood when handed) and to what it created (`decided`, not tracked yet)."""
        for key, keep in self._before.items():
            yield from self._aggregates[key].pending_events[keep:]
        for aggregate in decided:
            if aggregate.id not in self._before:
                yield from aggregate.pending_events

    def pending(self) -> list[Aggregate]:
        """What the chunk's save writes (`changed`)."""
        return changed(self._aggregates.values())

    def saved(self) -> None:
        """After a save: start a new chunk, keeping only the few hot aggregates."""
        self.commands = 0
        self._aggregates = {
            k: a
            for k, a in self._aggregates.items()
            if isinstance(a, self._keep) or k in self._before
        }


def _rebuilt(aggregate: Aggregate, keep: int, load: Loader) -> Aggregate:
    """The aggregate as stored, plus its first `keep` pending events."""
    events = aggregate.pending_events[:keep]
    stored_version = aggregate.version - len(aggregate.pending_events)
    fresh = load(type(aggregate), aggregate.id) if stored_version else None
    for event in events:
        fresh = event.mutate(fresh)
    assert fresh is not None
    fresh.pending_events.extend(events)
    return fresh
