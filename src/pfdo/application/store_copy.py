"""Moving a store: copy its log to another store, fold it there, and prove the copy whole.

`copy_store` copies the log and the side tables (`pfdo.storage.copying`), then folds the
read models and the audit chain on the target from the copied log, and compares the
target's chain head with the source's chain hash at the copied position: equal only when
every event up to it is there, at its position, with its payload (the chain hashes all
of them, in order). The source's hash is read from its own chain when that has folded so
far, else computed from the source's log past its chain's head; the source is only read.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy import inspect as sql_inspect

from pfdo.application.bootstrap import bootstrap
from pfdo.application.results import Result
from pfdo.domain.errors import InvalidInput
from pfdo.projections import audit_tables as at
from pfdo.projections.chain import GENESIS, EventHasher, chain_head, load_secret, log_pages
from pfdo.storage import tokens
from pfdo.storage.copying import BATCH, copy_log
from pfdo.storage.store import EventLog, StoreURL, store_errors

Progress = Callable[[int, int], None]


class CopiedHead(Result):
    """The chain's head on the copy, as `audit verify` prints it.

    Attributes:
        position: the last position copied (0: the empty log).
        hash: the chain's hash there, hex.
    """

    position: int
    hash: str


class Copied(Result):
    """What `copy_store` answers (the CLI's `copy`).

    Attributes:
        events: how many events were copied this time.
        position: the source's position the copy reaches.
        head: the target's chain head after the fold.
        verified: whether that head is the source's chain hash at `position`.
        seconds: how long the copy and the fold took.
    """

    events: int
    position: int
    head: CopiedHead
    verified: bool
    seconds: float


def copy_store(
    source: str | None,
    target: str,
    *,
    resume: bool = False,
    batch: int = BATCH,
    progress: Progress | None = None,
    folding: Progress | None = None,
) -> Copied:
    """Copy the store `source` (a store URL; default `PFDO_DB`, then `./pfdo.sqlite`) into
    `target`: a new store, or one an earlier copy of `source` wrote (then only what it
    lacks; `resume` insists on that), `batch` events per transaction. Fold its read models
    and chain, and verify its head.
    `progress(done, total)` follows the events copied, `folding(done, total)` the fold.

    Raises:
        InvalidInput: `source` or `target` is not a store URL pfdo understands, or
            `batch` is not positive.
        NoStore: there is no pfdo store at `source`; with `resume`, none at `target`.
        NotACopy: `target` holds another store's events or secrets, or events past the
            source's last position, or it is the source.
        StoreUnavailable: either store is a folder, not a pfdo store, read-only (the
            target), unreachable or failing.
    """
    started = time.perf_counter()
    if batch < 1:
        raise InvalidInput(f"batch {batch}: a copy writes at least one event per transaction")
    source_url, target_url = StoreURL.parse(source), StoreURL.parse(target)
    copied = copy_log(
        source_url,
        target_url,
        resume=resume,
        batch=batch,
        progress=progress,
        known=[at.checkpoints, tokens.tokens],
    )
    head_position, head_hash = _fold(target, copied.position, folding)
    expected = _source_hash(source, copied.position)
    return Copied(
        events=copied.events,
        position=copied.position,
        head=CopiedHead(position=head_position, hash=head_hash.hex()),
        verified=head_position == copied.position and head_hash == expected,
        seconds=round(time.perf_counter() - started, 3),
    )


def _fold(target: str, position: int, folding: Progress | None) -> tuple[int, bytes]:
    """Fold the target's read models and chain up to its log's end (`position`); its
    chain head. `folding(done, position)` is called before and after, and as a rebuild
    goes."""
    if folding is not None:
        folding(0, position)
    parts = bootstrap(target, create=False, read_only=False)  # folds a new store's models
    try:
        with store_errors(parts.store, "cannot fold"):
            projector = parts.projector
            if projector.position() == 0:
                projector.rebuild(folding)  # one transaction, the fastest fold of a new store
            else:
                projector.catch_up()
            with parts.engine.connect() as connection:
                head = chain_head(connection)
    finally:
        parts.close()
    if folding is not None:
        folding(head[0], position)
    return head


def _source_hash(source: str | None, position: int) -> bytes:
    """The source's chain hash at `position` (a position of its log, or 0)."""
    parts = bootstrap(source, create=False, read_only=True)
    try:
        with store_errors(parts.store, "cannot read"):
            return chain_hash_at(parts.log, parts.engine, position)
    finally:
        parts.close()


def chain_hash_at(log: EventLog, engine: Engine, position: int) -> bytes:
    """The chain hash at `position` of the store of `log` and `engine`: as its chain
    recorded it, or computed from its log past the chain's head (nothing is written).

    Raises:
        StoreUnavailable: the store has no audit secret, or is failing.
    """
    if position == 0:
        return GENESIS
    with engine.connect() as connection:
        head, prev = (0, GENESIS)
        if sql_inspect(connection).has_table(at.chain.name):
            query = select(at.chain.c.hash).where(at.chain.c.position == position)
            recorded = connection.execute(query).scalar_one_or_none()
            if recorded is not None:
                return bytes.fromhex(recorded)
            head, prev = chain_head(connection)
        hasher = EventHasher(log, load_secret(connection, log.mapper.cipher))
    for page in log_pages(log, head, position):
        for stored in page:
            prev = hasher.chained(stored).link(prev)
    return prev
