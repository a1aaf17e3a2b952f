"""Social certificates from the command line (docs/CLI.md; rules 21, 22 (docs/RULES.md)): a category
`unit=hours`, a program with `--hours-per-month` and `--hour-cost`, an enrolment, billing,
the register and the period report in hours; refusals exit 1 and malformed input exits 2,
each writing nothing.
"""

from __future__ import annotations

from cli_helpers import Pfdo

SOCIAL = "1000000009"
ON = ("--on", "2025-01-01")


def _social_year(pfdo: Pfdo, nominal: str = "30") -> Pfdo:
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", f"social={nominal},unit=hours,sum=100", *ON,
    )  # fmt: skip
    pfdo.json("provider", "add", "pool", "--name", "Pool", *ON)
    pfdo.json(
        "program", "add", "swim", "--provider", "pool", "--title", "Swimming",
        "--monthly-price", "3000", "--hours-per-month", "8", "--hour-cost", "169.55",
        "--min-age", "5", "--max-age", "17", *ON,
    )  # fmt: skip
    pfdo.json(
        "certificate", "issue", "--child", "c9", "--birth-date", "2015-01-01",
        "--municipality", "city", "--number", SOCIAL, *ON,
    )  # fmt: skip
    pfdo.json("certificate", "fund", SOCIAL, "--period", "2025", "--category", "social", *ON)
    return pfdo


def _enroll(pfdo: Pfdo) -> dict[str, object]:
    result: dict[str, object] = pfdo.json(
        "enroll", SOCIAL, "--program", "swim", "--start", "2025-02-10", "--end", "2025-04-30",
        "--on", "2025-02-01",
    )  # fmt: skip
    return result


def test_a_category_in_hours_and_a_program_offering_hours(pfdo: Pfdo) -> None:
    _social_year(pfdo)
    (period,) = pfdo.json("period", "list")["periods"]
    (category,) = period["categories"]
    assert (category["unit"], category["nominal"], category["sum_limit"]) == (
        "hours",
        "30.00",
        "100.00",
    )
    (program,) = pfdo.json("program", "list")["programs"]
    assert (program["hours_per_month"], program["hour_cost"]) == ("8.00", "169.55")


def test_an_enrolment_bills_hours_and_the_register_pays_rubles(pfdo: Pfdo) -> None:
    _social_year(pfdo)
    enrolment = _enroll(pfdo)
    assert (enrolment["unit"], enrolment["price"], enrolment["parent_share"]) == (
        "hours",
        "21.42",
        "0.00",
    )
    billed = pfdo.json("bill", "--month", "2025-02", "--on", "2025-03-01")
    assert (billed["charged"], billed["charged_hours"]) == ("0.00", "5.42")
    register = pfdo.json("register", "--provider", "pool", "--month", "2025-02")
    assert (register["total_certificate"], register["total_hours"]) == ("918.96", "5.42")
    (line,) = register["lines"]
    assert (line["certificate"], line["hours"], line["unit"]) == ("918.96", "5.42", "hours")
    report = pfdo.json("report", "period", "2025")
    assert report["totals_hours"]["spent"] == "5.42"
    assert report["totals"]["spent"] == "0.00"
    text = pfdo("report", "period", "2025")
    assert text.exit_code == 0 and "categories in hours:" in text.stdout
    assert pfdo.json("audit", "verify")["ok"] is True


def test_an_enrolment_short_of_hours_exits_1_and_writes_nothing(pfdo: Pfdo) -> None:
    _social_year(pfdo, nominal="21.41")
    events = pfdo.events()
    error = pfdo.refused(
        "enroll", SOCIAL, "--program", "swim", "--start", "2025-02-10", "--end", "2025-04-30",
        "--on", "2025-02-01",
    )  # fmt: skip
    assert error == (
        "Error: the contract needs 21.42 hours but only 21.41 hours are available: "
        "there is no co-payment in hours"
    )
    assert pfdo.events() == events


def test_a_malformed_unit_or_half_an_hours_offer_exits_2_and_writes_nothing(pfdo: Pfdo) -> None:
    stderr = pfdo.malformed(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "social=30,unit=minutes", *ON,
    )  # fmt: skip
    assert "unit 'minutes' in 'social=30,unit=minutes' is not one of rub, hours" in stderr
    pfdo.json("provider", "add", "pool", "--name", "Pool", *ON)
    events = pfdo.events()
    stderr = pfdo.malformed(
        "program", "add", "swim", "--provider", "pool", "--title", "Swimming",
        "--monthly-price", "3000", "--hours-per-month", "8", "--min-age", "5",
        "--max-age", "17", *ON,
    )  # fmt: skip
    assert "hours_per_month and hour_cost go together" in stderr
    assert pfdo.events() == events
