"""`pfdo certificate ...`: issue, fund, unfund, move, annul and show certificates (rules 1,
3, 20, 24)."""

from __future__ import annotations

from typing import Any

import click

from pfdo.commandline.options import CODE, DATE, writing
from pfdo.commandline.practice import certificate_unfund
from pfdo.commandline.session import Session, json_option


@click.group()
def certificate() -> None:
    """Issue, fund and show certificates."""


@certificate.command("issue")
@click.option("--child", required=True, help=f"Pseudonymous child id {CODE}.")
@click.option("--birth-date", required=True, metavar=DATE)
@click.option("--municipality", required=True, help=f"The child's municipality {CODE}.")
@click.option("--number", metavar="NNNNNNNNNN", help="10 digits 0-9 (default: generated).")
@writing
@click.pass_obj
def certificate_issue(session: Session, /, as_json: bool, **options: Any) -> None:
    """Issue a child's certificate (an accounting certificate until funded)."""
    session.run(as_json, lambda ledger: ledger.issue_certificate(**options))


@certificate.command("fund")
@click.argument("number")
@click.option("--period", required=True, metavar="PERIOD", help=f"The period {CODE}.")
@click.option("--category", required=True, help=f"The category {CODE}.")
@click.option(
    "--queue",
    is_flag=True,
    help="If a count or sum limit refuses it, join the category's waiting list instead.",
)
@writing
@click.pass_obj
def certificate_fund(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Credit a period's nominal to a certificate (or queue it: --queue)."""
    session.run(as_json, lambda ledger: ledger.fund_certificate(number, **options))


@certificate.command("show")
@click.argument("number")
@json_option
@click.pass_obj
def certificate_show(session: Session, /, number: str, as_json: bool) -> None:
    """A certificate's card: its money per period and its contracts."""
    session.run(as_json, lambda ledger: ledger.certificate(number))


certificate.add_command(certificate_unfund)


@certificate.command("move")
@click.argument("number")
@click.option("--to", required=True, help=f"The municipality the child moved to {CODE}.")
@writing
@click.pass_obj
def certificate_move(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Move a certificate to another municipality (rule 24)."""
    session.run(as_json, lambda ledger: ledger.move_certificate(number, **options))


@certificate.command("annul")
@click.argument("number")
@click.option("--reason", required=True, help="Why the certificate was issued in error.")
@writing
@click.pass_obj
def certificate_annul(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Annul a certificate issued in error (rule 24); its number is never reused."""
    session.run(as_json, lambda ledger: ledger.annul_certificate(number, **options))
