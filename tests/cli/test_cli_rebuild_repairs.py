"""`pfdo rebuild` repairs what it exists to repair: read models a catch-up cannot fold into.

A writer that does not project leaves events unfolded; then the rows of
`pfdo_certificates` are lost. A catch-up would fold the unfolded events into rows that
are not there; `pfdo rebuild` folds the whole log again instead, without catching up
first (opening the store folds nothing), and the balances come out as on a clean store.
"""

from __future__ import annotations

from collections.abc import Callable

from cli_helpers import NUMBER, Pfdo
from sqlalchemy import delete

from conftest import set_up_year
from pfdo import Ledger
from pfdo.projections import tables
from pfdo.storage.store import StoreURL, open_engine

SECOND_CHILD = "1000000002"


def _unprojected_writes(db: str) -> None:
    """A second child, funded and enrolled by a writer that leaves the folding to others."""
    with Ledger(db, project_after_commands=False) as writer:
        writer.issue_certificate(
            child="child-2",
            birth_date="2016-03-01",
            municipality="city",
            number=SECOND_CHILD,
            on="2025-01-10",
        )
        writer.fund_certificate(SECOND_CHILD, period="2025", category="base", on="2025-01-10")
        for number in (NUMBER, SECOND_CHILD):
            writer.enroll(
                number, program="chess", start="2025-01-15", end="2025-04-10", on="2025-01-12"
            )


def _lose_the_certificate_rows(db: str) -> None:
    engine = open_engine(StoreURL.parse(db))
    try:
        with engine.begin() as connection:
            connection.execute(delete(tables.certificates))
    finally:
        engine.dispose()


def test_rebuild_repairs_lost_certificate_rows_with_events_left_unfolded(
    pfdo: Pfdo, new_store: Callable[[], str]
) -> None:
    damaged = set_up_year(pfdo)
    _unprojected_writes(damaged.db)
    _lose_the_certificate_rows(damaged.db)
    verified = damaged("audit", "verify", "--json")
    assert verified.exit_code == 1
    assert "`pfdo rebuild` chains them" in verified.stdout

    rebuilt = damaged("rebuild", "--json")

    assert rebuilt.exit_code == 0, rebuilt.output
    assert damaged("audit", "verify", "--json").exit_code == 0
    clean = set_up_year(Pfdo(new_store()))
    _unprojected_writes(clean.db)
    for number in (NUMBER, SECOND_CHILD):
        assert damaged.json("balance", number) == clean.json("balance", number)
        assert damaged.json("history", number) == clean.json("history", number)
