"""Enrolment (rules 7, 14 and 21): check every condition, price the contract in the unit of
the certificate's pot, reserve the share.

The certificate, the program and the new contract change together; the application saves
them in one atomic `save`. Rule 14 (one contract per child and program at a time) is
checked against the certificate's contracts in the program; since every enrolment saves
the certificate with optimistic concurrency, two enrolments racing each other cannot both
pass it (a termination only ever shortens a contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pfdo.domain.calendar import age_on, eighteenth_birthday
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import MODES, Contract
from pfdo.domain.errors import Age, InsufficientHours, InvalidInput, Overlap, Refused
from pfdo.domain.money import format_rubles
from pfdo.domain.period import Period
from pfdo.domain.pricing import MonthPrice, contract_schedule
from pfdo.domain.registry import Program, Provider
from pfdo.domain.units import HOURS, unit_of


def check_child_fits(certificate: Certificate, program: Program, start: date, end: date) -> None:
    """The child's age on the start date is in the band and the child is under 18 to the end."""
    age = age_on(certificate.birth_date, start)
    if not program.min_age <= age <= program.max_age:
        raise Age(
            f"the child of certificate {certificate.number} is {age} on {start}, outside the "
            f"age band {program.min_age}-{program.max_age} of program {program.code}",
            certificate=certificate.number,
            program=program.code,
            age=age,
        )
    turns_18 = eighteenth_birthday(certificate.birth_date)
    if turns_18 <= end:
        raise Age(
            f"the child of certificate {certificate.number} turns 18 on {turns_18}, "
            f"on or before the contract's end {end}",
            certificate=certificate.number,
            program=program.code,
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
            raise Overlap(
                f"certificate {certificate.number} already has contract {contract.code} in "
                f"program {program.code} ({contract.start}..{last}{terminated}), which "
                f"overlaps {start}..{end}: one contract per child and program at a time",
                certificate=certificate.number,
                program=program.code,
                contract=contract.code,
            )


#: Rule 23: how far beyond its period's end an enrolment may ask to continue.
CONTINUATION_DAYS = 366


def continuing_end(period: Period, end: date) -> tuple[date, date | None]:
    """Rule 23: an end asked for after the period's end, at most `CONTINUATION_DAYS`
    after it, gives the contract the period's end and records the end asked for:
    (the contract's end, its `continues_until` or None)."""
    if end <= period.end:
        return end, None
    if end > period.end + timedelta(days=CONTINUATION_DAYS):
        raise Refused(
            f"the end asked for, {end}, is more than {CONTINUATION_DAYS} days after the end "
            f"of period {period.code} ({period.end}): a contract continues into the next "
            "period at most that far"
        )
    return period.end, end


@dataclass(frozen=True)
class ContractTerms:
    """What a new contract is priced by, in its unit: the monthly amount (a price in
    kopecks, or hours a month in hundredths), the schedule, the normative monthly cost
    (rubles only) and the cost of a person-hour (hours only)."""

    monthly: int
    schedule: list[MonthPrice]
    normative_price: int | None
    hour_cost: int | None


def contract_terms(
    program: Program, unit: str, start: date, end: date, available: int
) -> ContractTerms:
    """Rules 5, 6, 15 and 21 for a new contract paid from a pot in `unit`.

    Rubles: the share is `min(P, N, available)` and the parents pay the rest. Hours: the
    same arithmetic over the program's hours a month, with no co-payment, so the whole
    `P_h` must be available or the enrolment is refused."""
    if unit != HOURS:
        schedule = contract_schedule(
            program.monthly_price, start, end, available, program.normative_price
        )
        return ContractTerms(program.monthly_price, schedule, program.normative_price, None)
    offer = program.hours_offer
    if offer is None:
        raise Refused(
            f"program {program.code} offers no hours: a social certificate (a category in "
            "hours) pays only programs with hours a month and a cost of a person-hour"
        )
    hours, hour_cost = offer
    schedule = contract_schedule(hours, start, end, available)
    needed = sum(m.price for m in schedule)
    if needed > available:
        raise InsufficientHours(
            f"the contract needs {format_rubles(needed)} hours but only "
            f"{format_rubles(max(0, available))} hours are available: there is no "
            "co-payment in hours",
            program=program.code,
        )
    return ContractTerms(hours, schedule, None, hour_cost)


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
    continues_until: date | None = None,
    continues: str | None = None,
) -> Contract:
    """Create a contract and reserve its certificate share, or refuse saying why.

    `existing`: the certificate's contracts in the program (`contracts_in`), for rule 14.
    `continues_until`: rule 23, the end asked for beyond the period's (`end` is then the
    period's end); see `continuing_end`. `continues`: the contract a successor continues."""
    period.check_open()
    if mode not in MODES:
        raise Refused(f"payment mode {mode!r} is not one of {', '.join(MODES)}")
    if end < start:
        raise InvalidInput(
            f"a contract cannot end ({end}) before it starts ({start})",
            (("end", f"{end} is before the start {start}"),),
        )
    if not period.contains(start, end):
        raise Refused(
            f"contract dates {start}..{end} are outside period {period.code} "
            f"({period.start}..{period.end})"
        )
    pot = certificate.pot(period.code)
    program.check_accepts(provider)
    check_child_fits(certificate, program, start, end)
    check_one_contract_per_program(certificate, program, start, end, existing)
    unit = unit_of(pot)
    terms = contract_terms(program, unit, start, end, pot["available"])
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
        terms.monthly,
        terms.schedule,
        on,
        terms.normative_price,
        unit,
        terms.hour_cost,
        continues_until,
        continues,
    )
    certificate.reserve(contract, contract.share, on)
    return contract
