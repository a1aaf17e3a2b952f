"""The one fold from events to read-model rows, used by catch-up and rebuild alike.

`fold_event` takes a decoded domain event and its log position and changes rows in a
`Workspace`. Events that no read model needs (attendance marks, requests) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table

from pfdo.domain.balance import apply_movement, empty_balance
from pfdo.domain.certificate import ACTIVE, ANNULLED, MOVEMENT_EVENTS, Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.period import Period
from pfdo.domain.registry import Program, Provider
from pfdo.domain.settlement import ProviderAccount
from pfdo.domain.units import to_rubles, unit_of
from pfdo.projections import tables as t
from pfdo.projections.workspace import Workspace

Handler = Callable[[Workspace, Any, int], None]
_HANDLERS: dict[type, Handler] = {}


def handles(*event_types: type) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            _HANDLERS[event_type] = handler
        return handler

    return register


def handled_event_types() -> frozenset[type]:
    """The event classes that change some read model."""
    return frozenset(_HANDLERS)


def touches(event: Any) -> list[tuple[Table, tuple[Any, ...]]]:
    """The stored rows folding `event` will read, so that a page's rows load together."""
    reach = _REACHES.get(type(event))
    return reach(event) if reach is not None else []


def fold_event(ws: Workspace, event: Any, seq: int) -> None:
    """Apply one event at log position `seq` to the rows in `ws`."""
    handler = _HANDLERS.get(type(event))
    if handler is not None:
        handler(ws, event, seq)


@handles(Period.Opened)
def _period_opened(ws: Workspace, e: Period.Opened, _seq: int) -> None:
    ws.put(
        t.periods,
        {
            "period": e.period,
            "municipality": e.municipality,
            "start": e.start,
            "end": e.end,
            "status": "open",
            "expired": 0,
            "expired_hours": 0,
            "advance_rate": 0,
            "final_billing_from": None,
        },
    )
    for name, c in e.categories.items():
        ws.put(
            t.categories,
            {
                "period": e.period,
                "category": name,
                "nominal": c["nominal"],
                "count_limit": c["count_limit"],
                "sum_limit": c["sum_limit"],
                "funded_count": 0,
                "funded_sum": 0,
                "unit": unit_of(c),
            },
        )


@handles(Period.CertificateFunded)
def _period_funded(ws: Workspace, e: Period.CertificateFunded, _seq: int) -> None:
    # the category's count and sum follow the certificate's own `Funded`, which every
    # funding records (a funding without limits records no `Period.CertificateFunded`)
    _leave_list(ws, e.period, e.number, "funded")


def _count_in_category(ws: Workspace, e: Any, sign: int) -> None:
    row = ws.require(t.categories, e.period, e.category)
    row["funded_count"] += sign
    row["funded_sum"] += sign * e.amount


@handles(Period.LimitsChanged)
def _limits(ws: Workspace, e: Period.LimitsChanged, _seq: int) -> None:
    ws.require(t.categories, e.period, e.category).update(
        count_limit=e.count_limit, sum_limit=e.sum_limit
    )


@handles(Period.SettingsChanged)
def _settings(ws: Workspace, e: Period.SettingsChanged, _seq: int) -> None:
    ws.require(t.periods, e.period).update(
        advance_rate=e.advance_rate, final_billing_from=e.final_billing_from
    )


@handles(Period.Queued)
def _queued(ws: Workspace, e: Period.Queued, seq: int) -> None:
    ws.get(t.waiting, e.period, e.number)  # a row of an earlier stay is stored: updated
    ws.put(
        t.waiting,
        {
            "period": e.period,
            "number": e.number,
            "category": e.category,
            "since": e.on,
            "seq": seq,
            "status": "waiting",
        },
    )


@handles(Period.LeftQueue)
def _left(ws: Workspace, e: Period.LeftQueue, _seq: int) -> None:
    _leave_list(ws, e.period, e.number, "left")


def _leave_list(ws: Workspace, period: str, number: str, status: str) -> None:
    row = ws.get(t.waiting, period, number)
    if row is not None and row["status"] == "waiting":
        ws.require(t.waiting, period, number)["status"] = status


@handles(Period.NominalChanged)
def _period_nominal(ws: Workspace, e: Period.NominalChanged, _seq: int) -> None:
    row = ws.require(t.categories, e.period, e.category)
    row["nominal"] = e.nominal
    row["funded_sum"] += e.delta * row["funded_count"]


@handles(Period.Closed)
def _period_closed(ws: Workspace, e: Period.Closed, _seq: int) -> None:
    row = ws.require(t.periods, e.period)
    row["status"] = "closed"
    row["expired"] = e.expired
    row["expired_hours"] = e.expired_hours


@handles(Provider.Admitted)
def _provider_admitted(ws: Workspace, e: Provider.Admitted, _seq: int) -> None:
    ws.put(
        t.providers, {"provider": e.provider, "name": e.name, "kind": e.kind, "status": "admitted"}
    )


@handles(Provider.Excluded)
def _provider_excluded(ws: Workspace, e: Provider.Excluded, _seq: int) -> None:
    ws.require(t.providers, e.provider)["status"] = "excluded"


@handles(Program.Added)
def _program_added(ws: Workspace, e: Program.Added, _seq: int) -> None:
    ws.put(
        t.programs,
        {
            "program": e.program,
            "provider": e.provider,
            "title": e.title,
            "monthly_price": e.monthly_price,
            "min_age": e.min_age,
            "max_age": e.max_age,
            "capacity": e.capacity,
            "normative_price": e.normative_price,
            "hours_per_month": e.hours_per_month,
            "hour_cost": e.hour_cost,
            "status": "open",
            "prolongation": True,
        },
    )


@handles(Program.Withdrawn)
def _program_withdrawn(ws: Workspace, e: Program.Withdrawn, _seq: int) -> None:
    ws.require(t.programs, e.program)["status"] = "withdrawn"


@handles(Program.ProlongationSet)
def _prolongation_set(ws: Workspace, e: Program.ProlongationSet, _seq: int) -> None:
    ws.require(t.programs, e.program)["prolongation"] = e.prolongation


@handles(Certificate.Issued)
def _issued(ws: Workspace, e: Certificate.Issued, _seq: int) -> None:
    ws.put(
        t.certificates,
        {
            "number": e.number,
            "municipality": e.municipality,
            "kind": "accounting",
            "status": ACTIVE,
        },
    )


@handles(Certificate.Moved)
def _moved(ws: Workspace, e: Certificate.Moved, _seq: int) -> None:
    ws.require(t.certificates, e.number)["municipality"] = e.municipality


@handles(Certificate.Annulled)
def _annulled(ws: Workspace, e: Certificate.Annulled, _seq: int) -> None:
    ws.require(t.certificates, e.number)["status"] = ANNULLED


#: Each money event of a certificate -> its movement kind (the domain's own mapping).
MOVEMENT_KINDS: dict[type, str] = dict(MOVEMENT_EVENTS)


@handles(*MOVEMENT_KINDS)
def _movement(ws: Workspace, e: Any, seq: int) -> None:
    """Every money event of a certificate: one movement in its history, one balance change."""
    kind = MOVEMENT_KINDS[type(e)]
    number = e.number
    if kind == "funded":
        _count_in_category(ws, e, +1)
        _leave_list(ws, e.period, number, "funded")
        ws.require(t.certificates, number)["kind"] = "financing"
        ws.put(
            t.balances,
            {
                "number": number,
                "period": e.period,
                "category": e.category,
                **empty_balance(),
                "status": "funded",
                "unit": e.unit,
            },
        )
    balance = ws.require(t.balances, number, e.period)
    apply_movement(balance, kind, e.amount)
    if kind == "unfunded":
        _count_in_category(ws, e, -1)
        balance["status"] = "unfunded"
        ws.require(t.certificates, number)["kind"] = e.kind
    ws.append(t.movements, movement_row(e, seq, balance["unit"]))


def movement_row(e: Any, seq: int, unit: str) -> dict[str, Any]:
    """The history line of a certificate money event at log position `seq`, in the
    unit of its pot."""
    return {
        "seq": seq,
        "number": e.number,
        "on": e.on,
        "recorded_at": e.timestamp,
        "kind": MOVEMENT_KINDS[type(e)],
        "amount": e.amount,
        "period": e.period,
        "contract": getattr(e, "contract", None),
        "program": getattr(e, "program", None),
        "provider": getattr(e, "provider", None),
        "month": getattr(e, "month", None),
        "unit": unit,
        "actor": e.actor,
    }


@handles(Contract.Enrolled)
def _enrolled(ws: Workspace, e: Contract.Enrolled, seq: int) -> None:
    ws.put(
        t.contracts,
        {
            "contract": e.contract,
            "number": e.number,
            "program": e.program,
            "provider": e.provider,
            "period": e.period,
            "start": e.start,
            "end": e.end,
            "mode": e.mode,
            "price": e.price,
            "share": e.share,
            "status": "active",
            "terminated_on": None,
            "unit": e.unit,
            "hour_cost": e.hour_cost,
            "actor": e.actor,
            "terminated_by": None,
            "continues_until": e.continues_until,
            "continues": e.continues,
            "continued_by": None,
            "made": seq,
        },
    )
    for month, price, part in e.months:
        ws.put(
            t.contract_months,
            {
                "contract": e.contract,
                "month": month,
                "number": e.number,
                "program": e.program,
                "provider": e.provider,
                "period": e.period,
                "price": price,
                "certificate": part,
                "status": "open",
                "charged": 0,
                "released": 0,
                "parent": 0,
                "refunded": 0,
                "present": 0,
                "recorded": 0,
                "unit": e.unit,
                "hour_cost": e.hour_cost,
                "payable": 0,
            },
        )


@handles(Contract.MonthBilled)
def _billed(ws: Workspace, e: Contract.MonthBilled, _seq: int) -> None:
    row = ws.require(t.contract_months, e.contract, e.month)
    row.update(
        status="billed",
        charged=e.charged,
        released=e.released,
        parent=e.parent,
        present=e.present,
        recorded=e.recorded,
    )
    _payable(row)


@handles(Contract.Terminated)
def _terminated(ws: Workspace, e: Contract.Terminated, _seq: int) -> None:
    ws.require(t.contracts, e.contract).update(
        status="terminated", terminated_on=e.on, terminated_by=e.actor, continues_until=None
    )
    for month in e.cancelled:
        row = ws.require(t.contract_months, e.contract, month)
        row.update(status="cancelled", released=row["certificate"])


@handles(Contract.ContinuationStopped)
def _continuation_stopped(ws: Workspace, e: Contract.ContinuationStopped, _seq: int) -> None:
    ws.require(t.contracts, e.contract)["continues_until"] = None


@handles(Contract.Prolonged)
def _prolonged(ws: Workspace, e: Contract.Prolonged, _seq: int) -> None:
    ws.require(t.contracts, e.contract)["continued_by"] = e.successor


@handles(Contract.MonthRefunded)
def _refunded(ws: Workspace, e: Contract.MonthRefunded, _seq: int) -> None:
    row = ws.require(t.contract_months, e.contract, e.month)
    row["refunded"] += e.amount
    _payable(row)


def _payable(row: dict[str, Any]) -> None:
    """What the provider is paid for a contract month, in kopecks (rule 21)."""
    row["payable"] = to_rubles(row["charged"] - row["refunded"], row["unit"], row["hour_cost"])


@handles(ProviderAccount.AdvanceIssued, ProviderAccount.InvoiceIssued)
def _document(ws: Workspace, e: Any, _seq: int) -> None:
    advance = isinstance(e, ProviderAccount.AdvanceIssued)
    ws.put(
        t.invoices,
        {
            "invoice": e.invoice,
            "kind": "advance" if advance else "invoice",
            "provider": e.provider,
            "month": e.month,
            "amount": e.total if advance else e.amount,
            "advance": 0 if advance else e.advance,
            "adjustments": 0 if advance else e.adjustments,
            "due": e.total if advance else e.due,
            "issued_on": e.on,
            "paid_on": None,
        },
    )


@handles(ProviderAccount.Paid)
def _paid(ws: Workspace, e: ProviderAccount.Paid, _seq: int) -> None:
    ws.require(t.invoices, e.invoice)["paid_on"] = e.on


def _money_rows(e: Any) -> list[tuple[Table, tuple[Any, ...]]]:
    rows: list[tuple[Table, tuple[Any, ...]]] = [(t.balances, (e.number, e.period))]
    if isinstance(e, Certificate.Funded | Certificate.Unfunded):
        rows.append((t.certificates, (e.number,)))
        rows.append((t.categories, (e.period, e.category)))
    if isinstance(e, Certificate.Funded):
        rows.append((t.waiting, (e.period, e.number)))
    return rows


def _terminated_rows(e: Contract.Terminated) -> list[tuple[Table, tuple[Any, ...]]]:
    return [(t.contracts, (e.contract,))] + [
        (t.contract_months, (e.contract, m)) for m in e.cancelled
    ]


_REACHES: dict[type, Callable[[Any], list[tuple[Table, tuple[Any, ...]]]]] = {
    Period.CertificateFunded: lambda e: [(t.waiting, (e.period, e.number))],
    Period.LimitsChanged: lambda e: [(t.categories, (e.period, e.category))],
    Period.SettingsChanged: lambda e: [(t.periods, (e.period,))],
    Period.LeftQueue: lambda e: [(t.waiting, (e.period, e.number))],
    Period.Queued: lambda e: [(t.waiting, (e.period, e.number))],
    Period.NominalChanged: lambda e: [(t.categories, (e.period, e.category))],
    Period.Closed: lambda e: [(t.periods, (e.period,))],
    Provider.Excluded: lambda e: [(t.providers, (e.provider,))],
    Program.Withdrawn: lambda e: [(t.programs, (e.program,))],
    Program.ProlongationSet: lambda e: [(t.programs, (e.program,))],
    **dict.fromkeys(MOVEMENT_KINDS, _money_rows),
    Contract.MonthBilled: lambda e: [(t.contract_months, (e.contract, e.month))],
    Contract.MonthRefunded: lambda e: [(t.contract_months, (e.contract, e.month))],
    Contract.Terminated: _terminated_rows,
    Contract.ContinuationStopped: lambda e: [(t.contracts, (e.contract,))],
    Contract.Prolonged: lambda e: [(t.contracts, (e.contract,))],
    ProviderAccount.Paid: lambda e: [(t.invoices, (e.invoice,))],
    Certificate.Moved: lambda e: [(t.certificates, (e.number,))],
    Certificate.Annulled: lambda e: [(t.certificates, (e.number,))],
}
