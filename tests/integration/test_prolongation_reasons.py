"""Rule 23's reasons not covered elsewhere: the provider excluded from the registry
(`program_closed`) and the child who turns 18 within the successor's dates (`age`), each
with the figures the run leaves (and a contract of another provider prolonged beside)."""

from __future__ import annotations

from datetime import date

from integration.year import funded_child, open_year
from pfdo import Ledger

NEXT = "2026"
ASKED = date(2026, 5, 31)


def next_year_funded(ledger: Ledger, *numbers: str) -> None:
    """Period 2026 with a nominal of 5,000.00, every one of `numbers` funded for it."""
    ledger.open_period(
        NEXT,
        municipality="kazan",
        start="2026-01-01",
        end="2026-12-31",
        categories={"base": {"nominal": "5000"}},
        on="2025-12-01",
    )
    for number in numbers:
        ledger.fund_certificate(number, period=NEXT, category="base", on="2025-12-02")


def school_year(ledger: Ledger, number: str, program: str) -> str:
    return ledger.enroll(
        number, program=program, start="2025-09-15", end=ASKED, on="2025-09-01"
    ).contract


def next_pot(ledger: Ledger, number: str) -> tuple[int, int]:
    (pot,) = ledger.balance(number, period=NEXT).periods
    return pot.available, pot.reserved


def test_a_provider_excluded_closes_its_programs_and_the_others_are_prolonged(
    ledger: Ledger,
) -> None:
    open_year(ledger)
    ledger.add_provider("P2", name="Студия", kind="private", on="2024-12-20")
    ledger.add_program(
        "ART", provider="P2", title="Рисунок", monthly_price="2000", min_age=5, max_age=17,
        on="2024-12-20",
    )  # fmt: skip
    chess, art = funded_child(ledger), funded_child(ledger, child="child-2")
    closed, kept = school_year(ledger, chess, "CHESS"), school_year(ledger, art, "ART")
    next_year_funded(ledger, chess, art)
    ledger.exclude_provider("P1", on="2025-12-10")
    run = ledger.prolong(period=NEXT, on="2025-12-20")
    assert [(n.contract, n.reason) for n in run.not_prolonged] == [(closed, "program_closed")]
    assert run.reasons == {"program_closed": 1}
    (line,) = run.prolonged
    assert (line.contract, line.start, line.end) == (kept, date(2026, 1, 1), ASKED)
    # ART at 2,000.00 a month for five months; 5,000.00 from the certificate
    assert (line.price, line.certificate_share, line.parent_share) == (1_000_000, 500_000, 500_000)
    assert next_pot(ledger, chess) == (500_000, 0)  # nothing reserved for the closed one
    assert next_pot(ledger, art) == (0, 500_000)
    card = ledger.contract(closed)
    assert (card.continues_until, card.continued_by) == (ASKED, None)
    # still excluded, still closed: a second run decides it the same way, writes nothing
    again = ledger.prolong(period=NEXT, on="2025-12-21")
    assert (again.prolonged, again.reasons) == ([], {"program_closed": 1})


def test_a_child_who_turns_18_before_the_successor_ends_is_not_prolonged(
    ledger: Ledger,
) -> None:
    open_year(ledger)
    # 17 on 2025-09-15 and on 2026-01-01 (SWIM takes 5-17), 18 on 2026-03-01
    number = funded_child(ledger, born="2008-03-01")
    code = school_year(ledger, number, "SWIM")
    next_year_funded(ledger, number)
    run = ledger.prolong(period=NEXT, on="2025-12-20")
    assert run.prolonged == []
    assert [(n.contract, n.reason) for n in run.not_prolonged] == [(code, "age")]
    assert run.reasons == {"age": 1}
    assert next_pot(ledger, number) == (500_000, 0)
    assert ledger.contract(code).continued_by is None


def test_a_child_who_turns_18_after_the_successor_ends_is_prolonged(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger, born="2008-06-01")  # 18 on 2026-06-01, after May 31
    code = school_year(ledger, number, "SWIM")
    next_year_funded(ledger, number)
    run = ledger.prolong(period=NEXT, on="2025-12-20")
    (line,) = run.prolonged
    assert (line.contract, line.start, line.end) == (code, date(2026, 1, 1), ASKED)
    # SWIM at 3,000.00 a month for five months; 5,000.00 from the certificate
    figures = (line.price, line.certificate_share, line.parent_share)
    assert figures == (1_500_000, 500_000, 1_000_000)
    assert next_pot(ledger, number) == (0, 500_000)
