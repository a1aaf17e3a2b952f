"""The contract decides billing, termination and refunds by its own months (rules 7-11),
and `billing` passes the money on to the certificate."""

from __future__ import annotations

from datetime import date

import pytest

from pfdo.domain import billing
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.errors import InvalidInput, NotFound, Refused
from pfdo.domain.pricing import contract_schedule

JANUARY = date(2025, 1, 10)
START, END = date(2025, 1, 15), date(2025, 4, 10)


def enrolled(mode: str = "fixed", available: int = 1200000) -> tuple[Certificate, Contract]:
    """Chess at 1500.00 a month, 15 January to 10 April 2025, paid from a 12000.00 pot:
    months 822.58 / 1500.00 / 1500.00 / 500.00, all of it from the certificate."""
    certificate = Certificate.issue("1000000001", "child-1", date(2015, 5, 1), "tver", JANUARY)
    certificate.fund("2025", "base", available, JANUARY, "rub")
    schedule = contract_schedule(150000, START, END, available)
    contract = Contract.enrol(
        "1000000001-001", "1000000001", "chess", "school-1", "2025", START, END, mode, 150000,
        schedule, JANUARY,
    )  # fmt: skip
    certificate.reserve(contract, contract.share, JANUARY)
    return certificate, contract


def money(certificate: Certificate) -> tuple[int, int, int]:
    pot = certificate.pot("2025")
    return pot["available"], pot["reserved"], pot["spent"]


def test_a_contract_in_an_unknown_payment_mode_is_refused() -> None:
    with pytest.raises(Refused, match="payment mode 'monthly' is not one of fixed, attendance"):
        enrolled(mode="monthly")


def test_a_contract_that_ends_before_it_starts_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match=r"cannot end \(2025-01-01\) before it starts"):
        Contract.enrol(
            "1000000001-001", "1000000001", "chess", "school-1", "2025", START,
            date(2025, 1, 1), "fixed", 150000, [], JANUARY,
        )  # fmt: skip


def test_billing_a_fixed_month_charges_its_certificate_part() -> None:
    certificate, contract = enrolled()
    outcome = billing.bill_month(contract, certificate, "2025-01", date(2025, 2, 1))
    assert outcome.billed is not None and outcome.billed.charged == 82258
    assert contract.month("2025-01")["status"] == "billed"
    assert money(certificate) == (767742, 350000, 82258)


def test_billing_a_month_twice_changes_nothing() -> None:
    certificate, contract = enrolled()
    billing.bill_month(contract, certificate, "2025-01", date(2025, 2, 1))
    again = billing.bill_month(contract, certificate, "2025-01", date(2025, 2, 2))
    assert again.billed is None and not again.attendance_missing
    assert money(certificate) == (767742, 350000, 82258)


def test_an_attendance_month_with_no_lesson_recorded_waits_and_moves_nothing() -> None:
    certificate, contract = enrolled(mode="attendance")
    outcome = billing.bill_month(contract, certificate, "2025-02", date(2025, 3, 1))
    assert outcome.attendance_missing
    assert contract.month("2025-02")["status"] == "open"
    assert money(certificate) == (767742, 432258, 0)


def test_an_attendance_month_charges_the_lessons_attended_and_releases_the_rest() -> None:
    certificate, contract = enrolled(mode="attendance")
    lessons = [(date(2025, 2, d), d != 11) for d in (4, 6, 11, 13)]  # 3 of 4 present
    contract.record_attendance(lessons, date(2025, 2, 28))
    outcome = billing.bill_month(contract, certificate, "2025-02", date(2025, 3, 1))
    assert outcome.billed is not None
    assert (outcome.billed.charged, outcome.billed.released) == (112500, 37500)
    assert money(certificate) == (767742 + 37500, 432258 - 150000, 112500)


def test_termination_cancels_the_later_months_and_releases_their_parts() -> None:
    certificate, contract = enrolled()
    released = billing.terminate(contract, certificate, "moved away", date(2025, 2, 20))
    assert released == 150000 + 50000
    assert [m for m, s in contract.months.items() if s["status"] == "cancelled"] == [
        "2025-03",
        "2025-04",
    ]
    assert money(certificate) == (767742 + 200000, 232258, 0)


def test_termination_before_the_start_releases_everything() -> None:
    certificate, contract = enrolled()
    assert billing.terminate(contract, certificate, "changed mind", date(2025, 1, 12)) == 432258
    assert money(certificate) == (1200000, 0, 0)


def test_a_contract_is_terminated_only_once() -> None:
    certificate, contract = enrolled()
    billing.terminate(contract, certificate, "moved away", date(2025, 2, 20))
    with pytest.raises(Refused, match="already terminated on 2025-02-20"):
        contract.terminate("again", date(2025, 2, 21))


def test_termination_after_a_later_month_was_billed_is_refused() -> None:
    certificate, contract = enrolled()
    billing.bill_month(contract, certificate, "2025-03", date(2025, 4, 1))
    with pytest.raises(Refused, match=r"month\(s\) 2025-03 after it are already billed"):
        billing.terminate(contract, certificate, "moved away", date(2025, 2, 20))
    assert money(certificate) == (767742, 282258, 150000)  # nothing released


def test_a_refund_gives_part_of_a_charge_back_to_the_certificate() -> None:
    certificate, contract = enrolled()
    billing.bill_month(contract, certificate, "2025-01", date(2025, 2, 1))
    billing.refund(contract, certificate, "2025-01", 10000, "teacher ill", date(2025, 2, 3))
    assert contract.month("2025-01")["refunded"] == 10000
    assert money(certificate) == (777742, 350000, 72258)


def test_a_refund_of_more_than_was_charged_is_refused() -> None:
    certificate, contract = enrolled()
    billing.bill_month(contract, certificate, "2025-01", date(2025, 2, 1))
    with pytest.raises(Refused, match=r"exceeds what is left to refund \(822\.58 of 822\.58"):
        billing.refund(contract, certificate, "2025-01", 82259, "teacher ill", date(2025, 2, 3))


def test_a_refund_of_a_month_not_yet_billed_is_refused() -> None:
    _, contract = enrolled()
    with pytest.raises(Refused, match="month 2025-02 is open, not billed"):
        contract.refund("2025-02", 100, "teacher ill", date(2025, 2, 3))


def test_a_refund_needs_a_reason() -> None:
    certificate, contract = enrolled()
    billing.bill_month(contract, certificate, "2025-01", date(2025, 2, 1))
    with pytest.raises(Refused, match="a refund needs a reason"):
        contract.refund("2025-01", 100, "  ", date(2025, 2, 3))


def test_a_month_outside_the_contract_is_not_found() -> None:
    _, contract = enrolled()
    with pytest.raises(NotFound, match="has no month 2025-05"):
        contract.refund("2025-05", 100, "teacher ill", date(2025, 6, 3))
