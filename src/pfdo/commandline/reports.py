"""`pfdo balance`, `pfdo history` and `pfdo register`: what a certificate holds and how it
moved, and what a provider is paid for a month; the past as of a date or as known at a
log position."""

from __future__ import annotations

from typing import Any

import click

from pfdo.commandline.options import DATE, MONTH
from pfdo.commandline.session import Session, json_option


@click.command()
@click.argument("number")
@click.option("--period", metavar="PERIOD", help="Only this period.")
@click.option("--as-of", metavar=DATE, help="As of this business date.")
@click.option(
    "--known-at",
    metavar="POSITION|TIME",
    help="As the system knew it at this log position or recorded time (UTC if no zone).",
)
@json_option
@click.pass_obj
def balance(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """A certificate's money per period."""
    session.run(as_json, lambda ledger: ledger.balance(number, **options))


@click.command()
@click.argument("number")
@click.option("--period", metavar="PERIOD", help="Only this period.")
@click.option("--as-of", metavar=DATE, help="Movements dated up to this business date.")
@click.option(
    "--known-at",
    metavar="POSITION|TIME",
    help="Movements written by this log position or recorded time (UTC if no zone).",
)
@json_option
@click.pass_obj
def history(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Every movement of a certificate's money, in log order."""
    session.run(as_json, lambda ledger: ledger.history(number, **options))


@click.command()
@click.option("--provider", required=True, metavar="PROVIDER")
@click.option("--month", required=True, metavar=MONTH)
@json_option
@click.pass_obj
def register(session: Session, /, provider: str, as_json: bool, **options: Any) -> None:
    """The payment register of a provider for a month."""
    session.run(as_json, lambda ledger: ledger.register(provider, **options))
