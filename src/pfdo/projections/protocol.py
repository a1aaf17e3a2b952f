"""What the projector folds in the transaction that moves its position: the protocol.

Catch-up and rebuild are the runner's (`runner.py`); what a page of the log changes is
each fold's own. The read models (`read_models.py`) are one such fold and the audit hash
chain (`pfdo.projections.chain`) another: whoever builds the `Projector` passes them as a list,
so the runner knows neither, and projections import nothing of the auditor's toolkit.

A fold writes only on the connection it is given: the position row is locked there and
the new position is written there, so the folds and the position commit together or not
at all, and no event is folded twice nor skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from pfdo.storage.loading import LoggedEvent


@dataclass(frozen=True)
class Page:
    """Events next in line to fold: the stored events after position `after`, and, when
    they are the recordings of a save just made, their domain events (`recorded`, as
    (position, event) pairs), so a fold need not decode them again."""

    after: int
    events: Sequence[LoggedEvent]
    recorded: Sequence[tuple[int, Any]] | None = None


class Rebuilding(Protocol):
    """One fold's part in a rebuild, inside the rebuild's one transaction."""

    def fold(self, page: Page) -> None:
        """Fold the next page of the whole log."""

    def complete(self, through: int) -> None:
        """The log has been read up to position `through`: write what is left."""


class SameTransactionFold(Protocol):
    """A fold the projector runs in the transaction that moves its position."""

    def ensure_schema(self, engine: Engine) -> None:
        """Create the fold's tables (and any rows it needs) on first use."""

    def outdated(self, connection: Connection) -> bool:
        """Whether what the fold has stored must be made anew by a rebuild first."""

    def extend(self, connection: Connection, page: Page) -> None:
        """Fold `page`, the events after the position locked on `connection`."""

    def rebuilding(self, connection: Connection) -> Rebuilding:
        """Start folding the whole log again on `connection` (from an empty state)."""
