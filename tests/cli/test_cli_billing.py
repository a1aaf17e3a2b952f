"""`pfdo bill` (rule 9) and `pfdo register`: what billing charges and what a provider is owed.

Month 2025-01 of the contract 2025-01-15..2025-04-10 costs 822.58. With the certificate
paying everything, fixed mode charges 822.58. In attendance mode with 3 of 4 lessons
attended, the certificate is charged floor(822.58 * 3 / 4) = 616.93 and 205.65 goes back.
"""

from __future__ import annotations

import pytest
from cli_helpers import CONTRACT, NUMBER, SECOND, Pfdo, pot

from pfdo.commandline import session as cli_session

BILL_JANUARY = ("bill", "--month", "2025-01", "--on", "2025-02-01")


def attend_three_of_four(pfdo: Pfdo, contract: str) -> None:
    pfdo.json(
        "attend", contract, "--date", "2025-01-15", "--date", "2025-01-22", "--date", "2025-01-29"
    )
    pfdo.json("attend", contract, "--date", "2025-01-17", "--absent")


def test_bill_charges_a_fixed_month_in_full(year: Pfdo) -> None:
    year.enroll()
    billed = year.json(*BILL_JANUARY)
    assert billed == {
        "month": "2025-01",
        "billed": 1,
        "charged": "822.58",
        "released": "0.00",
        "parent": "0.00",
        "attendance_missing": [],
        "charged_hours": "0.00",
        "released_hours": "0.00",
    }
    assert year.pot() == pot(available="7677.42", reserved="3500.00", spent="822.58")


def test_bill_charges_an_attendance_month_in_proportion_to_lessons_attended(year: Pfdo) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    attend_three_of_four(year, CONTRACT)
    billed = year.json(*BILL_JANUARY)
    assert billed["charged"] == "616.93"
    assert billed["released"] == "205.65"
    assert year.pot() == pot(available="7883.07", reserved="3500.00", spent="616.93")


def test_bill_leaves_an_attendance_month_without_lessons_reserved(year: Pfdo) -> None:
    year.enroll(NUMBER, "--mode", "attendance")
    billed = year.json(*BILL_JANUARY)
    assert billed == {
        "month": "2025-01",
        "billed": 0,
        "charged": "0.00",
        "released": "0.00",
        "parent": "0.00",
        "attendance_missing": [CONTRACT],
        "charged_hours": "0.00",
        "released_hours": "0.00",
    }
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


def test_bill_twice_changes_nothing_the_second_time(year: Pfdo) -> None:
    year.enroll()
    year.json(*BILL_JANUARY)
    again = year.json("bill", "--month", "2025-01", "--on", "2025-02-02")
    assert (again["billed"], again["charged"]) == (0, "0.00")
    assert year.pot() == pot(available="7677.42", reserved="3500.00", spent="822.58")


def test_bill_retried_with_the_same_request_id_returns_the_first_totals(year: Pfdo) -> None:
    year.enroll()
    first = year.json(*BILL_JANUARY, "--request-id", "january")
    events = year.events()
    again = year.json(*BILL_JANUARY, "--request-id", "january")
    assert (first.pop("replayed"), again.pop("replayed")) == (False, True)
    assert again == first
    assert year.events() == events


def test_bill_refuses_a_month_that_is_not_over(year: Pfdo) -> None:
    year.enroll()
    events = year.events()
    error = year.refused("bill", "--month", "2025-01", "--on", "2025-01-31")
    assert error == (
        "Error: month 2025-01 can be billed from 2025-02-01, not on 2025-01-31 (no period "
        "bills it earlier: see `period settings --final-billing-from`)"
    )
    assert year.events() == events
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


@pytest.mark.parametrize("month", ["2025-1", "2025-13", "January"])
def test_bill_calls_a_malformed_month_malformed_input(year: Pfdo, month: str) -> None:
    stderr = year.malformed("bill", "--month", month)
    assert stderr == f"Error: bill: month '{month}' is not a month in the form YYYY-MM\n"


def test_bill_shows_no_progress_bar_when_stdout_is_not_a_terminal(year: Pfdo) -> None:
    year.enroll()
    result = year(*BILL_JANUARY)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "month: 2025-01\nbilled: 1\ncharged: 822.58\nreleased: 0.00\nparent: 0.00\n"
        "attendance_missing: -\ncharged_hours: 0.00\nreleased_hours: 0.00\n"
    )


def test_bill_shows_progress_on_stderr_when_stdout_is_a_terminal(
    year: Pfdo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_session, "stdout_is_terminal", lambda: True)
    year.enroll()
    result = year(*BILL_JANUARY)
    assert result.exit_code == 0
    assert "billing" in result.stderr
    assert result.stdout.startswith("month: 2025-01\n")


def test_bill_with_json_shows_no_progress_even_on_a_terminal(
    year: Pfdo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_session, "stdout_is_terminal", lambda: True)
    year.enroll()
    assert year.json(*BILL_JANUARY)["billed"] == 1


def test_register_lists_each_billed_contract_and_totals_them(year: Pfdo) -> None:
    # The second certificate has 1000.00: its January part is 190.30 of 822.58, so the
    # parents' part is 632.28; 3 of 4 lessons give floor(190.30 * 3 / 4) = 142.72 and
    # floor(632.28 * 3 / 4) = 474.21.
    year.issue(SECOND, "child-2", "2014-03-01")
    year.fund(SECOND, "small")
    year.enroll()
    year.enroll(SECOND, "--mode", "attendance")
    attend_three_of_four(year, f"{SECOND}-001")
    billed = year.json(*BILL_JANUARY)
    assert (billed["billed"], billed["charged"], billed["released"]) == (2, "965.30", "47.58")
    assert billed["parent"] == "474.21"
    register = year.json("register", "--provider", "school-1", "--month", "2025-01")
    assert register == {
        "provider": "school-1",
        "month": "2025-01",
        "total_certificate": "965.30",
        "total_parent": "474.21",
        "total_hours": "0.00",
        "lines": [
            {
                "contract": CONTRACT,
                "number": NUMBER,
                "program": "chess",
                "certificate": "822.58",
                "parent": "0.00",
                "present": 0,
                "recorded": 0,
                "unit": "rub",
                "hours": None,
            },
            {
                "contract": f"{SECOND}-001",
                "number": SECOND,
                "program": "chess",
                "certificate": "142.72",
                "parent": "474.21",
                "present": 3,
                "recorded": 4,
                "unit": "rub",
                "hours": None,
            },
        ],
    }


def test_register_takes_refunds_off_the_certificate_part(year: Pfdo) -> None:
    year.enroll()
    year.json(*BILL_JANUARY)
    year.json("correct", CONTRACT, "--month", "2025-01", "--refund", "22.58", "--reason", "fix")
    register = year.json("register", "--provider", "school-1", "--month", "2025-01")
    assert register["total_certificate"] == "800.00"
    assert register["lines"][0]["certificate"] == "800.00"


def test_register_of_a_month_not_billed_is_empty(year: Pfdo) -> None:
    year.enroll()
    register = year.json("register", "--provider", "school-1", "--month", "2025-02")
    assert register == {
        "provider": "school-1",
        "month": "2025-02",
        "total_certificate": "0.00",
        "total_parent": "0.00",
        "total_hours": "0.00",
        "lines": [],
    }


def test_register_calls_a_malformed_month_malformed_input(year: Pfdo) -> None:
    stderr = year.malformed("register", "--provider", "school-1", "--month", "2025-1")
    assert stderr == "Error: register: month '2025-1' is not a month in the form YYYY-MM\n"


def test_register_refuses_an_unknown_provider(year: Pfdo) -> None:
    error = year.refused("register", "--provider", "school-9", "--month", "2025-01")
    assert error == "Error: provider school-9 does not exist"
