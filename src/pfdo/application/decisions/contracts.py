"""Decisions on contracts: enrol, record attendance, terminate, correct (rules 5-11).

An enrolment reserves the certificate's share of every month of the contract in the
period that holds its start date; terminating releases the months after the business
date; a correction refunds part of a month's charge.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.domain import billing
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.enrolment import continuing_end, enrol
from pfdo.domain.errors import Refused
from pfdo.domain.period import Municipality, Period
from pfdo.domain.pricing import normative_cost
from pfdo.domain.registry import Program, Provider
from pfdo.domain.units import HOURS

if TYPE_CHECKING:
    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def enroll(w: Reader, c: cmd.Enrol) -> Decision[res.Enrolment]:
    certificate = w.get(Certificate, c.number, "certificate")
    certificate.check_active()  # rule 24
    program = w.get(Program, c.program, "program")
    provider = w.get(Provider, program.provider, "provider")
    period = _period_for(w, certificate, c.start, c.end)
    same_program = [
        w.get(Contract, code, "contract") for code in certificate.contracts_in(program.code)
    ]
    end, continues_until = continuing_end(period, c.end)
    contract = enrol(
        certificate,
        program,
        provider,
        period,
        c.start,
        end,
        c.mode,
        c.on,
        same_program,
        continues_until,
    )
    months = [
        res.MonthLine(
            month=m,
            price=s["price"],
            certificate=s["certificate"],
            parent=s["price"] - s["certificate"],
        )
        for m, s in contract.months.items()
    ]
    price = sum(line.price for line in months)
    result = res.Enrolment(
        contract=contract.code,
        number=c.number,
        program=c.program,
        provider=provider.code,
        mode=c.mode,
        start=c.start,
        end=end,
        continues_until=continues_until,
        price=price,
        certificate_share=contract.share,
        parent_share=price - contract.share,
        months=months,
        normative=None
        if contract.contract_unit == HOURS
        else normative_cost(program.normative_price, c.start, end),
        unit=contract.contract_unit,
        hour_cost=contract.hour_cost,
    )
    return result, [certificate, program, contract]


def _period_for(w: Reader, certificate: Certificate, start: date, end: date) -> Period:
    """The municipality's period that holds the contract's start date."""
    municipality = w.find(Municipality, certificate.municipality)
    if municipality is not None:
        for code, (first, last) in municipality.periods.items():
            if date.fromisoformat(first) <= start <= date.fromisoformat(last):
                return w.get(Period, code, "period")
    raise Refused(
        f"contract dates {start}..{end} are outside every period of municipality "
        f"{certificate.municipality}"
    )


def record_attendance(w: Reader, c: cmd.RecordAttendance) -> Decision[res.AttendanceRecorded]:
    contract = w.get(Contract, c.contract, "contract")
    w.get(Period, contract.period, "period").check_open()
    recorded = contract.record_lessons(c.dates, c.present, c.on)
    return res.AttendanceRecorded(contract=c.contract, recorded=recorded), [contract]


def terminate(w: Reader, c: cmd.Terminate) -> Decision[res.Termination]:
    contract = w.get(Contract, c.contract, "contract")
    w.get(Period, contract.period, "period").check_open()
    certificate = w.get(Certificate, contract.number, "certificate")
    program = w.get(Program, contract.program, "program")
    released = billing.terminate(contract, certificate, c.reason, c.on)
    program.end_contract(contract.code, c.on if c.on >= contract.start else None, c.on)
    cancelled = [m for m, s in contract.months.items() if s["status"] == "cancelled"]
    result = res.Termination(
        contract=c.contract,
        released=released,
        cancelled_months=cancelled,
        unit=contract.contract_unit,
    )
    return result, [contract, certificate, program]


def stop_continuation(w: Reader, c: cmd.StopContinuation) -> Decision[res.ContinuationStopped]:
    contract = w.get(Contract, c.contract, "contract")
    contract.stop_continuation(c.on)
    return res.ContinuationStopped(contract=c.contract), [contract]


def correct(w: Reader, c: cmd.Correct) -> Decision[res.Correction]:
    contract = w.get(Contract, c.contract, "contract")
    w.get(Period, contract.period, "period").check_open()
    certificate = w.get(Certificate, contract.number, "certificate")
    billing.refund(contract, certificate, c.month, c.refund, c.reason, c.on)
    result = res.Correction(
        contract=c.contract, month=c.month, refunded=c.refund, unit=contract.contract_unit
    )
    return result, [contract, certificate]
