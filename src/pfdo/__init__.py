"""pfdo: an event-sourced accounting engine for personalised financing of children's
supplementary education (ПФДО).

Embed it with `Ledger`; every refusal is a `PfdoError`.

- `Ledger` (`pfdo.ledger`): open a store, run the writing commands, read the reports
  (`pfdo.reports.Reports`), write the exports (`pfdo.exports.desk.Desk`), run the
  commands of regional practice (`pfdo.practice.RegionalPractice`); `Ledger.bulk()`
  runs many commands in few transactions.
- The errors (`pfdo.domain.errors`): `InvalidInput` for malformed input, `Refused` and
  its subclasses (`NotFound`, `AlreadyExists`, `PeriodClosed`, `LimitExceeded`,
  `IdempotencyConflict`) for what the rules refuse, `StoreUnavailable` (`NoStore`) and
  `ConcurrencyConflict` for the store. Each method's `Raises:` says which and when.
- The results: `pfdo.results` (commands and reports), `pfdo.exports.results` (exports
  and the period report), `pfdo.audit.results` (the auditor's); amounts are kopecks as
  integers (`pfdo.types.Kopecks`), or hundredths of an hour for a `unit` of `hours`.
- The auditor: `Ledger.auditor()` or `pfdo.audit.auditor.Auditor.open()`.

The rules cited as "rule N" are those of docs/RULES.md; docs/API.md is the guide to this
reference.
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
