"""Billing a contract month, terminating a contract, refunding a charge (rules 9-11).

Each function changes a contract and its certificate together; the caller saves both in
one atomic `save`, so a month is charged on the certificate exactly when it is marked
billed on the contract. Billing an already billed month does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pfdo.domain.calendar import month_of
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.errors import Refused
from pfdo.domain.money import format_rubles
from pfdo.domain.pricing import MonthBill, bill_attendance, bill_fixed


@dataclass(frozen=True)
class BillingOutcome:
    """What billing one contract month did: billed, or waiting for attendance."""

    billed: MonthBill | None
    attendance_missing: bool = False


def _money(contract: Contract) -> dict[str, str]:
    return {
        "number": contract.number,
        "period": contract.period,
        "contract": contract.code,
        "program": contract.program,
        "provider": contract.provider,
    }


def bill_month(
    contract: Contract, certificate: Certificate, month: str, on: date
) -> BillingOutcome:
    """Rule 9 for one contract month; an unknown, billed or cancelled month is left alone."""
    state = contract.months.get(month)
    if state is None or state["status"] != "open" or contract.enrolled_on > on:
        return BillingOutcome(billed=None)  # nothing to bill, or enrolled after this run
    present, recorded = contract.attendance_in(month)
    if contract.mode == "fixed":
        bill = bill_fixed(state["price"], state["certificate"])
    elif recorded == 0:
        return BillingOutcome(billed=None, attendance_missing=True)
    else:
        bill = bill_attendance(state["price"], state["certificate"], present, recorded)
    contract.trigger_event(
        Contract.MonthBilled,
        contract=contract.code,
        month=month,
        charged=bill.charged,
        released=bill.released,
        parent=bill.parent,
        present=present,
        recorded=recorded,
        on=on,
    )
    if bill.charged:
        certificate.trigger_event(
            Certificate.Charged, month=month, amount=bill.charged, on=on, **_money(contract)
        )
    if bill.released:
        certificate.trigger_event(
            Certificate.Released, month=month, amount=bill.released, on=on, **_money(contract)
        )
    return BillingOutcome(billed=bill)


def terminate(contract: Contract, certificate: Certificate, reason: str, on: date) -> int:
    """Rule 10: cancel every month after the month of `on` (all, before the start);
    release their certificate parts at once and return the total released."""
    if contract.terminated_on is not None:
        raise Refused(
            f"contract {contract.code} was already terminated on {contract.terminated_on}"
        )
    if on < contract.enrolled_on:
        raise Refused(
            f"contract {contract.code} was enrolled on {contract.enrolled_on}: it cannot be "
            f"terminated on an earlier date ({on})"
        )
    if on > contract.end:
        raise Refused(
            f"contract {contract.code} ended on {contract.end}: nothing to terminate on {on}"
        )
    keep = "" if on < contract.start else month_of(on)
    cancelled = [m for m in contract.months if m > keep]
    billed = [m for m in cancelled if contract.months[m]["status"] != "open"]
    if billed:
        raise Refused(
            f"contract {contract.code} cannot be terminated on {on}: month(s) "
            f"{', '.join(billed)} after it are already billed"
        )
    released = 0
    for month in cancelled:
        amount = contract.months[month]["certificate"]
        released += amount
        if amount:
            certificate.trigger_event(
                Certificate.Released, month=month, amount=amount, on=on, **_money(contract)
            )
    contract.trigger_event(
        Contract.Terminated,
        contract=contract.code,
        reason=reason,
        cancelled=cancelled,
        released=released,
        on=on,
    )
    return released


def refund(
    contract: Contract, certificate: Certificate, month: str, amount: int, reason: str, on: date
) -> None:
    """Rule 11: give back part or all of a month's charge, never more than was charged."""
    state = contract.month(month)
    if state["status"] != "billed":
        raise Refused(f"contract {contract.code}: month {month} is {state['status']}, not billed")
    if amount <= 0:
        raise Refused(f"a refund must be above zero, got {format_rubles(amount)}")
    if not reason.strip():
        raise Refused("a refund needs a reason")
    billed_on = state["billed_on"]
    if billed_on is not None and on.isoformat() < billed_on:
        raise Refused(
            f"contract {contract.code}, month {month} was billed on {billed_on}: a refund "
            f"cannot be dated earlier ({on})"
        )
    refundable = state["charged"] - state["refunded"]
    if amount > refundable:
        raise Refused(
            f"contract {contract.code}, month {month}: refund of {format_rubles(amount)} "
            f"exceeds what is left to refund ({format_rubles(refundable)} of "
            f"{format_rubles(state['charged'])} charged)"
        )
    contract.trigger_event(
        Contract.MonthRefunded,
        contract=contract.code,
        month=month,
        amount=amount,
        reason=reason,
        on=on,
    )
    certificate.trigger_event(
        Certificate.Refunded, month=month, amount=amount, reason=reason, on=on, **_money(contract)
    )
