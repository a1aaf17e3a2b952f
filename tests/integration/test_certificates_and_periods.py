"""Rules 1-3 and 13: issuing, periods, funding and nominal changes, on a real store."""

from __future__ import annotations

import pytest

from integration.year import PERIOD, TOWN, funded_child, open_year, pot
from pfdo import AlreadyExists, Ledger, LimitExceeded, PeriodClosed, Refused


def test_a_new_certificate_is_an_accounting_certificate_with_a_ten_digit_number(
    ledger: Ledger,
) -> None:
    issued = ledger.issue_certificate(
        child="c1", birth_date="2015-05-01", municipality=TOWN, on="2025-01-05"
    )
    assert len(issued.number) == 10 and issued.number.isdigit()
    balance = ledger.balance(issued.number)
    assert (balance.type, balance.periods) == ("accounting", [])


@pytest.mark.parametrize(("born", "age"), [("2020-01-06", 4), ("2007-01-05", 18)])
def test_certificates_go_only_to_children_aged_5_to_17(ledger: Ledger, born: str, age: int) -> None:
    with pytest.raises(Refused, match=f"child c1 is {age} on 2025-01-05"):
        ledger.issue_certificate(child="c1", birth_date=born, municipality=TOWN, on="2025-01-05")


def test_a_child_gets_one_certificate_only(ledger: Ledger) -> None:
    first = ledger.issue_certificate(
        child="c1", birth_date="2015-05-01", municipality=TOWN, number="1000000001", on="2025-01-05"
    )
    with pytest.raises(AlreadyExists, match=f"child c1 already has certificate {first.number}"):
        ledger.issue_certificate(
            child="c1", birth_date="2015-05-01", municipality=TOWN, on="2025-01-06"
        )
    with pytest.raises(AlreadyExists, match="number 1000000001 is already taken"):
        ledger.issue_certificate(
            child="c2",
            birth_date="2015-05-01",
            municipality=TOWN,
            number="1000000001",
            on="2025-01-06",
        )


def test_a_derived_number_already_taken_gives_the_child_the_next_free_one(
    ledger: Ledger,
) -> None:
    ids = ledger._x.ids
    derived = [ids.certificate_number("c3", attempt) for attempt in range(3)]
    for k, number in enumerate(derived[:2]):  # the child's first two are taken by others
        ledger.issue_certificate(
            child=f"other-{k}",
            birth_date="2015-05-01",
            municipality=TOWN,
            number=number,
            on="2025-01-05",
        )
    issued = ledger.issue_certificate(
        child="c3", birth_date="2015-05-01", municipality=TOWN, on="2025-01-06"
    )
    assert issued.number == derived[2]


def test_periods_of_one_municipality_must_not_overlap(ledger: Ledger) -> None:
    open_year(ledger)
    with pytest.raises(Refused, match="overlaps period 2025"):
        ledger.open_period(
            "2025b",
            municipality=TOWN,
            start="2025-12-01",
            end="2026-06-30",
            categories={"base": {"nominal": "1000"}},
        )
    ledger.open_period(
        "2026",
        municipality=TOWN,
        start="2026-01-01",
        end="2026-12-31",
        categories={"base": {"nominal": "1000"}},
        on="2025-12-01",
    )
    ledger.open_period(
        "2025-elabuga",
        municipality="elabuga",
        start="2025-01-01",
        end="2025-12-31",
        categories={"base": {"nominal": "1000"}},
    )


def test_funding_credits_the_nominal_and_makes_a_financing_certificate(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    assert ledger.balance(number).type == "financing"
    assert pot(ledger, number) == {
        "credited": 1200000,
        "available": 1200000,
        "reserved": 0,
        "spent": 0,
        "expired": 0,
    }


def test_funding_is_refused_twice_for_one_period(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    with pytest.raises(AlreadyExists, match=f"{number} is already funded for period 2025"):
        ledger.fund_certificate(number, period=PERIOD, category="base")
    assert pot(ledger, number)["credited"] == 1200000


def test_funding_is_refused_for_another_municipalitys_certificate(ledger: Ledger) -> None:
    open_year(ledger)
    number = ledger.issue_certificate(
        child="c9", birth_date="2015-05-01", municipality="elabuga", on="2025-01-05"
    ).number
    with pytest.raises(Refused, match="belongs to municipality elabuga, not to kazan"):
        ledger.fund_certificate(number, period=PERIOD, category="base")


def test_funding_is_refused_when_the_child_is_18_at_the_period_start(ledger: Ledger) -> None:
    open_year(ledger)
    number = ledger.issue_certificate(
        child="c9", birth_date="2007-01-01", municipality=TOWN, on="2024-12-31"
    ).number
    with pytest.raises(Refused, match="is 18 on 2025-01-01"):
        ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-02")


def test_the_count_limit_stops_funding(ledger: Ledger) -> None:
    open_year(ledger, count=1)
    funded_child(ledger, "c1")
    number = ledger.issue_certificate(child="c2", birth_date="2015-05-01", municipality=TOWN).number
    with pytest.raises(LimitExceeded, match="count limit of 1"):
        ledger.fund_certificate(number, period=PERIOD, category="base")
    assert ledger.balance(number).type == "accounting"


def test_the_sum_limit_stops_funding(ledger: Ledger) -> None:
    open_year(ledger, total="20000")
    funded_child(ledger, "c1")
    number = ledger.issue_certificate(child="c2", birth_date="2015-05-01", municipality=TOWN).number
    with pytest.raises(LimitExceeded, match="sum limit"):
        ledger.fund_certificate(number, period=PERIOD, category="base")


def test_each_period_is_a_separate_pot(ledger: Ledger) -> None:
    open_year(ledger)
    ledger.open_period(
        "2026",
        municipality=TOWN,
        start="2026-01-01",
        end="2026-12-31",
        categories={"base": {"nominal": "15000"}},
        on="2025-12-01",
    )
    number = funded_child(ledger)
    ledger.fund_certificate(number, period="2026", category="base", on="2025-12-02")
    credited = {p.period: p.credited for p in ledger.balance(number).periods}
    assert credited == {"2025": 1200000, "2026": 1500000}


def test_raising_a_nominal_credits_every_funded_certificate(ledger: Ledger) -> None:
    open_year(ledger)
    first, second = funded_child(ledger, "c1"), funded_child(ledger, "c2")
    changed = ledger.change_nominal(PERIOD, category="base", nominal="12500.50")
    assert (changed.delta, changed.certificates) == (50050, 2)
    for number in (first, second):
        assert pot(ledger, number)["credited"] == 1250050
        assert pot(ledger, number)["available"] == 1250050


def test_lowering_a_nominal_needs_the_difference_available_on_every_certificate(
    ledger: Ledger,
) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.enroll(number, program="SWIM", start="2025-02-01", end="2025-04-30", on="2025-01-20")
    # 9000.00 reserved, 3000.00 available: lowering by 3000.01 is refused, by 3000 allowed
    with pytest.raises(Refused, match=r"lowering category base of period 2025 by 3000\.01"):
        ledger.change_nominal(PERIOD, category="base", nominal="8999.99")
    assert pot(ledger, number)["credited"] == 1200000
    ledger.change_nominal(PERIOD, category="base", nominal="9000")
    assert pot(ledger, number) == {
        "credited": 900000,
        "available": 0,
        "reserved": 900000,
        "spent": 0,
        "expired": 0,
    }


def test_a_closed_period_accepts_no_more_commands(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    closed = ledger.close_period(PERIOD, on="2025-12-31")
    assert (closed.expired, closed.certificates) == (1200000, 1)
    assert pot(ledger, number)["expired"] == 1200000
    other = ledger.issue_certificate(child="c2", birth_date="2015-05-01", municipality=TOWN).number
    with pytest.raises(PeriodClosed, match="period 2025 is closed"):
        ledger.fund_certificate(other, period=PERIOD, category="base")
    with pytest.raises(PeriodClosed):
        ledger.change_nominal(PERIOD, category="base", nominal="13000")
    with pytest.raises(PeriodClosed):
        ledger.close_period(PERIOD, on="2026-01-01")
