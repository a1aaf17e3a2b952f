"""How each kind of certificate movement changes a balance.

One table of deltas serves the live balances, the balance as of a past business date and
the invariant checks, so the three can never disagree on what a movement means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

BALANCE_FIELDS = ("nominal", "credited", "available", "reserved", "spent", "expired")

#: kind -> {balance field: sign}
KIND_DELTAS: Mapping[str, Mapping[str, int]] = {
    "funded": {"nominal": 1, "credited": 1, "available": 1},
    "nominal_changed": {"nominal": 1, "credited": 1, "available": 1},
    "reserved": {"available": -1, "reserved": 1},
    "charged": {"reserved": -1, "spent": 1},
    "released": {"reserved": -1, "available": 1},
    "refunded": {"spent": -1, "available": 1},
    "expired": {"available": -1, "expired": 1},
}

MOVEMENT_KINDS = tuple(KIND_DELTAS)


def empty_balance() -> dict[str, int]:
    return dict.fromkeys(BALANCE_FIELDS, 0)


def apply_movement(balance: MutableMapping[str, int], kind: str, amount: int) -> None:
    """Add one movement to a balance, in place."""
    for field, sign in KIND_DELTAS[kind].items():
        balance[field] += sign * amount


def fold_balances(moves: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """Balances per period from (period, kind, amount) movements in log order."""
    result: dict[str, dict[str, int]] = {}
    for period, kind, amount in moves:
        apply_movement(result.setdefault(period, empty_balance()), kind, amount)
    return result
