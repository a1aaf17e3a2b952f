"""The `pfdo` command line's root: the group the console script names (docs/CLI.md).

Each command parses its arguments, calls the API once and prints the result: one JSON
document with `--json`, a few plain lines without (`pfdo.commandline.rendering`). Options
are named as the API's keyword arguments and passed through as typed: amounts, dates and
months are validated by the API, not here. Errors become click exceptions in
`pfdo.commandline.session` and only there: malformed input (`InvalidInput`) exits 2, any
other refusal (`PfdoError`) exits 1, each with one line `Error: ...` on standard error.

The commands live in `pfdo.commandline`, one module per group. This root imports none of
them until a command is named: `pfdo --help` lists them from `COMMANDS`, and `pfdo
balance ...` loads the one module that holds `balance`, which opens the ledger only when
the command runs (the session). So the first minute of a newcomer costs what the command
needs, not what the whole engine does.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click

from pfdo.commandline.session import Session


class Lazy(NamedTuple):
    """Where a command of the root lives, and the first line of its help, which `pfdo
    --help` shortens to fit as click does."""

    module: str
    attribute: str
    short_help: str


def _at(module: str, attribute: str, short_help: str) -> Lazy:
    return Lazy(f"pfdo.commandline.{module}", attribute, short_help)


#: Every command of the root, by name. A test checks each line against its command's own
#: help, so this table cannot drift from the commands it names.
COMMANDS: dict[str, Lazy] = {
    "attend": _at(
        "contracts", "attend", "Record lessons of a contract as attended, or missed with --absent."
    ),
    "audit": _at(
        "audit", "audit", "Prove the log unaltered, and check, export, replay and explain it."
    ),
    "balance": _at("reports", "balance", "A certificate's money per period."),
    "bill": _at(
        "contracts",
        "bill",
        "Bill a month for every contract (allowed from the first day of the next month).",
    ),
    "certificate": _at("certificates", "certificate", "Issue, fund and show certificates."),
    "contract": _at(
        "contracts", "contract", "Show contracts and list them by certificate or program."
    ),
    "copy": _at(
        "copying",
        "copy",
        "Copy the store, every event at its position, into another store and verify it.",
    ),
    "correct": _at(
        "contracts", "correct", "Refund part or all of a month's charge to the certificate."
    ),
    "enroll": _at(
        "contracts", "enroll", "Enrol a child in a program and reserve the certificate's share."
    ),
    "export": _at(
        "desk", "export", "Write registers and balances as spreadsheets (CSV, xlsx) or JSON files."
    ),
    "follow": _at(
        "maintenance",
        "follow",
        "Keep the read models level with the log, beside writers (Ctrl-C stops).",
    ),
    "history": _at("reports", "history", "Every movement of a certificate's money, in log order."),
    "import": _at(
        "imports",
        "import_group",
        "Bring many facts in at once from spreadsheets (CSV or xlsx), checked whole.",
    ),
    "invoice": _at(
        "practice", "invoice", "Providers' advances and invoices, and their payment (rules 16, 17)."
    ),
    "period": _at("periods", "period", "Open, close, change and list financing periods."),
    "program": _at("registry", "program", "Add, withdraw, set and list programs."),
    "prolong": _at(
        "prolongation",
        "prolong",
        "Prolong the contracts that continue into a later period (rule 23).",
    ),
    "provider": _at(
        "registry", "provider", "Admit providers to the registry, exclude and list them."
    ),
    "queue": _at("practice", "queue", "The categories' waiting lists: show one, leave one."),
    "rebuild": _at(
        "maintenance",
        "rebuild",
        "Empty every read model and fold the whole log again, in one transaction.",
    ),
    "register": _at("reports", "register", "The payment register of a provider for a month."),
    "report": _at("desk", "report", "Reports for the region."),
    "serve": _at(
        "service",
        "serve",
        "Serve the store over HTTP/JSON for portals (SIGTERM stops it gracefully).",
    ),
    "terminate": _at(
        "contracts",
        "terminate",
        "Terminate a contract on the --on date; the later months are released.",
    ),
    "token": _at("service", "token", "Make, list and revoke the HTTP service's access tokens."),
}


class LazyRoot(click.Group):
    """The root group: a command's module is imported when the command is named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return None
        command = getattr(importlib.import_module(lazy.module), lazy.attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from `COMMANDS`, without importing any command's module."""
        with formatter.section("Commands"):
            width = formatter.width - 6 - max(len(name) for name in COMMANDS)
            rows: list[tuple[str, str]] = []
            for name, lazy in COMMANDS.items():
                stand_in = click.Command(name, help=lazy.short_help)  # shortened as click does
                rows.append((name, stand_in.get_short_help_str(width)))
            formatter.write_dl(rows)


@click.group(cls=LazyRoot)
@click.option(
    "--db",
    envvar="PFDO_DB",
    metavar="URL",
    help="SQLite file, sqlite:///PATH or postgresql://... [env PFDO_DB; default ./pfdo.sqlite]",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """pfdo: accounting of personalised financing of children's supplementary education."""
    session = Session(db)
    ctx.obj = session
    ctx.call_on_close(session.close)


if __name__ == "__main__":
    main()
