"""Rule 23: contracts across periods (пролонгация), with the rule's worked example."""

from __future__ import annotations

from datetime import date

import pytest

from integration.year import funded_child, open_year, pot
from pfdo import Ledger, NotFound, Refused


@pytest.fixture
def year(ledger: Ledger) -> Ledger:
    open_year(ledger)
    return ledger


def school_year(ledger: Ledger, number: str) -> str:
    """The rule's enrolment: CHESS from 2025-09-15, asking for 2026-05-31."""
    return ledger.enroll(
        number, program="CHESS", start="2025-09-15", end="2026-05-31", on="2025-09-01"
    ).contract


def test_an_enrolment_past_the_period_ends_on_its_end_and_records_the_end_asked_for(
    year: Ledger,
) -> None:
    number = funded_child(year)
    enrolment = year.enroll(
        number, program="CHESS", start="2025-09-15", end="2026-05-31", on="2025-09-01"
    )
    assert (enrolment.end, enrolment.continues_until) == (date(2025, 12, 31), date(2026, 5, 31))
    assert [m.price for m in enrolment.months] == [80000, 150000, 150000, 150000]
    assert (enrolment.price, enrolment.certificate_share) == (530000, 530000)
    assert pot(year, number)["reserved"] == 530000
    card = year.contract(enrolment.contract)
    assert (card.end, card.continues_until, card.continues, card.continued_by) == (
        date(2025, 12, 31),
        date(2026, 5, 31),
        None,
        None,
    )


def test_an_enrolment_in_its_period_continues_nowhere(year: Ledger) -> None:
    number = funded_child(year)
    enrolment = year.enroll(
        number, program="CHESS", start="2025-09-15", end="2025-12-31", on="2025-09-01"
    )
    assert enrolment.continues_until is None


def test_an_end_more_than_366_days_after_the_period_is_refused_and_writes_nothing(
    year: Ledger,
) -> None:
    number = funded_child(year)
    with pytest.raises(Refused, match="366 days"):
        year.enroll(number, program="CHESS", start="2025-09-15", end="2027-01-02", on="2025-09-01")
    assert pot(year, number)["reserved"] == 0
    # 366 days after 2025-12-31 is 2027-01-01: allowed
    enrolment = year.enroll(
        number, program="CHESS", start="2025-09-15", end="2027-01-01", on="2025-09-01"
    )
    assert enrolment.continues_until == date(2027, 1, 1)


def test_the_family_stops_the_continuation_once(year: Ledger) -> None:
    code = school_year(year, funded_child(year))
    stopped = year.stop_continuation(code, on="2025-10-01")
    assert (stopped.contract, stopped.continues_until) == (code, None)
    assert year.contract(code).continues_until is None
    with pytest.raises(Refused, match="does not continue"):
        year.stop_continuation(code, on="2025-10-02")


def test_terminating_clears_the_continuation(year: Ledger) -> None:
    code = school_year(year, funded_child(year))
    year.terminate(code, reason="moved", on="2025-10-10")
    assert year.contract(code).continues_until is None


def next_year(ledger: Ledger, *, nominal: str = "5000") -> None:
    """Period 2026 (2026-01-01..2026-12-31), category `base`."""
    ledger.open_period(
        "2026",
        municipality="kazan",
        start="2026-01-01",
        end="2026-12-31",
        categories={"base": {"nominal": nominal}},
        on="2025-12-01",
    )


def fund_2026(ledger: Ledger, number: str) -> None:
    ledger.fund_certificate(number, period="2026", category="base", on="2025-12-02")


def test_the_rules_example_prolongs_into_the_next_year(year: Ledger) -> None:
    number = funded_child(year)
    code = school_year(year, number)
    next_year(year)
    fund_2026(year, number)
    run = year.prolong(period="2026", on="2025-12-20")
    (line,) = run.prolonged
    assert (line.contract, line.successor) == (code, f"{number}-002")
    assert (line.start, line.end) == (date(2026, 1, 1), date(2026, 5, 31))
    assert (line.price, line.certificate_share, line.parent_share) == (750000, 500000, 250000)
    assert (run.not_prolonged, run.reasons) == ([], {})
    successor = year.contract(line.successor)
    assert [(m.price, m.certificate) for m in successor.months] == [(150000, 100000)] * 5
    assert (successor.continues, successor.continues_until) == (code, None)
    assert year.contract(code).continued_by == line.successor
    (pot_2026,) = year.balance(number, period="2026").periods
    assert (pot_2026.available, pot_2026.reserved) == (0, 500000)
    # a second run has nothing left to do
    again = year.prolong(period="2026", on="2025-12-21")
    assert (again.prolonged, again.not_prolonged) == ([], [])
    with pytest.raises(Refused, match="prolonged"):
        year.stop_continuation(code, on="2025-12-22")


def test_a_run_repeated_after_more_fundings_prolongs_what_is_left(year: Ledger) -> None:
    first, second = funded_child(year), funded_child(year, child="child-2")
    a, b = school_year(year, first), school_year(year, second)
    next_year(year)
    fund_2026(year, first)
    run = year.prolong(period="2026", on="2025-12-20")
    assert [line.contract for line in run.prolonged] == [a]
    assert [(n.contract, n.reason) for n in run.not_prolonged] == [(b, "not_funded")]
    assert run.reasons == {"not_funded": 1}
    fund_2026(year, second)
    again = year.prolong(period="2026", on="2025-12-21")
    assert [line.contract for line in again.prolonged] == [b]
    assert again.not_prolonged == []


def test_a_request_id_replays_the_first_run(year: Ledger) -> None:
    number = funded_child(year)
    school_year(year, number)
    next_year(year)
    fund_2026(year, number)
    first = year.prolong(period="2026", on="2025-12-20", request_id="turn-2026")
    replay = year.prolong(period="2026", on="2025-12-20", request_id="turn-2026")
    assert replay == first.model_copy(update={"replayed": True})
    assert len(first.prolonged) == 1


def a_reason(ledger: Ledger, number: str, code: str) -> str:
    """The run's reason for `code` (the only contract left)."""
    fund_2026(ledger, number)
    run = ledger.prolong(period="2026", on="2025-12-20")
    assert run.prolonged == []
    ((left, reason),) = [(n.contract, n.reason) for n in run.not_prolonged]
    assert left == code
    assert run.reasons == {reason: 1}
    return reason


def test_a_withdrawn_program_is_closed(year: Ledger) -> None:
    number = funded_child(year)
    code = school_year(year, number)
    next_year(year)
    year.withdraw_program("CHESS", on="2025-12-10")
    assert a_reason(year, number, code) == "program_closed"


def test_the_provider_turns_prolongation_off(year: Ledger) -> None:
    number = funded_child(year)
    code = school_year(year, number)
    next_year(year)
    settings = year.program_settings("CHESS", prolongation=False, on="2025-12-10")
    assert (settings.program, settings.prolongation) == ("CHESS", False)
    assert a_reason(year, number, code) == "prolongation_off"
    year.program_settings("CHESS", prolongation=True, on="2025-12-21")
    run = year.prolong(period="2026", on="2025-12-21")
    assert [line.contract for line in run.prolonged] == [code]


def test_the_child_outgrows_the_age_band(year: Ledger) -> None:
    number = funded_child(year, born="2013-01-01")  # 12 in 2025, 13 on 2026-01-01
    code = school_year(year, number)
    next_year(year)
    assert a_reason(year, number, code) == "age"


def test_a_program_at_capacity(year: Ledger) -> None:
    number, other = funded_child(year), funded_child(year, child="child-2")
    code = year.enroll(
        number, program="SWIM", start="2025-09-15", end="2026-05-31", on="2025-09-01"
    ).contract
    next_year(year)
    fund_2026(year, other)
    year.enroll(other, program="SWIM", start="2026-01-10", end="2026-03-31", on="2025-12-05")
    assert a_reason(year, number, code) == "capacity"


def test_an_overlapping_contract_in_the_program(year: Ledger) -> None:
    number = funded_child(year)
    code = school_year(year, number)
    next_year(year)
    fund_2026(year, number)
    year.enroll(number, program="CHESS", start="2026-02-01", end="2026-02-28", on="2025-12-05")
    run = year.prolong(period="2026", on="2025-12-20")
    assert [(n.contract, n.reason) for n in run.not_prolonged] == [(code, "overlap")]


def test_the_first_reason_that_applies_is_given(year: Ledger) -> None:
    number = funded_child(year, born="2013-01-01")
    code = school_year(year, number)
    next_year(year)
    year.program_settings("CHESS", prolongation=False, on="2025-12-10")
    run = year.prolong(period="2026", on="2025-12-20")  # not funded, off and too old
    assert [(n.contract, n.reason) for n in run.not_prolonged] == [(code, "not_funded")]
    assert a_reason(year, number, code) == "prolongation_off"


def test_stopped_and_terminated_contracts_are_not_prolonged(year: Ledger) -> None:
    first, second = funded_child(year), funded_child(year, child="child-2")
    a, b = school_year(year, first), school_year(year, second)
    year.stop_continuation(a, on="2025-10-01")
    year.terminate(b, reason="moved", on="2025-10-01")
    next_year(year)
    fund_2026(year, first)
    fund_2026(year, second)
    run = year.prolong(period="2026", on="2025-12-20")
    assert (run.prolonged, run.not_prolonged) == ([], [])


def test_a_run_is_refused_into_a_missing_closed_or_past_period(year: Ledger) -> None:
    with pytest.raises(NotFound):
        year.prolong(period="2026", on="2025-12-20")
    next_year(year)
    with pytest.raises(Refused, match="up to its end"):
        year.prolong(period="2026", on="2027-01-01")


def test_a_successor_continues_in_turn_over_half_year_periods(ledger: Ledger) -> None:
    """Periods of half a year: a contract asking for 2026-05-31 from 2025-09-15 is
    prolonged into 2026-H1 only, and one asking for 2026-10-31 is prolonged twice."""
    open_year(ledger)  # providers and programs; period 2025 is a whole year
    for code, start, end in (
        ("2026-H1", "2026-01-01", "2026-06-30"),
        ("2026-H2", "2026-07-01", "2026-12-31"),
    ):
        ledger.open_period(
            code,
            municipality="kazan",
            start=start,
            end=end,
            categories={"base": {"nominal": "12000"}},
            on="2025-12-01",
        )
    number = funded_child(ledger)
    first = ledger.enroll(
        number, program="CHESS", start="2025-09-15", end="2026-10-31", on="2025-09-01"
    ).contract
    for half in ("2026-H1", "2026-H2"):
        ledger.fund_certificate(number, period=half, category="base", on="2025-12-02")
    # a run into the second half finds nothing: 2026-H1 starts in between
    assert ledger.prolong(period="2026-H2", on="2025-12-20").prolonged == []
    (h1,) = ledger.prolong(period="2026-H1", on="2025-12-20").prolonged
    assert (h1.start, h1.end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert ledger.contract(h1.successor).continues_until == date(2026, 10, 31)
    (h2,) = ledger.prolong(period="2026-H2", on="2026-06-20").prolonged
    assert (h2.contract, h2.start, h2.end) == (h1.successor, date(2026, 7, 1), date(2026, 10, 31))
    last = ledger.contract(h2.successor)
    assert (last.continues, last.continues_until, last.continued_by) == (h1.successor, None, None)
    assert ledger.contract(first).continued_by == h1.successor


def test_the_continuing_list_and_the_period_report(year: Ledger) -> None:
    number = funded_child(year)
    code = school_year(year, number)
    listed = year.continuing("2025")
    (line,) = listed.contracts
    # no period 2026 yet: up to the end asked for, at CHESS's price of today
    assert (line.contract, line.next_period, line.next_start, line.next_end) == (
        code,
        None,
        date(2026, 1, 1),
        date(2026, 5, 31),
    )
    assert (line.price, listed.price) == (750000, 750000)
    next_year(year)
    fund_2026(year, number)
    assert year.continuing("2025").contracts[0].next_period == "2026"
    year.prolong(period="2026", on="2025-12-20")
    assert year.continuing("2025").contracts == []
    report = year.period_report("2026")
    assert (report.prolonged, report.prolonged_reserved) == (1, 500000)


def test_a_certificate_funded_in_hours_needs_a_program_offering_them(year: Ledger) -> None:
    number = funded_child(year)
    code = school_year(year, number)
    year.open_period(
        "2026",
        municipality="kazan",
        start="2026-01-01",
        end="2026-12-31",
        categories={"social": {"nominal": "30", "unit": "hours"}},
        on="2025-12-01",
    )
    year.fund_certificate(number, period="2026", category="social", on="2025-12-02")
    run = year.prolong(period="2026", on="2025-12-20")  # CHESS offers no hours
    assert [(n.contract, n.reason) for n in run.not_prolonged] == [(code, "hours")]
    assert run.reasons == {"hours": 1}
