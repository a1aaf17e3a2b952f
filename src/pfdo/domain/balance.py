"""What each movement of certificate money does to a balance, defined once.

A certificate's money for one period is a balance of five amounts that always add up:
`credited = available + reserved + spent + expired`. Every movement moves one amount
between them, or credits the pot from outside, so the identity holds by construction:

| movement        | from      | to        | rule |
|-----------------|-----------|-----------|------|
| funded          | (outside) | available | 3    |
| nominal_changed | (outside) | available | 13   |
| reserved        | available | reserved  | 7    |
| charged         | reserved  | spent     | 9    |
| released        | reserved  | available | 9-10 |
| refunded        | spent     | available | 11   |
| expired         | available | expired   | 12   |
| unfunded        | available | (outside) | 20   |

A credit from outside raises `credited` and, in the read models' balances, `nominal`;
unfunding takes the credit back out (it is allowed only while nothing is reserved or
spent, so it empties the pot).
The certificate aggregate keeps the five amounts (its pot has no `nominal`); the
projections, the reports and the auditor keep all six; all of them apply this table.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, MutableMapping

#: Every amount of a balance as the read models keep it.
BALANCE_FIELDS = ("nominal", "credited", "available", "reserved", "spent", "expired")

#: The amounts of a certificate's pot: the balance without the reported nominal.
POT_FIELDS = ("credited", "available", "reserved", "spent", "expired")

#: movement kind -> {balance field: sign of the movement's amount in it}
KIND_DELTAS: Mapping[str, Mapping[str, int]] = {
    "funded": {"nominal": 1, "credited": 1, "available": 1},
    "nominal_changed": {"nominal": 1, "credited": 1, "available": 1},
    "reserved": {"available": -1, "reserved": 1},
    "charged": {"reserved": -1, "spent": 1},
    "released": {"reserved": -1, "available": 1},
    "refunded": {"spent": -1, "available": 1},
    "expired": {"available": -1, "expired": 1},
    "unfunded": {"nominal": -1, "credited": -1, "available": -1},
}

MOVEMENT_KINDS = tuple(KIND_DELTAS)


def empty_balance(fields: Collection[str] = BALANCE_FIELDS) -> dict[str, int]:
    """A balance with nothing in it."""
    return dict.fromkeys(fields, 0)


def delta(kind: str, amount: int, field: str) -> int:
    """How much a movement of `kind` and `amount` changes one field of a balance."""
    return KIND_DELTAS[kind].get(field, 0) * amount


def formula(field: str) -> str:
    """A field as a sum of movement kinds, for people: `reserved - charged - released`."""
    terms = [(sign, kind) for kind, deltas in KIND_DELTAS.items() if (sign := deltas.get(field))]
    text = " ".join(f"{'+' if sign > 0 else '-'} {kind}" for sign, kind in terms)
    return text.removeprefix("+ ")


def apply_movement(
    balance: MutableMapping[str, int],
    kind: str,
    amount: int,
    fields: Collection[str] = BALANCE_FIELDS,
) -> None:
    """Add one movement to a balance, in place, in each of `fields` that it changes."""
    for field, sign in KIND_DELTAS[kind].items():
        if field in fields:
            balance[field] += sign * amount


def fold_balances(moves: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """Balances per period from (period, kind, amount) movements in log order."""
    result: dict[str, dict[str, int]] = {}
    for period, kind, amount in moves:
        apply_movement(result.setdefault(period, empty_balance()), kind, amount)
    return result
