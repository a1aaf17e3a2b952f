"""The commands of regional practice (rules 16-20, docs/RULES.md): period settings and
limits, unfunding, the waiting lists, providers' advances and invoices.

Thin as the rest of the CLI: each command calls one method of the API (`Ledger`, from
`pfdo.application.practice` and `pfdo.application.reports`) and prints its
result. `cli.py` adds them to its
groups (`period`, `certificate`) and to `pfdo` itself (`invoice`, `queue`).
"""

from __future__ import annotations

from typing import Any

import click

from pfdo.commandline.options import CODE, DATE, MONTH, TOTAL, WHOLE, writing
from pfdo.commandline.session import Session, json_option


@click.command("settings")
@click.argument("code", metavar="PERIOD")
@click.option(
    "--advance", metavar="PERCENT", help="Advance rate, a whole per cent 0-100 (0: no advances)."
)
@click.option(
    "--final-billing-from",
    metavar=DATE,
    help="A day of the period's last month from which that month may be billed.",
)
@writing
@click.pass_obj
def period_settings(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Set how a period pays providers: the advance rate and the last month's billing day."""
    session.run(as_json, lambda ledger: ledger.period_settings(code, **options))


@click.command("limits")
@click.argument("code", metavar="PERIOD")
@click.option("--category", required=True, help=f"The category {CODE}.")
@click.option("--count", metavar="N", help=f"How many certificates may be funded {WHOLE}.")
@click.option("--sum", metavar="AMOUNT", help=f"Total nominal that may be funded, {TOTAL}.")
@writing
@click.pass_obj
def period_limits(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Raise or lower a category's limits; room made serves its waiting list at once."""
    session.run(as_json, lambda ledger: ledger.change_limits(code, **options))


@click.command("unfund")
@click.argument("number")
@click.option("--period", required=True, metavar="PERIOD", help=f"The period {CODE}.")
@writing
@click.pass_obj
def certificate_unfund(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Take a period's credit back while nothing of it is reserved or spent."""
    session.run(as_json, lambda ledger: ledger.unfund_certificate(number, **options))


@click.group()
def invoice() -> None:
    """Providers' advances and invoices, and their payment (rules 16, 17)."""


@invoice.command("advance")
@click.option("--provider", required=True, metavar="PROVIDER", help=f"The provider {CODE}.")
@click.option("--month", required=True, metavar=MONTH, help="The month the advance is for.")
@writing
@click.pass_obj
def invoice_advance(session: Session, /, as_json: bool, **options: Any) -> None:
    """Issue a provider's advance for a month (its number: PROVIDER/YYYY-MM-A)."""
    session.run(as_json, lambda ledger: ledger.issue_advance(**options))


@invoice.command("issue")
@click.option("--provider", required=True, metavar="PROVIDER", help=f"The provider {CODE}.")
@click.option("--month", required=True, metavar=MONTH, help="The month invoiced.")
@writing
@click.pass_obj
def invoice_issue(session: Session, /, as_json: bool, **options: Any) -> None:
    """Issue a provider's invoice for a month (its number: PROVIDER/YYYY-MM)."""
    session.run(as_json, lambda ledger: ledger.issue_invoice(**options))


@invoice.command("pay")
@click.argument("number", metavar="INVOICE")
@writing
@click.pass_obj
def invoice_pay(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Record an advance or invoice as paid on the business date (once)."""
    session.run(as_json, lambda ledger: ledger.pay_invoice(number, **options))


@invoice.command("list")
@click.option("--provider", metavar="PROVIDER", help="Only this provider's documents.")
@click.option("--period", metavar="PERIOD", help="Only the months of this period.")
@click.option("--unpaid", is_flag=True, help="Only what is not paid yet: the payables.")
@json_option
@click.pass_obj
def invoice_list(session: Session, /, as_json: bool, **options: Any) -> None:
    """Advances and invoices with what is due and when it was paid."""
    session.run(as_json, lambda ledger: ledger.invoices(**options))


@click.group()
def queue() -> None:
    """The categories' waiting lists: show one, leave one."""


@queue.command("show")
@click.option("--period", required=True, metavar="PERIOD", help=f"The period {CODE}.")
@click.option("--category", required=True, help=f"The category {CODE}.")
@json_option
@click.pass_obj
def queue_show(session: Session, /, as_json: bool, period: str, category: str) -> None:
    """A category's waiting list, head first."""
    session.run(as_json, lambda ledger: ledger.queue(period=period, category=category))


@queue.command("leave")
@click.argument("number")
@click.option("--period", required=True, metavar="PERIOD", help=f"The period {CODE}.")
@writing
@click.pass_obj
def queue_leave(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Take a certificate off the waiting list it is on in a period."""
    session.run(as_json, lambda ledger: ledger.leave_queue(number, **options))
