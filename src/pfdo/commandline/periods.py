"""`pfdo period ...`: open, close, change and list financing periods, their settings and
limits (rules 2, 3, 12, 13, 16-20)."""

from __future__ import annotations

import re
from typing import Any

import click

from pfdo.commandline.options import AMOUNT, CODE, DATE, TOTAL, writing
from pfdo.commandline.practice import period_limits, period_settings
from pfdo.commandline.session import Session, json_option
from pfdo.domain.units import UNITS

Categories = dict[str, dict[str, Any]]

CATEGORY_FORM = "NAME=NOMINAL[,unit=rub|hours][,count=N][,sum=AMOUNT]"
_WHOLE = re.compile(r"[0-9]+", re.ASCII)


def parse_category(text: str) -> tuple[str, dict[str, Any]]:
    """`base=12000,count=100,sum=1200000` -> ("base", {"nominal": "12000", ...}); with
    `unit=hours` the nominal and the sum limit are person-hours (rule 21)."""
    bad = click.BadParameter(f"{text!r} is not {CATEGORY_FORM}")
    name, sep, rest = text.partition("=")
    nominal, *extras = rest.split(",")
    if not sep or not name.strip() or not nominal.strip():
        raise bad
    spec: dict[str, Any] = {"nominal": nominal.strip()}
    for extra in extras:
        key, sep, value = (part.strip() for part in extra.partition("="))
        if not sep or key not in ("count", "sum", "unit") or key in spec or not value:
            raise bad
        if key == "unit" and value not in UNITS:
            raise click.BadParameter(f"unit {value!r} in {text!r} is not one of {', '.join(UNITS)}")
        if key == "count" and not _WHOLE.fullmatch(value):
            raise click.BadParameter(f"count {value!r} in {text!r} is not a whole number")
        spec[key] = int(value) if key == "count" else value
    return name.strip(), spec


def _categories(_ctx: click.Context, _param: click.Parameter, texts: tuple[str, ...]) -> Categories:
    categories: Categories = {}
    for text in texts:
        name, spec = parse_category(text)
        if name in categories:
            raise click.BadParameter(f"category {name!r} is given twice")
        categories[name] = spec
    return categories


@click.group()
def period() -> None:
    """Open, close, change and list financing periods."""


@period.command("open")
@click.argument("code", metavar="PERIOD")
@click.option("--municipality", required=True, help=f"The municipality that pays {CODE}.")
@click.option("--start", required=True, metavar=DATE)
@click.option("--end", required=True, metavar=DATE)
@click.option(
    "--category",
    "categories",
    multiple=True,
    required=True,
    callback=_categories,
    metavar=CATEGORY_FORM,
    help=f"A category {CODE}, its nominal {AMOUNT} and optional limits (sum {TOTAL}); "
    "repeat for more.",
)
@writing
@click.pass_obj
def period_open(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Open a municipality's period with its categories."""
    session.run(as_json, lambda ledger: ledger.open_period(code, **options))


@period.command("list")
@json_option
@click.pass_obj
def period_list(session: Session, /, as_json: bool) -> None:
    """Every period with its dates, status and categories (nominal and limits)."""
    session.run(as_json, lambda ledger: ledger.periods())


@period.command("close")
@click.argument("code", metavar="PERIOD")
@writing
@click.pass_obj
def period_close(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Close a period: the money still available expires."""
    from pfdo.audit.keys import signing_key_from_env

    # the key PFDO_AUDIT_KEY names is read here, before anything is written
    session.run(
        as_json,
        lambda ledger: ledger.close_period(code, signing_key=signing_key_from_env(), **options),
    )


@period.command("nominal")
@click.argument("code", metavar="PERIOD")
@click.option("--category", required=True, help=f"The category {CODE}.")
@click.option("--nominal", required=True, metavar="AMOUNT", help=f"New nominal {AMOUNT}.")
@writing
@click.pass_obj
def period_nominal(session: Session, /, code: str, as_json: bool, **options: Any) -> None:
    """Change a category's nominal on every certificate funded in it."""
    session.run(as_json, lambda ledger: ledger.change_nominal(code, **options))


period.add_command(period_settings)  # rules 16-20: the commands in pfdo.commandline.practice
period.add_command(period_limits)
