"""The public API of regional practice (rules 15-20): how a period pays providers, limits
that change and the waiting lists, unfunding; advances, invoices and their payment.

A mixin of `pfdo.Ledger`: each method validates its command (`pfdo.application.commands`)
and hands it to the executor with its decision (`pfdo.application.decisions`), as every
writing command of the ledger does."""

from __future__ import annotations

from datetime import date

from pfdo.application import commands as cmd
from pfdo.application import results as res
from pfdo.application.decisions import funding, periods
from pfdo.application.decisions import invoicing as settlement
from pfdo.application.execution import Executor
from pfdo.application.failures import translated
from pfdo.storage.store import StoreURL


class RegionalPractice:
    """Commands of rules 16-20 (docs/RULES.md), mixed into `Ledger`: call them on a
    `Ledger`. Their arguments, business date `on` and `request_id` are as for every
    writing command of the `Ledger`.
    """

    store: StoreURL
    _x: Executor

    @translated
    def period_settings(
        self,
        period: str,
        *,
        advance: int | None = None,
        final_billing_from: date | str | None = None,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.PeriodSettings:
        """Set a period's advance rate in whole per cent (rule 16) and the day of its last
        month from which that month may be billed (rule 18); what is not given stays.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the period does not exist.
            PeriodClosed: the period is closed.
            Refused: `final_billing_from` is not a day of the period's last month up to its
            end.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.ChangeSettings.build(
            period=period,
            advance=advance,
            final_billing_from=final_billing_from,
            on=on,
            actor=actor,
        )
        return self._x.execute(command, request_id, res.PeriodSettings, periods.change_settings)

    @translated
    def change_limits(
        self,
        period: str,
        *,
        category: str,
        count: int | None = None,
        sum: str | int | None = None,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.LimitsChanged:
        """Raise or lower a category's count and sum limits, never below what is funded
        (rule 19); room made serves the category's waiting list at once. `sum` in rubles;
        give `count`, `sum` or both (else `InvalidInput`).

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the period does not exist, or has no such category.
            PeriodClosed: the period is closed.
            LimitExceeded: a limit would fall below the count or sum already funded.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.ChangeLimits.build(
            period=period, category=category, count=count, sum=sum, on=on, actor=actor
        )
        return self._x.execute(command, request_id, res.LimitsChanged, funding.change_limits)

    @translated
    def unfund_certificate(
        self,
        number: str,
        *,
        period: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.Unfunded:
        """Take a period's credit back from a certificate while nothing of it is reserved or
        spent (rule 20); its freed place serves the category's waiting list.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the certificate or the period does not exist.
            PeriodClosed: the period is closed.
            NotFunded: the certificate is not funded for the period.
            Refused: the certificate has money of the period reserved or spent, or has
            contracts running in it.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.UnfundCertificate.build(number=number, period=period, on=on, actor=actor)
        return self._x.execute(command, request_id, res.Unfunded, funding.unfund_certificate)

    @translated
    def leave_queue(
        self,
        number: str,
        *,
        period: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.QueueLeft:
        """Take a certificate off the waiting list it is on in a period (rule 19).

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the period does not exist, or the certificate waits in none of its
            lists.
            PeriodClosed: the period is closed (its lists have lapsed).
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.LeaveQueue.build(number=number, period=period, on=on, actor=actor)
        return self._x.execute(command, request_id, res.QueueLeft, funding.leave_queue)

    # -- settlement (rules 16, 17) ----------------------------------------------------

    @translated
    def issue_advance(
        self,
        *,
        provider: str,
        month: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.AdvanceIssued:
        """A provider's advance for a month, on or after its first day: each contract
        month still open, at its period's advance rate (rule 16). Moves no certificate
        money. The advance's number is `PROVIDER/YYYY-MM-A`.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the provider does not exist.
            AlreadyExists: the month's advance was issued already.
            Refused: the business date is before the month's first day, the month is
            invoiced already, or no contract month is left to advance.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.IssueAdvance.build(provider=provider, month=month, on=on, actor=actor)
        return self._x.execute(command, request_id, res.AdvanceIssued, settlement.issue_advance)

    @translated
    def issue_invoice(
        self,
        *,
        provider: str,
        month: str,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.InvoiceIssued:
        """A provider's invoice for a month once every contract month of it is billed or
        cancelled: the register's amount, less the month's advance and the adjustments
        not yet deducted (rule 17). `due` may be negative: the provider owes it back.
        The invoice's number is `PROVIDER/YYYY-MM`.

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: the provider does not exist.
            AlreadyExists: the month's invoice was issued already.
            Refused: the business date is before the month's first day, or contract
            months of it are neither billed nor cancelled.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.IssueInvoice.build(provider=provider, month=month, on=on, actor=actor)
        return self._x.execute(command, request_id, res.InvoiceIssued, settlement.issue_invoice)

    @translated
    def pay_invoice(
        self,
        invoice: str,
        *,
        on: date | str | None = None,
        request_id: str | None = None,
        actor: str | None = None,
    ) -> res.InvoicePaid:
        """Record that an advance or invoice (its number, as issued) was paid, once (rule 17).

        Raises:
            InvalidInput: an argument is malformed (an identifier, amount, date or month
            out of form, a business date `on` more than 366 days after today, a `request_id`
            out of form; a value of the wrong type; None where a value is required);
            raised before anything is read or written, naming the fields (`.fields`).
            NotFound: there is no such advance or invoice (or the number is not one).
            AlreadyExists: it was paid already.
            Refused: the business date is before the day it was issued.
            IdempotencyConflict: `request_id` was used before with other arguments (the
            same arguments return the first result again and write nothing).
            ConcurrencyConflict: other writers kept changing the same records and the
            retries ran out; nothing was written, the call may be repeated.
            StoreUnavailable: the store is busy, unreachable or failing, or was opened
            read-only.
        """
        command = cmd.PayInvoice.build(invoice=invoice, on=on, actor=actor)
        return self._x.execute(command, request_id, res.InvoicePaid, settlement.pay_invoice)
