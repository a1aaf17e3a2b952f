"""pfdo: an event-sourced accounting engine for personalised financing of children's
supplementary education (ПФДО).

Embed it with `Ledger`; every refusal is a `PfdoError`.
"""

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
from pfdo.ledger import Ledger

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
