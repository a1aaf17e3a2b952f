"""`pfdo certificate issue | fund` (rules 1 and 3)."""

from __future__ import annotations

from cli_helpers import NUMBER, SECOND, Pfdo, pot

ISSUE = ("certificate", "issue", "--municipality", "city", "--on", "2025-01-10")


def test_certificate_issue_issues_an_accounting_certificate(pfdo: Pfdo) -> None:
    issued = pfdo.json(
        *ISSUE, "--child", "child-1", "--birth-date", "2015-06-01", "--number", NUMBER
    )
    assert issued == {"number": NUMBER, "municipality": "city", "type": "accounting"}
    assert pfdo.json("balance", NUMBER) == {
        "number": NUMBER, "type": "accounting", "status": "active", "periods": [],
    }  # fmt: skip


def test_certificate_issue_generates_a_ten_digit_number_when_none_is_given(pfdo: Pfdo) -> None:
    number = pfdo.json(*ISSUE, "--child", "child-1", "--birth-date", "2015-06-01")["number"]
    assert len(number) == 10
    assert number.isdigit()


def test_certificate_issue_refuses_a_child_younger_than_five(pfdo: Pfdo) -> None:
    error = pfdo.refused(*ISSUE, "--child", "child-9", "--birth-date", "2020-06-01")
    assert error == (
        "Error: child child-9 is 4 on 2025-01-10: certificates are issued to children aged 5 to 17"
    )
    assert pfdo.events() == 0


def test_certificate_issue_refuses_a_second_certificate_for_the_same_child(year: Pfdo) -> None:
    events = year.events()
    error = year.refused(
        *ISSUE, "--child", "child-1", "--birth-date", "2015-06-01", "--number", SECOND
    )
    assert error == f"Error: child child-1 already has certificate {NUMBER}"
    assert year.events() == events


def test_certificate_issue_calls_a_number_of_nine_digits_malformed_input(pfdo: Pfdo) -> None:
    stderr = pfdo.malformed(
        *ISSUE, "--child", "child-1", "--birth-date", "2015-06-01", "--number", "123456789"
    )
    assert stderr == (
        "Error: certificate issue: number: '123456789' is not a certificate number: "
        "expected 10 digits 0-9\n"
    )


def test_certificate_issue_calls_a_malformed_birth_date_malformed_input(pfdo: Pfdo) -> None:
    stderr = pfdo.malformed(*ISSUE, "--child", "child-1", "--birth-date", "2015-02-30")
    assert stderr == (
        "Error: certificate issue: birth_date: date '2015-02-30' is not a date in the form "
        "YYYY-MM-DD\n"
    )


def test_certificate_fund_credits_the_nominal_of_the_category(year: Pfdo) -> None:
    year.issue(SECOND, "child-2", "2014-03-01")
    funded = year.json("certificate", "fund", SECOND, "--period", "2025", "--category", "small")
    assert funded == {
        "number": SECOND, "period": "2025", "category": "small", "nominal": "1000.00",
        "unit": "rub",
    }  # fmt: skip
    assert year.json("balance", SECOND)["type"] == "financing"


def test_certificate_fund_refuses_a_certificate_funded_already_for_the_period(year: Pfdo) -> None:
    events = year.events()
    error = year.refused("certificate", "fund", NUMBER, "--period", "2025", "--category", "small")
    assert error == f"Error: certificate {NUMBER} is already funded for period 2025"
    assert year.events() == events
    assert year.pot() == pot(available="12000.00")


def test_certificate_fund_refuses_past_the_count_limit_of_the_category(pfdo: Pfdo) -> None:
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000,count=1",
    )  # fmt: skip
    pfdo.issue(NUMBER, "child-1", "2015-06-01")
    pfdo.issue(SECOND, "child-2", "2014-03-01")
    pfdo.fund(NUMBER)
    error = pfdo.refused("certificate", "fund", SECOND, "--period", "2025", "--category", "base")
    assert error == (
        "Error: category base of period 2025 has reached its count limit of 1 funded certificates"
    )
    assert pfdo.json("balance", SECOND) == {
        "number": SECOND, "type": "accounting", "status": "active", "periods": [],
    }  # fmt: skip


def test_certificate_fund_refuses_a_period_of_another_municipality(year: Pfdo) -> None:
    year.json(
        *("certificate", "issue", "--municipality", "town", "--on", "2025-01-10"),
        *("--child", "child-2", "--birth-date", "2014-03-01", "--number", SECOND),
    )
    error = year.refused("certificate", "fund", SECOND, "--period", "2025", "--category", "base")
    assert error == (
        f"Error: certificate {SECOND} belongs to municipality town, "
        "not to city which opened period 2025"
    )
