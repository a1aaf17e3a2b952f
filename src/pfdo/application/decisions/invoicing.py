"""Decisions on a provider's settlement: advance, invoice, payment (rules 16, 17).

An advance and an invoice are built from the registers, so the read models are first
brought level with the log; an invoice records the log position it was built from. Only
the provider's account is saved: two advances or invoices of one provider racing each
other conflict on it, and the loser is decided again (and refused, if it was the same
document).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.domain.errors import NotFound
from pfdo.domain.registry import Provider
from pfdo.domain.settlement import INVOICE, ProviderAccount, document_number, parse_document
from pfdo.projections import settlement_queries as sq

if TYPE_CHECKING:
    from datetime import date

    from pfdo.application.execution import Decision
    from pfdo.application.reading import Reader


def _account(w: Reader, provider: str, on: date) -> ProviderAccount:
    w.get(Provider, provider, "provider")
    return w.find(ProviderAccount, provider) or ProviderAccount.open(provider, on)


def _lines(lines: list[sq.Line]) -> list[res.InvoiceLine]:
    return [res.InvoiceLine(contract=c, number=n, amount=a) for c, n, a in lines]


def issue_advance(w: Reader, c: cmd.IssueAdvance) -> Decision[res.AdvanceIssued]:
    account = _account(w, c.provider, c.on)
    w.settle()
    lines = w.advance_lines(c.provider, c.month)
    number = account.issue_advance(c.month, lines, c.on)
    issued = account.documents[number]
    paying = [line for line in lines if line[2] > 0]
    result = res.AdvanceIssued(
        invoice=number,
        provider=c.provider,
        month=c.month,
        total=issued["total"],
        lines=_lines(paying),
    )
    return result, [account]


def issue_invoice(w: Reader, c: cmd.IssueInvoice) -> Decision[res.InvoiceIssued]:
    account = _account(w, c.provider, c.on)
    w.settle()
    basis = w.invoice_basis(c.provider, c.month, set(account.invoiced()))
    document = account.issue_invoice(
        c.month, basis.lines, basis.unbilled, basis.registers, basis.as_of, c.on
    )
    result = res.InvoiceIssued(
        invoice=document_number(c.provider, c.month, INVOICE),
        provider=c.provider,
        month=c.month,
        amount=document["amount"],
        advance=document["advance"],
        adjustments=document["adjustments"],
        due=document["total"],
        as_of=basis.as_of,
        lines=_lines(basis.lines),
    )
    return result, [account]


def pay_invoice(w: Reader, c: cmd.PayInvoice) -> Decision[res.InvoicePaid]:
    provider, _, _ = parse_document(c.invoice)
    account = w.find(ProviderAccount, provider)
    if account is None:
        raise NotFound(f"invoice {c.invoice} does not exist", invoice=c.invoice)
    document = account.pay(c.invoice, c.on)
    result = res.InvoicePaid(
        invoice=c.invoice, kind=document["kind"], paid_on=c.on, amount=document["total"]
    )
    return result, [account]


def owed_at_close(w: Reader, period: str) -> list[res.ProviderOwes]:
    """Rule 17: adjustments not yet deducted, per provider of the period, at its close."""
    owed = []
    for provider in w.providers_in(period):
        account = w.find(ProviderAccount, provider)
        if account is None:
            continue
        registers = w.register_totals(provider, set(account.invoiced()))
        amount = account.undeducted(registers)
        if amount:
            owed.append(res.ProviderOwes(provider=provider, amount=amount))
    return owed
