"""`pfdo provider ...` and `pfdo program ...`: the registry of providers and their programs
(rules 4, 15, 21)."""

from __future__ import annotations

from typing import Any

import click

from pfdo.commandline.options import AMOUNT, CODE, TEXT, WHOLE, writing
from pfdo.commandline.session import Session, json_option


@click.group()
def provider() -> None:
    """Admit providers to the registry, exclude and list them."""


@provider.command("add")
@click.argument("code", metavar="PROVIDER")
@click.option("--name", required=True, help=f"The provider's name {TEXT}.")
@click.option(
    "--kind", type=click.Choice(["municipal", "private", "sole-trader"]), default="private"
)
@writing
@click.pass_obj
def provider_add(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Admit a provider to the registry."""
    session.run(as_json, lambda ledger: ledger.add_provider(code, **options))


@provider.command("exclude")
@click.argument("code", metavar="PROVIDER")
@writing
@click.pass_obj
def provider_exclude(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Exclude a provider: its programs take no new contracts."""
    session.run(as_json, lambda ledger: ledger.exclude_provider(code, **options))


@provider.command("list")
@json_option
@click.pass_obj
def provider_list(session: Session, /, as_json: bool) -> None:
    """Every provider of the registry with its kind and status."""
    session.run(as_json, lambda ledger: ledger.providers())


@click.group()
def program() -> None:
    """Add, withdraw, set and list programs."""


@program.command("add")
@click.argument("code", metavar="PROGRAM")
@click.option("--provider", required=True, metavar="PROVIDER", help=f"Its provider {CODE}.")
@click.option("--title", required=True, help=f"The program's title {TEXT}.")
@click.option("--monthly-price", required=True, metavar="AMOUNT", help=f"Price a month {AMOUNT}.")
@click.option("--min-age", required=True, metavar="N", help="Youngest age, 0-18.")
@click.option("--max-age", required=True, metavar="N", help="Oldest age, 0-18.")
@click.option(
    "--capacity", metavar="N", help=f"Contracts active at once {WHOLE} (default: no limit)."
)
@click.option(
    "--normative-price",
    metavar="AMOUNT",
    help=f"Normative cost a month {AMOUNT}: the certificate pays at most this (rule 15).",
)
@click.option(
    "--hours-per-month",
    metavar="H",
    help="Person-hours a month, two decimals at most (rule 21: social certificates).",
)
@click.option(
    "--hour-cost",
    metavar="AMOUNT",
    help=f"Rubles a person-hour is paid at {AMOUNT} (goes with --hours-per-month).",
)
@click.option(
    "--prolongation/--no-prolongation",
    default=True,
    help="Whether its contracts are prolonged into later periods (rule 23; default: yes).",
)
@writing
@click.pass_obj
def program_add(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Add a provider's program with its monthly price and age band; with
    --hours-per-month and --hour-cost it serves social certificates too (rule 21)."""
    session.run(as_json, lambda ledger: ledger.add_program(code, **options))


@program.command("withdraw")
@click.argument("code", metavar="PROGRAM")
@writing
@click.pass_obj
def program_withdraw(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Withdraw a program: it takes no new contracts; running ones go on."""
    session.run(as_json, lambda ledger: ledger.withdraw_program(code, **options))


@program.command("settings")
@click.argument("code", metavar="PROGRAM")
@click.option(
    "--prolongation/--no-prolongation",
    required=True,
    default=None,
    help="Whether its contracts are prolonged into later periods (rule 23).",
)
@writing
@click.pass_obj
def program_settings(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Turn prolongation of a program's contracts on or off (rule 23)."""
    session.run(as_json, lambda ledger: ledger.program_settings(code, **options))


@program.command("list")
@click.option("--provider", metavar="PROVIDER", help="Only this provider's programs.")
@json_option
@click.pass_obj
def program_list(session: Session, /, as_json: bool, provider: str | None) -> None:
    """Every program with its provider, price, age band, capacity and status."""
    session.run(as_json, lambda ledger: ledger.programs(provider=provider))
