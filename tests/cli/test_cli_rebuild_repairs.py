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

from pfdo import Ledger
from pfdo.projections import tables
from pfdo.store import StoreURL, open_engine

SECOND_CHILD = "1000000002"


def _year(pfdo: Pfdo) -> Pfdo:
    """The CLI tests' year (see conftest), built on `pfdo`'s store."""
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000,count=100,sum=1200000",
        "--category", "small=1000", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.json("provider", "add", "school-1", "--name", "School 1", "--on", "2025-01-01")
    pfdo.json(
        "program", "add", "chess", "--provider", "school-1", "--title", "Chess",
        "--monthly-price", "1500", "--min-age", "5", "--max-age", "12", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.issue(NUMBER, "child-1", "2015-06-01")
    pfdo.fund(NUMBER)
    return pfdo


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
    damaged = _year(pfdo)
    _unprojected_writes(damaged.db)
    _lose_the_certificate_rows(damaged.db)
    verified = damaged("audit", "verify", "--json")
    assert verified.exit_code == 1
    assert "`pfdo rebuild` chains them" in verified.stdout

    rebuilt = damaged("rebuild", "--json")

    assert rebuilt.exit_code == 0, rebuilt.output
    assert damaged("audit", "verify", "--json").exit_code == 0
    clean = _year(Pfdo(new_store()))
    _unprojected_writes(clean.db)
    for number in (NUMBER, SECOND_CHILD):
        assert damaged.json("balance", number) == clean.json("balance", number)
        assert damaged.json("history", number) == clean.json("history", number)
