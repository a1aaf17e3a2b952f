"""`pfdo rebuild` and `pfdo follow`: keeping the read models level with the log."""

from __future__ import annotations

import click

from pfdo.application.collector import collector_paused
from pfdo.commandline.session import Session, emit, json_option, opens_store, progress_bar


@click.command()
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


@click.command()
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
    from pfdo.application.results import Followed

    if once:
        emit(Followed(folded=session.call(lambda ledger: ledger.catch_up())), as_json)
        return
    report = None if as_json else (lambda n: click.echo(f"folded {n} event(s)", err=True))
    try:
        folded = session.call(lambda ledger: ledger.follow(poll=poll, on_fold=report))
    except KeyboardInterrupt:
        folded = 0
    emit(Followed(folded=folded), as_json)
