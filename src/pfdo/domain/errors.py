"""One error hierarchy for every refusal pfdo makes.

Every message names what was refused and why, so an operator can act on it without
reading code. `InvalidInput` is malformed input (the CLI exits 2); every other
`PfdoError` is a refusal by the rules (the CLI exits 1).
"""

from __future__ import annotations

from typing import ClassVar


class PfdoError(Exception):
    """Root of every error pfdo raises on purpose.

    `code` is stable and machine-readable (`invalid_input`, `not_found`, `capacity`, ...):
    a program branches on it, never on the text. The HTTP service answers with the same
    code.
    """

    code: ClassVar[str] = "error"

    def __init__(self, message: str = "", **params: object) -> None:
        super().__init__(message)
        self.params: dict[str, str] = {k: str(v) for k, v in params.items() if v is not None}
        """What the error is about, by name (`program`, `number`, `period`, `contract`, ...):
        the catalogue (`pfdo.application.messages`) names them in the caller's language."""


class InvalidInput(PfdoError):
    """Input that cannot be understood: a bad amount, date, month or identifier."""

    code: ClassVar[str] = "invalid_input"

    def __init__(
        self, message: str, fields: tuple[tuple[str, str], ...] = (), **params: object
    ) -> None:
        super().__init__(message, **params)
        self.fields = fields
        """The input's fields at fault, each with its reason: `(("dates", "not a list"),)`."""


class Refused(PfdoError):
    """A well-formed command that the rules (docs/RULES.md) refuse; a subclass says why."""

    code: ClassVar[str] = "refused"


class NotFound(Refused):
    """The command names a period, certificate, program, ... that does not exist."""

    code: ClassVar[str] = "not_found"


class AlreadyExists(Refused):
    """The command would create something that exists already."""

    code: ClassVar[str] = "already_exists"


class PeriodClosed(Refused):
    """A closed period accepts no more commands."""

    code: ClassVar[str] = "period_closed"


class CertificateAnnulled(Refused):
    """An annulled certificate accepts no more commands (rule 24)."""

    code: ClassVar[str] = "certificate_annulled"


class LimitExceeded(Refused):
    """A category's count or sum limit, or a program's capacity, would be exceeded."""

    code: ClassVar[str] = "limit_exceeded"


class Capacity(LimitExceeded):
    """A program is full: it has as many contracts at once as its capacity on a day asked for."""

    code: ClassVar[str] = "capacity"


class Age(Refused):
    """The child's age is outside what the rule allows (a certificate, a funding, a program's
    band, the eighteenth birthday before a contract's end)."""

    code: ClassVar[str] = "age"


class Overlap(Refused):
    """Dates overlap what they may not: a contract of the same certificate in the same
    program (rule 14), or another period of the municipality."""

    code: ClassVar[str] = "overlap"


class NotFunded(Refused):
    """The certificate is not funded for the period the command needs money of."""

    code: ClassVar[str] = "not_funded"


class InsufficientHours(Refused):
    """A social certificate has fewer person-hours available than the contract needs (rule
    21: there is no co-payment in hours)."""

    code: ClassVar[str] = "insufficient_hours"


class IdempotencyConflict(Refused):
    """A request id was reused with other arguments."""

    code: ClassVar[str] = "idempotency_conflict"


class StoreUnavailable(PfdoError):
    """The store cannot be opened: the server is unreachable, refuses us, or is missing."""

    code: ClassVar[str] = "store_unavailable"


class NoStore(StoreUnavailable):
    """There is no pfdo store where one was to be read (and reading creates none)."""

    code: ClassVar[str] = "store_unavailable"


class ConcurrencyConflict(PfdoError):
    """Other writers kept changing the same records; the command was not applied."""

    code: ClassVar[str] = "concurrency_conflict"
