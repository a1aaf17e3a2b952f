"""Contracts on the command line: `enroll`, `attend`, `terminate`, `correct`, `bill` and
`pfdo contract show|list` (rules 5-11)."""

from __future__ import annotations

from typing import Any

import click

from pfdo.application.collector import collector_paused
from pfdo.commandline.options import AMOUNT, CODE, DATE, MONTH, TEXT, writing
from pfdo.commandline.session import MalformedInput, Session, emit, json_option, progress_bar
from pfdo.domain.errors import InvalidInput


@click.group()
def contract() -> None:
    """Show contracts and list them by certificate or program."""


@contract.command("show")
@click.argument("code", metavar="CONTRACT")
@json_option
@click.pass_obj
def contract_show(session: Session, /, code: str, as_json: bool) -> None:
    """A contract's card: its terms and each month's money and lessons."""
    session.run(as_json, lambda ledger: ledger.contract(code))


@contract.command("list")
@click.option("--certificate", metavar="NUMBER", help="The contracts of this certificate.")
@click.option("--program", metavar="PROGRAM", help="The contracts of this program.")
@click.option(
    "--continuing",
    is_flag=True,
    help="With --period: its contracts that continue and are not prolonged yet (rule 23).",
)
@click.option("--period", metavar="PERIOD", help="With --continuing: the period.")
@json_option
@click.pass_obj
def contract_list(
    session: Session,
    /,
    as_json: bool,
    certificate: str | None,
    program: str | None,
    continuing: bool,
    period: str | None,
) -> None:
    """The contracts of a certificate or of a program (give exactly one), or a period's
    contracts that continue (--continuing --period P)."""
    if continuing or period is not None:
        if not continuing or period is None or certificate is not None or program is not None:
            raise MalformedInput(InvalidInput("give --continuing with --period, and nothing else"))
        session.run(as_json, lambda ledger: ledger.continuing(period))
        return
    if (certificate is None) == (program is None):
        raise MalformedInput(InvalidInput("give exactly one of --certificate and --program"))
    session.run(as_json, lambda ledger: ledger.contracts(certificate=certificate, program=program))


@contract.command("continue")
@click.argument("code", metavar="CONTRACT")
@click.option(
    "--stop", is_flag=True, required=True, help="The family will not continue it (rule 23)."
)
@writing
@click.pass_obj
def contract_continue(
    session: Session, /, code: str, as_json: bool, stop: bool, **options: Any
) -> None:
    """Stop a contract continuing into the next period (allowed until it is prolonged)."""
    if not stop:
        raise MalformedInput(InvalidInput("give --stop: the only change to a continuation"))
    session.run(as_json, lambda ledger: ledger.stop_continuation(code, **options))


@click.command()
@click.argument("number")
@click.option("--program", required=True, metavar="PROGRAM", help=f"The program {CODE}.")
@click.option("--start", required=True, metavar=DATE)
@click.option("--end", required=True, metavar=DATE)
@click.option("--mode", type=click.Choice(["fixed", "attendance"]), default="fixed")
@writing
@click.pass_obj
def enroll(session: Session, /, number: str, as_json: bool, **options: Any) -> None:
    """Enrol a child in a program and reserve the certificate's share."""
    session.run(as_json, lambda ledger: ledger.enroll(number, **options))


@click.command()
@click.argument("contract")
@click.option("--date", "dates", required=True, multiple=True, metavar=DATE)
@click.option(
    "--absent",
    "present",
    is_flag=True,
    flag_value=False,
    default=True,
    help="Record the lessons as missed (default: attended).",
)
@writing
@click.pass_obj
def attend(session: Session, /, contract: str, as_json: bool, **options: Any) -> None:
    """Record lessons of a contract as attended, or missed with --absent."""
    session.run(as_json, lambda ledger: ledger.record_attendance(contract, **options))


@click.command()
@click.option("--month", required=True, metavar=MONTH)
@writing
@click.pass_obj
def bill(session: Session, /, month: str, as_json: bool, **options: Any) -> None:
    """Bill a month for every contract (allowed from the first day of the next month)."""
    # a long run of objects that stay alive: see pfdo.application.collector
    with progress_bar("billing", as_json) as progress, collector_paused():
        result = session.call(lambda ledger: ledger.bill(month, progress=progress, **options))
    emit(result, as_json)


@click.command()
@click.argument("contract")
@click.option("--reason", default="", help=f"Why the contract ends {TEXT}.")
@writing
@click.pass_obj
def terminate(session: Session, /, contract: str, as_json: bool, **options: Any) -> None:
    """Terminate a contract on the --on date; the later months are released."""
    session.run(as_json, lambda ledger: ledger.terminate(contract, **options))


@click.command()
@click.argument("contract")
@click.option("--month", required=True, metavar=MONTH)
@click.option(
    "--refund", required=True, metavar="AMOUNT", help=f"Back to the certificate {AMOUNT}."
)
@click.option("--reason", required=True, help=f"Why {TEXT}.")
@writing
@click.pass_obj
def correct(session: Session, /, contract: str, as_json: bool, **options: Any) -> None:
    """Refund part or all of a month's charge to the certificate."""
    session.run(as_json, lambda ledger: ledger.correct(contract, **options))
