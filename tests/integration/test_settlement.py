"""Paying providers as regions do (rules 15-18 (docs/RULES.md)), with the rules' own figures.

Rule 15's example: price 3,000.00, normative 2,500.00, contract 2025-03-10..2025-05-31,
10,000.00 available. Rule 16's: the same months advanced at 80%.
"""

from __future__ import annotations

import pytest

from pfdo import Ledger
from pfdo.domain.errors import AlreadyExists, NotFound, Refused

PERIOD = "2025"


def _region(ledger: Ledger, *, advance: int = 0, children: int = 1) -> list[str]:
    ledger.open_period(
        PERIOD, municipality="m", start="2025-01-01", end="2025-12-31",
        categories={"base": {"nominal": "10000"}}, on="2025-01-01",
    )  # fmt: skip
    if advance:
        ledger.period_settings(PERIOD, advance=advance, on="2025-01-01")
    ledger.add_provider("P1", name="Дом творчества", on="2025-01-01")
    ledger.add_program(
        "ART", provider="P1", title="Рисунок", monthly_price="3000", normative_price="2500",
        min_age=5, max_age=17, on="2025-01-01",
    )  # fmt: skip
    numbers = []
    for i in range(children):
        number = ledger.issue_certificate(
            child=f"c{i}", birth_date="2015-01-01", municipality="m", on="2025-01-01"
        ).number
        ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-02")
        numbers.append(number)
    return numbers


def _enrol(ledger: Ledger, number: str, mode: str = "fixed") -> str:
    return ledger.enroll(
        number, program="ART", start="2025-03-10", end="2025-05-31", mode=mode, on="2025-03-01"
    ).contract


def _amounts(lines: list[object]) -> list[str]:
    return [f"{line.amount / 100:.2f}" for line in lines]  # type: ignore[attr-defined]


def test_the_normative_cost_caps_the_certificate_share(ledger: Ledger) -> None:
    (number,) = _region(ledger)
    enrolment = ledger.enroll(
        number, program="ART", start="2025-03-10", end="2025-05-31", on="2025-03-01"
    )
    assert (enrolment.price, enrolment.normative, enrolment.certificate_share) == (
        812903,
        677419,
        677419,
    )
    assert [(m.price, m.certificate, m.parent) for m in enrolment.months] == [
        (212903, 177419, 35484),
        (300000, 250000, 50000),
        (300000, 250000, 50000),
    ]
    assert ledger.balance(number).periods[0].reserved == 677419


def test_an_advance_at_80_percent_has_a_line_per_open_month(ledger: Ledger) -> None:
    (number,) = _region(ledger, advance=80)
    _enrol(ledger, number)
    lines = [
        ledger.issue_advance(provider="P1", month=month, on=f"{month}-01").lines
        for month in ("2025-03", "2025-04", "2025-05")
    ]
    assert [_amounts(ls) for ls in lines] == [["1419.35"], ["2000.00"], ["2000.00"]]
    assert ledger.balance(number).periods[0].reserved == 677419  # an advance moves nothing
    with pytest.raises(AlreadyExists, match="P1/2025-03-A was already issued"):
        ledger.issue_advance(provider="P1", month="2025-03", on="2025-03-02")


def test_an_advance_before_its_month_begins_is_refused(ledger: Ledger) -> None:
    (number,) = _region(ledger, advance=80)
    _enrol(ledger, number)
    with pytest.raises(Refused, match="can be issued from 2025-03-01, not 2025-02-28"):
        ledger.issue_advance(provider="P1", month="2025-03", on="2025-02-28")


def test_an_advance_leaves_out_a_contract_whose_month_was_cancelled(ledger: Ledger) -> None:
    first, second = _region(ledger, advance=80, children=2)
    kept, cut = _enrol(ledger, first), _enrol(ledger, second)
    ledger.terminate(cut, reason="moved away", on="2025-03-20")  # April, May cancelled
    advance = ledger.issue_advance(provider="P1", month="2025-04", on="2025-04-01")
    assert [(line.contract, line.amount) for line in advance.lines] == [(kept, 200000)]
    assert advance.total == 200000


def test_an_invoice_is_refused_while_attendance_is_missing(ledger: Ledger) -> None:
    (number,) = _region(ledger)
    contract = _enrol(ledger, number, mode="attendance")
    ledger.bill("2025-03", on="2025-04-01")
    with pytest.raises(Refused, match=f"neither billed nor cancelled.*: {contract}"):
        ledger.issue_invoice(provider="P1", month="2025-03", on="2025-04-02")
    assert ledger.invoices().invoices == []


def test_an_invoice_below_its_advance_has_a_negative_due(ledger: Ledger) -> None:
    (number,) = _region(ledger, advance=80)
    contract = _enrol(ledger, number, mode="attendance")
    ledger.issue_advance(provider="P1", month="2025-04", on="2025-04-01")  # 2,000.00
    ledger.record_attendance(contract, dates=["2025-04-01"], on="2025-04-30")
    ledger.record_attendance(
        contract, dates=["2025-04-08", "2025-04-15", "2025-04-22"], present=False, on="2025-04-30"
    )
    ledger.bill("2025-04", on="2025-05-01")  # 1 of 4 lessons: 625.00
    invoice = ledger.issue_invoice(provider="P1", month="2025-04", on="2025-05-02")
    assert (invoice.amount, invoice.advance, invoice.due) == (62500, 200000, -137500)


def test_a_refund_after_the_invoice_is_deducted_in_the_next_one(ledger: Ledger) -> None:
    (number,) = _region(ledger)
    contract = _enrol(ledger, number)
    ledger.bill("2025-03", on="2025-04-01")
    march = ledger.issue_invoice(provider="P1", month="2025-03", on="2025-04-02")
    assert (march.invoice, march.amount, march.due) == ("P1/2025-03", 177419, 177419)
    ledger.correct(contract, month="2025-03", refund="100", reason="урок отменён", on="2025-04-03")
    ledger.bill("2025-04", on="2025-05-01")
    april = ledger.issue_invoice(provider="P1", month="2025-04", on="2025-05-02")
    assert (april.amount, april.adjustments, april.due) == (250000, 10000, 240000)
    ledger.bill("2025-05", on="2025-06-01")
    may = ledger.issue_invoice(provider="P1", month="2025-05", on="2025-06-02")
    assert (may.adjustments, may.due) == (0, 250000)  # deducted once, not again
    report = ledger.auditor().verify()
    assert report.ok, report.problems


def test_a_refund_left_undeducted_is_reported_at_close(ledger: Ledger) -> None:
    (number,) = _region(ledger)
    contract = _enrol(ledger, number)
    for month, day in (("2025-03", "04"), ("2025-04", "05"), ("2025-05", "06")):
        ledger.bill(month, on=f"2025-{day}-01")
        ledger.issue_invoice(provider="P1", month=month, on=f"2025-{day}-02")
    ledger.correct(
        contract, month="2025-05", refund="250", reason="не было занятий", on="2025-06-03"
    )
    closed = ledger.close_period(PERIOD, on="2025-12-31")
    assert [(o.provider, o.amount) for o in closed.owed_by_providers] == [("P1", 25000)]


def test_payment_is_recorded_once_and_leaves_the_payables(ledger: Ledger) -> None:
    (number,) = _region(ledger, advance=50)
    _enrol(ledger, number)
    ledger.issue_advance(provider="P1", month="2025-03", on="2025-03-01")
    ledger.bill("2025-03", on="2025-04-01")
    ledger.issue_invoice(provider="P1", month="2025-03", on="2025-04-02")
    payables = ledger.invoices(unpaid=True)
    assert [(i.invoice, i.kind, i.due) for i in payables.invoices] == [
        ("P1/2025-03-A", "advance", 88709),
        ("P1/2025-03", "invoice", 88710),
    ]
    assert payables.total_due == 177419
    paid = ledger.pay_invoice("P1/2025-03-A", on="2025-03-05")
    assert (paid.kind, paid.amount) == ("advance", 88709)
    with pytest.raises(AlreadyExists, match="already paid on 2025-03-05"):
        ledger.pay_invoice("P1/2025-03-A", on="2025-03-06")
    with pytest.raises(NotFound, match="invoice P1/2025-09 does not exist"):
        ledger.pay_invoice("P1/2025-09", on="2025-03-06")
    assert [i.invoice for i in ledger.invoices(unpaid=True).invoices] == ["P1/2025-03"]


def test_december_is_billed_on_the_periods_early_date(ledger: Ledger) -> None:
    (number,) = _region(ledger)
    ledger.period_settings(PERIOD, final_billing_from="2025-12-20", on="2025-11-01")
    contract = ledger.enroll(
        number, program="ART", start="2025-12-01", end="2025-12-31", mode="attendance",
        on="2025-11-20",
    ).contract  # fmt: skip
    ledger.record_attendance(contract, dates=["2025-12-02", "2025-12-09"], on="2025-12-19")
    # a lesson after the billing date, recorded before the (back-dated) run: it does not count
    ledger.record_attendance(contract, dates=["2025-12-23"], present=False, on="2025-12-23")
    with pytest.raises(Refused, match="can be billed from 2026-01-01, not on 2025-12-19"):
        ledger.bill("2025-12", on="2025-12-19")
    run = ledger.bill("2025-12", on="2025-12-20")
    assert (run.billed, run.charged) == (1, 250000)  # 2 of 2 lessons by the 20th
    (line,) = ledger.register("P1", month="2025-12").lines
    assert (line.present, line.recorded) == (2, 2)
    invoice = ledger.issue_invoice(provider="P1", month="2025-12", on="2025-12-20")
    assert invoice.amount == 250000
    with pytest.raises(Refused, match="its last month 2025-12 may be billed from a day"):
        ledger.period_settings(PERIOD, final_billing_from="2025-11-30", on="2025-12-20")
