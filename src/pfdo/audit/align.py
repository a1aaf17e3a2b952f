"""The log against its chain, position by position: what was changed, deleted, inserted
or moved.

The chain records, for every position, which event was there (aggregate id and version)
and its hash. Walking the log and the chain together:

- the same event at the same position: its hash, recomputed from the event and the hash
  the chain recorded for the event before it, must be the one recorded; if not, the event
  was changed (payload, type or aggregate), or its chain row was rewritten;
- an event the chain recorded at another position: it was moved (reordered, or shifted
  by an insertion or deletion that renumbered the log);
- an event the chain never recorded, at a position the chain has passed: it was inserted;
- an event the chain recorded that the log no longer has: it was deleted.

Events after the chain's last position are not chained yet (the projector chains them at
its next catch-up): they are counted, not judged. A run of the same finding (a deleted
tail, a stretch shifted by one insertion) is reported once, with how far it reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

from pfdo.audit.problems import Names, Problems, event_name
from pfdo.projections.chain import ChainedEvent, ChainRow

Identity = tuple[str, int]
LIMIT = 100_000  # mismatched events analysed; beyond that they are only counted


@dataclass(frozen=True)
class _Finding:
    position: int
    kind: str  # changed, moved, inserted, deleted
    identity: Identity
    topic: str | None
    recorded_at: int | None = None  # where the chain recorded a moved event


class ChainAlignment:
    """Collects the mismatches between the log and the chain, then explains them."""

    def __init__(self, chain_head: int) -> None:
        self.chain_head = chain_head
        self.pending = 0
        self._changed: list[_Finding] = []
        self._in_log: dict[Identity, tuple[int, str]] = {}
        self._in_chain: dict[Identity, int] = {}
        self._beyond: dict[Identity, tuple[int, str]] = {}
        self.unanalysed = 0

    def observe(
        self, position: int, event: ChainedEvent | None, row: ChainRow | None, prev: bytes
    ) -> None:
        """One position: the log's event there (if any), the chain's row (if any), and
        the hash the chain recorded for the position before."""
        if event is not None and row is not None and event.identity == row.identity:
            if event.link(prev).hex() != row.hash:
                self._changed.append(_Finding(position, "changed", event.identity, event.topic))
            return
        if event is not None and row is None and position > self.chain_head:
            if len(self._beyond) < LIMIT:  # may be a chained event moved past the head
                self._beyond[event.identity] = (position, event.topic)
            self.pending += 1
            return
        if len(self._in_log) + len(self._in_chain) >= LIMIT:
            self.unanalysed += 1
            return
        if event is not None:
            self._in_log[event.identity] = (position, event.topic)
        if row is not None:
            self._in_chain[row.identity] = position

    def _findings(self) -> list[_Finding]:
        found = list(self._changed)
        for identity, (position, topic) in self._in_log.items():
            recorded = self._in_chain.get(identity)
            kind = "inserted" if recorded is None else "moved"
            found.append(_Finding(position, kind, identity, topic, recorded))
        for identity, recorded in self._in_chain.items():
            if identity in self._beyond:  # moved past the chain's head
                position, topic = self._beyond[identity]
                found.append(_Finding(position, "moved", identity, topic, recorded))
                self.pending -= 1
            elif identity not in self._in_log:
                found.append(_Finding(recorded, "deleted", identity, None))
        return sorted(found, key=lambda f: (f.position, f.kind))

    def report(self, problems: Problems, names: Names) -> None:
        """Add one problem per run of like findings."""
        runs: list[list[_Finding]] = []
        for finding in self._findings():
            if runs and _continues(runs[-1][-1], finding):
                runs[-1].append(finding)
            else:
                runs.append([finding])
        for run in runs:
            first = run[0]
            message = _message(first, names)
            if len(run) > 1:
                message += (
                    f"; so are the {len(run) - 1} events after it, up to position "
                    f"{run[-1].position}"
                )
            aggregate = names.name(first.identity[0])
            event = event_name(first.topic) if first.topic else None
            problems.add(
                "chain", message, position=first.position, aggregate=aggregate, event=event
            )
        if self.unanalysed:
            problems.add("chain", f"{self.unanalysed} more mismatched positions not analysed")


def _offset(finding: _Finding) -> int | None:
    if finding.recorded_at is None:
        return None
    return finding.position - finding.recorded_at


def _continues(last: _Finding, finding: _Finding) -> bool:
    return (
        finding.kind == last.kind != "changed"
        and finding.position == last.position + 1
        and _offset(finding) == _offset(last)
    )


def _message(f: _Finding, names: Names) -> str:
    what = f"version {f.identity[1]} of {names.name(f.identity[0])}"
    if f.topic is not None:
        what = f"{event_name(f.topic)} ({what})"
    if f.kind == "changed":
        return (
            f"{what} is not the event the chain recorded at this position: its payload, "
            "type or aggregate was changed (or its chain row rewritten)"
        )
    if f.kind == "moved":
        return (
            f"{what} is at position {f.position}, but the chain recorded it at position "
            f"{f.recorded_at}: the log was reordered or renumbered"
        )
    if f.kind == "inserted":
        return f"{what} is in the log, but the chain never recorded it: it was inserted"
    return f"the chain recorded {what} at this position; the log no longer has it: deleted"
