"""The settlement invariants (rules 16, 17, docs/RULES.md), checked while the log is refolded.

Each register (provider and month) is followed through the log as a running total of
the rubles its lines pay (rule 21: hours converted line by line): a billed month adds its
charge, a refund takes its amount off. An
advance must be rule 16's lines of the contract months open when it was issued. An
invoice must be its register as of the log position it names (`as_of`), less the
month's advance and the adjustments then undeducted; adjustments are recomputed from the
registers of the provider's months invoiced before. After the whole log, for every
provider, over its invoiced months: `sum(advance + due) - undeducted = net charges`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pfdo.domain.contract import Contract
from pfdo.domain.settlement import ProviderAccount
from pfdo.domain.units import to_rubles
from pfdo.projections import tables as t
from pfdo.projections.workspace import Workspace

Register = tuple[str, str]  # (provider, month)


class RegisterHistory:
    """Each register's running total, position by position."""

    def __init__(self) -> None:
        self._positions: defaultdict[Register, list[int]] = defaultdict(list)
        self._totals: defaultdict[Register, list[int]] = defaultdict(list)

    def add(self, register: Register, position: int, change: int) -> None:
        totals = self._totals[register]
        self._positions[register].append(position)
        totals.append((totals[-1] if totals else 0) + change)

    def total(self, register: Register, as_of: int | None = None) -> int:
        """The register's total after log position `as_of` (None: now)."""
        totals = self._totals.get(register)
        if not totals:
            return 0
        if as_of is None:
            return totals[-1]
        index = bisect.bisect_right(self._positions[register], as_of)
        return totals[index - 1] if index else 0


class SettlementChecks:
    """Checks each advance and invoice as it is refolded, and the providers at the end."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.registers = RegisterHistory()
        self.advances: dict[Register, int] = {}
        self.invoiced: defaultdict[str, dict[str, int]] = defaultdict(dict)  # amount/month
        self.deducted: defaultdict[str, int] = defaultdict(int)
        self.paid_in: defaultdict[str, int] = defaultdict(int)  # sum(advance + due)
        self._paid: dict[tuple[str, str], int] = {}  # (contract, month) -> kopecks payable

    def after(self, event: Any, position: int) -> list[str]:
        if isinstance(event, Contract.MonthBilled | Contract.MonthRefunded):
            month = self._ws.get(t.contract_months, event.contract, event.month)
            if month is not None:
                net = month["charged"] - month["refunded"]  # after the event: rubles paid
                paid = to_rubles(net, month["unit"], month["hour_cost"])
                key = (month["provider"], event.month)
                before = self._paid.get((event.contract, event.month), 0)
                self._paid[event.contract, event.month] = paid
                self.registers.add(key, position, paid - before)
            return []
        if isinstance(event, ProviderAccount.AdvanceIssued):
            return list(self._advance(event))
        if isinstance(event, ProviderAccount.InvoiceIssued):
            return list(self._invoice(event, position))
        return []

    def _advance(self, e: ProviderAccount.AdvanceIssued) -> Iterator[str]:
        for contract, _number, amount in e.lines:
            month = self._ws.get(t.contract_months, contract, e.month)
            period = None if month is None else self._ws.get(t.periods, month["period"])
            if month is None or period is None or month["status"] != "open":
                yield f"advance line of contract {contract}: no open month {e.month}"
                continue
            part = to_rubles(month["certificate"], month["unit"], month["hour_cost"])
            expected = part * period["advance_rate"] // 100
            if amount != expected:
                yield f"advance line of contract {contract} is {amount}, rule 16 gives {expected}"
        if e.total != sum(line[2] for line in e.lines):
            yield f"advance total {e.total} is not the sum of its lines"
        self.advances[e.provider, e.month] = e.total
        self.paid_in[e.provider] += e.total

    def _invoice(self, e: ProviderAccount.InvoiceIssued, position: int) -> Iterator[str]:
        provider = e.provider
        if not 0 <= e.as_of < position:
            yield f"invoice {e.invoice} names log position {e.as_of}, not one before it"
        register = self.registers.total((provider, e.month), e.as_of)
        if e.amount != register or e.amount != sum(line[2] for line in e.lines):
            yield (
                f"invoice {e.invoice}: amount {e.amount} is not its register's total "
                f"{register} as of position {e.as_of}, nor the sum of its lines"
            )
        advance = self.advances.get((provider, e.month), 0)
        if e.advance != advance:
            yield f"invoice {e.invoice}: advance {e.advance}, but {advance} was advanced"
        adjustments = self._undeducted(provider, e.as_of)
        if e.adjustments != adjustments:
            yield f"invoice {e.invoice}: adjustments {e.adjustments}, undeducted {adjustments}"
        if e.due != e.amount - e.advance - e.adjustments:
            yield f"invoice {e.invoice}: due {e.due} is not amount - advance - adjustments"
        self.invoiced[provider][e.month] = e.amount
        self.deducted[provider] += e.adjustments
        self.paid_in[provider] += e.due

    def _undeducted(self, provider: str, as_of: int | None = None) -> int:
        drift = sum(
            amount - self.registers.total((provider, month), as_of)
            for month, amount in self.invoiced[provider].items()
        )
        return drift - self.deducted[provider]

    def final(self) -> Iterator[tuple[str, str]]:
        """(provider, problem) for every provider whose invoiced months do not add up."""
        for provider, months in self.invoiced.items():
            net = sum(self.registers.total((provider, m)) for m in months)
            advanced = sum(
                a for (p, m), a in self.advances.items() if p == provider and m in months
            )
            uninvoiced_advances = sum(
                a for (p, m), a in self.advances.items() if p == provider and m not in months
            )
            paid = self.paid_in[provider] - uninvoiced_advances
            undeducted = self._undeducted(provider)
            if paid - undeducted != net:
                yield (
                    provider,
                    (
                        f"over its invoiced months, advances + dues ({paid}, of which "
                        f"{advanced} advanced) less undeducted adjustments ({undeducted}) are "
                        f"not its net charges ({net})"
                    ),
                )
