"""`pfdo audit verify`: the whole store checked against its own log, from the first event.

One pass over the log, in log order, does it all:

1. recomputes the chain from the first event and matches it with the stored chain
   (`align`), and checks that each aggregate's versions follow one another;
2. compares the recomputed hash at every checkpoint's position with the checkpoint, and
   the checkpoint's signature with the operator's public key (`checkpoint`);
3. refolds the events into the read models in memory (`refold`) and, on reaching the
   projector's position, compares them with the stored tables (`compare`);
4. checks every invariant of the rules (docs/RULES.md), event by event and at the end
   (`invariants`).

Nothing is written, and the store may be in use meanwhile: the stored tables are read in
one snapshot, and events written after the chain's or the projector's position are only
counted, as not yet chained or folded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from pfdo.audit.align import ChainAlignment
from pfdo.audit.checkpoint import Checkpoint, assess
from pfdo.audit.compare import MovementComparison, compare_tables
from pfdo.audit.invariants import check_final
from pfdo.audit.problems import Names, Problems, event_name
from pfdo.audit.refold import Refolder
from pfdo.projections import tables as t
from pfdo.projections.canonical import parse_json, plaintext
from pfdo.projections.chain import (
    GENESIS,
    ChainedEvent,
    ChainRow,
    EventHasher,
    chain_head,
    chain_rows,
    log_pages,
)
from pfdo.storage.loading import LoggedEvent
from pfdo.storage.store import EventLog

PAGE = 1000


@dataclass(frozen=True)
class Sourced:
    """A checkpoint to check, where it came from, and whether the store kept it."""

    source: str
    checkpoint: Checkpoint
    stored: bool


@dataclass(frozen=True)
class Verified:
    """What `verify` found."""

    events: int
    head: tuple[int, bytes]
    chained: int
    folded: int
    checkpoints: int
    problems: Problems
    warnings: list[str]


def _merged(
    log: Iterator[LoggedEvent], chain: Iterator[ChainRow]
) -> Iterator[tuple[int, LoggedEvent | None, ChainRow | None]]:
    """Both streams by position, paired where they share one."""
    event, row = next(log, None), next(chain, None)
    while event is not None or row is not None:
        position = min(
            x.position if isinstance(x, ChainRow) else x.id for x in (event, row) if x is not None
        )
        here_event = event if event is not None and event.id == position else None
        here_row = row if row is not None and row.position == position else None
        yield position, here_event, here_row
        if here_event is not None:
            event = next(log, None)
        if here_row is not None:
            row = next(chain, None)


class VerifyRun:
    """One run of `verify` over a store."""

    def __init__(
        self, log: EventLog, connection: Connection, hasher: EventHasher, trusted: bytes | None
    ) -> None:
        self._log, self._connection, self._hasher = log, connection, hasher
        self._trusted = trusted
        self.problems = Problems()
        self.warnings: list[str] = []
        self.names = Names(self._first_event)
        self._refolder = Refolder(log.mapper, self._movement)
        self._versions: dict[str, int] = {}
        self._at: dict[int, tuple[bytes, ChainedEvent]] = {}
        self._comparison: MovementComparison | None = None

    def _first_event(self, originator_id: str) -> tuple[str, Any] | None:
        found = self._log.recorder.select_events(UUID(originator_id), lte=1, limit=1)
        if not found:
            return None
        state = plaintext(self._log.mapper, found[0].state)
        return found[0].topic, parse_json(state)

    def _movement(self, row: dict[str, Any]) -> None:
        if self._comparison is not None:
            self._comparison.feed(row)

    def run(self, checkpoints: Sequence[Sourced]) -> Verified:
        folded = int(self._connection.execute(select(t.position.c.position)).scalar() or 0)
        chained, _ = chain_head(self._connection)
        self._comparison = MovementComparison(self._connection, folded, self.problems)
        alignment = ChainAlignment(chained)
        wanted = {s.checkpoint.position for s in checkpoints}
        events, head, prev_stored, compared = 0, (0, GENESIS), GENESIS, False
        log = (event for page in log_pages(self._log) for event in page)
        for position, stored, row in _merged(log, chain_rows(self._connection)):
            if stored is not None and position > folded and not compared:
                compared = self._compare()
            chained_event = None if stored is None else self._read(stored)
            if stored is not None:
                events += 1
                self._fold(stored, chained_event)
            if chained_event is not None:
                head = (position, chained_event.link(head[1]))
                if position in wanted:
                    self._at[position] = (head[1], chained_event)
            if stored is None or chained_event is not None:
                alignment.observe(position, chained_event, row, prev_stored)
            if row is not None:
                prev_stored = bytes.fromhex(row.hash)
        if not compared:
            self._compare()
        alignment.report(self.problems, self.names)
        self._pending(alignment.pending, chained, folded, head[0])
        if events == 0:
            self.warnings.append("the log holds no events: is this the right store?")
        self.problems.extend(check_final(self._refolder.ws, self._refolder.tally, partial=False))
        for sourced in checkpoints:
            self._check(sourced, head[0])
        return Verified(
            events, head, chained, folded, len(checkpoints), self.problems, self.warnings
        )

    def _read(self, stored: LoggedEvent) -> ChainedEvent | None:
        try:
            event = self._hasher.chained(stored)
        except Exception as error:  # a tampered log can hold anything
            self.problems.add(
                "log",
                f"{event_name(stored.topic)} cannot be read: {error}",
                position=stored.id,
                event=event_name(stored.topic),
            )
            return None
        last = self._versions.get(event.originator_id, 0)
        if event.version != last + 1:
            if event.version <= last:
                text = f"version {event.version} comes after version {last}: out of order"
            else:
                missing = ", ".join(str(v) for v in range(last + 1, event.version)[:10])
                text = f"version {event.version} follows version {last}: {missing} missing"
            self.problems.add(
                "log",
                text,
                position=event.position,
                aggregate=self._name(event),
                event=event_name(event.topic),
            )
        self._versions[event.originator_id] = max(last, event.version)
        return event

    def _name(self, event: ChainedEvent) -> str:
        return self.names.name(event.originator_id, event.topic, event.committed.payload)

    def _fold(self, stored: LoggedEvent, event: ChainedEvent | None) -> None:
        for message in self._refolder.fold(stored):
            aggregate = self._name(event) if event is not None else None
            self.problems.add(
                "invariant",
                message,
                position=stored.id,
                aggregate=aggregate,
                event=event_name(stored.topic),
            )

    def _compare(self) -> bool:
        compare_tables(self._connection, self._refolder.ws, self.problems)
        assert self._comparison is not None
        self._comparison.finish()
        return True

    def _pending(self, unchained: int, chained: int, folded: int, last: int) -> None:
        if unchained:
            self.warnings.append(
                f"{unchained} event(s) after position {chained} are not chained yet: "
                "the next command or `pfdo rebuild` chains them"
            )
        if last > folded:
            self.warnings.append(
                f"the read models are folded up to position {folded}, the log reaches {last}"
            )

    def _check(self, sourced: Sourced, last: int) -> None:
        cp, source = sourced.checkpoint, sourced.source
        found = self._at.get(cp.position)
        problems, warnings = assess(
            cp, self._trusted, stored=sourced.stored, hash_there=found and found[0], last=last
        )
        for text in problems:
            self.problems.add(
                "checkpoint",
                f"{source}: {text}",
                position=cp.position,
                aggregate=self._name(found[1]) if found else None,
                event=event_name(found[1].topic) if found else None,
            )
        self.warnings.extend(f"{source}: {text}" for text in warnings)
