"""`pfdo enroll | attend | terminate | correct` (rules 5-8, 10, 11) and request ids.

The contract of most tests runs 2025-01-15..2025-04-10 in `chess` at 1500.00 a month:
January has 17 of 31 days, so p = floor(1500.00 * 17 / 31) = 822.58; February and March
are whole, 1500.00 each; April has 10 of 30 days, 500.00. P = 4322.58.
"""

from __future__ import annotations

import pytest
from cli_helpers import CONTRACT, NUMBER, SECOND, Pfdo, pot

FULL_MONTHS = [
    {"month": "2025-01", "price": "822.58", "certificate": "822.58", "parent": "0.00"},
    {"month": "2025-02", "price": "1500.00", "certificate": "1500.00", "parent": "0.00"},
    {"month": "2025-03", "price": "1500.00", "certificate": "1500.00", "parent": "0.00"},
    {"month": "2025-04", "price": "500.00", "certificate": "500.00", "parent": "0.00"},
]


def test_enroll_prices_the_contract_month_by_month_and_reserves_it(year: Pfdo) -> None:
    enrolment = year.enroll()
    assert enrolment == {
        "contract": CONTRACT,
        "number": NUMBER,
        "program": "chess",
        "provider": "school-1",
        "mode": "fixed",
        "start": "2025-01-15",
        "end": "2025-04-10",
        "continues_until": None,  # rule 23: it ends in its period
        "price": "4322.58",
        "certificate_share": "4322.58",
        "parent_share": "0.00",
        "months": FULL_MONTHS,
        "normative": None,
        "unit": "rub",
        "hour_cost": None,
    }
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


def test_enroll_splits_a_short_certificate_by_largest_remainder(year: Pfdo) -> None:
    # s = 1000.00 of P = 4322.58: floor(s * p_m / P) gives 190.29, 347.01, 347.01, 115.67
    # (999.98); the two kopecks left go to January (remainder .839) and February (.498,
    # tied with March, the earlier month wins).
    year.issue(SECOND, "child-2", "2014-03-01")
    year.fund(SECOND, "small")
    enrolment = year.enroll(SECOND)
    assert enrolment["price"] == "4322.58"
    assert enrolment["certificate_share"] == "1000.00"
    assert enrolment["parent_share"] == "3322.58"
    assert enrolment["months"] == [
        {"month": "2025-01", "price": "822.58", "certificate": "190.30", "parent": "632.28"},
        {"month": "2025-02", "price": "1500.00", "certificate": "347.02", "parent": "1152.98"},
        {"month": "2025-03", "price": "1500.00", "certificate": "347.01", "parent": "1152.99"},
        {"month": "2025-04", "price": "500.00", "certificate": "115.67", "parent": "384.33"},
    ]


def test_enroll_refuses_a_child_outside_the_age_band(year: Pfdo) -> None:
    year.json(
        "program", "add", "teens", "--provider", "school-1", "--title", "Teens",
        "--monthly-price", "1500", "--min-age", "14", "--max-age", "17",
    )  # fmt: skip
    events = year.events()
    error = year.refused(
        "enroll", NUMBER, "--program", "teens", "--start", "2025-01-15", "--end", "2025-04-10"
    )
    assert error == (
        f"Error: the child of certificate {NUMBER} is 9 on 2025-01-15, "
        "outside the age band 14-17 of program teens"
    )
    assert year.events() == events
    assert year.pot() == pot(available="12000.00")


def test_enroll_refuses_a_program_whose_provider_is_excluded(year: Pfdo) -> None:
    year.json("provider", "exclude", "school-1")
    error = year.refused(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-01-15", "--end", "2025-04-10"
    )
    assert error == (
        "Error: program chess does not accept contracts: "
        "its provider school-1 is excluded from the registry"
    )
    assert year.pot() == pot(available="12000.00")


def test_enroll_refuses_dates_outside_every_period(year: Pfdo) -> None:
    error = year.refused(
        "enroll", NUMBER, "--program", "chess", "--start", "2026-01-15", "--end", "2026-04-10"
    )
    assert error == (
        "Error: contract dates 2026-01-15..2026-04-10 are outside every period of municipality city"
    )


def test_enroll_refuses_a_program_at_capacity(year: Pfdo) -> None:
    year.json(
        "program", "add", "solo", "--provider", "school-1", "--title", "Solo",
        "--monthly-price", "1500", "--min-age", "5", "--max-age", "12", "--capacity", "1",
    )  # fmt: skip
    year.issue(SECOND, "child-2", "2014-03-01")
    year.fund(SECOND)
    year.enroll(program="solo")
    error = year.refused(
        "enroll", SECOND, "--program", "solo", "--start", "2025-03-01", "--end", "2025-05-31"
    )
    assert error == (
        "Error: program solo is at capacity: 1 contracts already active at once "
        "between 2025-03-01 and 2025-05-31"
    )
    assert year.pot(SECOND) == pot(available="12000.00")


@pytest.mark.parametrize("option", ["--start", "--end", "--on"])
def test_enroll_calls_a_malformed_date_malformed_input(year: Pfdo, option: str) -> None:
    args = {"--start": "2025-01-15", "--end": "2025-04-10", "--on": "2025-01-12"}
    args[option] = "2025-13-01"
    stderr = year.malformed(
        "enroll", NUMBER, "--program", "chess", *(part for kv in args.items() for part in kv)
    )
    field = option.removeprefix("--")
    assert stderr == (
        f"Error: enroll: {field}: date '2025-13-01' is not a date in the form YYYY-MM-DD\n"
    )
    assert year.pot() == pot(available="12000.00")


def test_enroll_names_the_option_whose_date_is_malformed(year: Pfdo) -> None:
    stderr = year.malformed(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-01-15", "--end", "2025-04-31"
    )
    assert stderr.startswith("Error: enroll: end:")


def test_enroll_calls_an_unknown_payment_mode_a_usage_error(year: Pfdo) -> None:
    stderr = year.malformed(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-01-15", "--end", "2025-04-10",
        "--mode", "monthly",
    )  # fmt: skip
    assert "Invalid value for '--mode'" in stderr


def test_enroll_retried_with_the_same_request_id_returns_the_first_contract(year: Pfdo) -> None:
    first = year.enroll(NUMBER, "--request-id", "portal-42")
    events = year.events()
    again = year.enroll(NUMBER, "--request-id", "portal-42")
    assert (first.pop("replayed"), again.pop("replayed")) == (False, True)
    assert again == first
    assert again["contract"] == CONTRACT
    assert year.events() == events
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


def test_enroll_refuses_a_request_id_reused_with_other_arguments(year: Pfdo) -> None:
    year.enroll(NUMBER, "--request-id", "portal-42")
    events = year.events()
    error = year.refused(
        "enroll", NUMBER, "--program", "chess", "--start", "2025-02-01", "--end", "2025-04-10",
        "--request-id", "portal-42",
    )  # fmt: skip
    assert error == (
        "Error: request id 'portal-42' was already used for another command or other "
        "arguments (enroll); use a new request id"
    )
    assert year.events() == events
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


def test_a_request_id_of_one_command_is_refused_for_another(year: Pfdo) -> None:
    year.json("provider", "add", "school-2", "--name", "School 2", "--request-id", "k-1")
    error = year.refused("program", "withdraw", "chess", "--request-id", "k-1")
    assert error.startswith("Error: request id 'k-1' was already used for another command")
    assert year.json("program", "withdraw", "chess")["status"] == "withdrawn"


def test_attend_records_each_lesson_date(year: Pfdo) -> None:
    year.enroll()
    recorded = year.json("attend", CONTRACT, "--date", "2025-01-15", "--date", "2025-01-17")
    assert recorded == {"contract": CONTRACT, "recorded": 2}


def test_attend_refuses_a_lesson_outside_the_contract(year: Pfdo) -> None:
    year.enroll()
    events = year.events()
    error = year.refused("attend", CONTRACT, "--date", "2025-01-20", "--date", "2025-05-01")
    assert error == (
        f"Error: contract {CONTRACT} runs 2025-01-15..2025-04-10: "
        "lesson date 2025-05-01 is outside it"
    )
    assert year.events() == events


def test_attend_refuses_an_unknown_contract(year: Pfdo) -> None:
    error = year.refused("attend", "1234567890-001", "--date", "2025-01-20", "--absent")
    assert error == "Error: contract 1234567890-001 does not exist"


def test_attend_refuses_a_malformed_contract_code_as_malformed_input(year: Pfdo) -> None:
    error = year.malformed("attend", "nope", "--date", "2025-01-20", "--absent")
    assert "contract: 'nope' is not a contract code" in error


def test_attend_needs_a_date(year: Pfdo) -> None:
    assert "Missing option '--date'" in year.malformed("attend", CONTRACT)


def test_terminate_releases_every_month_after_the_month_of_termination(year: Pfdo) -> None:
    year.enroll()
    terminated = year.json("terminate", CONTRACT, "--reason", "moved", "--on", "2025-02-10")
    assert terminated == {
        "contract": CONTRACT,
        "released": "2000.00",
        "cancelled_months": ["2025-03", "2025-04"],
        "unit": "rub",
    }
    assert year.pot() == pot(available="9677.42", reserved="2322.58")


def test_terminate_before_the_start_releases_everything(year: Pfdo) -> None:
    year.enroll()
    terminated = year.json("terminate", CONTRACT, "--on", "2025-01-13")
    assert terminated["released"] == "4322.58"
    assert terminated["cancelled_months"] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert year.pot() == pot(available="12000.00")


def test_terminate_refuses_a_contract_terminated_already(year: Pfdo) -> None:
    year.enroll()
    year.json("terminate", CONTRACT, "--on", "2025-02-10")
    events = year.events()
    error = year.refused("terminate", CONTRACT, "--on", "2025-02-11")
    assert error == f"Error: contract {CONTRACT} was already terminated on 2025-02-10"
    assert year.events() == events
    assert year.pot() == pot(available="9677.42", reserved="2322.58")


def test_correct_refunds_part_of_a_charge_to_the_certificate(year: Pfdo) -> None:
    year.enroll()
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    corrected = year.json(
        "correct", CONTRACT, "--month", "2025-01", "--refund", "100",
        "--reason", "lessons cancelled by the provider", "--on", "2025-02-05",
    )  # fmt: skip
    assert corrected == {
        "contract": CONTRACT, "month": "2025-01", "refunded": "100.00", "unit": "rub",
    }  # fmt: skip
    assert year.pot() == pot(available="7777.42", reserved="3500.00", spent="722.58")


def test_correct_refuses_a_refund_above_the_charge(year: Pfdo) -> None:
    year.enroll()
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    events = year.events()
    error = year.refused(
        "correct", CONTRACT, "--month", "2025-01", "--refund", "822.59", "--reason", "typo"
    )
    assert error == (
        f"Error: contract {CONTRACT}, month 2025-01: refund of 822.59 exceeds what "
        "is left to refund (822.58 of 822.58 charged)"
    )
    assert year.events() == events
    assert year.pot() == pot(available="7677.42", reserved="3500.00", spent="822.58")


def test_correct_refuses_a_month_not_billed_yet(year: Pfdo) -> None:
    year.enroll()
    error = year.refused(
        "correct", CONTRACT, "--month", "2025-02", "--refund", "1", "--reason", "early"
    )
    assert error == f"Error: contract {CONTRACT}: month 2025-02 is open, not billed"


@pytest.mark.parametrize("refund", ["10.123", "-5"])
def test_correct_calls_a_malformed_refund_malformed_input(year: Pfdo, refund: str) -> None:
    stderr = year.malformed(
        "correct", CONTRACT, "--month", "2025-01", "--refund", refund, "--reason", "typo"
    )
    assert stderr.startswith(f"Error: correct: refund: amount '{refund}' is not an amount")
