"""`pfdo period open | close | nominal`: rules 2, 12 and 13 through the command line."""

from __future__ import annotations

import pytest
from cli_helpers import CONTRACT, NUMBER, Pfdo, pot

OPEN_2026 = (
    "period", "open", "2026", "--municipality", "city", "--start", "2026-01-01",
    "--end", "2026-12-31", "--on", "2025-12-01",
)  # fmt: skip


def test_period_open_prints_the_period_with_its_categories_and_limits(pfdo: Pfdo) -> None:
    opened = pfdo.json(
        *OPEN_2026, "--category", "base=12000,count=100,sum=1200000", "--category", "small=500.5"
    )
    assert opened == {
        "period": "2026",
        "municipality": "city",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "categories": [
            {
                "name": "base",
                "nominal": "12000.00",
                "count_limit": 100,
                "sum_limit": "1200000.00",
                "unit": "rub",
            },
            {
                "name": "small",
                "nominal": "500.50",
                "count_limit": None,
                "sum_limit": None,
                "unit": "rub",
            },
        ],
    }


def test_period_open_refuses_a_period_overlapping_another_of_the_municipality(year: Pfdo) -> None:
    events = year.events()
    error = year.refused(
        "period", "open", "2025b", "--municipality", "city", "--start", "2025-06-01",
        "--end", "2026-05-31", "--category", "base=12000",
    )  # fmt: skip
    assert error == (
        "Error: period 2025b (2025-06-01..2026-05-31) overlaps period 2025 "
        "(2025-01-01..2025-12-31) of municipality city"
    )
    assert year.events() == events


def test_period_open_refuses_a_period_code_that_exists_already(year: Pfdo) -> None:
    error = year.refused(
        "period", "open", "2025", "--municipality", "town", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000",
    )  # fmt: skip
    assert error == "Error: period 2025 exists already"


@pytest.mark.parametrize(
    "category",
    [
        "base",
        "base=",
        "=12000",
        "base=12000,count=x",
        "base=12000,count=-1",
        "base=12000,colour=red",
        "base=12000,count=1,count=2",
        "base=12000,sum",
    ],
)
def test_period_open_calls_a_malformed_category_a_usage_error(pfdo: Pfdo, category: str) -> None:
    stderr = pfdo.malformed(*OPEN_2026, "--category", category)
    assert "Invalid value for '--category'" in stderr
    assert pfdo.events() == 0


def test_period_open_calls_a_category_given_twice_a_usage_error(pfdo: Pfdo) -> None:
    stderr = pfdo.malformed(*OPEN_2026, "--category", "base=1", "--category", "base=2")
    assert "category 'base' is given twice" in stderr


def test_period_open_needs_at_least_one_category(pfdo: Pfdo) -> None:
    assert "Missing option '--category'" in pfdo.malformed(*OPEN_2026)


@pytest.mark.parametrize("nominal", ["12000.123", "-5", "twelve"])
def test_period_open_calls_a_malformed_nominal_malformed_input(pfdo: Pfdo, nominal: str) -> None:
    stderr = pfdo.malformed(*OPEN_2026, "--category", f"base={nominal}")
    assert stderr.startswith(
        f"Error: period open: categories.base.nominal: amount '{nominal}' is not an amount"
    )
    assert pfdo.events() == 0


def test_period_close_expires_the_money_still_available(year: Pfdo) -> None:
    closed = year.json("period", "close", "2025", "--on", "2025-12-31")
    assert closed == {
        "period": "2025",
        "expired": "12000.00",
        "expired_hours": "0.00",
        "certificates": 1,
        "owed_by_providers": [],
    }
    assert year.pot() == pot(available="0.00", expired="12000.00")


def test_period_close_refuses_while_contract_months_are_unbilled(year: Pfdo) -> None:
    year.enroll()
    events = year.events()
    error = year.refused("period", "close", "2025", "--on", "2026-01-01")
    assert error == (
        "Error: period 2025 cannot close: 4 contract month(s) are neither billed nor "
        f"cancelled: {CONTRACT} 2025-01, {CONTRACT} 2025-02, {CONTRACT} 2025-03, "
        f"{CONTRACT} 2025-04"
    )
    assert year.events() == events
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


def test_period_close_refuses_before_the_period_ends(year: Pfdo) -> None:
    error = year.refused("period", "close", "2025", "--on", "2025-12-30")
    assert error == "Error: period 2025 ends on 2025-12-31: it cannot close on 2025-12-30"
    assert year.pot() == pot(available="12000.00")


def test_a_closed_period_accepts_no_more_commands(year: Pfdo) -> None:
    year.json("period", "close", "2025", "--on", "2025-12-31")
    error = year.refused("period", "nominal", "2025", "--category", "base", "--nominal", "13000")
    assert error == "Error: period 2025 is closed and accepts no more commands"


def test_period_nominal_credits_a_raise_to_every_funded_certificate(year: Pfdo) -> None:
    changed = year.json(
        "period", "nominal", "2025", "--category", "base", "--nominal", "15000",
        "--on", "2025-02-01",
    )  # fmt: skip
    assert changed == {
        "period": "2025",
        "category": "base",
        "nominal": "15000.00",
        "delta": "3000.00",
        "certificates": 1,
        "funded_from_queue": [],
        "unit": "rub",
    }
    assert year.pot() == {
        "nominal": "15000.00",
        "credited": "15000.00",
        "available": "15000.00",
        "reserved": "0.00",
        "spent": "0.00",
        "expired": "0.00",
        "unit": "rub",
    }


def test_period_nominal_refuses_a_cut_deeper_than_the_money_available(year: Pfdo) -> None:
    year.enroll()
    error = year.refused("period", "nominal", "2025", "--category", "base", "--nominal", "4000")
    assert error == (
        "Error: lowering category base of period 2025 by 8000.00 is refused: "
        f"1 certificate(s) have less available, e.g. {NUMBER}"
    )
    assert year.pot() == pot(available="7677.42", reserved="4322.58")


def test_period_nominal_refuses_an_unknown_category(year: Pfdo) -> None:
    error = year.refused("period", "nominal", "2025", "--category", "gold", "--nominal", "1")
    assert error == "Error: period 2025 has no category 'gold' (it has: base, small)"
