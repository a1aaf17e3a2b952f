"""Social certificates in person-hours (rules 21, 22 (docs/RULES.md)) through the public API, on
SQLite and PostgreSQL.

Rule 21's example: H 8.00 hours a month, K 169.55 rubles a person-hour, a contract
2025-02-10..2025-04-30: 5.42 / 8.00 / 8.00 hours, paid fixed 918.96 / 1,356.40 / 1,356.40
rubles; attendance with 5 of 6 lessons in February: 4.51 hours (764.67 rubles), 0.91
released. Then a store mixing both units (examples/social_certificates.py) rebuilds to the
same rows, verifies, and replays from its export to the database's figures.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select

from pfdo import Ledger
from pfdo.audit.replay import replay
from pfdo.domain.errors import InvalidInput, LimitExceeded, Refused
from pfdo.projections import tables

PERIOD = "2025-S"
EXAMPLE = Path(__file__).parents[2] / "examples" / "social_certificates.py"
LESSONS = ["2025-02-10", "2025-02-12", "2025-02-17", "2025-02-19", "2025-02-24", "2025-02-26"]


def _region(ledger: Ledger, *, nominal: str = "30", sum_limit: str | None = None) -> str:
    spec: dict[str, Any] = {"nominal": nominal, "unit": "hours"}
    if sum_limit is not None:
        spec["sum"] = sum_limit
    ledger.open_period(
        PERIOD, municipality="m", start="2025-01-01", end="2025-12-31",
        categories={"social": spec}, on="2025-01-01",
    )  # fmt: skip
    ledger.period_settings(PERIOD, advance=80, on="2025-01-01")
    ledger.add_provider("POOL", name="Бассейн", on="2025-01-01")
    ledger.add_program(
        "SWIM", provider="POOL", title="Плавание", monthly_price="3000", hours_per_month="8",
        hour_cost="169.55", min_age=5, max_age=17, on="2025-01-01",
    )  # fmt: skip
    number = ledger.issue_certificate(
        child="c1", birth_date="2015-01-01", municipality="m", on="2025-01-01"
    ).number
    ledger.fund_certificate(number, period=PERIOD, category="social", on="2025-01-02")
    return number


def _enrol(ledger: Ledger, number: str, mode: str = "fixed") -> str:
    return ledger.enroll(
        number, program="SWIM", start="2025-02-10", end="2025-04-30", mode=mode, on="2025-02-01"
    ).contract


def _json(model: Any) -> Any:
    return model.model_dump(mode="json")


def test_an_hours_contract_reserves_rule_21s_hours_with_no_co_payment(ledger: Ledger) -> None:
    number = _region(ledger)
    enrolment = ledger.enroll(
        number, program="SWIM", start="2025-02-10", end="2025-04-30", on="2025-02-01"
    )
    got = _json(enrolment)
    assert (got["unit"], got["hour_cost"], got["price"], got["parent_share"]) == (
        "hours",
        "169.55",
        "21.42",
        "0.00",
    )
    assert [(m["price"], m["certificate"]) for m in got["months"]] == [
        ("5.42", "5.42"),
        ("8.00", "8.00"),
        ("8.00", "8.00"),
    ]
    (pot,) = _json(ledger.balance(number))["periods"]
    assert (pot["unit"], pot["available"], pot["reserved"]) == ("hours", "8.58", "21.42")
    moves = _json(ledger.history(number))["movements"]
    assert [(m["kind"], m["amount"], m["unit"]) for m in moves] == [
        ("funded", "30.00", "hours"),
        ("reserved", "21.42", "hours"),
    ]


def test_fixed_billing_charges_hours_and_the_register_pays_rubles(ledger: Ledger) -> None:
    number = _region(ledger)
    contract = _enrol(ledger, number)
    paid, hours = [], []
    for month, on in (
        ("2025-02", "2025-03-01"),
        ("2025-03", "2025-04-01"),
        ("2025-04", "2025-05-01"),
    ):
        run = _json(ledger.bill(month, on=on))
        assert (run["charged"], run["charged_hours"]) == ("0.00", run["charged_hours"])
        (line,) = _json(ledger.register("POOL", month=month))["lines"]
        assert (line["contract"], line["unit"], line["parent"]) == (contract, "hours", "0.00")
        paid.append(line["certificate"])
        hours.append(line["hours"])
    assert paid == ["918.96", "1356.40", "1356.40"]
    assert hours == ["5.42", "8.00", "8.00"]
    (pot,) = _json(ledger.balance(number))["periods"]
    assert (pot["spent"], pot["reserved"], pot["available"]) == ("21.42", "0.00", "8.58")
    (past,) = _json(ledger.balance(number, as_of="2025-03-15"))["periods"]
    assert (past["unit"], past["spent"], past["reserved"]) == ("hours", "5.42", "16.00")
    moves = _json(ledger.history(number, as_of="2025-03-15"))["movements"]
    assert {m["unit"] for m in moves} == {"hours"} and moves[-1]["amount"] == "5.42"


def test_attendance_charges_floor_h_a_over_n_and_releases_the_rest(ledger: Ledger) -> None:
    number = _region(ledger)
    contract = _enrol(ledger, number, mode="attendance")
    ledger.record_attendance(contract, dates=LESSONS[:2] + LESSONS[3:], on="2025-02-28")
    ledger.record_attendance(contract, dates=[LESSONS[2]], present=False, on="2025-02-28")
    run = _json(ledger.bill("2025-02", on="2025-03-01"))
    assert (run["charged_hours"], run["released_hours"], run["charged"]) == ("4.51", "0.91", "0.00")
    register = _json(ledger.register("POOL", month="2025-02"))
    assert (register["total_certificate"], register["total_hours"]) == ("764.67", "4.51")
    (pot,) = _json(ledger.balance(number))["periods"]
    assert (pot["spent"], pot["available"], pot["reserved"]) == ("4.51", "9.49", "16.00")


def test_an_enrolment_one_hundredth_of_an_hour_short_is_refused_and_writes_nothing(
    ledger: Ledger,
) -> None:
    number = _region(ledger, nominal="21.41")
    before = ledger.log_position()
    with pytest.raises(Refused, match=r"needs 21.42 hours but only 21.41 hours are available"):
        _enrol(ledger, number)
    assert ledger.log_position() == before
    assert _json(ledger.balance(number))["periods"][0]["reserved"] == "0.00"


def test_advances_and_invoices_of_hours_contracts_are_in_rubles(ledger: Ledger) -> None:
    number = _region(ledger)
    contract = _enrol(ledger, number)
    advance = _json(ledger.issue_advance(provider="POOL", month="2025-02", on="2025-02-15"))
    assert advance["lines"] == [{"contract": contract, "number": number, "amount": "735.16"}]
    ledger.bill("2025-02", on="2025-03-01")
    invoice = _json(ledger.issue_invoice(provider="POOL", month="2025-02", on="2025-03-01"))
    assert (invoice["amount"], invoice["advance"], invoice["due"]) == ("918.96", "735.16", "183.80")
    ledger.correct(contract, month="2025-02", refund="1", reason="pool closed", on="2025-03-02")
    assert _json(ledger.register("POOL", month="2025-02"))["lines"][0]["certificate"] == "749.41"
    ledger.bill("2025-03", on="2025-04-01")
    march = _json(ledger.issue_invoice(provider="POOL", month="2025-03", on="2025-04-01"))
    assert (march["amount"], march["adjustments"]) == ("1356.40", "169.55")  # 1.00 h refunded
    assert ledger.auditor().verify().ok


def test_limits_of_an_hours_category_count_hours(ledger: Ledger) -> None:
    _region(ledger, sum_limit="50")
    second = ledger.issue_certificate(
        child="c2", birth_date="2015-01-01", municipality="m", on="2025-01-01"
    ).number
    with pytest.raises(LimitExceeded, match=r"30.00 funded \+ 30.00 > 50.00"):
        ledger.fund_certificate(second, period=PERIOD, category="social", on="2025-01-02")
    queued = _json(
        ledger.fund_certificate(
            second, period=PERIOD, category="social", queue=True, on="2025-01-02"
        )
    )
    assert queued["position"] == 1
    served = _json(ledger.change_limits(PERIOD, category="social", sum="60", on="2025-01-03"))
    assert (served["unit"], served["sum"], served["funded_from_queue"]) == (
        "hours",
        "60.00",
        [second],
    )


def test_a_program_needs_both_hours_and_a_cost_of_an_hour(ledger: Ledger) -> None:
    ledger.add_provider("POOL", name="Бассейн", on="2025-01-01")
    with pytest.raises(InvalidInput, match="hours_per_month and hour_cost go together"):
        ledger.add_program(
            "SWIM", provider="POOL", title="Плавание", monthly_price="3000",
            hours_per_month="8", min_age=5, max_age=17, on="2025-01-01",
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="hours_per_month"):
        ledger.add_program(
            "SWIM", provider="POOL", title="Плавание", monthly_price="3000",
            hours_per_month="8.001", hour_cost="100", min_age=5, max_age=17, on="2025-01-01",
        )  # fmt: skip


# -- a store mixing both units ------------------------------------------------------------


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("social_certificates", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    with ledger._engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(r) for r in connection.execute(select(table)).mappings()), key=repr
            )
            for table in tables.FOLDED_TABLES
        }


def test_a_store_of_both_units_rebuilds_verifies_and_replays(
    ledger: Ledger, tmp_path: Path
) -> None:
    example = _example()
    numbers, refusals = example.play(ledger)
    assert refusals == [
        "child-4: SWIM 2025-07-01..2025-12-31 asks for more hours than the 40.00 credited"
    ]
    ledger.catch_up()
    live = _rows(ledger)
    assert {r["unit"] for r in live["pfdo_balances"]} == {"rub", "hours"}
    assert {r["unit"] for r in live["pfdo_contract_months"]} == {"rub", "hours"}
    ledger.rebuild()
    assert _rows(ledger) == live
    verification = ledger.auditor().verify()
    assert verification.ok, verification.problems
    explained = ledger.auditor().explain(numbers[0], period=example.HOURS)
    assert explained.ok and explained.unit == "hours"
    out = tmp_path / "log.jsonl"
    ledger.auditor().export(out)
    replayed = replay(out)
    assert replayed.ok, replayed.problems
    by_unit = {(p.period, p.unit): p for p in replayed.periods}
    for period in (example.RUBLES, example.HOURS):
        pots = [ledger.balance(n, period=period).periods[0] for n in numbers]
        (unit,) = {pot.unit for pot in pots}
        assert by_unit[period, unit].spent == sum(pot.spent for pot in pots)
        assert by_unit[period, unit].expired == sum(pot.expired for pot in pots)
    for line in replayed.registers:
        register = ledger.register(line.provider, month=line.month)
        assert (line.certificate, line.hours) == (register.total_certificate, register.total_hours)
