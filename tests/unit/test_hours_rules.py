"""Rules 21 and 22 decided by the domain alone, in the figures of docs/RULES.md.

A category of 30.00 person-hours; a program of H 8.00 hours a month at K 169.55 rubles a
person-hour; a contract 2025-02-10..2025-04-30: h = 5.42 / 8.00 / 8.00 (21.42 hours),
paid fixed 918.96 / 1,356.40 / 1,356.40 rubles; in attendance mode with 5 of 6 lessons
in February, 4.51 hours charged (764.67 rubles) and 0.91 released.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pfdo.domain import billing
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.enrolment import enrol
from pfdo.domain.errors import Refused
from pfdo.domain.period import CategoryState, Period
from pfdo.domain.pricing import month_prices
from pfdo.domain.registry import Program, Provider
from pfdo.domain.units import HOURS, RUB, to_rubles, unit_of

ON = date(2025, 1, 1)
START, END = date(2025, 2, 10), date(2025, 4, 30)
H, K = 800, 16955  # 8.00 hours a month, 169.55 rubles a person-hour


def _category(nominal: int, unit: str) -> CategoryState:
    return CategoryState(
        nominal=nominal,
        count_limit=None,
        sum_limit=None,
        funded_count=0,
        funded_sum=0,
        unit=unit,
    )


def _setting(
    nominal: int = 3000, unit: str = HOURS, hours: tuple[int, int] | None = (H, K)
) -> tuple[Certificate, Program, Provider, Period]:
    period = Period.open("2025-S", "m", ON, date(2025, 12, 31), {"s": _category(nominal, unit)}, ON)
    certificate = Certificate.issue("1000000001", "c1", date(2015, 1, 1), "m", ON)
    period.record_funding(certificate.number, "s", ON)
    certificate.fund(period.code, "s", nominal, ON, unit)
    provider = Provider.admit("P1", "Школа", "municipal", ON)
    program = Program.add("SWIM", provider, "Плавание", 300000, 5, 17, None, ON, hours=hours)
    return certificate, program, provider, period


def _enrol(mode: str, nominal: int = 3000) -> tuple[Contract, Certificate]:
    certificate, program, provider, period = _setting(nominal)
    contract = enrol(certificate, program, provider, period, START, END, mode, ON)
    return contract, certificate


def test_rule_21_hours_a_month_are_rule_5_over_hours() -> None:
    assert month_prices(H, START, END) == [("2025-02", 542), ("2025-03", 800), ("2025-04", 800)]


def test_rule_21_an_hours_contract_reserves_every_hour_with_no_co_payment() -> None:
    contract, certificate = _enrol("fixed")
    assert contract.contract_unit == HOURS
    assert [(s["price"], s["certificate"]) for s in contract.months.values()] == [
        (542, 542),
        (800, 800),
        (800, 800),
    ]
    assert contract.share == 2142
    pot = certificate.pot("2025-S")
    assert (unit_of(pot), pot["available"], pot["reserved"]) == (HOURS, 858, 2142)


def test_rule_21_fixed_months_charge_hours_and_pay_rubles_at_the_hour_cost() -> None:
    contract, certificate = _enrol("fixed")
    paid = []
    for month, first in (("2025-02", 1), ("2025-03", 1), ("2025-04", 1)):
        y, m = map(int, month.split("-"))
        on = date(y + (m == 12), m % 12 + 1, first)
        outcome = billing.bill_month(contract, certificate, month, on)
        assert outcome.billed is not None and outcome.billed.parent == 0
        paid.append(contract.rubles(outcome.billed.charged))
    assert paid == [91896, 135640, 135640]  # 918.96 / 1,356.40 / 1,356.40 rubles
    assert certificate.pot("2025-S")["spent"] == 2142


def test_rule_21_attendance_charges_floor_h_a_over_n_and_releases_the_rest() -> None:
    contract, certificate = _enrol("attendance")
    lessons = [date(2025, 2, 10) + timedelta(days=3 * i) for i in range(6)]
    contract.record_attendance([(d, i != 2) for i, d in enumerate(lessons)], date(2025, 2, 28))
    outcome = billing.bill_month(contract, certificate, "2025-02", date(2025, 3, 1))
    assert outcome.billed is not None
    assert (outcome.billed.charged, outcome.billed.released) == (451, 91)  # 4.51 h, 0.91 h
    assert contract.rubles(outcome.billed.charged) == 76467  # 764.67 rubles
    pot = certificate.pot("2025-S")
    assert (pot["spent"], pot["available"], pot["reserved"]) == (451, 858 + 91, 1600)


def test_rule_21_an_enrolment_one_hundredth_of_an_hour_short_is_refused() -> None:
    certificate, program, provider, period = _setting(nominal=2141)
    with pytest.raises(Refused, match=r"needs 21.42 hours but only 21.41 hours are available"):
        enrol(certificate, program, provider, period, START, END, "fixed", ON)
    assert certificate.pot("2025-S")["reserved"] == 0
    assert _enrol("fixed", nominal=2142)[1].pot("2025-S")["available"] == 0


def test_rule_21_an_hours_pot_pays_only_programs_that_offer_hours() -> None:
    certificate, program, provider, period = _setting(hours=None)
    with pytest.raises(Refused, match="offers no hours"):
        enrol(certificate, program, provider, period, START, END, "fixed", ON)


def test_rule_22_a_ruble_pot_prices_the_same_program_in_rubles() -> None:
    certificate, program, provider, period = _setting(nominal=1_000_000, unit=RUB)
    contract = enrol(certificate, program, provider, period, START, END, "fixed", ON)
    assert contract.contract_unit == RUB
    prices = [s["price"] for s in contract.months.values()]
    assert prices == [p for _, p in month_prices(300000, START, END)]
    assert contract.rubles(12345) == 12345


def test_rule_21_conversion_rounds_down_to_the_kopeck() -> None:
    assert to_rubles(542, HOURS, 16955) == 91896  # 91,896.1 kopecks
    assert to_rubles(1, HOURS, 99) == 0
    assert to_rubles(777, RUB, None) == 777
    with pytest.raises(ValueError, match="cost of a person-hour"):
        to_rubles(100, HOURS, None)
