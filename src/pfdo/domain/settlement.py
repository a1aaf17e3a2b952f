"""A provider's settlement with the municipality: advances, invoices, payments (rules 16, 17).

Money moves between a certificate and a contract month at billing; what the municipality
pays the provider for that month is settled here, on an aggregate of the provider's own:
an advance inside the month (a share of the certificate parts of its months still open),
then, once every contract month of the month is billed or cancelled, one invoice for the
register's certificate parts. A refund recorded after a month was invoiced (or a charge
that reached it later) changes that month's register but not its invoice: the difference
is an adjustment, deducted in the provider's next invoice. So, over the invoiced months,
`sum(advance + due) - adjustments not yet deducted = net charges`.

Documents are numbered `PROVIDER/YYYY-MM` (the invoice) and `PROVIDER/YYYY-MM-A` (the
advance); each is paid once. The amounts an invoice is built from are read from the
registers by the caller at one log position, which the invoice records (`as_of`), so an
auditor recomputes them exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.calendar import Month, first_day
from pfdo.domain.errors import AlreadyExists, NotFound, Refused

ADVANCE, INVOICE = "advance", "invoice"
_ADVANCE_SUFFIX = "-A"

#: [contract, certificate number, amount] of one line of an advance or an invoice.
Line = list[Any]


class Document(TypedDict):
    """An advance or an invoice as the account keeps it."""

    kind: str
    month: str
    total: int  # an advance's total; an invoice's due
    amount: int
    advance: int
    adjustments: int
    issued_on: str
    paid_on: str | None


def document_number(provider: str, month: Month, kind: str) -> str:
    return f"{provider}/{month}{_ADVANCE_SUFFIX if kind == ADVANCE else ''}"


def parse_document(number: str) -> tuple[str, Month, str]:
    """`PROVIDER/YYYY-MM[-A]` -> (provider, month, kind); NotFound for anything else."""
    provider, _, tail = number.rpartition("/")
    kind = ADVANCE if tail.endswith(_ADVANCE_SUFFIX) else INVOICE
    month = tail.removesuffix(_ADVANCE_SUFFIX)
    if not provider or len(month) != 7 or month[4] != "-" or not month.replace("-", "").isdigit():
        raise NotFound(
            f"{number!r} is not an invoice number: PROVIDER/YYYY-MM, or PROVIDER/YYYY-MM-A "
            "for an advance"
        )
    return provider, month, kind


class ProviderAccount(Aggregate):
    """What the municipality owes a provider, document by document."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        provider: str
        documents: dict[str, Document]
        deducted: int

    class Opened(PfdoCreated):
        provider: str

        def apply(self, aggregate: ProviderAccount) -> None:
            aggregate.provider = self.provider
            aggregate.documents = {}
            aggregate.deducted = 0

    class AdvanceIssued(PfdoEvent):
        provider: str
        invoice: str
        month: str
        lines: list[Line]
        total: int

        def apply(self, aggregate: ProviderAccount) -> None:
            aggregate.documents[self.invoice] = _document(
                ADVANCE, self.month, self.on, total=self.total, amount=self.total
            )

    class InvoiceIssued(PfdoEvent):
        provider: str
        invoice: str
        month: str
        lines: list[Line]
        amount: int
        advance: int
        adjustments: int
        due: int
        as_of: int  # the log position whose registers it was built from

        def apply(self, aggregate: ProviderAccount) -> None:
            aggregate.documents[self.invoice] = _document(
                INVOICE,
                self.month,
                self.on,
                total=self.due,
                amount=self.amount,
                advance=self.advance,
                adjustments=self.adjustments,
            )
            aggregate.deducted += self.adjustments

    class Paid(PfdoEvent):
        provider: str
        invoice: str
        kind: str
        amount: int

        def apply(self, aggregate: ProviderAccount) -> None:
            aggregate.documents[self.invoice]["paid_on"] = self.on.isoformat()

    @staticmethod
    def id_for(provider: str) -> Any:
        return stable_id("provider-account", provider)

    @classmethod
    def open(cls, provider: str, on: date) -> ProviderAccount:
        return cls._create(cls.Opened, id=cls.id_for(provider), provider=provider, on=on)

    def find(self, month: Month, kind: str) -> Document | None:
        return self.documents.get(document_number(self.provider, month, kind))

    def invoiced(self) -> dict[str, int]:
        """month -> amount of every invoiced month."""
        return {d["month"]: d["amount"] for d in self.documents.values() if d["kind"] == INVOICE}

    def issue_advance(self, month: Month, lines: Sequence[Line], on: date) -> str:
        """Rule 16: one advance a month, on or after its first day, of `lines` (each
        `floor(c_m * rate / 100)` of a contract month still open)."""
        number = document_number(self.provider, month, ADVANCE)
        self._check_new(number, month, on, "an advance")
        if self.find(month, INVOICE) is not None:
            raise Refused(f"{month} of provider {self.provider} is already invoiced: no advance")
        paying = [line for line in lines if line[2] > 0]
        if not paying:
            raise Refused(
                f"provider {self.provider} has no contract month {month} left to advance "
                "(none open, or no period of theirs sets an advance rate)"
            )
        total = sum(line[2] for line in paying)
        self.trigger_event(
            self.AdvanceIssued,
            provider=self.provider,
            invoice=number,
            month=month,
            lines=paying,
            total=total,
            on=on,
        )
        return number

    def issue_invoice(
        self,
        month: Month,
        lines: Sequence[Line],
        unbilled: Sequence[str],
        registers_now: Mapping[str, int],
        as_of: int,
        on: date,
    ) -> Document:
        """Rule 17: the month's invoice, once none of its contract months is open.

        `lines` are the month's register lines (certificate parts less refunds),
        `registers_now` each invoiced month's register total, both as of log position
        `as_of`."""
        number = document_number(self.provider, month, INVOICE)
        self._check_new(number, month, on, "an invoice")
        if unbilled:
            shown = ", ".join(unbilled[:20]) + (
                f" and {len(unbilled) - 20} more" if len(unbilled) > 20 else ""
            )
            raise Refused(
                f"{month} of provider {self.provider} cannot be invoiced: {len(unbilled)} "
                f"contract month(s) are neither billed nor cancelled (attendance missing?): "
                f"{shown}"
            )
        amount = sum(line[2] for line in lines)
        advance_doc = self.find(month, ADVANCE)
        advance = 0 if advance_doc is None else advance_doc["total"]
        adjustments = self.undeducted(registers_now)
        self.trigger_event(
            self.InvoiceIssued,
            provider=self.provider,
            invoice=number,
            month=month,
            lines=list(lines),
            amount=amount,
            advance=advance,
            adjustments=adjustments,
            due=amount - advance - adjustments,
            as_of=as_of,
            on=on,
        )
        return self.documents[number]

    def undeducted(self, registers_now: Mapping[str, int]) -> int:
        """What invoiced months' registers lost since their invoices (refunds; a charge
        that came later counts against it), less what invoices have deducted already."""
        drift = sum(amount - registers_now.get(m, 0) for m, amount in self.invoiced().items())
        return drift - self.deducted

    def pay(self, number: str, on: date) -> Document:
        """Rule 17: an advance or invoice is paid once."""
        document = self.documents.get(number)
        if document is None:
            raise NotFound(f"invoice {number} does not exist", invoice=number)
        if document["paid_on"] is not None:
            raise AlreadyExists(
                f"invoice {number} was already paid on {document['paid_on']}", invoice=number
            )
        if on.isoformat() < document["issued_on"]:
            raise Refused(
                f"invoice {number} was issued on {document['issued_on']}: it cannot be paid "
                f"earlier ({on})"
            )
        self.trigger_event(
            self.Paid,
            provider=self.provider,
            invoice=number,
            kind=document["kind"],
            amount=document["total"],
            on=on,
        )
        return document

    def _check_new(self, number: str, month: Month, on: date, what: str) -> None:
        if number in self.documents:
            raise AlreadyExists(f"{what} {number} was already issued", invoice=number)
        if on < first_day(month):
            raise Refused(f"{what} for {month} can be issued from {first_day(month)}, not {on}")


def _document(
    kind: str,
    month: str,
    on: date,
    *,
    total: int,
    amount: int,
    advance: int = 0,
    adjustments: int = 0,
) -> Document:
    """An advance (its total is its amount; nothing deducted) or an invoice, unpaid."""
    return Document(
        kind=kind,
        month=month,
        total=total,
        amount=amount,
        advance=advance,
        adjustments=adjustments,
        issued_on=on.isoformat(),
        paid_on=None,
    )
