"""What every `pfdo` command shares, whichever group it is in: the session of one
invocation (the store it names, opened on first use as the command needs it), the one-line
errors, and printing a result.

A command says how it uses the store with `opens_store`: `read` (the default) never
creates a store and works on a read-only one, saying on standard error how far its read
models are behind the log; `write` creates a missing store (in a folder that exists) and
refuses a read-only one; `maintain` (rebuild, follow, checkpoint) needs an existing store
it may write. `pfdo.cli` (the root) and `pfdo.commandline.audit` both build on this module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from pfdo.application.messages import detail, language_of
from pfdo.domain.errors import InvalidInput, PfdoError

if TYPE_CHECKING:  # imported when a command runs: `pfdo --help` loads none of them
    from pfdo.application.results import Result
    from pfdo.audit.auditor import Auditor
    from pfdo.commandline.rendering import Progress
    from pfdo.ledger import Ledger

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_ACTOR, _ACTOR_GIVEN = "pfdo_actor", "pfdo_actor_given"
#: How a command uses the store (see the module's docstring).
Access = Literal["read", "write", "maintain"]
_ACCESS = "pfdo_store_access"


class CommandError(click.ClickException):
    """A pfdo error shown as one line `Error: ...`: exit 1, the domain refused. It is said
    from the catalogue (`pfdo.application.messages`): in Russian when the locale is
    Russian (`LC_ALL`, `LC_MESSAGES`, `LANG`: `ru_RU.UTF-8`), else the error's English."""

    exit_code = 1

    def __init__(self, error: PfdoError) -> None:
        said = detail(error, language_of(os.environ))
        super().__init__(" ".join(said.split()))

    @staticmethod
    def of(error: PfdoError) -> CommandError:
        """The error as the CLI shows it: malformed input exits 2, a refusal 1."""
        return MalformedInput(error) if isinstance(error, InvalidInput) else CommandError(error)


class MalformedInput(CommandError):
    """Malformed input: exit 2."""

    exit_code = 2


@contextmanager
def refusals() -> Iterator[None]:
    """pfdo's errors as click's: one line `Error: ...`, exit 1 (or 2 for bad input)."""
    try:
        yield
    except PfdoError as error:
        raise CommandError.of(error) from None


def opens_store(access: Access) -> Callable[[F], F]:
    """Mark a command's callback with how it uses the store (unmarked: `read`)."""

    def mark(f: F) -> F:
        setattr(f, _ACCESS, access)
        return f

    return mark


def command_access() -> Access:
    """How the command running now uses the store."""
    ctx = click.get_current_context(silent=True)
    callback = ctx.command.callback if ctx is not None else None
    access: Access = getattr(callback, _ACCESS, "read")
    return access


def remember_actor(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`--actor` (or `PFDO_ACTOR`): kept for the ledger the command opens (rule 25)."""
    if value is not None and param.name is not None:
        ctx.meta[_ACTOR] = value
        source = ctx.get_parameter_source(param.name)
        ctx.meta[_ACTOR_GIVEN] = source is click.core.ParameterSource.COMMANDLINE


def actor_given() -> str | None:
    """The actor given as `--actor` on the command line (not by `PFDO_ACTOR`), if any."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.meta.get(_ACTOR_GIVEN):
        return None
    given: str | None = ctx.meta.get(_ACTOR)
    return given


def _process_actor() -> str | None:
    """`--actor`, else `PFDO_ACTOR`; None: the ledger's default, the operating-system user."""
    ctx = click.get_current_context(silent=True)
    found: str | None = None if ctx is None else ctx.meta.get(_ACTOR)
    return found


class Session:
    """One invocation: the store it names and the ledger, opened on first use."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = self._open(command_access())
        return self._ledger

    def _open(self, access: Access) -> Ledger:
        from pfdo.ledger import Ledger

        with refusals():
            ledger = Ledger(
                self.db,
                create=access == "write",
                read_only=_read_only(access),
                actor=_process_actor(),
            )
            behind = ledger.read_models_behind() if ledger.read_only else 0
        if behind:
            click.echo(
                f"Warning: the read models are {behind} events behind the log of "
                f"{ledger.store.describe()}: it is read-only, so they answer as stored",
                err=True,
            )
        return ledger

    def audit(self, api: Callable[[Auditor], T]) -> T:
        """Call the auditor's toolkit on the store, opened as the command needs it and
        folding nothing, turning its errors (and the store's) into click's."""
        from pfdo.audit.auditor import Auditor
        from pfdo.storage.store import StoreURL, store_errors

        access = command_access()
        with refusals():
            store = StoreURL.parse(self.db)
            opened = Auditor.open(self.db, create=access == "write", read_only=_read_only(access))
            with opened as auditor, store_errors(store):
                return api(auditor)

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    def call(self, api: Callable[[Ledger], T]) -> T:
        """Call the API, turning its errors (and the store's) into click's."""
        from pfdo.storage.store import store_errors

        ledger = self.ledger
        with refusals(), store_errors(ledger.store):
            try:
                return api(ledger)
            except PfdoError:
                self._forget_created_store()
                raise

    def _forget_created_store(self) -> None:
        """A command refused on a SQLite file this invocation created leaves no file behind:
        bad input writes nothing, not even an empty store."""
        ledger = self._ledger
        if ledger is None or not ledger.created or ledger.store.kind != "sqlite":
            return
        if ledger.log_position() != 0:
            return
        created = ledger.store.sqlite_path
        self.close()
        for end in ("", "-wal", "-shm", "-journal"):
            Path(f"{created}{end}").unlink(missing_ok=True)

    def run(self, as_json: bool, api: Callable[[Ledger], Result]) -> None:
        """Call the API once and print its result."""
        emit(self.call(api), as_json)


def _read_only(access: Access) -> bool | None:
    """A reader takes a read-only store as it is; others refuse it."""
    return None if access == "read" else False


def emit(result: Result, as_json: bool) -> None:
    """Print a result: one JSON document with `--json`, plain lines without."""
    from pfdo.commandline import rendering as cli_format

    click.echo(cli_format.as_json(result) if as_json else cli_format.as_text(result))


def stdout_is_terminal() -> bool:
    """Whether a person watches standard output (the tests replace this)."""
    return sys.stdout.isatty()


@contextmanager
def progress_bar(label: str, as_json: bool) -> Iterator[Progress | None]:
    """A progress bar on standard error while a long run goes, only for a person at a
    terminal: none under `--json` or when standard output is piped."""
    from pfdo.commandline.rendering import Progress

    progress = Progress(label) if not as_json and stdout_is_terminal() else None
    try:
        yield progress
    finally:
        if progress is not None:
            progress.close()


def json_option(f: F) -> F:
    """`--json`: print exactly one JSON document."""
    option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
    return option(f)
