"""Rules 4-12: enrolment, attendance, billing, termination, correction, period close."""

from __future__ import annotations

import pytest

from integration.year import PERIOD, funded_child, open_year, pot
from pfdo import InvalidInput, Ledger, LimitExceeded, NotFound, PfdoError, Refused


@pytest.fixture
def year(ledger: Ledger) -> Ledger:
    open_year(ledger)
    return ledger


def test_enrolment_prices_the_months_and_reserves_the_share(year: Ledger) -> None:
    number = funded_child(year)
    enrolment = year.enroll(
        number, program="CHESS", start="2025-01-15", end="2025-04-10", on="2025-01-10"
    )
    assert enrolment.contract == f"{number}-001"
    assert [(m.month, m.price, m.certificate, m.parent) for m in enrolment.months] == [
        ("2025-01", 82258, 82258, 0),
        ("2025-02", 150000, 150000, 0),
        ("2025-03", 150000, 150000, 0),
        ("2025-04", 50000, 50000, 0),
    ]
    assert (enrolment.price, enrolment.certificate_share, enrolment.parent_share) == (
        432258,
        432258,
        0,
    )
    assert pot(year, number) == {
        "credited": 1200000,
        "available": 767742,
        "reserved": 432258,
        "spent": 0,
        "expired": 0,
    }


def test_a_contract_beyond_the_available_money_leaves_a_co_payment(ledger: Ledger) -> None:
    open_year(ledger, nominal="2000")
    number = funded_child(ledger)
    enrolment = ledger.enroll(
        number, program="CHESS", start="2025-01-15", end="2025-04-10", on="2025-01-10"
    )
    assert (enrolment.certificate_share, enrolment.parent_share) == (200000, 232258)
    assert [m.certificate for m in enrolment.months] == [38060, 69403, 69403, 23134]
    assert pot(ledger, number)["available"] == 0
    # no money left: the next contract is enrolled, the parents pay all of it
    second = ledger.enroll(
        number, program="SWIM", start="2025-02-01", end="2025-02-28", on="2025-01-10"
    )
    assert (second.certificate_share, second.parent_share) == (0, 300000)


@pytest.mark.parametrize(
    ("program", "start", "end", "message", "error"),
    [
        ("CHESS", "2025-01-15", "2027-01-10", "366 days after the end of period 2025", Refused),
        (
            "CHESS",
            "2024-12-15",
            "2025-01-10",
            "outside every period of municipality kazan",
            Refused,
        ),
        (
            "CHESS",
            "2025-03-01",
            "2025-02-01",
            r"cannot end \(2025-02-01\) before it starts",
            InvalidInput,
        ),
        ("NOPE", "2025-03-01", "2025-04-01", "program NOPE does not exist", NotFound),
    ],
)
def test_enrolment_refuses_bad_dates_and_unknown_programs(
    year: Ledger, program: str, start: str, end: str, message: str, error: type[PfdoError]
) -> None:
    number = funded_child(year)
    with pytest.raises(error, match=message):
        year.enroll(number, program=program, start=start, end=end, on="2025-01-10")
    assert pot(year, number)["reserved"] == 0


def test_enrolment_refuses_a_child_outside_the_age_band(year: Ledger) -> None:
    number = funded_child(year, born="2012-03-01")  # 13 on 2025-03-01, CHESS is 6-12
    with pytest.raises(Refused, match="is 13 on 2025-03-01, outside the age band 6-12"):
        year.enroll(number, program="CHESS", start="2025-03-01", end="2025-05-31", on="2025-01-10")


def test_enrolment_refuses_a_child_who_turns_18_before_the_end(year: Ledger) -> None:
    number = funded_child(year, born="2007-06-01")  # 17 at start, 18 on 2025-06-01
    with pytest.raises(Refused, match="turns 18 on 2025-06-01"):
        year.enroll(number, program="SWIM", start="2025-02-01", end="2025-06-01", on="2025-01-10")
    year.enroll(number, program="SWIM", start="2025-02-01", end="2025-05-31", on="2025-01-10")


def test_enrolment_refuses_an_unfunded_certificate(year: Ledger) -> None:
    number = year.issue_certificate(
        child="c5", birth_date="2015-05-01", municipality="kazan"
    ).number
    with pytest.raises(Refused, match=f"certificate {number} is not funded for period 2025"):
        year.enroll(number, program="CHESS", start="2025-03-01", end="2025-04-30", on="2025-01-10")


def test_a_program_at_capacity_takes_no_overlapping_contract(year: Ledger) -> None:
    first, second = funded_child(year, "c1"), funded_child(year, "c2")
    year.enroll(first, program="SWIM", start="2025-02-01", end="2025-03-31", on="2025-01-10")
    with pytest.raises(LimitExceeded, match="program SWIM is at capacity: 1"):
        year.enroll(second, program="SWIM", start="2025-03-15", end="2025-04-30", on="2025-01-10")
    # a contract after the first one ends fits
    year.enroll(second, program="SWIM", start="2025-04-01", end="2025-04-30", on="2025-01-10")


def test_withdrawn_programs_and_excluded_providers_take_no_contracts(year: Ledger) -> None:
    number = funded_child(year)
    year.withdraw_program("CHESS")
    with pytest.raises(Refused, match="program CHESS does not accept contracts: it is withdrawn"):
        year.enroll(number, program="CHESS", start="2025-03-01", end="2025-04-30", on="2025-01-10")
    year.exclude_provider("P1")
    with pytest.raises(Refused, match="provider P1 is excluded"):
        year.enroll(number, program="SWIM", start="2025-03-01", end="2025-04-30", on="2025-01-10")


def test_fixed_billing_charges_the_certificate_part_once(ledger: Ledger) -> None:
    open_year(ledger, nominal="2000")
    number = funded_child(ledger)
    contract = ledger.enroll(
        number, program="CHESS", start="2025-01-15", end="2025-04-10", on="2025-01-10"
    ).contract
    with pytest.raises(Refused, match="month 2025-02 can be billed from 2025-03-01"):
        ledger.bill("2025-02", on="2025-02-28")
    run = ledger.bill("2025-02", on="2025-03-01")
    assert (run.billed, run.charged, run.released, run.parent) == (1, 69403, 0, 80597)
    again = ledger.bill("2025-02", on="2025-03-02")
    assert (again.billed, again.charged) == (0, 0)
    assert pot(ledger, number) == {
        "credited": 200000,
        "available": 0,
        "reserved": 130597,
        "spent": 69403,
        "expired": 0,
    }
    register = ledger.register("P1", month="2025-02")
    assert [(line.contract, line.certificate, line.parent) for line in register.lines] == [
        (contract, 69403, 80597)
    ]
    assert (register.total_certificate, register.total_parent) == (69403, 80597)


def test_attendance_billing_pays_for_lessons_attended(year: Ledger) -> None:
    number = funded_child(year)
    contract = year.enroll(
        number,
        program="CHESS",
        start="2025-01-15",
        end="2025-04-10",
        mode="attendance",
        on="2025-01-10",
    ).contract
    year.record_attendance(contract, dates=["2025-01-16", "2025-01-20"], on="2025-01-20")
    year.record_attendance(contract, dates=["2025-01-23"], present=False, on="2025-01-23")
    run = year.bill("2025-01", on="2025-02-01")
    assert (run.billed, run.charged, run.released, run.parent) == (1, 54838, 27420, 0)
    assert pot(year, number) == {
        "credited": 1200000,
        "available": 767742 + 27420,
        "reserved": 350000,
        "spent": 54838,
        "expired": 0,
    }
    (line,) = year.register("P1", month="2025-01").lines
    assert (line.present, line.recorded, line.certificate) == (2, 3, 54838)


def test_a_month_without_attendance_waits_until_attendance_arrives(year: Ledger) -> None:
    number = funded_child(year)
    contract = year.enroll(
        number,
        program="CHESS",
        start="2025-02-01",
        end="2025-02-28",
        mode="attendance",
        on="2025-01-10",
    ).contract
    waiting = year.bill("2025-02", on="2025-03-01")
    assert (waiting.billed, waiting.attendance_missing) == (0, [contract])
    assert pot(year, number)["reserved"] == 150000
    year.record_attendance(contract, dates=["2025-02-03", "2025-02-05"], on="2025-03-02")
    done = year.bill("2025-02", on="2025-03-02")
    assert (done.billed, done.charged, done.attendance_missing) == (1, 150000, [])
    with pytest.raises(Refused, match="month 2025-02 is already billed"):
        year.record_attendance(contract, dates=["2025-02-07"], on="2025-03-03")


def test_termination_pays_the_month_of_termination_and_releases_the_rest(year: Ledger) -> None:
    number = funded_child(year)
    contract = year.enroll(
        number, program="CHESS", start="2025-01-15", end="2025-04-10", on="2025-01-10"
    ).contract
    ended = year.terminate(contract, reason="moved away", on="2025-02-10")
    assert (ended.released, ended.cancelled_months) == (200000, ["2025-03", "2025-04"])
    assert pot(year, number)["reserved"] == 232258
    run = year.bill("2025-02", on="2025-03-01")
    assert run.charged == 150000
    assert year.bill("2025-03", on="2025-04-01").billed == 0
    with pytest.raises(Refused, match="already terminated on 2025-02-10"):
        year.terminate(contract, on="2025-02-11")


def test_termination_before_the_start_releases_everything(year: Ledger) -> None:
    number = funded_child(year)
    contract = year.enroll(
        number, program="CHESS", start="2025-03-01", end="2025-04-30", on="2025-02-01"
    ).contract
    ended = year.terminate(contract, on="2025-02-20")
    assert ended.released == 300000
    assert pot(year, number) == {
        "credited": 1200000,
        "available": 1200000,
        "reserved": 0,
        "spent": 0,
        "expired": 0,
    }
    # the place in the program is free again
    other = funded_child(year, "c2")
    year.enroll(other, program="CHESS", start="2025-03-01", end="2025-04-30", on="2025-02-21")


def test_a_refund_gives_back_at_most_what_was_charged(year: Ledger) -> None:
    number = funded_child(year)
    contract = year.enroll(
        number, program="CHESS", start="2025-02-01", end="2025-02-28", on="2025-01-10"
    ).contract
    year.bill("2025-02", on="2025-03-01")
    refund = year.correct(
        contract, month="2025-02", refund="500", reason="lessons cancelled", on="2025-03-05"
    )
    assert refund.refunded == 50000
    assert pot(year, number)["spent"] == 100000
    with pytest.raises(
        Refused,
        match=r"refund of 1000\.01 exceeds what is left to refund "
        r"\(1000\.00",
    ):
        year.correct(contract, month="2025-02", refund="1000.01", reason="again")
    with pytest.raises(Refused, match=r"has no month 2025-03"):
        year.correct(contract, month="2025-03", refund="1", reason="not billed")
    (line,) = year.register("P1", month="2025-02").lines
    assert line.certificate == 100000


def test_period_close_lists_what_is_left_then_expires_the_available_money(year: Ledger) -> None:
    number = funded_child(year)
    contract = year.enroll(
        number,
        program="CHESS",
        start="2025-11-01",
        end="2025-12-31",
        mode="attendance",
        on="2025-10-01",
    ).contract
    with pytest.raises(Refused, match="ends on 2025-12-31: it cannot close on 2025-12-30"):
        year.close_period(PERIOD, on="2025-12-30")
    year.bill("2025-11", on="2025-12-01")  # no attendance yet: both months stay open
    with pytest.raises(Refused, match=f"2 contract month\\(s\\).*{contract} 2025-11"):
        year.close_period(PERIOD, on="2025-12-31")
    year.record_attendance(contract, dates=["2025-11-03"], on="2025-11-30")
    year.record_attendance(contract, dates=["2025-12-01"], present=False, on="2025-12-30")
    year.bill("2025-11", on="2025-12-01")
    year.bill("2025-12", on="2026-01-01")
    closed = year.close_period(PERIOD, on="2026-01-10")
    # November charged 1500.00; December's 1500.00 released (no lesson attended)
    assert closed.expired == 1200000 - 150000
    assert pot(year, number) == {
        "credited": 1200000,
        "available": 0,
        "reserved": 0,
        "spent": 150000,
        "expired": 1050000,
    }
    with pytest.raises(Refused, match="period 2025 is closed"):
        year.correct(contract, month="2025-11", refund="1", reason="too late")


def test_unknown_contracts_and_certificates_are_named_in_the_refusal(year: Ledger) -> None:
    with pytest.raises(NotFound, match="contract 1234567890-001 does not exist"):
        year.terminate("1234567890-001")
    with pytest.raises(InvalidInput, match="'X-1' is not a contract code") as malformed:
        year.terminate("X-1")
    assert [field for field, _ in malformed.value.fields] == ["contract"]
    with pytest.raises(NotFound, match="certificate 1234567890 does not exist"):
        year.balance("1234567890")
