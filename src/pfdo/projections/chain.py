"""The hash chain: every event sealed to the one before it, in log order.

`hash(e) = sha256(frame("pfdo-chain/1", position, aggregate id, version, topic,
sha256(canonical payload), hash(previous event)))`, the first event's previous hash being
32 zero bytes. Change, remove, insert or move one event and its hash and every later one
change; a checkpoint that recorded a later hash then no longer matches.

The chain is one more same-transaction fold (`pfdo.projections.protocol`): the projector,
built with it in its list of folds, calls `ChainKeeper.extend` in the same transaction in
which it folds the same events into the read models, so the chain never lags or leads
them. The keeper only appends; a hash once recorded is never rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Cipher
from sqlalchemy import Connection, Engine, select

from pfdo.domain.errors import StoreUnavailable
from pfdo.projections import audit_tables as at
from pfdo.projections.canonical import (
    Commitments,
    Committed,
    frame,
    parse_json,
    payload_digest,
    plaintext,
)
from pfdo.projections.protocol import Page
from pfdo.projections.workspace import insert_rows
from pfdo.storage.loading import LoggedEvent, read_log
from pfdo.storage.secrets import create_secret, read_secret
from pfdo.storage.store import EventLog

CHAIN_TAG = b"pfdo-chain/1"
GENESIS = bytes(32)
PAGE = 1000
_SECRET = "commitments"


def canonical_id(originator_id: Any) -> str:
    """An aggregate id as the chain writes it: the UUID's 36-character form, lower case."""
    if isinstance(originator_id, UUID):
        return str(originator_id)
    text = str(originator_id).lower()
    if len(text) == 32 and bytes.fromhex(text):  # SQLite's form; fromhex refuses non-hex
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return str(UUID(text))


_TAG = frame(CHAIN_TAG)


def link_hash(
    position: int, originator_id: str, version: int, topic: str, digest: bytes, prev: bytes
) -> bytes:
    """The chain hash of one event, given the hash of the event before it."""
    fields = frame(
        str(position).encode(),
        originator_id.encode(),
        str(version).encode(),
        topic.encode(),
        digest,
        prev,
    )
    return hashlib.sha256(_TAG + fields).digest()


class ChainedEvent(NamedTuple):
    """One event as the chain sees it: where it is, whose it is, and its committed payload."""

    position: int
    originator_id: str
    version: int
    topic: str
    committed: Committed

    @property
    def identity(self) -> tuple[str, int]:
        return self.originator_id, self.version

    def link(self, prev: bytes) -> bytes:
        digest = payload_digest(self.committed.payload)
        return link_hash(self.position, self.originator_id, self.version, self.topic, digest, prev)


class EventHasher:
    """Reads stored events as the chain sees them (plaintext, personal data committed)."""

    def __init__(self, log: EventLog, secret: bytes) -> None:
        self._mapper = log.mapper
        self._commitments = Commitments(secret)

    def chained(self, stored: LoggedEvent) -> ChainedEvent:
        """The event at a log position as the chain sees it."""
        payload: dict[str, Any] = parse_json(plaintext(self._mapper, stored.state))
        originator_id = canonical_id(stored.originator_id)
        version = int(stored.originator_version)
        committed = self._commitments.commit(originator_id, version, stored.topic, payload)
        return ChainedEvent(stored.id, originator_id, version, stored.topic, committed)


@dataclass(frozen=True)
class ChainRow:
    """One row of `pfdo_chain`: which event the chain recorded at a position, and its hash."""

    position: int
    originator_id: str
    version: int
    hash: str

    @property
    def identity(self) -> tuple[str, int]:
        return self.originator_id, self.version


def chain_rows(connection: Connection, through: int | None = None) -> Iterator[ChainRow]:
    """The stored chain in position order, read in pages."""
    position, last = at.chain.c.position, 0
    while True:
        query = select(at.chain).where(position > last)
        if through is not None:
            query = query.where(position <= through)
        rows = [
            ChainRow(
                int(row.position),
                str(row.originator_id),
                int(row.originator_version),
                str(row.hash),
            )
            for row in connection.execute(query.order_by(position).limit(PAGE))
        ]
        yield from rows
        if len(rows) < PAGE:
            return
        last = rows[-1].position


_HEAD = select(at.chain.c.position, at.chain.c.hash).order_by(at.chain.c.position.desc()).limit(1)


def chain_head(connection: Connection) -> tuple[int, bytes]:
    """The last chained position and its hash; (0, GENESIS) for an empty chain."""
    row = connection.execute(_HEAD).first()
    return (0, GENESIS) if row is None else (int(row[0]), bytes.fromhex(row[1]))


def load_secret(connection: Connection, cipher: Cipher | None) -> bytes:
    """The store's commitment secret (decrypted with the log's cipher if it is sealed)."""
    secret = read_secret(connection, _SECRET, cipher, "audit secret")
    if secret is None:
        raise StoreUnavailable("the store has no audit secret: open it with pfdo once")
    return secret


def log_pages(
    log: EventLog, after: int = 0, through: int | None = None
) -> Iterator[list[LoggedEvent]]:
    """The log in pages, from the event after `after` up to `through` (or its end)."""
    while page := read_log(log, after, PAGE):
        if through is not None and page[-1].id > through:
            page = [e for e in page if e.id <= through]
            if page:
                yield page
            return
        yield page
        after = page[-1].id


class ChainKeeper:
    """Appends the hashes of newly folded events to `pfdo_chain` (a
    `pfdo.projections.protocol.SameTransactionFold`)."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self._hasher: EventHasher | None = None
        self._last: tuple[int, bytes] | None = None  # the last position this keeper chained

    def ensure_schema(self, engine: Engine) -> None:
        """Create the audit tables and the commitment secret on first use."""
        at.metadata.create_all(engine)
        create_secret(engine, _SECRET, self._log.mapper.cipher)

    def hasher(self, connection: Connection) -> EventHasher:
        if self._hasher is None:
            secret = load_secret(connection, self._log.mapper.cipher)
            self._hasher = EventHasher(self._log, secret)
        return self._hasher

    def _head(self, connection: Connection, after: int) -> tuple[int, bytes]:
        """The chain's head, for a catch-up from projector position `after`. The chain and
        the position are committed together, so when this keeper last chained up to
        `after` itself, that is the head (hashes are a function of the log alone): the
        query is spared on the path every command takes."""
        if self._last is not None and self._last[0] == after:
            return self._last
        return chain_head(connection)

    def extend(self, connection: Connection, page: Page) -> None:
        """Chain `page`: every event after position `page.after` up to the page's last."""
        after = page.after
        position, prev = self._head(connection, after)
        if position < after:
            for backlog in log_pages(self._log, position, after):
                prev = self._append(connection, backlog, prev)
        self._append(connection, [n for n in page.events if n.id > max(position, after)], prev)

    def outdated(self, connection: Connection) -> bool:
        """The chain is append-only: never made anew."""
        return False

    def rebuilding(self, connection: Connection) -> _Completion:
        """A rebuild keeps the chain (append-only): it only chains what is not chained."""
        return _Completion(self, connection)

    def complete(self, connection: Connection, through: int) -> None:
        """Chain every event up to position `through` that is not chained yet."""
        position, prev = chain_head(connection)
        for page in log_pages(self._log, position, through):
            prev = self._append(connection, page, prev)

    def _append(self, connection: Connection, page: Sequence[LoggedEvent], prev: bytes) -> bytes:
        hasher, rows = self.hasher(connection), []
        for stored in page:
            event = hasher.chained(stored)
            prev = event.link(prev)
            rows.append(
                {
                    "position": event.position,
                    "originator_id": event.originator_id,
                    "originator_version": event.version,
                    "hash": prev.hex(),
                }
            )
        if page:
            insert_rows(connection, at.chain, rows)
            self._last = (page[-1].id, prev)
        return prev


class _Completion:
    """The chain's part in a rebuild: nothing per page, then `ChainKeeper.complete`."""

    def __init__(self, keeper: ChainKeeper, connection: Connection) -> None:
        self._keeper, self._connection = keeper, connection

    def fold(self, page: Page) -> None:
        pass  # hashes are a function of the log alone: what is chained stays

    def complete(self, through: int) -> None:
        self._keeper.complete(self._connection, through)
