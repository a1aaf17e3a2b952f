"""How each kind of certificate movement changes a balance, as the read models use it.

The table itself is the domain's (`pfdo.domain.balance`): the certificate aggregate, the
live balances, the balance as of a past business date and the invariant checks all apply
it, so none of them can disagree on what a movement means. This module names it for the
projections and the reports.
"""

from __future__ import annotations

from pfdo.domain.balance import (
    BALANCE_FIELDS,
    KIND_DELTAS,
    MOVEMENT_KINDS,
    apply_movement,
    empty_balance,
    fold_balances,
)

__all__ = [
    "BALANCE_FIELDS",
    "KIND_DELTAS",
    "MOVEMENT_KINDS",
    "apply_movement",
    "empty_balance",
    "fold_balances",
]
