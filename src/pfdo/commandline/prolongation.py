"""The year's turn on the command line: `prolong --period NEW` (rule 23)."""

from __future__ import annotations

from typing import Any

import click

from pfdo.application.collector import collector_paused
from pfdo.commandline.options import CODE, writing
from pfdo.commandline.session import Session, emit, progress_bar


@click.command()
@click.option("--period", required=True, metavar="PERIOD", help=f"The later period {CODE}.")
@writing
@click.pass_obj
def prolong(session: Session, /, period: str, as_json: bool, **options: Any) -> None:
    """Prolong the contracts that continue into a later period (rule 23)."""
    with progress_bar("prolonging", as_json) as progress, collector_paused():
        result = session.call(
            lambda ledger: ledger.prolong(period=period, progress=progress, **options)
        )
    emit(result, as_json)
