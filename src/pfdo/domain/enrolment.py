"""Enrolment (rule 7): check every condition, price the contract, reserve the share.

The certificate, the program and the new contract change together; the application saves
them in one atomic `save`.
"""

from __future__ import annotations

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


def enrol(
    certificate: Certificate,
    program: Program,
    provider: Provider,
    period: Period,
    start: date,
    end: date,
    mode: str,
    on: date,
) -> Contract:
    """Create a contract and reserve its certificate share, or refuse saying why."""
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
    schedule = contract_schedule(program.monthly_price, start, end, pot["available"])
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
    )
    certificate.reserve(contract, contract.share, on)
    return contract
