"""Commands write their events and request record, nothing else; the read models and
the audit chain follow off the command's path (issue 14), and a caller still reads its
own writes: through the same `Ledger` at once, through another after a wait on a log
position. A writer killed between its commit and the catch-up loses nothing and folds
nothing twice.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from typing import Any

from sqlalchemy import select

from integration.year import PERIOD, funded_child, open_year
from pfdo import Ledger
from pfdo.projections import tables

KILLED_WRITER = """
import sys, time
from pfdo import Ledger
ledger = Ledger(sys.argv[1])
number = ledger.issue_certificate(
    child="killed", birth_date="2015-05-01", municipality="kazan", on="2025-01-05"
).number
ledger.fund_certificate(number, period="2025", category="base", on="2025-01-06")
ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-10")
print(number, flush=True)
time.sleep(600)  # committed; the catch-up (the next read, or closing) never comes
"""


def _rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Every folded table as stored (read without catching up)."""
    with ledger._engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(r) for r in connection.execute(select(table)).mappings()), key=repr
            )
            for table in tables.FOLDED_TABLES
        }


def _contracts(ledger: Ledger) -> list[str]:
    with ledger._engine.connect() as connection:
        return list(connection.execute(select(tables.contracts.c.contract)).scalars())


def test_a_command_moves_the_log_and_leaves_the_read_models_position_alone(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.catch_up()
    position = ledger.read_models_position()
    ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-10")
    assert ledger.log_position() > position
    assert ledger.read_models_position() == position
    assert _contracts(ledger) == []


def test_a_read_through_the_same_ledger_sees_the_command_that_returned_before_it(
    ledger: Ledger,
) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    enrolment = ledger.enroll(
        number, program="CHESS", start="2025-02-01", end="2025-05-31", on="2025-01-10"
    )
    (pot,) = ledger.balance(number, period=PERIOD).periods
    assert pot.reserved == enrolment.certificate_share
    assert ledger.read_models_position() == ledger.log_position()
    assert [c.contract for c in ledger.contracts(certificate=number).contracts] == [
        enrolment.contract
    ]


def test_threads_of_one_ledger_each_read_their_own_writes(ledger: Ledger) -> None:
    open_year(ledger)
    seen: dict[int, int] = {}

    def one(k: int) -> None:
        number = funded_child(ledger, child=f"t{k}")
        (pot,) = ledger.balance(number, period=PERIOD).periods
        seen[k] = pot.available

    threads = [threading.Thread(target=one, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == dict.fromkeys(range(4), 1200000)


def test_another_ledger_sees_a_write_once_it_has_waited_for_its_log_position(
    db_url: str,
) -> None:
    with Ledger(db_url) as writer, Ledger(db_url, project_after_commands=False) as reader:
        open_year(writer)
        number = funded_child(writer)
        written = writer.log_position()
        assert reader.read_models_position() < written  # nobody has folded it yet
        assert reader.wait_for(written, timeout=30)
        assert reader.read_models_position() >= written
        (pot,) = reader.balance(number, period=PERIOD).periods
        assert pot.available == 1200000


def test_a_read_only_ledger_waits_for_a_follower_to_fold_a_log_position(db_url: str) -> None:
    with Ledger(db_url, project_after_commands=False) as writer:
        open_year(writer)
        number = funded_child(writer)
        written = writer.log_position()
        # the follower's store open first: a SQLite reader then sees the file change
        with Ledger(db_url) as follower, Ledger(db_url, read_only=True) as reader:
            assert not reader.wait_for(written, timeout=0.2)  # no follower yet
            stop = threading.Event()
            worker = threading.Thread(target=lambda: follower.follow(poll=0.05, stop=stop.is_set))
            worker.start()
            try:
                assert reader.wait_for(written, timeout=30)
            finally:
                stop.set()
                worker.join()
            (pot,) = reader.balance(number, period=PERIOD).periods
            assert pot.available == 1200000


def test_closing_a_ledger_folds_what_it_wrote(db_url: str) -> None:
    with Ledger(db_url) as writer:
        open_year(writer)
        funded_child(writer)
        written = writer.log_position()
    with Ledger(db_url, read_only=True) as reader:
        assert reader.read_models_position() == written


def test_a_writer_killed_between_its_commit_and_the_catch_up_loses_nothing(
    db_url: str,
) -> None:
    with Ledger(db_url) as ledger:
        open_year(ledger)
        before = ledger.log_position()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, db_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        number = process.stdout.readline().strip()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL and number
    with Ledger(db_url) as ledger:
        assert ledger.log_position() > before
        assert ledger.read_models_position() == before  # committed, never folded
        (pot,) = ledger.balance(number, period=PERIOD).periods  # the next read folds it
        assert pot.reserved > 0 and len(_contracts(ledger)) == 1
        live = _rows(ledger)
        ledger.rebuild()
        assert _rows(ledger) == live  # folded exactly once
        assert ledger.auditor().verify().ok
