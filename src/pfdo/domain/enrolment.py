"""Enrolment (rules 7 and 14): check every condition, price the contract, reserve the share.

The certificate, the program and the new contract change together; the application saves
them in one atomic `save`. Rule 14 (one contract per child and program at a time) is
checked against the certificate's contracts in the program; since every enrolment saves
the certificate with optimistic concurrency, two enrolments racing each other cannot both
pass it (a termination only ever shortens a contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pfdo.domain.calendar import age_on, eighteenth_birthday
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import MODES, Contract
from pfdo.domain.errors import Refused
from pfdo.domain.period import Period
from pfdo.domain.pricing import contract_schedule
from pfdo.domain.registry import Program, Provider


def check_child_fits(certificate: Certificate, program: Program, start: date, end: date) -> None:
    """The child's age on the start date is in the band and the child is under 18 to the end."""
    age = age_on(certificate.birth_date, start)
    if not program.min_age <= age <= program.max_age:
        raise Refused(
            f"the child of certificate {certificate.number} is {age} on {start}, outside the "
            f"age band {program.min_age}-{program.max_age} of program {program.code}"
        )
    turns_18 = eighteenth_birthday(certificate.birth_date)
    if turns_18 <= end:
        raise Refused(
            f"the child of certificate {certificate.number} turns 18 on {turns_18}, "
            f"on or before the contract's end {end}"
        )


def active_until(contract: Contract) -> date:
    """The last day a contract runs: its end, or its termination date if earlier."""
    if contract.terminated_on is None:
        return contract.end
    return min(contract.end, contract.terminated_on)


def check_one_contract_per_program(
    certificate: Certificate, program: Program, start: date, end: date, existing: Sequence[Contract]
) -> None:
    """Rule 14: no other contract of this certificate in this program overlaps start..end.

    A terminated contract runs up to its termination date; one terminated before its start
    overlaps nothing."""
    for contract in existing:
        if contract.program != program.code or contract.number != certificate.number:
            continue
        last = active_until(contract)
        if last < contract.start:
            continue
        if contract.start <= end and start <= last:
            terminated = "" if contract.terminated_on is None else ", terminated"
            raise Refused(
                f"certificate {certificate.number} already has contract {contract.code} in "
                f"program {program.code} ({contract.start}..{last}{terminated}), which "
                f"overlaps {start}..{end}: one contract per child and program at a time"
            )


def enrol(
    certificate: Certificate,
    program: Program,
    provider: Provider,
    period: Period,
    start: date,
    end: date,
    mode: str,
    on: date,
    existing: Sequence[Contract] = (),
) -> Contract:
    """Create a contract and reserve its certificate share, or refuse saying why.

    `existing`: the certificate's contracts in the program (`contracts_in`), for rule 14."""
    period.check_open()
    if mode not in MODES:
        raise Refused(f"payment mode {mode!r} is not one of {', '.join(MODES)}")
    if end < start:
        raise Refused(f"a contract cannot end ({end}) before it starts ({start})")
    if not period.contains(start, end):
        raise Refused(
            f"contract dates {start}..{end} are outside period {period.code} "
            f"({period.start}..{period.end})"
        )
    pot = certificate.pot(period.code)
    program.check_accepts(provider)
    check_child_fits(certificate, program, start, end)
    check_one_contract_per_program(certificate, program, start, end, existing)
    schedule = contract_schedule(
        program.monthly_price, start, end, pot["available"], program.normative_price
    )
    code = certificate.next_contract_code()
    program.admit_contract(code, start, end, on)
    contract = Contract.enrol(
        code,
        certificate.number,
        program.code,
        provider.code,
        period.code,
        start,
        end,
        mode,
        program.monthly_price,
        schedule,
        on,
        program.normative_price,
    )
    certificate.reserve(contract, contract.share, on)
    return contract
