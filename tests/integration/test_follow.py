"""A projection worker following the log beside writers that leave projecting to it."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from integration.year import PERIOD, TOWN, open_year
from pfdo import Ledger
from pfdo.projections import tables


def _position(ledger: Ledger) -> int:
    with ledger._engine.connect() as connection:
        return int(connection.execute(select(tables.position.c.position)).scalar_one())


def test_a_follower_keeps_the_read_models_level_with_writers_that_do_not_project(
    db_url: str,
) -> None:
    with Ledger(db_url) as follower_ledger:
        stop = threading.Event()
        folded: list[int] = []
        worker = threading.Thread(
            target=lambda: follower_ledger.follow(poll=0.2, stop=stop.is_set, on_fold=folded.append)
        )
        worker.start()
        try:
            with Ledger(db_url, project_after_commands=False) as writer:
                open_year(writer)
                for i in range(5):
                    number = writer.issue_certificate(
                        child=f"f{i}", birth_date="2014-01-01", municipality=TOWN, on="2025-01-02"
                    ).number
                    writer.fund_certificate(number, period=PERIOD, category="base", on="2025-01-03")
                end = writer.log_position()
            deadline = time.monotonic() + 30
            while _position(follower_ledger) < end and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _position(follower_ledger) == end
        finally:
            stop.set()
            worker.join(timeout=30)
        assert sum(folded) == end
        assert not worker.is_alive()


def test_a_writer_that_does_not_project_still_reads_its_own_writes(db_url: str) -> None:
    with Ledger(db_url, project_after_commands=False) as writer:
        open_year(writer)
        number = writer.issue_certificate(
            child="x", birth_date="2014-01-01", municipality=TOWN, on="2025-01-02"
        ).number
        writer.fund_certificate(number, period=PERIOD, category="base", on="2025-01-03")
        assert writer.balance(number).periods[0].available == 1200000
