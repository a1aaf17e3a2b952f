"""Command execution: load, decide, save, retry; the same for every writing command.

A decision reads through a `pfdo.application.reading.Reader`, which the executor is: the
aggregates it needs (`find`, `get`: from their latest snapshot and the events after it,
or from the bulk's identity map inside `Ledger.bulk()`) and the few read-model queries
some decisions make; it lets the domain decide, and returns its result with the
aggregates it changed. What is saved follows one rule (`unit_of_work.changed`): every
aggregate the decision returned or was handed that has new events, in the order it
returned them; a bulk saves its chunk's, a billing run its batch's, by the same rule.
Every event saved is stamped first with the actor of the command that wrote it (rule 25:
the command's `actor`, else the open bulk's, else the executor's default;
`pfdo.application.actors.stamp`).
Those events, with the request record when a request id is given, are saved in one
atomic `save`: that transaction is all a command writes. A save that loses an
optimistic-concurrency race is decided again, a bounded number of times.

The read models and the audit chain follow the log off the command's path: the executor
keeps the recordings of its saves that no catch-up has folded yet, and the next
`catch_up` (a read through the same `Ledger`, a command whose rules read the read
models, `settle`, closing the `Ledger`) folds them in one transaction, with whatever other
writers committed meanwhile, exactly once (the position row). So writers never queue on
that row, and a caller still reads its own writes: every read catches up first.

One `Executor` may serve many threads. Commands run one at a time (a reentrant lock
around decide, save and project), since the store takes one writer at a time anyway
(SQLite's file lock, PostgreSQL's table lock on insert); reads do not take the lock. A
bulk is the state of the thread that opened it, and holds the lock for its block.

A command whose events are committed returns its result: what can fail after the commit
(snapshots) is logged; a catch-up that fails raises to the read that ran it, and the
next catch-up folds what was left.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError, Recording
from pydantic import BaseModel
from sqlalchemy import Engine

from pfdo.application import idempotency
from pfdo.application.actors import default_actor, stamp
from pfdo.application.commands import Command
from pfdo.application.fields import check_request_id
from pfdo.application.reading import Reader
from pfdo.application.unit_of_work import UnitOfWork, changed
from pfdo.domain import funding
from pfdo.domain.errors import ConcurrencyConflict, NotFound, PfdoError, Refused
from pfdo.domain.period import Municipality, Period
from pfdo.domain.registry import Program, Provider
from pfdo.domain.requests import RequestRecord
from pfdo.projections import queries
from pfdo.projections import settlement_queries as sq
from pfdo.projections.decoding import EventDecoder
from pfdo.storage import ReadChangedMeanwhile, changed_since
from pfdo.storage.loading import WarmAggregates, bring_up, load_batch, load_many
from pfdo.storage.pseudonyms import Pseudonyms, load_pseudonyms

if TYPE_CHECKING:
    from pfdo.application.bootstrap import Parts

A = TypeVar("A", bound=Aggregate)
R = TypeVar("R", bound=BaseModel)
C = TypeVar("C", bound=Command)
Decision = tuple[R, list[Aggregate]]
Decide = Callable[[Reader, C], Decision[R]]

MAX_ATTEMPTS = 6
#: The kinds many writers share (the bulk's identity map keeps them whole, too).
SHARED: tuple[type[Aggregate], ...] = (Period, Program, Municipality, Provider, *funding.COUNTERS)
#: Of those, the ones everyday commands of many writers write (an enrolment its
#: program, a funding what counts it, `pfdo.domain.funding.COUNTERS`): kept between
#: commands, each is brought up to the log when read (one query for the events after
#: it). The rest are taken as kept and checked before the save (`Executor._execute`).
#: (What an unwatched batch reads, `find_ids`, is never taken from what is kept.)
BUSY: tuple[type[Aggregate], ...] = (Program, *funding.COUNTERS)
#: At most this many recordings of this executor's saves wait for the next catch-up in
#: memory; beyond that the catch-up reads them back from the log.
UNFOLDED_KEPT = 5000
#: The first retry waits up to this many seconds, each next one up to twice as long.
BACKOFF = 0.01

log = logging.getLogger(__name__)


def backoff(attempt: int) -> None:
    """Wait a random while before retry `attempt` (0-based), so racers spread out."""
    time.sleep(random.uniform(0, BACKOFF * 2**attempt))


class _Attempt:
    """What one attempt at a decision read: each aggregate's version as read, and which
    came warm (kept from an earlier command, perhaps behind the log)."""

    def __init__(self) -> None:
        self.versions: dict[UUID, int] = {}
        self.aggregates: dict[UUID, Aggregate] = {}
        self.warm: set[UUID] = set()
        #: every aggregate handed to the decision, watched or not (`find_ids`)
        self.handed: list[Aggregate] = []

    def read(
        self, found: Aggregate | None, *, warm: bool, aggregate_id: UUID | None = None
    ) -> None:
        key = found.id if found is not None else aggregate_id
        assert key is not None
        if key in self.versions:
            return
        if found is not None:
            self.handed.append(found)
        self.versions[key] = 0 if found is None else found.version
        if found is not None:
            self.aggregates[key] = found
        if warm:
            self.warm.add(key)

    def unwritten_warm(self, changed: Sequence[Aggregate]) -> dict[UUID, int]:
        """The versions read of the warm aggregates the decision does not write."""
        written = {a.id for a in changed}
        return {k: self.versions[k] for k in self.warm if k not in written}

    def to_keep(self, saved: Sequence[Aggregate]) -> list[Aggregate]:
        """After the save: what it wrote, and what was read and left as read."""
        kept = [a for a in saved if not isinstance(a, RequestRecord)]
        written = {a.id for a in saved}
        kept += [
            a
            for k, a in self.aggregates.items()
            if k not in written and a.version == self.versions[k] and not a.pending_events
        ]
        return kept


class Executor:
    """Runs commands on one store: what every decision reads with, and how it is saved."""

    def __init__(
        self, parts: Parts, *, project_after_commands: bool = True, actor: str | None = None
    ) -> None:
        #: who a command given no actor was asked by (rule 25; `pfdo.application.actors`)
        self.actor = actor if actor is not None else default_actor()
        self.engine: Engine = parts.engine
        self.log = parts.log
        self.projector = parts.projector
        self.project_after_commands = project_after_commands
        self.decode = EventDecoder(self.log.mapper, None).decode
        self.conflicts_retried = 0
        self.requests_replayed = 0  # commands answered from their request record
        self._lock = threading.RLock()
        self._local = threading.local()
        self._ids: Pseudonyms | None = None
        self._unfolded_lock = threading.Lock()
        #: recordings saved here and not folded yet, consecutive in the log
        self._unfolded: list[Recording[UUID]] = []
        #: whether anything was saved here since the last catch-up
        self.behind = False
        #: the aggregates the last commands read and saved (`pfdo.storage.loading.WarmAggregates`)
        self.warm = WarmAggregates()

    def actor_of(self, command: Command) -> str:
        """Who asked for `command`: its own actor, else the open bulk's, else the default."""
        if command.actor is not None:
            return command.actor
        bulk_actor: str | None = getattr(self._local, "bulk_actor", None)
        return bulk_actor if bulk_actor is not None else self.actor

    @property
    def _bulk(self) -> UnitOfWork | None:
        """The bulk this thread has open, if any."""
        return getattr(self._local, "bulk", None)

    @_bulk.setter
    def _bulk(self, bulk: UnitOfWork | None) -> None:
        self._local.bulk = bulk

    # -- reading, for decisions -----------------------------------------------------

    def load(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """From its latest snapshot, if any, and the events after it (`pfdo.storage.loading`);
        inside a command (not a bulk), from the aggregates earlier commands left warm."""
        attempt: _Attempt | None = getattr(self._local, "attempt", None)
        if attempt is not None:
            kept = self.warm.get(aggregate_id)
            if kept is not None:
                busy = isinstance(kept, BUSY)
                if busy:
                    kept = bring_up(self.log, kept, self.decode)
                attempt.read(kept, warm=not busy)
                return cast(A, kept)
        found = load_many(self.log, [aggregate_id], self.decode).get(aggregate_id)
        if attempt is not None:
            attempt.read(found, warm=False, aggregate_id=aggregate_id)
        return cast(A | None, found)

    def _stale(self, reads: dict[UUID, int]) -> bool:
        """Whether another writer has changed any of the aggregates a decision read."""
        if not reads:
            return False
        return changed_since(reads, self.log.storage.latest_versions(list(reads)))

    @property
    def ids(self) -> Pseudonyms:
        """How this store derives the ids that are functions of personal data."""
        if self._ids is None:
            with self.engine.connect() as connection:
                self._ids = load_pseudonyms(connection, self.log.mapper.cipher)
        return self._ids

    def find(self, cls: type[A], key: str) -> A | None:
        """The aggregate of kind `cls` named `key`, or None."""
        return self.find_id(cls, cls.id_for(key))  # type: ignore[attr-defined]

    def find_id(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate `aggregate_id`, or None: one read of the log, or none when a bulk
        already holds it."""
        bulk = self._bulk
        if bulk is None:
            return self.load(cls, aggregate_id)
        found = bulk.get(aggregate_id)
        if found is None and bulk.known_absent(aggregate_id):
            return None
        if found is None:
            found = self.load(cls, aggregate_id)
            if found is not None:
                bulk.track(found)
        return cast(A | None, found)

    def find_ids(
        self, cls: type[A], aggregate_ids: Sequence[UUID], *, watched: bool = True
    ) -> dict[UUID, A | None]:
        """The aggregates `aggregate_ids` (None: not stored), read in one batch (one by
        one inside a bulk, which may hold them already). Not `watched`: a refusal is not
        decided again when they change (room a funding draws: only the period gives it back)."""
        if self._bulk is not None:
            return {i: self.find_id(cls, i) for i in aggregate_ids}
        found = load_many(self.log, aggregate_ids, self.decode)
        attempt: _Attempt | None = getattr(self._local, "attempt", None)
        if attempt is not None and watched:
            for i in aggregate_ids:
                attempt.read(found.get(i), warm=False, aggregate_id=i)
        elif attempt is not None:
            attempt.handed.extend(found[i] for i in aggregate_ids if i in found)
        return {i: cast(A | None, found.get(i)) for i in aggregate_ids}

    def prefetch(self, aggregate_ids: Iterable[UUID]) -> None:
        """Inside a bulk: load these aggregates in one batch (and note which do not exist),
        so that the commands that follow read none of them one by one."""
        bulk = self._bulk
        if bulk is None:
            return
        wanted = [i for i in dict.fromkeys(aggregate_ids) if bulk.get(i) is None]
        bulk.prefetched(load_batch(self.log, wanted, self.decode).aggregates, wanted)

    def request_ids(self, request_ids: Iterable[str]) -> list[UUID]:
        """The ids of the request records of `request_ids` (keyed: `pfdo.storage.pseudonyms`)."""
        return [self.ids.request_record(check_request_id(r) or "") for r in request_ids]

    def get(self, cls: type[A], key: str, what: str) -> A:
        found = self.find(cls, key)
        if found is None:
            raise NotFound(f"{what} {key} does not exist", **{what: key})
        return found

    def exists(self, cls: type[Aggregate], key: str) -> bool:
        return self.find(cls, key) is not None

    def replayed(self, command: Command, request_id: str | None, result_type: type[R]) -> R | None:
        def find(request_id: str) -> RequestRecord | None:
            return self.find_id(RequestRecord, self.ids.request_record(request_id))

        found = idempotency.replayed(find, command, request_id, result_type)
        self.requests_replayed += found is not None
        return found

    # -- the read models, for decisions (`pfdo.application.reading.Reader`) ----------

    def funded_numbers(self, period: str, category: str | None = None) -> list[str]:
        with self.engine.connect() as connection:
            return queries.funded_numbers(connection, period, category)

    def unbilled_months(self, period: str) -> list[str]:
        with self.engine.connect() as connection:
            return queries.unbilled_months(connection, period)

    def advance_lines(self, provider: str, month: str) -> list[sq.Line]:
        with self.engine.connect() as connection:
            return sq.advance_lines(connection, provider, month)

    def invoice_basis(
        self, provider: str, month: str, invoiced: Collection[str]
    ) -> sq.InvoiceBasis:
        return sq.invoice_basis(self.engine, self.projector.position, provider, month, invoiced)

    def providers_in(self, period: str) -> list[str]:
        with self.engine.connect() as connection:
            return sq.providers_in(connection, period)

    def register_totals(self, provider: str, months: Collection[str]) -> dict[str, int]:
        with self.engine.connect() as connection:
            return sq.register_totals(connection, provider, months)

    # -- writing ------------------------------------------------------------------------

    def execute(
        self, command: C, request_id: str | None, result_type: type[R], decide: Decide[C, R]
    ) -> R:
        """Decide `command` and save what it changed, retrying lost races."""
        request_id = check_request_id(request_id)
        with self._lock:
            if self._bulk is not None:
                return self._execute_in_bulk(self._bulk, command, request_id, result_type, decide)
            return self._execute(command, request_id, result_type, decide)

    def _execute(
        self, command: C, request_id: str | None, result_type: type[R], decide: Decide[C, R]
    ) -> R:
        for attempt in range(MAX_ATTEMPTS):
            replayed = self.replayed(command, request_id, result_type)
            if replayed is not None:
                return replayed
            reads = self._local.attempt = _Attempt()
            try:
                result, decided = decide(self, command)
            except Refused:
                # decided on records another writer changed meanwhile (a contract read
                # before its certificate was billed, say): decide again on fresh ones
                self.warm.forget(reads.versions)
                if not self._stale(reads.versions):
                    raise
                self.conflicts_retried += 1
                backoff(attempt)
                continue
            except BaseException:
                self.warm.forget(reads.versions)
                raise
            finally:
                self._local.attempt = None
            # what it changed: what it returned, and whatever else it was handed, that
            # has new events (`unit_of_work.changed`, the rule of bulks and billing runs too)
            saving = changed(decided, reads.handed)
            # a kept one that is only read must still be what the log holds (one that is
            # written conflicts on its version in the save): checked by the save itself,
            # in its transaction (`pfdo.storage`'s recorders)
            unchanged = reads.unwritten_warm(saving)
            guard: dict[str, Any] = {"unchanged": unchanged} if unchanged else {}
            saving.extend(idempotency.request_record(self.ids, command, request_id, result))
            self._stamp(saving, self.actor_of(command))
            try:
                recorded = self.log.save(*saving, **guard)
            except ReadChangedMeanwhile:
                self.warm.forget(reads.versions)
                self.conflicts_retried += 1
                continue
            except RecordConflictError:
                self.warm.forget(reads.versions)
                self.conflicts_retried += 1
                backoff(attempt)
                continue
            except BaseException:
                self.warm.forget(reads.versions)
                raise
            self.warm.forget(reads.versions)  # a read one the decision changed unsaved, too
            self.warm.keep(reads.to_keep(saving))
            self.project(recorded)
            return idempotency.answered(result, request_id)
        raise ConcurrencyConflict(
            f"{command.verb}: other writers kept changing the same records; "
            f"gave up after {MAX_ATTEMPTS} attempts, nothing was written"
        )

    def _execute_in_bulk(
        self,
        bulk: UnitOfWork,
        command: C,
        request_id: str | None,
        result_type: type[R],
        decide: Decide[C, R],
    ) -> R:
        replayed = self.replayed(command, request_id, result_type)
        if replayed is not None:
            return replayed
        bulk.begin()
        try:
            result, decided = decide(self, command)
        except PfdoError:
            bulk.undo(self.load)
            raise
        decided = changed(decided)  # the rest it was handed the bulk holds already
        decided.extend(idempotency.request_record(self.ids, command, request_id, result))
        stamp(bulk.new_events(decided), self.actor_of(command))
        if bulk.done(decided):
            self.save_bulk()
        return idempotency.answered(result, request_id)

    @contextmanager
    def bulk(self, chunk: int, actor: str | None = None) -> Iterator[None]:
        """Decide the commands of the block in memory, saving `chunk` at a time; the
        other threads' commands wait for the block to end. A command of the block given
        no actor records `actor` (None: the default)."""
        if self._bulk is not None:
            raise RuntimeError("Ledger.bulk() blocks do not nest")
        with self._lock:
            self._bulk = UnitOfWork(chunk, keep=SHARED)
            self._local.bulk_actor = actor
            try:
                yield
                self.save_bulk()
            finally:
                self._bulk = None
                self._local.bulk_actor = None

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Run the block while no other thread of this process runs a command."""
        with self._lock:
            yield

    @contextmanager
    def outside_bulk(self) -> Iterator[None]:
        """Run the block as if no bulk were open (a billing run batches on its own)."""
        bulk, self._bulk = self._bulk, None
        try:
            yield
        finally:
            self._bulk = bulk

    def save_bulk(self) -> None:
        bulk = self._bulk
        if bulk is None or not bulk.pending():
            return
        self.warm.forget(a.id for a in bulk.pending())  # saved here, not through a command
        try:
            recorded = self.log.save(*bulk.pending())
        except RecordConflictError:
            bulk.saved()
            raise ConcurrencyConflict(
                "bulk: another writer changed the same records; the commands of this chunk "
                "were not written"
            ) from None
        bulk.saved()
        self.project(recorded)

    def save(self, *aggregates: Any, actor: str | None = None) -> list[Recording[UUID]]:
        """Save the new events of `aggregates` in one transaction, stamped with `actor`
        where they have none (None: the default actor)."""
        self.warm.forget(a.id for a in aggregates if isinstance(a, Aggregate))
        self._stamp(aggregates, actor if actor is not None else self.actor)
        return self.log.save(*aggregates)

    @staticmethod
    def _stamp(aggregates: Iterable[Any], actor: str) -> None:
        """Stamp the new events of `aggregates` with `actor` where they have none (rule 25)."""
        for aggregate in aggregates:
            stamp(aggregate.pending_events, actor)

    def save_or_conflict(
        self, *aggregates: Any, attempt: int = 0, actor: str | None = None
    ) -> bool:
        """Save, or return False (nothing written, after a short random wait) when
        another writer came first."""
        try:
            self.save(*aggregates, actor=actor)
        except RecordConflictError:
            self.conflicts_retried += 1
            backoff(attempt)
            return False
        return True

    # -- the read models ----------------------------------------------------------------

    def project(self, recorded: Sequence[Recording[UUID]] = ()) -> None:
        """After a commit: nothing is folded here. The recordings are kept for the next
        catch-up (`catch_up`), which folds them without reading them back when they are
        next in line; unless a follower does the folding (`project_after_commands`
        false), which then reads them from the log."""
        if not self.project_after_commands:
            return
        with self._unfolded_lock:
            self.behind = True
            kept = self._unfolded
            consecutive = bool(recorded) and (
                not kept or recorded[0].notification.id == kept[-1].notification.id + 1
            )
            if not consecutive or len(kept) + len(recorded) > UNFOLDED_KEPT:
                kept.clear()
            if recorded and len(recorded) <= UNFOLDED_KEPT:
                kept.extend(recorded)

    def catch_up(self) -> int:
        """Fold everything the log holds beyond the read models (this executor's own
        saves from memory when they are next in line); return how many were folded."""
        with self._unfolded_lock:
            unfolded, self._unfolded = self._unfolded, []
            self.behind = False
        try:
            return self.projector.catch_up(unfolded)
        except BaseException:
            with self._unfolded_lock:
                self.behind = True  # what was kept is read back from the log
            raise

    def settle(self) -> None:
        """Make the read models show everything decided so far, bulk included."""
        self.save_bulk()
        self.catch_up()
