"""Billing a contract month, terminating a contract, refunding a charge (rules 9-11).

Each of these is decided by the contract, which knows its months, and passed on to the
certificate, which guards and records the money it moves. The functions here only
orchestrate the two; the caller saves both in one atomic `save`, so a month is charged on
the certificate exactly when it is marked billed on the contract. Billing an already
billed month does nothing.
"""

from __future__ import annotations

from datetime import date

from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import BillingOutcome, Contract

__all__ = ["BillingOutcome", "bill_month", "refund", "terminate"]


def bill_month(
    contract: Contract, certificate: Certificate, month: str, on: date
) -> BillingOutcome:
    """Rule 9 for one contract month: charge what the month costs the certificate and
    release the rest of its part."""
    outcome = contract.bill_month(month, on)
    if outcome.billed is not None:
        certificate.charge(contract, month, outcome.billed.charged, on)
        certificate.release(contract, month, outcome.billed.released, on)
    return outcome


def terminate(contract: Contract, certificate: Certificate, reason: str, on: date) -> int:
    """Rule 10: cancel the months after the month of `on` and release their certificate
    parts at once; return the total released."""
    cancelled = contract.terminate(reason, on)
    for month, amount in cancelled.items():
        certificate.release(contract, month, amount, on)
    return sum(cancelled.values())


def refund(
    contract: Contract, certificate: Certificate, month: str, amount: int, reason: str, on: date
) -> None:
    """Rule 11: give back part or all of a month's charge to the certificate."""
    contract.refund(month, amount, reason, on)
    certificate.refund(contract, month, amount, reason, on)
