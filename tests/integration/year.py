"""A small municipality year written in the domain's own words, for the rule tests."""

from __future__ import annotations

from pfdo import Ledger

PERIOD = "2025"
TOWN = "kazan"


def open_year(
    ledger: Ledger, *, nominal: str = "12000", count: int | None = None, total: str | None = None
) -> None:
    """Period 2025 with category `base`; provider P1 with programs CHESS and SWIM."""
    category: dict[str, object] = {"nominal": nominal}
    if count is not None:
        category["count"] = count
    if total is not None:
        category["sum"] = total
    ledger.open_period(
        PERIOD,
        municipality=TOWN,
        start="2025-01-01",
        end="2025-12-31",
        categories={"base": category},
        on="2024-12-20",
    )
    ledger.add_provider("P1", name="Школа №1", kind="municipal", on="2024-12-20")
    ledger.add_program(
        "CHESS",
        provider="P1",
        title="Шахматы",
        monthly_price="1500",
        min_age=6,
        max_age=12,
        on="2024-12-20",
    )
    ledger.add_program(
        "SWIM",
        provider="P1",
        title="Плавание",
        monthly_price="3000",
        min_age=5,
        max_age=17,
        capacity=1,
        on="2024-12-20",
    )


def funded_child(
    ledger: Ledger, child: str = "child-1", born: str = "2015-05-01", number: str | None = None
) -> str:
    """Issue and fund a certificate for a child (numbered by pfdo unless `number` is given);
    return its number."""
    number = ledger.issue_certificate(
        child=child, birth_date=born, municipality=TOWN, number=number, on="2025-01-05"
    ).number
    ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-06")
    return number


def pot(ledger: Ledger, number: str) -> dict[str, int]:
    """The certificate's 2025 balance as plain kopecks."""
    (line,) = ledger.balance(number, period=PERIOD).periods
    return {k: getattr(line, k) for k in ("credited", "available", "reserved", "spent", "expired")}
