"""One error hierarchy for every refusal pfdo makes.

Every message names what was refused and why, so an operator can act on it without
reading code. `InvalidInput` is malformed input (the CLI exits 2); every other
`PfdoError` is a refusal by the rules (the CLI exits 1).
"""

from __future__ import annotations


class PfdoError(Exception):
    """Root of every error pfdo raises on purpose."""


class InvalidInput(PfdoError):
    """Input that cannot be understood: a bad amount, date, month or identifier."""


class Refused(PfdoError):
    """A well-formed command that the rules (docs/RULES.md) refuse; a subclass says why."""


class NotFound(Refused):
    """The command names a period, certificate, program, ... that does not exist."""


class AlreadyExists(Refused):
    """The command would create something that exists already."""


class PeriodClosed(Refused):
    """A closed period accepts no more commands."""


class CertificateAnnulled(Refused):
    """An annulled certificate accepts no more commands (rule 24)."""


class LimitExceeded(Refused):
    """A category's count or sum limit, or a program's capacity, would be exceeded."""


class IdempotencyConflict(Refused):
    """A request id was reused with other arguments."""


class StoreUnavailable(PfdoError):
    """The store cannot be opened: the server is unreachable, refuses us, or is missing."""


class NoStore(StoreUnavailable):
    """There is no pfdo store where one was to be read (and reading creates none)."""


class ConcurrencyConflict(PfdoError):
    """Other writers kept changing the same records; the command was not applied."""
