"""The `pfdo` command line: a thin layer over `pfdo.Ledger` (`pfdo --help` lists it).

Each command parses its arguments, calls the API once and prints the result: one JSON
document with `--json`, a few plain lines without (see `cli_format`). Options are named
as the API's keyword arguments and passed through as typed: amounts, dates and months are
validated by the API, not here. Errors become click exceptions here and only here:
malformed input (`InvalidInput`) exits 2, any other refusal (`PfdoError`) exits 1, each
with one line `Error: ...` on standard error. The ledger is opened on first use, once per
invocation, as the command needs it (`cli_session`: reading commands never create a
store), and closed when the command ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pfdo.audit.cli import audit
from pfdo.audit.keys import signing_key_from_env
from pfdo.cli_desk import export, report
from pfdo.cli_imports import register_imports
from pfdo.cli_options import AMOUNT, CODE, DATE, MONTH, TEXT, TOTAL, WHOLE, writing
from pfdo.cli_practice import certificate_unfund, invoice, period_limits, period_settings, queue
from pfdo.cli_session import (
    MalformedInput,
    Session,
    emit,
    json_option,
    opens_store,
    progress_bar,
)
from pfdo.collector import collector_paused
from pfdo.domain.errors import InvalidInput
from pfdo.domain.units import UNITS
from pfdo.results import Followed
from pfdo.store import DEFAULT_DB

F = TypeVar("F", bound=Callable[..., Any])
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
@click.option(
    "--db",
    envvar="PFDO_DB",
    metavar="URL",
    help=f"SQLite file, sqlite:///PATH or postgresql://... [env PFDO_DB; default {DEFAULT_DB}]",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """pfdo: accounting of personalised financing of children's supplementary education."""
    session = Session(db)
    ctx.obj = session
    ctx.call_on_close(session.close)


# -- periods ------------------------------------------------------------------------------


@main.group()
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


# -- providers and programs ---------------------------------------------------------------


@main.group()
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


@main.group()
def program() -> None:
    """Add, withdraw and list programs."""


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


@program.command("list")
@click.option("--provider", metavar="PROVIDER", help="Only this provider's programs.")
@json_option
@click.pass_obj
def program_list(session: Session, /, as_json: bool, provider: str | None) -> None:
    """Every program with its provider, price, age band, capacity and status."""
    session.run(as_json, lambda ledger: ledger.programs(provider=provider))


# -- certificates and contracts -----------------------------------------------------------


@main.group()
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


@main.group()
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
@json_option
@click.pass_obj
def contract_list(
    session: Session, /, as_json: bool, certificate: str | None, program: str | None
) -> None:
    """The contracts of a certificate or of a program (give exactly one)."""
    if (certificate is None) == (program is None):
        raise MalformedInput(InvalidInput("give exactly one of --certificate and --program"))
    session.run(as_json, lambda ledger: ledger.contracts(certificate=certificate, program=program))


@main.command()
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


@main.command()
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


@main.command()
@click.option("--month", required=True, metavar=MONTH)
@writing
@click.pass_obj
def bill(session: Session, /, month: str, as_json: bool, **options: Any) -> None:
    """Bill a month for every contract (allowed from the first day of the next month)."""
    # a long run of objects that stay alive: see pfdo.collector
    with progress_bar("billing", as_json) as progress, collector_paused():
        result = session.call(lambda ledger: ledger.bill(month, progress=progress, **options))
    emit(result, as_json)


@main.command()
@click.argument("contract")
@click.option("--reason", default="", help=f"Why the contract ends {TEXT}.")
@writing
@click.pass_obj
def terminate(session: Session, /, contract: str, as_json: bool, **options: Any) -> None:
    """Terminate a contract on the --on date; the later months are released."""
    session.run(as_json, lambda ledger: ledger.terminate(contract, **options))


@main.command()
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


# -- reports ------------------------------------------------------------------------------


@main.command()
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


@main.command()
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


@main.command()
@click.option("--provider", required=True, metavar="PROVIDER")
@click.option("--month", required=True, metavar=MONTH)
@json_option
@click.pass_obj
def register(session: Session, /, provider: str, as_json: bool, **options: Any) -> None:
    """The payment register of a provider for a month."""
    session.run(as_json, lambda ledger: ledger.register(provider, **options))


@main.command()
@json_option
@opens_store("maintain")
@click.pass_obj
def rebuild(session: Session, /, as_json: bool) -> None:
    """Empty every read model and fold the whole log again, in one transaction.

    Readers see the old rows until it commits, and an interrupted rebuild leaves them as
    they were. The log is read in pages, in bounded memory; prints the events folded and
    the seconds taken.
    """
    with progress_bar("rebuilding", as_json) as progress, collector_paused():
        result = session.call(lambda ledger: ledger.rebuild(progress))
    emit(result, as_json)


@main.command()
@click.option(
    "--poll",
    type=float,
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest wait between looks at the log.",
)
@click.option("--once", is_flag=True, help="Catch up once and stop.")
@json_option
@opens_store("maintain")
@click.pass_obj
def follow(session: Session, /, poll: float, once: bool, as_json: bool) -> None:
    """Keep the read models level with the log, beside writers (Ctrl-C stops)."""
    if once:
        emit(Followed(folded=session.call(lambda ledger: ledger.catch_up())), as_json)
        return
    report = None if as_json else (lambda n: click.echo(f"folded {n} event(s)", err=True))
    try:
        folded = session.call(lambda ledger: ledger.follow(poll=poll, on_fold=report))
    except KeyboardInterrupt:
        folded = 0
    emit(Followed(folded=folded), as_json)


@main.group("import")
def import_group() -> None:
    """Bring many facts in at once from spreadsheets (CSV or xlsx), checked whole."""


register_imports(import_group, writing)  # the commands live in pfdo.cli_imports


period.add_command(period_settings)  # rules 16-20: the commands in pfdo.cli_practice
period.add_command(period_limits)
certificate.add_command(certificate_unfund)
main.add_command(invoice)
main.add_command(queue)
main.add_command(audit)  # pfdo audit ...: the auditor's commands live in pfdo.audit.cli
main.add_command(export)  # pfdo export ... and pfdo report ...: the desk, in pfdo.cli_desk
main.add_command(report)


if __name__ == "__main__":  # python -m pfdo.cli
    main()
