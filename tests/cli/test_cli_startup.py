"""The command line's root loads a command's module only when the command is named."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from pfdo.cli import COMMANDS, main

HEAVY = ("sqlalchemy", "eventsourcing", "pydantic", "pfdo.ledger", "psycopg", "xlsxwriter")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_root_names_each_command_where_it_lives_with_its_own_first_line(name: str) -> None:
    lazy = COMMANDS[name]
    command = getattr(importlib.import_module(lazy.module), lazy.attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert (command.help or "").splitlines()[0] == lazy.short_help


def test_the_root_knows_no_command_outside_its_table() -> None:
    ctx = click.Context(main)
    assert main.list_commands(ctx) == sorted(COMMANDS)
    assert main.get_command(ctx, "no-such-command") is None


def _loaded_after(*args: str) -> set[str]:
    probe = (
        "import sys\nfrom pfdo.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(eval(out.strip().splitlines()[-1]))


def test_help_loads_none_of_the_engine() -> None:
    assert _loaded_after("--help") == set()


def test_a_groups_help_loads_its_module_but_not_the_store() -> None:
    loaded = _loaded_after("provider", "--help")
    assert not {m for m in loaded if m.startswith(("sqlalchemy", "eventsourcing", "pfdo.ledger"))}
