"""`pfdo provider add | exclude` and `pfdo program add | withdraw` (rule 4)."""

from __future__ import annotations

import pytest
from cli_helpers import Pfdo

ADD_ART = (
    "program", "add", "art", "--provider", "school-1", "--title", "Art",
    "--min-age", "5", "--max-age", "12",
)  # fmt: skip


def test_provider_add_admits_the_provider_to_the_registry(pfdo: Pfdo) -> None:
    added = pfdo.json("provider", "add", "school-2", "--name", "Школа № 2", "--kind", "municipal")
    assert added == {
        "provider": "school-2",
        "name": "Школа № 2",
        "kind": "municipal",
        "status": "admitted",
    }


def test_provider_add_refuses_a_provider_that_exists_already(year: Pfdo) -> None:
    events = year.events()
    error = year.refused("provider", "add", "school-1", "--name", "Another school")
    assert error == "Error: provider school-1 exists already"
    assert year.events() == events


def test_provider_add_calls_an_unknown_kind_a_usage_error(pfdo: Pfdo) -> None:
    stderr = pfdo.malformed("provider", "add", "p", "--name", "P", "--kind", "charity")
    assert "Invalid value for '--kind'" in stderr


def test_provider_exclude_excludes_the_provider(year: Pfdo) -> None:
    excluded = year.json("provider", "exclude", "school-1", "--on", "2025-02-01")
    assert excluded == {
        "provider": "school-1",
        "name": "School 1",
        "kind": "private",
        "status": "excluded",
    }


def test_provider_exclude_refuses_a_provider_excluded_already(year: Pfdo) -> None:
    year.json("provider", "exclude", "school-1")
    events = year.events()
    error = year.refused("provider", "exclude", "school-1")
    assert error == "Error: provider school-1 is already excluded from the registry"
    assert year.events() == events


def test_provider_exclude_refuses_an_unknown_provider(pfdo: Pfdo) -> None:
    assert pfdo.refused("provider", "exclude", "nope") == "Error: provider nope does not exist"


def test_program_add_adds_the_program_with_its_monthly_price(year: Pfdo) -> None:
    added = year.json(*ADD_ART, "--monthly-price", "2000.5", "--capacity", "10")
    assert added == {
        "program": "art",
        "provider": "school-1",
        "monthly_price": "2000.50",
        "normative_price": None,
        "status": "open",
        "hours_per_month": None,
        "hour_cost": None,
    }


def test_program_add_refuses_an_empty_age_band(year: Pfdo) -> None:
    events = year.events()
    error = year.refused(
        "program", "add", "art", "--provider", "school-1", "--title", "Art",
        "--monthly-price", "2000", "--min-age", "12", "--max-age", "5",
    )  # fmt: skip
    assert error == "Error: program art has an empty age band 12..5"
    assert year.events() == events


def test_program_add_refuses_a_program_of_an_excluded_provider(year: Pfdo) -> None:
    year.json("provider", "exclude", "school-1")
    error = year.refused(*ADD_ART, "--monthly-price", "2000")
    assert error == "Error: provider school-1 is excluded: it cannot add programs"


def test_program_add_refuses_a_price_of_zero(year: Pfdo) -> None:
    error = year.refused(*ADD_ART, "--monthly-price", "0")
    assert error == "Error: program art needs a monthly price above zero"


@pytest.mark.parametrize("price", ["10.123", "-5", "1,5", "1e3", ""])
def test_program_add_calls_a_malformed_monthly_price_malformed_input(
    year: Pfdo, price: str
) -> None:
    events = year.events()
    stderr = year.malformed(*ADD_ART, "--monthly-price", price)
    assert stderr == (
        f"Error: program add: monthly_price: amount '{price}' is not an amount in rubles: "
        "expected digits 0-9 with at most "
        "two decimals and no sign, like 1500 or 1500.50\n"
    )
    assert year.events() == events


def test_program_add_calls_an_age_that_is_not_a_number_malformed_input(year: Pfdo) -> None:
    stderr = year.malformed(
        "program", "add", "art", "--provider", "school-1", "--title", "Art",
        "--monthly-price", "2000", "--min-age", "five", "--max-age", "12",
    )  # fmt: skip
    assert stderr == (
        "Error: program add: min_age: 'five' is not a whole number: expected 1 to 9 digits 0-9\n"
    )


def test_program_withdraw_withdraws_the_program(year: Pfdo) -> None:
    withdrawn = year.json("program", "withdraw", "chess", "--on", "2025-03-01")
    assert withdrawn == {
        "program": "chess",
        "provider": "school-1",
        "monthly_price": "1500.00",
        "normative_price": None,
        "status": "withdrawn",
        "hours_per_month": None,
        "hour_cost": None,
    }


def test_program_withdraw_refuses_a_program_withdrawn_already(year: Pfdo) -> None:
    year.json("program", "withdraw", "chess")
    events = year.events()
    assert year.refused("program", "withdraw", "chess") == (
        "Error: program chess is already withdrawn"
    )
    assert year.events() == events
