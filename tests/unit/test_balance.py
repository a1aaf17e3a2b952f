"""What each movement of certificate money does to a balance (the one table)."""

from __future__ import annotations

import pytest

from pfdo.domain.balance import (
    BALANCE_FIELDS,
    MOVEMENT_KINDS,
    POT_FIELDS,
    apply_movement,
    delta,
    empty_balance,
    fold_balances,
    formula,
)


def test_funding_credits_the_nominal_and_makes_it_available() -> None:
    balance = empty_balance()
    apply_movement(balance, "funded", 1200000)
    assert balance == {
        "nominal": 1200000,
        "credited": 1200000,
        "available": 1200000,
        "reserved": 0,
        "spent": 0,
        "expired": 0,
    }


def test_a_year_of_movements_ends_with_what_was_neither_spent_nor_expired_at_zero() -> None:
    # 12000.00 funded, 4322.58 reserved, 822.58 charged, 3500.00 released at termination,
    # 100.00 refunded, and at close the 11277.42 still available expires
    moves = [
        ("funded", 1200000),
        ("reserved", 432258),
        ("charged", 82258),
        ("released", 350000),
        ("refunded", 10000),
        ("expired", 1127742),
    ]
    (balance,) = fold_balances(("2025", kind, amount) for kind, amount in moves).values()
    assert balance == {
        "nominal": 1200000,
        "credited": 1200000,
        "available": 0,
        "reserved": 0,
        "spent": 72258,
        "expired": 1127742,
    }


@pytest.mark.parametrize("kind", MOVEMENT_KINDS)
def test_every_movement_keeps_credited_equal_to_the_sum_of_the_four_parts(kind: str) -> None:
    balance = {"nominal": 0, "credited": 900, "available": 500, "reserved": 200, "spent": 150}
    balance["expired"] = 50
    apply_movement(balance, kind, 30)
    parts = balance["available"] + balance["reserved"] + balance["spent"] + balance["expired"]
    assert balance["credited"] == parts


@pytest.mark.parametrize(
    ("kind", "source", "target"),
    [
        ("reserved", "available", "reserved"),
        ("charged", "reserved", "spent"),
        ("released", "reserved", "available"),
        ("refunded", "spent", "available"),
        ("expired", "available", "expired"),
    ],
)
def test_a_movement_inside_the_pot_takes_from_one_part_and_gives_to_another(
    kind: str, source: str, target: str
) -> None:
    changes = {f: delta(kind, 100, f) for f in BALANCE_FIELDS if delta(kind, 100, f)}
    assert changes == {source: -100, target: 100}


def test_a_certificates_pot_keeps_no_nominal_but_moves_the_same_money() -> None:
    pot = empty_balance(POT_FIELDS)
    apply_movement(pot, "funded", 1200000, POT_FIELDS)
    apply_movement(pot, "nominal_changed", 50050, POT_FIELDS)
    assert pot == {
        "credited": 1250050,
        "available": 1250050,
        "reserved": 0,
        "spent": 0,
        "expired": 0,
    }


def test_each_periods_money_is_a_separate_pot() -> None:
    balances = fold_balances([("2025", "funded", 1200000), ("2026", "funded", 1500000)])
    assert {p: b["available"] for p, b in balances.items()} == {"2025": 1200000, "2026": 1500000}


def test_each_field_reads_as_a_sum_of_movement_kinds() -> None:
    assert formula("available") == (
        "funded + nominal_changed - reserved + released + refunded - expired - unfunded"
    )
    assert formula("reserved") == "reserved - charged - released"
    assert formula("spent") == "charged - refunded"
