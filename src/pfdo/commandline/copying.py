"""`pfdo copy --to TARGET`: move a store, whole, to another store (docs/CLI.md, docs/STORES.md).

The source is the root's `--db`. The copy reads a snapshot of the source while its writers
go on, writes the target in batches, folds the target's read models and chain and checks
its chain head against the source's (`pfdo.application.store_copy`). Progress (events
copied, rate) goes to standard error at a terminal, never under `--json`.
"""

from __future__ import annotations

import sys
import time

import click

from pfdo.commandline.session import Session, emit, json_option, opens_store, refusals
from pfdo.storage.copying import BATCH


class Rate:
    """Progress of a long copy on standard error: done, total and the rate per second,
    on one line per phase (`after`: a phase whose line this one ends first)."""

    def __init__(self, label: str, what: str = "events", after: Rate | None = None) -> None:
        self._label, self._what, self._after = label, what, after
        self._created = time.perf_counter()
        self._started: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._started is None:  # the first phase's clock runs from the start
            self._started = self._created
            if self._after is not None:
                self._after.close()
                self._started = time.perf_counter()
        seconds = max(time.perf_counter() - self._started, 1e-9)
        line = f"{self._label}: {done:,} / {total:,} {self._what}, {done / seconds:,.0f}/s"
        click.echo(f"\r{line}", err=True, nl=False)

    def close(self) -> None:
        """End the line, once."""
        if self._started is not None and self._after is not self:
            click.echo("", err=True)
            self._after = self  # closed


def _on_terminal(as_json: bool) -> bool:
    return not as_json and sys.stderr.isatty()


@click.command()
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="The store to copy into: a SQLite file, sqlite:///PATH or postgresql://...",
)
@click.option(
    "--resume",
    is_flag=True,
    help="The target must be a copy of this store already: copy only what it lacks.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=BATCH,
    show_default=True,
    metavar="N",
    help="Events written to the target per transaction.",
)
@json_option
@opens_store("read")
@click.pass_obj
def copy(session: Session, /, target: str, resume: bool, batch: int, as_json: bool) -> None:
    """Copy the store, every event at its position, into another store and verify it.

    The target is a new store (SQLite or PostgreSQL), or one an earlier copy of this store
    wrote: then only the events written since are copied. Writers may go on meanwhile;
    the copy takes the log as it was when it started. Prints the events copied, the
    position reached, the copy's chain head, whether it equals the source's, and the
    seconds taken.
    """
    from pfdo.application.store_copy import copy_store

    copying = folding = None
    if _on_terminal(as_json):
        copying = Rate("copying")
        folding = Rate("folding", "positions", after=copying)
    try:
        with refusals():
            result = copy_store(
                session.db, target, resume=resume, batch=batch, progress=copying, folding=folding
            )
    finally:
        for rate in (copying, folding):
            if rate is not None:
                rate.close()
    emit(result, as_json)
    if not result.verified:
        click.echo(
            f"Error: the copy's chain head at position {result.position} is not the "
            "source's: the copy is not whole",
            err=True,
        )
        raise click.exceptions.Exit(1)
