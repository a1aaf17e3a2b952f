"""`pfdo audit replay`: balances, histories and registers rebuilt from an export alone.

No database is opened. Every line is checked before it is believed: the export's format
and version; each event's `hash`, recomputed from the line and the `prev` it carries;
each link (`prev` is the hash of the line before, when that line is the event before);
for an export of the whole log, an unbroken chain from the genesis hash to the end line;
each personal value against its commitment; and each checkpoint given. The events are
then decoded and folded with the projector's own fold into read models held in memory,
and the rules' invariants (docs/RULES.md) are checked on them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from pfdo.audit import audit_results as res
from pfdo.audit.checkpoint import Checkpoint, assess
from pfdo.audit.export import FORMAT, VERSION
from pfdo.audit.invariants import check_final
from pfdo.audit.problems import Names, Problems, event_name
from pfdo.audit.refold import Refolder
from pfdo.audit.summary import summarise
from pfdo.domain.errors import InvalidInput
from pfdo.projections.canonical import (
    canonical_json,
    check_openings,
    parse_json,
    payload_digest,
)
from pfdo.projections.chain import GENESIS, canonical_id, link_hash
from pfdo.storage.loading import LoggedEvent
from pfdo.storage.store import DateAsISO

_FIELDS = {
    "position": int,
    "prev_position": int,
    "prev": str,
    "hash": str,
    "aggregate_id": str,
    "version": int,
    "topic": str,
    "payload": dict,
}


def standalone_mapper() -> Mapper[Any]:
    """A mapper that decodes pfdo's events as its store does, without a store."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    number = 0
    try:
        with path.open("rb") as file:
            for text in file:
                number += 1
                line = parse_json(text)
                if not isinstance(line, dict):
                    raise ValueError("a line must be a JSON object")
                yield number, line
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise InvalidInput(f"{path}, line {number}: not a JSON object: {error}") from None


def _header(path: Path, line: dict[str, Any]) -> dict[str, Any]:
    if line.get("kind") != "header" or line.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a pfdo audit export (its first line is no header)")
    if line.get("version") != VERSION:
        raise InvalidInput(
            f"{path}: export version {line.get('version')!r} is not supported "
            f"(this pfdo reads version {VERSION})"
        )
    return line


class Replay:
    """One replay of one export."""

    def __init__(self, header: dict[str, Any], keep_history: bool) -> None:
        scope = header.get("scope") or {}
        self.scope = res.Scope(period=scope.get("period"), certificate=scope.get("certificate"))
        self.whole = self.scope.period is None and self.scope.certificate is None
        self.header = header
        self.problems, self.names = Problems(), Names()
        self.refolder = Refolder(standalone_mapper(), keep_movements=keep_history)
        self.events, self.last, self.hashes = 0, (0, GENESIS), dict[int, bytes]()
        self.ended = False

    def event(self, number: int, line: dict[str, Any]) -> None:
        wrong = [f for f, kind in _FIELDS.items() if not isinstance(line.get(f), kind)]
        if wrong or self.ended:
            what = "after the end line" if self.ended else f"lacks {', '.join(wrong)}"
            self.problems.add("export", f"line {number}: an event line {what}")
            return
        self.events += 1
        position, payload, topic = line["position"], line["payload"], line["topic"]
        aggregate = self.names.name(line["aggregate_id"], topic, payload)

        def problem(check: str, text: str) -> None:
            self.problems.add(
                check, text, position=position, aggregate=aggregate, event=event_name(topic)
            )

        self._link(line, problem)
        openings = line.get("personal") or {}
        wrong = check_openings(payload, openings) if isinstance(openings, dict) else ["personal"]
        if wrong:
            problem(
                "personal-data",
                f"{', '.join(wrong)}: the value does not match the commitment the chain covers",
            )
        opened = {k: o["value"] for k, o in openings.items() if k not in wrong}
        state = canonical_json({**payload, **opened})
        stored = LoggedEvent(position, line["aggregate_id"], line["version"], topic, state)
        for text in self.refolder.fold(stored):
            problem("invariant", text)

    def _link(self, line: dict[str, Any], problem: Any) -> None:
        digest = payload_digest(line["payload"])
        try:
            prev = bytes.fromhex(line["prev"])
            oid = canonical_id(line["aggregate_id"])
        except ValueError:
            problem("chain", "prev or aggregate_id is malformed")
            return
        computed = link_hash(line["position"], oid, line["version"], line["topic"], digest, prev)
        if computed.hex() != line["hash"]:
            problem("chain", "the hash does not match the event and its prev: the line was altered")
        if line["prev_position"] == self.last[0] and prev != self.last[1]:
            problem(
                "chain",
                f"prev does not match the hash of position {self.last[0]}, "
                "the line before: one of the two was altered",
            )
        elif self.whole and line["prev_position"] != self.last[0]:
            problem(
                "chain",
                f"the event before it is at position {line['prev_position']}, "
                f"but the line before is at {self.last[0]}: events are missing",
            )
        self.last = (line["position"], bytes.fromhex(line["hash"]))
        self.hashes[line["position"]] = self.last[1]

    def end(self, number: int, line: dict[str, Any]) -> None:
        through = line.get("through") or {}
        if line.get("events") != self.events:
            self.problems.add(
                "export",
                f"line {number}: the end line counts "
                f"{line.get('events')} events, the file holds {self.events}",
            )
        if self.whole and (through.get("position"), through.get("hash")) != (
            self.last[0],
            self.last[1].hex(),
        ):
            self.problems.add(
                "export", f"line {number}: the end line's head is not the last event's hash"
            )
        self.ended = True


def replay(
    path: Path | str,
    checkpoints: Sequence[Checkpoint] = (),
    public_key: bytes | None = None,
    certificate: str | None = None,
) -> res.Replayed:
    """Check and replay an export file; `certificate` adds that certificate's history."""
    path = Path(path)
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise InvalidInput(f"{path} is empty: not a pfdo audit export")
    run = Replay(_header(path, first[1]), keep_history=certificate is not None)
    for number, line in lines:
        if line.get("kind") == "event":
            run.event(number, line)
        elif line.get("kind") == "end":
            run.end(number, line)
        else:
            run.problems.add("export", f"line {number}: unknown kind {line.get('kind')!r}")
    if not run.ended:
        run.problems.add("export", "the file has no end line: it was cut short")
    warnings: list[str] = []
    for checkpoint in checkpoints:
        found, notes = assess(
            checkpoint,
            public_key,
            stored=False,
            last=run.last[0],
            hash_there=run.hashes.get(checkpoint.position),
            complete=run.whole,
        )
        where = f"checkpoint at position {checkpoint.position}"
        for text in found:
            run.problems.add("checkpoint", f"{where}: {text}", position=checkpoint.position)
        warnings.extend(f"{where}: {text}" for text in notes)
    ws, tally = run.refolder.ws, run.refolder.tally
    run.problems.extend(check_final(ws, tally, partial=not run.whole))
    problems = run.problems.listed()
    return res.Replayed(
        ok=not problems,
        events=run.events,
        problems=problems,
        warnings=warnings,
        scope=run.scope,
        personal_data=bool(run.header.get("personal_data")),
        head=res.Head(position=run.last[0], hash=run.last[1].hex()),
        **summarise(ws, certificate),
    )
