"""Exactly-once catch-up: a projection killed with SIGKILL at random points and restarted
never folds an event twice nor skips one; neither does a killed rebuild, nor a follower
killed mid-batch while writers go on committing.

The read models are emptied (as if they were far behind the log), then a catch-up in
another process, a page of 5 events per transaction, is killed several times at random
moments after it has committed its first page, and restarted. Its tables must then equal
those of a clean rebuild. (Killing at a fixed delay after start let a fast disk finish
the whole catch-up first.)
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from pfdo import Ledger
from pfdo.projections import tables
from pfdo.storage.store import StoreURL, open_engine

REGION = Path(__file__).parents[2] / "bench" / "region.py"
FOLD = """
import sys
from pfdo.projections.chain import ChainKeeper
from pfdo.projections.read_models import ReadModels
from pfdo.projections.runner import Projector
from pfdo.storage.store import StoreURL, open_engine, open_event_log
url = StoreURL.parse(sys.argv[1])
log = open_event_log(url)
projector = Projector(log, open_engine(url), [ReadModels(log), ChainKeeper(log)], page=5)
print("ready", flush=True)
projector.{method}()
"""
FOLLOW = """
import sys
from pfdo.projections.chain import ChainKeeper
from pfdo.application.follower import follow
from pfdo.projections.read_models import ReadModels
from pfdo.projections.runner import Projector
from pfdo.storage.store import StoreURL, open_engine, open_event_log
url = StoreURL.parse(sys.argv[1])
log = open_event_log(url)
projector = Projector(log, open_engine(url), [ReadModels(log), ChainKeeper(log)], page=5)
print("ready", flush=True)
follow(projector.catch_up, url, getattr(log.recorder, "channel_name", None), poll=0.05)
"""


def _rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    with ledger._engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(r) for r in connection.execute(select(table)).mappings()), key=repr
            )
            for table in tables.FOLDED_TABLES
        }


def _forget_everything(ledger: Ledger) -> None:
    with ledger._engine.begin() as connection:
        for table in tables.FOLDED_TABLES:
            connection.execute(delete(table))
        connection.execute(update(tables.position).values(position=0))


def _stored_position(db: str) -> int:
    """The read models' position, read without catching up."""
    engine = open_engine(StoreURL.parse(db))
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(tables.position.c.position)).scalar_one())
    finally:
        engine.dispose()


def _kill_at_random(db: str, method: str, rng: random.Random) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", FOLD.format(method=method), db], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    time.sleep(rng.uniform(0.05, 0.8))  # some pages in
    process.send_signal(signal.SIGKILL)
    process.wait()


def _kill_after_progress(db: str, rng: random.Random, script: str | None = None) -> None:
    """Start a catch-up (or `script`), wait until it has committed a page, then kill it a
    random moment later (a catch-up of 5 events a transaction takes seconds here)."""
    before = _stored_position(db)
    process = subprocess.Popen(
        [sys.executable, "-c", script or FOLD.format(method="catch_up"), db],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 60
    while _stored_position(db) == before and process.poll() is None:
        assert time.monotonic() < deadline, "the catch-up committed nothing in 60 s"
        time.sleep(0.005)
    time.sleep(rng.uniform(0.0, 0.1))
    process.send_signal(signal.SIGKILL)
    process.wait()


def _region(db: str) -> None:
    subprocess.run(
        [sys.executable, str(REGION), "--children", "120", "--db", db],
        check=True,
        capture_output=True,
    )


def test_a_catch_up_killed_again_and_again_folds_each_event_exactly_once(db_url: str) -> None:
    _region(db_url)
    rng = random.Random(7)
    with Ledger(db_url) as ledger:
        ledger.rebuild()
        clean, end = _rows(ledger), ledger.log_position()
        _forget_everything(ledger)
    stopped_at = []
    for _ in range(4):
        _kill_after_progress(db_url, rng)
        stopped_at.append(_stored_position(db_url))
    assert any(0 < position < end for position in stopped_at), stopped_at
    with Ledger(db_url) as ledger:  # opening folds nothing: the catch-up folds the rest
        ledger.catch_up()
        assert _rows(ledger) == clean


def test_a_killed_rebuild_leaves_the_old_rows_and_a_new_one_finishes(db_url: str) -> None:
    _region(db_url)
    with Ledger(db_url) as ledger:
        live = _rows(ledger)
    rng = random.Random(11)
    for _ in range(3):
        _kill_at_random(db_url, "rebuild", rng)
        with Ledger(db_url) as ledger:
            assert _rows(ledger) == live
    with Ledger(db_url) as ledger:
        ledger.rebuild()
        assert _rows(ledger) == live


def test_a_follower_killed_mid_batch_while_writers_commit_folds_each_event_once(
    db_url: str,
) -> None:
    _region(db_url)
    rng = random.Random(13)
    with Ledger(db_url) as ledger:
        _forget_everything(ledger)
    numbers = []
    for round_ in range(4):
        _kill_after_progress(db_url, rng, FOLLOW)
        # writers go on between the kills, folding nothing themselves (a follower does)
        with Ledger(db_url, project_after_commands=False) as writer:
            numbers.append(
                writer.issue_certificate(
                    child=f"late-{round_}", birth_date="2014-05-05", municipality="region",
                    on="2025-01-05",
                ).number
            )  # fmt: skip
    with Ledger(db_url) as ledger:
        ledger.catch_up()
        folded = _rows(ledger)
        ledger.rebuild()
        assert folded == _rows(ledger)
        assert all(ledger.certificate(n).type == "accounting" for n in numbers)
        report = ledger.auditor().verify()
        assert report.ok, report.problems
