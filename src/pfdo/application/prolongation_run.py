"""The prolongation run (rule 23): every contract that continues into a later period
given its successor there, in atomic batches.

The contracts to decide are found in the read models (brought level with the log first):
those of the municipality's period just before NEW that continue up to NEW's start or
later and have no successor yet, in the order they were made. A batch of them is loaded
with their certificates, programs, providers and the certificates' other contracts in
the same programs, decided in memory (`pfdo.domain.prolongation.prolong`) and saved in
one transaction, so an interrupted run leaves each contract prolonged or not, never half;
running it again prolongs only what is left (a contract with a successor is passed
over). A batch that loses a race with another writer is loaded and decided again. The
run's result is saved as the request record's result, so a retried run with the same
request id returns it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.batched_run import Progress, record_run, run_in_batches
from pfdo.application.execution import Executor
from pfdo.application.fields import check_request_id
from pfdo.application.unit_of_work import changed
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.errors import NotFound, Refused
from pfdo.domain.period import Period
from pfdo.domain.prolongation import REASONS, continues_into, prolong
from pfdo.domain.registry import Program, Provider
from pfdo.projections import continuing
from pfdo.storage.loading import bring_up_many, load_batch

PROLONG_BATCH = 500


class ProlongationRun:
    """Prolongs contracts into one period, `batch` contracts to a transaction."""

    def __init__(self, executor: Executor, batch: int = PROLONG_BATCH) -> None:
        self._x = executor
        self.batch = batch

    def prolong(
        self, command: cmd.Prolong, request_id: str | None, progress: Progress | None
    ) -> res.ProlongationRun:
        x = self._x
        request_id = check_request_id(request_id)
        replayed = x.replayed(command, request_id, res.ProlongationRun)
        if replayed is not None:
            return replayed
        period = _period(x, command.period)
        if command.on > period.end:
            raise Refused(
                f"period {period.code} ended on {period.end}: contracts are prolonged into "
                f"it up to its end, not on {command.on}"
            )
        with x.engine.connect() as connection:
            before = continuing.period_before(connection, period.municipality, period.start)
            candidates = (
                [] if before is None else continuing.continuing(connection, before, period.start)
            )
        outcome = _Outcome()
        shared = _Shared(x)
        run_in_batches(
            x,
            candidates,
            self.batch,
            lambda batch, attempt: self._batch_once(command, batch, attempt, shared),
            outcome.merge,
            progress,
            f"prolong into {command.period}: other writers kept changing the same contracts; "
            "this batch was not prolonged (earlier batches were); run the prolongation again",
        )
        result = outcome.result(command.period)
        return record_run(x, command, request_id, result)

    def _batch_once(
        self, c: cmd.Prolong, batch: Sequence[tuple[str, str]], attempt: int, shared: _Shared
    ) -> _Outcome | None:
        """Decide and save one batch; None when another writer came first."""
        x = self._x
        decode = x.decode
        period = shared.period(c.period)
        # certificates before their contracts, as billing loads them: every command that
        # moves a contract's money saves its certificate with it
        certificates = {
            cast(Certificate, a).number: cast(Certificate, a)
            for a in _load(x, [Certificate.id_for(n) for _, n in batch]).values()
        }
        contracts = [
            cast(Contract, a)
            for a in _load(x, [Contract.id_for(code) for code, _ in batch]).values()
        ]
        programs = {
            cast(Program, a).code: cast(Program, a)
            for a in shared.load([Program.id_for(k.program) for k in contracts]).values()
        }
        providers = {
            cast(Provider, a).code: cast(Provider, a)
            for a in shared.load([Provider.id_for(p.provider) for p in programs.values()]).values()
        }
        loaded = {k.code: k for k in contracts}
        others = [
            code
            for k in contracts
            for code in certificates[k.number].contracts_in(k.program)
            if code not in loaded
        ]
        loaded.update(
            (cast(Contract, a).code, cast(Contract, a))
            for a in load_batch(x.log, map(Contract.id_for, others), decode).aggregates.values()
        )
        decided = _Outcome()
        successors: list[Contract] = []
        for contract in contracts:
            if not continues_into(contract, period):
                continue  # prolonged meanwhile, stopped or terminated
            certificate = certificates[contract.number]
            program = programs[contract.program]
            existing = [loaded[code] for code in certificate.contracts_in(program.code)]
            made = prolong(
                contract,
                certificate,
                program,
                providers[program.provider],
                period,
                c.on,
                existing,
            )
            if isinstance(made, str):
                decided.refused(contract.code, made)
            else:
                loaded[made.code] = made
                successors.append(made)
                decided.prolonged(contract.code, made)
        saving = changed(certificates.values(), programs.values(), successors, contracts)
        try:
            saved = x.save_or_conflict(*saving, attempt=attempt, actor=x.actor_of(c))
        except BaseException:
            shared.forget()
            raise
        if not saved:
            shared.forget()  # decided on what the log no longer holds: loaded afresh
            return None
        return decided


def _period(x: Executor, code: str) -> Period:
    """Period `code` as stored, once it exists and is open."""
    found = _load(x, [Period.id_for(code)])
    return _open(code, cast(Period | None, next(iter(found.values()), None)))


def _open(code: str, period: Period | None) -> Period:
    """`period` (of code `code`), once it exists and is open."""
    if period is None:
        raise NotFound(f"period {code} does not exist", period=code)
    period.check_open()
    return period


class _Shared:
    """The period, programs and providers of a run, which its batches share: loaded once,
    kept between batches and brought up to the log at each batch's start (one query for
    the events saved after them, by the run itself or by other writers). Forgotten when a
    batch is not saved, since its decisions changed them in memory."""

    def __init__(self, x: Executor) -> None:
        self._x = x
        self._kept: dict[UUID, Aggregate] = {}
        self._fresh: set[UUID] = set()

    def period(self, code: str) -> Period:
        """Period `code` as the log holds it now, once it exists and is open."""
        self._fresh.clear()  # a new batch: everything kept is brought up again
        found = self.load([Period.id_for(code)])
        return _open(code, cast(Period | None, next(iter(found.values()), None)))

    def load(self, ids: Sequence[UUID]) -> dict[UUID, Aggregate]:
        """The aggregates of `ids` that exist, by id, in the order asked for, as the log
        holds them now."""
        x, kept = self._x, self._kept
        wanted = list(dict.fromkeys(ids))
        behind = {i: kept[i] for i in wanted if i in kept and i not in self._fresh}
        kept.update(bring_up_many(x.log, behind, x.decode))
        missing = [i for i in wanted if i not in kept]
        kept.update(load_batch(x.log, missing, x.decode).aggregates)
        self._fresh.update(wanted)
        return {i: kept[i] for i in wanted if i in kept}

    def forget(self) -> None:
        """Load everything afresh from the next batch on."""
        self._kept.clear()
        self._fresh.clear()


def _load(x: Executor, ids: Sequence[object]) -> dict[object, object]:
    """The aggregates of `ids` that exist, by id, in the order asked for."""
    found = load_batch(x.log, ids, x.decode).aggregates  # type: ignore[arg-type]
    return {i: found[i] for i in dict.fromkeys(ids) if i in found}  # type: ignore[index]


class _Outcome:
    """What a run (or one batch of it) decided, in the order decided."""

    def __init__(self) -> None:
        self.done: list[res.Prolongation] = []
        self.left: list[res.NotProlonged] = []

    def prolonged(self, contract: str, successor: Contract) -> None:
        price = sum(m["price"] for m in successor.months.values())
        self.done.append(
            res.Prolongation(
                contract=contract,
                successor=successor.code,
                start=successor.start,
                end=successor.end,
                price=price,
                certificate_share=successor.share,
                parent_share=price - successor.share,
                unit=successor.contract_unit,
            )
        )

    def refused(self, contract: str, reason: str) -> None:
        self.left.append(res.NotProlonged(contract=contract, reason=reason))

    def merge(self, other: _Outcome) -> None:
        self.done.extend(other.done)
        self.left.extend(other.left)

    def result(self, period: str) -> res.ProlongationRun:
        counts = Counter(line.reason for line in self.left)
        return res.ProlongationRun(
            period=period,
            prolonged=self.done,
            not_prolonged=self.left,
            reasons={reason: counts[reason] for reason in REASONS if counts[reason]},
        )
