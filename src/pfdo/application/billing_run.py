"""The billing run: a month billed for every open contract, in atomic batches (rule 9).

Contracts open in the month are found in the read models (brought level with the log
first), then billed a batch at a time: each batch of contracts is loaded with their
certificates, billed in memory and saved in one transaction, so an interrupted run
leaves whole months billed or not, and running it again bills the rest. A batch that
loses a race with another writer is loaded and billed again. The run's totals are saved
as the request record's result, so a retried run with the same request id returns them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Connection

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.batched_run import Progress, record_run, run_in_batches
from pfdo.application.execution import Executor
from pfdo.application.fields import check_request_id
from pfdo.application.unit_of_work import changed
from pfdo.domain import billing
from pfdo.domain.calendar import next_month_start
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.errors import Refused
from pfdo.domain.units import HOURS, RUB
from pfdo.projections import queries
from pfdo.storage.loading import load_batch

BILLING_BATCH = 500
#: A billing run snapshots a contract or certificate replayed from this many events or more.
SNAPSHOT_AFTER = 4

log = logging.getLogger(__name__)


class BillingRun:
    """Bills months on one store, `batch` contracts to a transaction."""

    def __init__(self, executor: Executor, batch: int = BILLING_BATCH) -> None:
        self._x = executor
        self.batch = batch

    def bill(
        self, command: cmd.BillMonth, request_id: str | None, progress: Progress | None
    ) -> res.BillingRun:
        x = self._x
        request_id = check_request_id(request_id)
        replayed = x.replayed(command, request_id, res.BillingRun)
        if replayed is not None:
            return replayed
        with x.engine.connect() as connection:
            candidates = queries.open_contracts_in(
                connection, command.month, _billable_periods(connection, command)
            )
        totals = _BillingTotals()
        run_in_batches(
            x,
            candidates,
            self.batch,
            lambda batch, attempt: self._bill_batch_once(command, batch, attempt),
            totals.merge,
            progress,
            f"bill {command.month}: other writers kept changing the same contracts; this "
            "batch was not billed (earlier batches were); run the billing again",
        )
        result = totals.result(command.month)
        return record_run(x, command, request_id, result)

    def _bill_batch_once(
        self, c: cmd.BillMonth, batch: Sequence[tuple[str, str]], attempt: int
    ) -> _BillingTotals | None:
        """Bill and save one batch; None when another writer came first."""
        x = self._x
        billed = _BillingTotals()
        # The certificates first, then their contracts: every command that moves a
        # contract's money saves its certificate with it, so a certificate loaded before
        # its contract is never ahead of it. A contract billed or terminated by another
        # writer in between then shows it (nothing left to charge), or the save conflicts
        # and the batch is decided again; never a charge of money the certificate no
        # longer holds in reserve.
        numbers = dict.fromkeys(number for _, number in batch)
        holders = load_batch(x.log, (Certificate.id_for(n) for n in numbers), x.decode)
        loaded = load_batch(x.log, (Contract.id_for(code) for code, _ in batch), x.decode)
        contracts = [cast(Contract, loaded.aggregates[Contract.id_for(code)]) for code, _ in batch]
        certificates = {
            cast(Certificate, a).number: cast(Certificate, a) for a in holders.aggregates.values()
        }
        for contract in contracts:
            outcome = billing.bill_month(contract, certificates[contract.number], c.month, c.on)
            billed.add(contract, outcome)
        saving = changed(contracts, certificates.values())
        if not x.save_or_conflict(*saving, attempt=attempt, actor=x.actor_of(c)):
            return None
        # so that the next run loads what it replayed at length from here (a cache only:
        # the batch is committed whether or not its snapshots are)
        long = loaded.replayed_at_length(SNAPSHOT_AFTER) + holders.replayed_at_length(
            SNAPSHOT_AFTER
        )
        try:
            x.log.store_snapshots(long)
        except Exception:
            log.warning(
                "pfdo: billing snapshots were not saved; loads replay the log", exc_info=True
            )
        return billed


def _billable_periods(connection: Connection, c: cmd.BillMonth) -> list[str] | None:
    """Rules 9 and 18: every period's month from the next month's first day (None: all);
    before that, only a period that bills its last month early, from its own date."""
    opens = next_month_start(c.month)
    if c.on >= opens:
        return None
    early = queries.billable_early(connection, c.month, c.on)
    if not early:
        raise Refused(
            f"month {c.month} can be billed from {opens}, not on {c.on} (no period bills it "
            "earlier: see `period settings --final-billing-from`)"
        )
    return early


class _BillingTotals:
    """Sums of one billing run, per unit (rule 22): ruble and hours contracts apart."""

    def __init__(self) -> None:
        self.billed = self.parent = 0
        self.charged = {RUB: 0, HOURS: 0}
        self.released = {RUB: 0, HOURS: 0}
        self.missing: list[str] = []

    def add(self, contract: Contract, outcome: billing.BillingOutcome) -> None:
        if outcome.attendance_missing:
            self.missing.append(contract.code)
        elif outcome.billed is not None:
            unit = contract.contract_unit
            self.billed += 1
            self.charged[unit] += outcome.billed.charged
            self.released[unit] += outcome.billed.released
            self.parent += outcome.billed.parent

    def merge(self, other: _BillingTotals) -> None:
        self.billed += other.billed
        for unit in (RUB, HOURS):
            self.charged[unit] += other.charged[unit]
            self.released[unit] += other.released[unit]
        self.parent += other.parent
        self.missing.extend(other.missing)

    def result(self, month: str) -> res.BillingRun:
        return res.BillingRun(
            month=month,
            billed=self.billed,
            charged=self.charged[RUB],
            released=self.released[RUB],
            parent=self.parent,
            attendance_missing=sorted(self.missing),
            charged_hours=self.charged[HOURS],
            released_hours=self.released[HOURS],
        )
