"""What a decision reads with: the aggregates by key or id, and the few read-model
queries some decisions need.

Every decision takes a `Reader`, never the executor: `pfdo.application.execution.Executor`
is the one on a store (loads from the log or from what earlier commands kept warm, the
queries on the read models), and a test can give a decision an in-memory one instead.
A decision whose rules read the read models calls `settle` first (they then hold
everything committed before it), then queries.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from pfdo.projections.settlement_queries import InvoiceBasis, Line
    from pfdo.storage.pseudonyms import Pseudonyms

A = TypeVar("A", bound=Aggregate)


class Reader(Protocol):
    """The reads of a decision (`pfdo.domain.funding.Records` is a part of it)."""

    # -- aggregates -----------------------------------------------------------------

    @property
    def ids(self) -> Pseudonyms:
        """How the store derives the ids that are functions of personal data."""
        ...

    def find(self, cls: type[A], key: str) -> A | None:
        """The aggregate of kind `cls` named `key`, or None."""
        ...

    def find_id(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate `aggregate_id`, or None."""
        ...

    def find_ids(
        self, cls: type[A], aggregate_ids: Sequence[UUID], *, watched: bool = True
    ) -> dict[UUID, A | None]:
        """The aggregates `aggregate_ids` (None: not stored), in one batch. Not
        `watched`: a refusal is not decided again when they change."""
        ...

    def get(self, cls: type[A], key: str, what: str) -> A:
        """As `find`; refused as not found (`what` names it) when there is none."""
        ...

    def exists(self, cls: type[Aggregate], key: str) -> bool: ...

    # -- the read models (after `settle`) -----------------------------------------

    def settle(self) -> None:
        """Bring the read models level with everything decided so far."""
        ...

    def funded_numbers(self, period: str, category: str | None = None) -> list[str]:
        """The certificates funded in `period` (in `category`), by number."""
        ...

    def unbilled_months(self, period: str) -> list[str]:
        """`contract month` labels of `period` still open."""
        ...

    def advance_lines(self, provider: str, month: str) -> list[Line]:
        """What an advance of `provider` for `month` is built from (rule 16)."""
        ...

    def invoice_basis(self, provider: str, month: str, invoiced: Collection[str]) -> InvoiceBasis:
        """What an invoice of `provider` for `month` is built from (rule 17)."""
        ...

    def providers_in(self, period: str) -> list[str]:
        """The providers with a contract in `period`."""
        ...

    def register_totals(self, provider: str, months: Collection[str]) -> dict[str, int]:
        """month -> its register's total certificate part."""
        ...
