"""Prolongation (rule 23): a contract that continues beyond its period's end gets one
successor in the next period, priced, shared and reserved as an enrolment on the run's
date would be, or the first reason it cannot.

`prolong` decides one contract; the certificate, the program, the contract and its
successor change together and the application saves them in one atomic `save`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.enrolment import (
    check_child_fits,
    check_one_contract_per_program,
    contract_terms,
    enrol,
)
from pfdo.domain.errors import Refused
from pfdo.domain.period import Period
from pfdo.domain.registry import Program, Provider
from pfdo.domain.units import HOURS, unit_of

#: Why a contract is not prolonged, in the order rule 23 checks them.
REASONS = (
    "not_funded",
    "program_closed",
    "prolongation_off",
    "age",
    "capacity",
    "hours",
    "overlap",
)


def successor_dates(contract: Contract, period: Period) -> tuple[date, date]:
    """The successor's first and last day: from the later of the period's start and the
    day after the contract's end, to the earlier of its `continues_until` and the
    period's end."""
    if contract.continues_until is None:
        raise Refused(f"contract {contract.code} does not continue beyond {contract.end}")
    start = max(period.start, contract.end + timedelta(days=1))
    return start, min(contract.continues_until, period.end)


def continues_into(contract: Contract, period: Period) -> bool:
    """Whether a run for `period` still has to decide `contract` (its own selection:
    continuing into the period, ended before it, not prolonged yet)."""
    return (
        contract.continued_by is None
        and contract.continues_until is not None
        and contract.continues_until >= period.start
        and contract.end < period.start
    )


def refusal(
    contract: Contract,
    certificate: Certificate,
    program: Program,
    provider: Provider,
    period: Period,
    existing: Sequence[Contract],
) -> str | None:
    """The first reason of `REASONS` that keeps `contract` from a successor in
    `period`, or None when it can be prolonged."""
    if period.code not in certificate.pots:
        return "not_funded"
    try:
        program.check_accepts(provider)
    except Refused:
        return "program_closed"
    if not program.prolongation:
        return "prolongation_off"
    start, end = successor_dates(contract, period)
    try:
        check_child_fits(certificate, program, start, end)
    except Refused:
        return "age"
    if program.at_capacity(start, end):
        return "capacity"
    pot = certificate.pot(period.code)
    if unit_of(pot) == HOURS:  # in rubles the parents pay what the pot does not
        try:
            contract_terms(program, HOURS, start, end, pot["available"])
        except Refused:
            return "hours"
    try:
        check_one_contract_per_program(certificate, program, start, end, existing)
    except Refused:
        return "overlap"
    return None


def prolong(
    contract: Contract,
    certificate: Certificate,
    program: Program,
    provider: Provider,
    period: Period,
    on: date,
    existing: Sequence[Contract],
) -> Contract | str:
    """Give `contract` its successor in `period` (an enrolment on `on` with the
    contract's payment mode, continuing in turn when `continues_until` is after the
    period's end), or answer the first reason it is not prolonged.

    `existing`: the certificate's contracts in the program, successors made meanwhile
    included (rule 14)."""
    reason = refusal(contract, certificate, program, provider, period, existing)
    if reason is not None:
        return reason
    start, end = successor_dates(contract, period)
    successor = enrol(
        certificate,
        program,
        provider,
        period,
        start,
        end,
        contract.mode,
        on,
        existing,
        contract.continues_until,
        contract.code,
    )
    contract.record_successor(successor.code, on)
    return successor
