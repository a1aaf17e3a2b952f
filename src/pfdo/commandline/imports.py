"""`pfdo import children|programs|enrolments|attendance FILE`: sheets in, checked whole.

Each command reads the file (`pfdo.desk.imports`), and only when it is good (or with
`--partial`) writes it in one bulk; every wrong row is named by line, column and reason
on one `Error:` line (exit 2 for wrong cells, 1 when only the rules refused rows) and,
with `--errors FILE`, written as CSV beside the input's own columns. The column sets are
in each command's `--help` (built from `pfdo.desk.imports.kinds`, so help and code agree).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from pfdo.application.collector import collector_paused
from pfdo.application.results import AttendanceImported, SheetImported
from pfdo.commandline.options import writing
from pfdo.commandline.session import (
    CommandError,
    MalformedInput,
    Session,
    actor_given,
    emit,
    progress_bar,
    refusals,
)
from pfdo.desk.imports import (
    FIELDS,
    KINDS,
    Journal,
    JournalRejected,
    import_attendance,
    read_journal,
)
from pfdo.desk.imports.batch import (
    Batch,
    SheetRefused,
    SheetRejected,
    import_batch,
    read_batch,
)
from pfdo.desk.imports.columns import describe
from pfdo.desk.imports.kinds import Kind
from pfdo.desk.sheets import ENCODINGS, write_errors
from pfdo.domain.errors import InvalidInput
from pfdo.ledger import Ledger

Rejection = SheetRejected | SheetRefused | JournalRejected

READING = """\b
Files: .xlsx (the first sheet), or CSV as Excel saves it: UTF-8 with or without BOM
(Excel's "CSV UTF-8"), UTF-16 with BOM (Excel's "Unicode text"), cp1251 with
--encoding cp1251 (Excel's plain "CSV"). Separator: ';', tab or ',', the one the
header line uses. Headers in any order and case; other columns are ignored."""


def _with_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The file argument and the options every import takes, then the writing ones."""
    f = click.option(
        "--partial", is_flag=True,
        help="Write the good rows even if others are wrong (they are listed in errors).",
    )(f)  # fmt: skip
    f = click.option(
        "--errors", "errors_file", type=click.Path(dir_okay=False), callback=_writable,
        help="With wrong rows, write them here (CSV UTF-8 with BOM, ';'): the file's "
        "columns, then line, column, reason.",
    )(f)  # fmt: skip
    f = click.option(
        "--encoding", type=click.Choice(ENCODINGS, case_sensitive=False),
        help="A CSV's encoding without a byte order mark (default utf-8; Excel's plain "
        "CSV is cp1251). A byte order mark (UTF-8, UTF-16 LE/BE) always wins.",
    )(f)  # fmt: skip
    return writing(click.argument("file", type=click.Path())(f))


def _writable(_ctx: click.Context, _param: click.Parameter, path: str | None) -> str | None:
    """`--errors FILE` must be writable before anything is imported."""
    folder = Path(path).parent if path is not None else None
    if folder is not None and not folder.is_dir():
        message = f"--errors {path}: the folder {folder} does not exist"
        raise MalformedInput(InvalidInput(message))  # one Error line, exit 2, nothing read
    return path


@click.group("import")
def import_group() -> None:
    """Bring many facts in at once from spreadsheets (CSV or xlsx), checked whole."""


def register_imports(group: click.Group) -> None:
    """Add the import commands to `group` (`pfdo import`), with the writing options."""
    for kind in KINDS.values():
        group.command(kind.name, help=_help(kind))(click.pass_obj(_with_options(_runner(kind))))
    attendance_help = (
        "Record a journal of lessons in one atomic bulk: all or nothing.\n\n\b\n"
        "Columns (header line):\n" + describe(FIELDS) + "\n\n" + READING + "\n\n"
        "The whole file is checked first: with wrong rows nothing is written and the command "
        "exits 2 with one Error line naming each wrong row's line and column (--errors FILE "
        "writes them all as CSV); --partial writes the good marks. The same journal imported "
        "again writes nothing: without --request-id, the request id is derived from the marks "
        "(and --on)."
    )
    command = click.pass_obj(_with_options(_attendance))
    group.command("attendance", help=attendance_help)(command)


def _help(kind: Kind) -> str:
    return (
        f"Import a sheet of {kind.name}: checked whole, then written in one bulk.\n\n\b\n"
        f"Columns (header line):\n{describe(kind.fields)}\n\n{READING}\n\n"
        "Every wrong row is named by line, column and reason, and nothing is written "
        "(exit 2 for wrong cells, 1 when the rules refuse a row: an age outside the band, a "
        "program at capacity...), unless --partial, which writes exactly the good rows. "
        "Rubles take ',' or '.' as the decimal mark. Each row's request id is derived from "
        "its values and --on: the same file imported again writes nothing."
    )


def _runner(kind: Kind) -> Callable[..., None]:
    def run(
        session: Session,
        /,
        file: str,
        encoding: str | None,
        errors_file: str | None,
        partial: bool,
        as_json: bool,
        on: str | None,
        request_id: str | None,
    ) -> None:
        with refusals():
            batch = read_batch(kind, file, encoding=encoding)
        if batch.errors and not partial:
            _fail(SheetRejected(kind.what, batch.file, batch.errors), batch, errors_file)

        def attempt(ledger: Ledger) -> SheetImported | SheetRefused:
            try:
                return import_batch(
                    ledger, batch, on=on, partial=partial, request_id=request_id,
                    progress=progress, actor=actor_given(),
                )  # fmt: skip
            except SheetRefused as refused:
                return refused

        with progress_bar("importing", as_json) as progress:
            outcome = session.call(attempt)
        if isinstance(outcome, SheetRefused):
            _fail(outcome, batch, errors_file)
        _done(outcome, batch, errors_file, as_json)

    return run


def _fail(error: Rejection, sheet: Batch | Journal, errors_file: str | None) -> NoReturn:
    """Refuse the whole file: its wrong rows to `--errors`, one `Error:` line."""
    if errors_file is not None:
        write_errors(errors_file, sheet.header, sheet.rows, error.errors)
    raise CommandError.of(error)


def _done(
    result: SheetImported | AttendanceImported,
    sheet: Batch | Journal,
    errors_file: str | None,
    as_json: bool,
) -> None:
    if result.errors and errors_file is not None:
        write_errors(errors_file, sheet.header, sheet.rows, result.errors)
    emit(result, as_json)


def _attendance(
    session: Session,
    /,
    file: str,
    encoding: str | None,
    errors_file: str | None,
    partial: bool,
    as_json: bool,
    on: str | None,
    request_id: str | None,
) -> None:
    # the command owns its process (as `pfdo bill` does): the collector stays paused while
    # the journal's objects live, the ledger's close (its catch-up) included
    with collector_paused():
        with refusals():
            read = read_journal(file, encoding=encoding)
        if read.errors and not partial:
            _fail(JournalRejected(read.file, read.errors), read, errors_file)
        key = request_id or f"journal-{read.key(on)}"
        with progress_bar("recording", as_json) as progress:
            record = functools.partial(
                import_attendance, marks=read.marks, on=on, request_id=key, progress=progress,
                file=read.file, partial=partial, rejected=read.errors, actor=actor_given(),
            )  # fmt: skip
            result = session.call(record)
            del record
        session.close()
        _done(result, read, errors_file, as_json)
        del read  # its rows freed while the collector is paused: none for it to walk after


register_imports(import_group)
