"""A rebuild or a catch-up gives the live rows however the log is cut into pages: whether
the rebuild holds every row until the end, or writes them out and loads them back, and
whether a catch-up loads, updates and writes rows many times over."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from integration.year import PERIOD, funded_child, open_year
from pfdo import Ledger
from pfdo.projections import tables
from pfdo.projections.chain import ChainKeeper
from pfdo.projections.read_models import REBUILD_ROWS, ReadModels
from pfdo.projections.runner import Projector


def _rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    with ledger._engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(r) for r in connection.execute(select(table)).mappings()), key=repr
            )
            for table in tables.FOLDED_TABLES
        }


def _a_busy_year(ledger: Ledger) -> None:
    open_year(ledger, nominal="5000")
    children = [funded_child(ledger, f"c{i}") for i in range(4)]
    contracts = [
        ledger.enroll(
            number,
            program="CHESS",
            start="2025-01-15",
            end="2025-06-10",
            mode="attendance" if i % 2 else "fixed",
            on="2025-01-10",
        ).contract
        for i, number in enumerate(children[:3])
    ]
    ledger.enroll(
        children[3], program="SWIM", start="2025-02-01", end="2025-05-31", on="2025-01-10"
    )
    ledger.record_attendance(contracts[1], dates=["2025-01-16", "2025-01-20"], on="2025-01-20")
    ledger.terminate(contracts[1], on="2025-01-31")
    for month, on in (("2025-01", "2025-02-01"), ("2025-02", "2025-03-01")):
        ledger.bill(month, on=on)
    ledger.correct(contracts[0], month="2025-02", refund="100", reason="closed", on="2025-03-03")
    ledger.terminate(contracts[2], on="2025-03-10")
    ledger.change_nominal(PERIOD, category="base", nominal="6000", on="2025-03-11")
    ledger.withdraw_program("SWIM", on="2025-03-12")
    for month in range(3, 7):
        ledger.bill(f"2025-{month:02}", on=f"2025-{month + 1:02}-01")
    ledger.close_period(PERIOD, on="2025-12-31")


def _projector(ledger: Ledger, rebuild_rows: int = REBUILD_ROWS, **pages: int) -> Projector:
    log = ledger._log
    folds = (ReadModels(log, rebuild_rows=rebuild_rows), ChainKeeper(log))
    return Projector(log, ledger._engine, folds, **pages)


def test_a_rebuild_that_writes_its_rows_out_between_pages_gives_the_live_rows(
    ledger: Ledger,
) -> None:
    _a_busy_year(ledger)
    live = _rows(ledger)
    report = _projector(ledger, rebuild_page=7, rebuild_rows=5).rebuild()
    assert report.events == ledger.log_position()
    assert _rows(ledger) == live


def test_a_rebuild_that_holds_every_row_to_the_end_gives_the_live_rows(ledger: Ledger) -> None:
    _a_busy_year(ledger)
    live = _rows(ledger)
    _projector(ledger, rebuild_page=3).rebuild()
    assert _rows(ledger) == live


def test_a_catch_up_from_the_start_in_small_pages_gives_the_live_rows(ledger: Ledger) -> None:
    _a_busy_year(ledger)
    live = _rows(ledger)
    with ledger._engine.begin() as connection:
        for table in tables.FOLDED_TABLES:
            connection.execute(delete(table))
        connection.execute(update(tables.position).values(position=0))
    assert _projector(ledger, page=4).catch_up() == ledger.log_position()
    assert _rows(ledger) == live
