"""pfdo: an event-sourced accounting engine for personalised financing of children's
supplementary education (ПФДО).

Embed it with `Ledger`; every refusal is a `PfdoError`.
"""

from typing import TYPE_CHECKING, Any

from pfdo.domain.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    LimitExceeded,
    NoStore,
    NotFound,
    PeriodClosed,
    PfdoError,
    Refused,
    StoreUnavailable,
)

if TYPE_CHECKING:
    from pfdo.ledger import Ledger


def __getattr__(name: str) -> Any:
    """`pfdo.Ledger` is imported on first use, so that `pfdo --help` and the command line's
    modules need not load the engine (the store, the projections, the pydantic models)."""
    if name == "Ledger":
        from pfdo.ledger import Ledger

        return Ledger
    raise AttributeError(f"module 'pfdo' has no attribute {name!r}")


__all__ = [
    "AlreadyExists",
    "ConcurrencyConflict",
    "IdempotencyConflict",
    "InvalidInput",
    "Ledger",
    "LimitExceeded",
    "NoStore",
    "NotFound",
    "PeriodClosed",
    "PfdoError",
    "Refused",
    "StoreUnavailable",
]
