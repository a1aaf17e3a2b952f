"""The columns each import reads are the fields the matching commands take, so the lists
cannot drift apart again: `import programs` against `program add`, `import enrolments`
against `enroll`, `import children` against `certificate issue` and `certificate fund`.

Each field list is read from where it is declared: the `Ledger` method's parameters, the
command model's fields (`pfdo.application.commands`), the command line's arguments and options, and
the sheet's columns (`pfdo.desk.imports.kinds`). A field one of them takes and another does not,
or takes as required where the other has it optional, fails the test by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import click
import pytest

from pfdo import Ledger
from pfdo.application.commands import (
    AddProgram,
    Command,
    Enrol,
    FundCertificate,
    IssueCertificate,
)
from pfdo.cli import main
from pfdo.desk.imports import CHILDREN, ENROLMENTS, PROGRAMS, Kind

#: every writing call takes these; no sheet has a column for them (`--on` is the import's;
#: the actor too, rule 25: `import:FILE` or the import's `--actor`)
SHARED = ("on", "request_id", "actor")
#: the command line's own options, not fields of the command
OWN = ("as_json",)
#: fields a sheet leaves out on purpose, and why
NOT_READ = {
    ("children", "queue"): "a children sheet funds a certificate or refuses the row; joining "
    "a category's waiting list (`certificate fund --queue`) is not offered by the import",
}

Fields = dict[str, bool]  # field -> required


def ledger_fields(method: Callable[..., Any]) -> Fields:
    """A `Ledger` method's parameters, each required when it has no default."""
    parameters = inspect.signature(method).parameters.values()
    return {
        p.name: p.default is inspect.Parameter.empty
        for p in parameters
        if p.name not in ("self", *SHARED)
    }


def model_fields(model: type[Command]) -> Fields:
    """A command model's fields, each required when it has no default."""
    return {
        name: field.is_required()
        for name, field in model.model_fields.items()
        if name not in SHARED
    }


def cli_fields(*path: str, method: Callable[..., Any]) -> Fields:
    """A command's options by their parameter names and its arguments by the names of the
    `Ledger` method's positional parameters they are passed as, each as it is required."""
    context = click.Context(main)
    command: click.Command | None = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(context, name)
    assert command is not None, path
    positional = [
        p.name
        for p in inspect.signature(method).parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name != "self"
    ]
    arguments = iter(positional)
    fields: Fields = {}
    for param in command.params:
        if param.name in (*SHARED, *OWN):
            continue
        assert param.name is not None
        name = next(arguments) if isinstance(param, click.Argument) else param.name
        fields[name] = param.required
    return fields


def sheet_fields(kind: Kind) -> Fields:
    return {field.key: field.required for field in kind.fields}


def drift(sheet: str, columns: Fields, source: str, fields: Fields) -> list[str]:
    """What `source` takes that `sheet` does not read, or the other way, or reads as
    required where the other has it optional."""
    missing = [
        f"{source} takes {name!r}, {sheet} reads no column {name!r}"
        for name in fields
        if name not in columns
    ]
    extra = [
        f"{sheet} reads a column {name!r}, {source} takes no {name!r}"
        for name in columns
        if name not in fields
    ]
    required = [
        f"{name!r} is {'required' if fields[name] else 'optional'} in {source} but "
        f"{'required' if columns[name] else 'optional'} in {sheet}"
        for name in fields
        if name in columns and fields[name] != columns[name]
    ]
    return missing + extra + required


def sources(
    method: Callable[..., Any], model: type[Command], path: tuple[str, ...]
) -> dict[str, Fields]:
    name = method.__name__
    return {
        f"Ledger.{name}": ledger_fields(method),
        f"commands.{model.__name__}": model_fields(model),
        f"`pfdo {' '.join(path)}`": cli_fields(*path, method=method),
    }


def agree(sheet: str, columns: Fields, declared: dict[str, Fields]) -> None:
    problems = [p for source, f in declared.items() for p in drift(sheet, columns, source, f)]
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize(
    ("kind", "method", "model", "path"),
    [
        (PROGRAMS, Ledger.add_program, AddProgram, ("program", "add")),
        (ENROLMENTS, Ledger.enroll, Enrol, ("enroll",)),
    ],
    ids=["programs", "enrolments"],
)
def test_a_sheet_reads_a_column_for_every_field_its_command_takes(
    kind: Kind, method: Callable[..., Any], model: type[Command], path: tuple[str, ...]
) -> None:
    agree(f"`pfdo import {kind.name}`", sheet_fields(kind), sources(method, model, path))


def test_the_children_sheet_reads_what_certificate_issue_and_fund_take() -> None:
    """A row issues a certificate (its fields as `certificate issue` has them), then, with
    a period, funds it: the funding's fields are optional in the sheet (both or neither)
    and its number is the one just issued."""
    issue = sources(Ledger.issue_certificate, IssueCertificate, ("certificate", "issue"))
    fund = sources(Ledger.fund_certificate, FundCertificate, ("certificate", "fund"))
    skipped = {name for kind, name in NOT_READ if kind == "children"}
    for name in skipped:  # an exclusion names a field there is
        assert all(name in fields for fields in fund.values()), name
    funding = {
        source: {name: False for name in fields if name != "number" and name not in skipped}
        for source, fields in fund.items()
    }
    declared = {
        f"{issuing} and {funding_source}": {**issue[issuing], **funding[funding_source]}
        for issuing, funding_source in zip(issue, funding, strict=True)
    }
    agree("`pfdo import children`", sheet_fields(CHILDREN), declared)


def test_a_missing_column_fails_naming_the_field() -> None:
    """The check itself: a sheet without `hour_cost` is named, and so is a sheet that
    reads an optional field as required."""
    columns = sheet_fields(PROGRAMS)
    del columns["hour_cost"]
    columns["capacity"] = True
    problems = drift("the sheet", columns, "program add", ledger_fields(Ledger.add_program))
    assert problems == [
        "program add takes 'hour_cost', the sheet reads no column 'hour_cost'",
        "'capacity' is optional in program add but required in the sheet",
    ]
