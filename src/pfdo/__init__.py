"""pfdo: an event-sourced accounting engine for personalised financing of children's
supplementary education (ПФДО).

Embed it with `Ledger`; every refusal is a `PfdoError`.

- `Ledger` (`pfdo.ledger`): open a store, run the writing commands, read the reports
  (`pfdo.application.reports.Reports`), write the exports
  (`pfdo.desk.exports.desk.Desk`), run the commands of regional practice
  (`pfdo.application.practice.RegionalPractice`); `Ledger.bulk()` runs many commands in
  few transactions.
- The errors (`pfdo.domain.errors`): `InvalidInput` for malformed input, `Refused` and
  its subclasses (`NotFound`, `AlreadyExists`, `PeriodClosed`, `LimitExceeded` and its
  `Capacity`, `Age`, `Overlap`, `NotFunded`, `InsufficientHours`, `CertificateAnnulled`,
  `IdempotencyConflict`) for what the rules refuse, `StoreUnavailable` (`NoStore`) and
  `ConcurrencyConflict` for the store. Each method's `Raises:` says which and when.
- The results: `pfdo.application.results` (commands and reports),
  `pfdo.desk.exports.export_results` (exports and the period report),
  `pfdo.audit.audit_results` (the auditor's); amounts are kopecks as integers
  (`pfdo.application.fields.Kopecks`), or hundredths of an hour for a `unit` of `hours`.
- The auditor: `Ledger.auditor()` or `pfdo.audit.auditor.Auditor.open()`.

The rules cited as "rule N" are those of docs/RULES.md; docs/API.md is the guide to this
reference.
"""

from typing import TYPE_CHECKING, Any

from pfdo.domain.errors import (
    Age,
    AlreadyExists,
    Capacity,
    CertificateAnnulled,
    ConcurrencyConflict,
    IdempotencyConflict,
    InsufficientHours,
    InvalidInput,
    LimitExceeded,
    NoStore,
    NotFound,
    NotFunded,
    Overlap,
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

        globals()["Ledger"] = Ledger  # the next look finds it as any module attribute
        return Ledger
    raise AttributeError(f"module 'pfdo' has no attribute {name!r}")


__all__ = [
    "Age",
    "AlreadyExists",
    "Capacity",
    "CertificateAnnulled",
    "ConcurrencyConflict",
    "IdempotencyConflict",
    "InsufficientHours",
    "InvalidInput",
    "Ledger",
    "LimitExceeded",
    "NoStore",
    "NotFound",
    "NotFunded",
    "Overlap",
    "PeriodClosed",
    "PfdoError",
    "Refused",
    "StoreUnavailable",
]
