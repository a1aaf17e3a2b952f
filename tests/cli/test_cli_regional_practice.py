"""The commands of regional practice (docs/CLI.md; rules 15-20), as operators run them.

Each command: what it prints on success (JSON keys as docs/CLI.md names them), the one line a
refusal prints (exit 1) and a malformed input (exit 2), and that a refused or malformed
command writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_helpers import CONTRACT, NUMBER, SECOND, Pfdo

ON = ("--on", "2025-01-20")


def _nothing_written(year: Pfdo, check: Callable[[], str]) -> str:
    events = year.events()
    message = check()
    assert year.events() == events
    return message


def _queued_year(year: Pfdo) -> Pfdo:
    """`small` limited to the one certificate funded in it; SECOND waits for it."""
    year.issue(SECOND, "child-2", "2014-03-01")
    year.json("period", "limits", "2025", "--category", "small", "--count", "0", *ON)
    return year


def test_period_settings_prints_the_settings(year: Pfdo) -> None:
    assert year.json("period", "settings", "2025", "--advance", "80", *ON) == {
        "period": "2025",
        "advance": 80,
        "final_billing_from": None,
    }
    settings = year.json("period", "settings", "2025", "--final-billing-from", "2025-12-20", *ON)
    assert settings == {"period": "2025", "advance": 80, "final_billing_from": "2025-12-20"}


def test_period_settings_refusals_and_malformed_input_write_nothing(year: Pfdo) -> None:
    refused = _nothing_written(
        year,
        lambda: year.refused("period", "settings", "2025", "--final-billing-from", "2025-11-30"),
    )
    assert refused == (
        "Error: period 2025 ends on 2025-12-31: its last month 2025-12 may be billed from a "
        "day inside it, not from 2025-11-30"
    )
    assert year.refused("period", "settings", "1999", "--advance", "5") == (
        "Error: period 1999 does not exist"
    )
    for args in (["--advance", "101"], ["--advance", "8.5"], []):
        message = _nothing_written(
            year, lambda a=args: year.malformed("period", "settings", "2025", *a)
        )
        assert message.startswith("Error: period settings: ")


def test_period_limits_prints_the_limits_and_who_the_list_funded(year: Pfdo) -> None:
    _queued_year(year)
    assert year.refused(
        "certificate", "fund", SECOND, "--period", "2025", "--category", "small"
    ) == (
        "Error: category small of period 2025 has reached its count limit of 0 funded certificates"
    )
    queued = year.json(
        "certificate", "fund", SECOND, "--period", "2025", "--category", "small", "--queue", *ON
    )
    assert queued == {
        "number": SECOND, "period": "2025", "category": "small", "queued": True, "position": 1,
    }  # fmt: skip
    raised = year.json("period", "limits", "2025", "--category", "small", "--count", "1", *ON)
    assert raised == {
        "period": "2025", "category": "small", "count": 1, "sum": None,
        "funded_from_queue": [SECOND], "unit": "rub",
    }  # fmt: skip
    assert year.pot(SECOND)["credited"] == "1000.00"


def test_period_limits_refusals_and_malformed_input_write_nothing(year: Pfdo) -> None:
    refused = _nothing_written(
        year, lambda: year.refused("period", "limits", "2025", "--category", "base", "--count", "0")
    )
    assert refused == (
        "Error: category base of period 2025 has 1 funded certificates: its count limit "
        "cannot be lowered to 0"
    )
    assert year.refused("period", "limits", "2025", "--category", "nope", "--count", "1") == (
        "Error: period 2025 has no category 'nope' (it has: base, small)"
    )
    for args in (["--count", "-1"], ["--sum", "1.005"], []):
        message = _nothing_written(
            year,
            lambda a=args: year.malformed("period", "limits", "2025", "--category", "base", *a),
        )
        assert message.startswith("Error: period limits: ")


def test_queue_show_and_queue_leave(year: Pfdo) -> None:
    _queued_year(year)
    year.json(
        "certificate", "fund", SECOND, "--period", "2025", "--category", "small", "--queue", *ON
    )
    assert year.json("queue", "show", "--period", "2025", "--category", "small") == {
        "period": "2025",
        "category": "small",
        "entries": [{"position": 1, "number": SECOND, "since": "2025-01-20"}],
    }
    text = year("queue", "show", "--period", "2025", "--category", "small").stdout
    assert text.splitlines()[-1].split() == ["1", SECOND, "2025-01-20"]
    assert year.json("queue", "leave", SECOND, "--period", "2025", *ON) == {
        "number": SECOND, "period": "2025", "category": "small",
    }  # fmt: skip
    refused = _nothing_written(
        year, lambda: year.refused("queue", "leave", SECOND, "--period", "2025")
    )
    assert refused == f"Error: certificate {SECOND} waits in no list of period 2025"
    assert year.refused("queue", "show", "--period", "2025", "--category", "nope") == (
        "Error: period 2025 has no category nope"
    )
    assert year.malformed("queue", "leave", "12", "--period", "2025").startswith(
        "Error: queue leave: number:"
    )


def test_certificate_unfund_prints_what_left_and_refuses_reserved_money(year: Pfdo) -> None:
    year.issue(SECOND, "child-2", "2014-03-01")
    year.fund(SECOND)
    assert year.json("certificate", "unfund", SECOND, "--period", "2025", *ON) == {
        "number": SECOND, "period": "2025", "category": "base", "unfunded": "12000.00",
        "funded_from_queue": [], "unit": "rub",
    }  # fmt: skip
    assert year.json("balance", SECOND)["type"] == "accounting"
    year.enroll()
    refused = _nothing_written(
        year, lambda: year.refused("certificate", "unfund", NUMBER, "--period", "2025")
    )
    assert refused == (
        f"Error: certificate {NUMBER} has 4322.58 reserved and 0.00 spent in period 2025: "
        "it can be unfunded only while nothing is reserved or spent"
    )
    assert year.refused("certificate", "unfund", SECOND, "--period", "2025") == (
        f"Error: certificate {SECOND} is not funded for period 2025"
    )
    assert "Error: Missing option '--period'." in year.malformed("certificate", "unfund", NUMBER)


def test_program_add_takes_a_normative_price_that_caps_the_share(year: Pfdo) -> None:
    added = year.json(
        "program", "add", "art", "--provider", "school-1", "--title", "Art",
        "--monthly-price", "3000", "--normative-price", "2500", "--min-age", "5",
        "--max-age", "17", "--on", "2025-01-01",
    )  # fmt: skip
    assert added["normative_price"] == "2500.00"
    enrolment = year.json(
        "enroll", NUMBER, "--program", "art", "--start", "2025-03-10", "--end", "2025-05-31",
        "--on", "2025-03-01",
    )  # fmt: skip
    assert (enrolment["certificate_share"], enrolment["parent_share"]) == ("6774.19", "1354.84")
    assert year.malformed(
        "program", "add", "bad", "--provider", "school-1", "--title", "Bad",
        "--monthly-price", "3000", "--normative-price", "25.001", "--min-age", "5",
        "--max-age", "17",
    ).startswith("Error: program add: normative_price:")  # fmt: skip


@pytest.fixture
def billed(year: Pfdo) -> Pfdo:
    """The year's contract (fixed, Jan 15 - Apr 10) advanced at 50% in February, and
    January and February billed."""
    year.json("period", "settings", "2025", "--advance", "50", "--on", "2025-01-01")
    year.enroll()
    year.json(
        "invoice", "advance", "--provider", "school-1", "--month", "2025-02", "--on", "2025-02-01"
    )
    year.json("bill", "--month", "2025-01", "--on", "2025-02-01")
    year.json("bill", "--month", "2025-02", "--on", "2025-03-01")
    return year


def test_invoice_advance_prints_its_lines(year: Pfdo) -> None:
    year.json("period", "settings", "2025", "--advance", "50", "--on", "2025-01-01")
    year.enroll()
    advance = year.json(
        "invoice", "advance", "--provider", "school-1", "--month", "2025-02", "--on", "2025-02-01"
    )
    assert advance == {
        "invoice": "school-1/2025-02-A", "provider": "school-1", "month": "2025-02",
        "total": "750.00", "lines": [{"contract": CONTRACT, "number": NUMBER, "amount": "750.00"}],
    }  # fmt: skip
    refused = _nothing_written(
        year,
        lambda: year.refused(
            "invoice",
            "advance",
            "--provider",
            "school-1",
            "--month",
            "2025-02",
            "--on",
            "2025-02-02",
        ),
    )
    assert refused == "Error: an advance school-1/2025-02-A was already issued"
    assert year.malformed(
        "invoice", "advance", "--provider", "school-1", "--month", "2025-13"
    ).startswith("Error: invoice advance: month '2025-13' is not a month")


def test_invoice_issue_pay_and_list(billed: Pfdo) -> None:
    february = billed.json(
        "invoice", "issue", "--provider", "school-1", "--month", "2025-02", "--on", "2025-03-02"
    )
    assert {k: february[k] for k in ("invoice", "amount", "advance", "adjustments", "due")} == {
        "invoice": "school-1/2025-02", "amount": "1500.00", "advance": "750.00",
        "adjustments": "0.00", "due": "750.00",
    }  # fmt: skip
    assert february["lines"] == [{"contract": CONTRACT, "number": NUMBER, "amount": "1500.00"}]
    assert billed.json("invoice", "pay", "school-1/2025-02-A", "--on", "2025-02-05") == {
        "invoice": "school-1/2025-02-A", "kind": "advance", "paid_on": "2025-02-05",
        "amount": "750.00",
    }  # fmt: skip
    unpaid = billed.json("invoice", "list", "--unpaid")
    assert [(i["invoice"], i["kind"], i["due"], i["paid_on"]) for i in unpaid["invoices"]] == [
        ("school-1/2025-02", "invoice", "750.00", None)
    ]
    everything = billed.json("invoice", "list", "--provider", "school-1", "--period", "2025")
    assert [i["invoice"] for i in everything["invoices"]] == [
        "school-1/2025-02-A",
        "school-1/2025-02",
    ]
    refused = _nothing_written(
        billed, lambda: billed.refused("invoice", "pay", "school-1/2025-02-A", "--on", "2025-02-06")
    )
    assert refused == "Error: invoice school-1/2025-02-A was already paid on 2025-02-05"
    assert billed.refused("invoice", "pay", "nonsense") == (
        "Error: 'nonsense' is not an invoice number: PROVIDER/YYYY-MM, or PROVIDER/YYYY-MM-A "
        "for an advance"
    )
    assert billed.refused("invoice", "list", "--period", "1999") == (
        "Error: period 1999 does not exist"
    )


def test_invoice_issue_refuses_a_month_left_open(billed: Pfdo) -> None:
    refused = _nothing_written(
        billed,
        lambda: billed.refused(
            "invoice", "issue", "--provider", "school-1", "--month", "2025-03", "--on", "2025-03-02"
        ),
    )
    assert refused == (
        "Error: 2025-03 of provider school-1 cannot be invoiced: 1 contract month(s) are "
        f"neither billed nor cancelled (attendance missing?): {CONTRACT}"
    )
    assert (
        billed.refused(
            "invoice", "issue", "--provider", "nobody", "--month", "2025-01", "--on", "2025-03-02"
        )
        == "Error: provider nobody does not exist"
    )
    assert billed.malformed(
        "invoice", "issue", "--provider", "school-1", "--month", "2025/01"
    ).startswith("Error: invoice issue: month '2025/01' is not a month")
