"""`pfdo audit export`: the log, or a period's or a certificate's part of it, as JSON Lines
that anyone can check and replay without the database.

Format `pfdo-audit-export`, version 1 (docs/AUDIT.md describes every field):

    {"kind": "header", "format": "pfdo-audit-export", "version": 1, "chain": "pfdo-chain/1",
     "scope": {...}, "personal_data": false, "exported_at": ..., "through": {...}}
    {"kind": "event", "position": ..., "prev_position": ..., "prev": ..., "hash": ...,
     "aggregate_id": ..., "version": ..., "topic": ..., "payload": {...}}
    ...
    {"kind": "end", "events": ..., "through": {"position": ..., "hash": ...}}

Each event line carries the hash of the event before it in the whole log (`prev`, at
`prev_position`), so its own `hash` can be recomputed from the line alone; in an export
of the whole log each line's `prev` is the line before's `hash`, from the genesis hash to
the head. Personal fields are commitments in `payload`; with personal data, `personal`
holds each value and its nonce. The export reads the log up to the chain's head and
refuses to write a log that no longer matches its chain: that is for `verify` to explain.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import Engine

from pfdo.audit import audit_results as res
from pfdo.audit.scope import Scope
from pfdo.domain.errors import NotFound, Refused
from pfdo.projections.chain import (
    GENESIS,
    ChainedEvent,
    ChainRow,
    EventHasher,
    chain_head,
    chain_rows,
    load_secret,
    log_pages,
)
from pfdo.storage.pseudonyms import IDS_KEY, load_pseudonyms
from pfdo.storage.store import EventLog

FORMAT = "pfdo-audit-export"
VERSION = 1
CHAIN = "pfdo-chain/1"
LEGACY_IDS = (
    "this store was written before keyed ids (pfdo-ids/1): its child registration ids, "
    "request record ids and generated certificate numbers are unkeyed functions of the "
    "child and request ids, so whoever holds this export can confirm a guessed child id "
    "against them; docs/AUDIT.md, section 6, says how to move to a keyed store"
)


def _events(log: EventLog, hasher: EventHasher, through: int) -> Iterator[ChainedEvent]:
    for page in log_pages(log, 0, through):
        for stored in page:
            yield hasher.chained(stored)


def _write(out: IO[bytes], line: dict[str, Any]) -> None:
    out.write(orjson.dumps(line) + b"\n")


def event_line(event: ChainedEvent, prev: tuple[int, bytes], personal_data: bool) -> dict[str, Any]:
    line: dict[str, Any] = {
        "kind": "event",
        "position": event.position,
        "prev_position": prev[0],
        "prev": prev[1].hex(),
        "hash": event.link(prev[1]).hex(),
        "aggregate_id": event.originator_id,
        "version": event.version,
        "topic": event.topic,
        "payload": event.committed.payload,
    }
    if personal_data and event.committed.openings:
        line["personal"] = event.committed.openings
    return line


def export(
    log: EventLog, engine: Engine, out: Path, scope: res.Scope, *, personal_data: bool
) -> res.Exported:
    with engine.connect() as connection:
        through, head = chain_head(connection)
        legacy = load_pseudonyms(connection, log.mapper.cipher).legacy
        hasher = EventHasher(log, load_secret(connection, log.mapper.cipher))
        part = Scope(scope.period, scope.certificate)
        if not part.whole:
            for event in _events(log, hasher, through):
                part.learn(event.topic, event.committed.payload)
            unknown = [f"{k} {getattr(scope, k)}" for k, known in part.known.items() if not known]
            if unknown:
                raise NotFound(f"{' and '.join(unknown)} does not exist: nothing was exported")
        header = {
            "kind": "header",
            "format": FORMAT,
            "version": VERSION,
            "chain": CHAIN,
            "scope": scope.model_dump(),
            "personal_data": personal_data,
            "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "through": {"position": through, "hash": head.hex()},
            "ids": "legacy" if legacy else IDS_KEY,
        }
        partial = out.with_name(f".{out.name}.partial")
        try:
            with partial.open("wb") as file:
                _write(file, header)
                rows = chain_rows(connection, through)
                written = _write_events(
                    file, _events(log, hasher, through), rows, part, personal_data
                )
                _write(file, {"kind": "end", "events": written, "through": header["through"]})
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, out)
    return res.Exported(
        file=str(out),
        format=FORMAT,
        version=VERSION,
        events=written,
        scope=scope,
        personal_data=personal_data,
        through=res.Head(position=through, hash=head.hex()),
        warnings=[LEGACY_IDS] if legacy else [],
    )


def _write_events(
    file: IO[bytes],
    events: Iterator[ChainedEvent],
    rows: Iterator[ChainRow],
    part: Scope,
    personal_data: bool,
) -> int:
    """Write the events `part` includes, each checked against its chain row; the count."""
    written, prev = 0, (0, GENESIS)
    for event in events:
        line = event_line(event, prev, personal_data)
        row = next(rows, None)
        if row is None or (row.position, row.hash) != (event.position, line["hash"]):
            raise Refused(
                f"the log does not match its chain at position {event.position}: nothing "
                "was exported; run `pfdo audit verify` to see what changed"
            )
        if part.includes(event.topic, event.committed.payload):
            _write(file, line)
            written += 1
        prev = (event.position, bytes.fromhex(line["hash"]))
    if next(rows, None) is not None:
        raise Refused(
            "the chain records events the log no longer has: nothing was exported; run "
            "`pfdo audit verify` to see what changed"
        )
    return written
