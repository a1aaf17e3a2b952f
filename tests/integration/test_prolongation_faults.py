"""A prolongation run killed with SIGKILL in the middle (rule 23).

The run saves each batch of contracts with their successors, certificates and programs in
one transaction, so a run stopped at any point leaves each contract prolonged or not,
never half; running it again prolongs only what is left, and every contract ends with
exactly one successor.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from pfdo import Ledger
from pfdo.domain.contract import Contract

CHILDREN = 60
BATCH = 5
PROLONG_SLOWLY = """
import sys, time
from pfdo import Ledger
with Ledger(sys.argv[1]) as ledger:
    ledger.prolongation_batch = {batch}
    ledger.prolong(period="2026", on="2025-12-20", progress=lambda d, t: time.sleep(0.05))
"""


def _two_years_with_continuing_contracts(db: str) -> int:
    with Ledger(db) as ledger:
        for code, start, end, on in (
            ("2025", "2025-01-01", "2025-12-31", "2024-12-20"),
            ("2026", "2026-01-01", "2026-12-31", "2025-12-01"),
        ):
            ledger.open_period(
                code,
                municipality="kazan",
                start=start,
                end=end,
                categories={"base": {"nominal": "12000"}},
                on=on,
            )
        ledger.add_provider("P1", name="Школа", on="2024-12-20")
        ledger.add_program(
            "CHESS",
            provider="P1",
            title="Шахматы",
            monthly_price="1500",
            min_age=5,
            max_age=17,
            on="2024-12-20",
        )
        for i in range(CHILDREN):
            number = ledger.issue_certificate(
                child=f"c{i}", birth_date="2014-01-01", municipality="kazan", on="2025-01-02"
            ).number
            ledger.fund_certificate(number, period="2025", category="base", on="2025-01-03")
            ledger.enroll(
                number, program="CHESS", start="2025-09-15", end="2026-05-31", on="2025-09-01"
            )
            ledger.fund_certificate(number, period="2026", category="base", on="2025-12-02")
        return ledger.log_position()


def test_a_prolongation_killed_with_sigkill_resumes_and_prolongs_each_contract_once(
    db_url: str,
) -> None:
    setup_end = _two_years_with_continuing_contracts(db_url)
    process = subprocess.Popen(
        [sys.executable, "-c", PROLONG_SLOWLY.format(batch=BATCH), db_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    with Ledger(db_url) as watcher:
        while watcher.log_position() <= setup_end + BATCH and time.monotonic() < deadline:
            assert process.poll() is None, "the run finished before the fault"
            time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    with Ledger(db_url) as ledger:
        rest = ledger.prolong(period="2026", on="2025-12-21")
        assert 0 < len(rest.prolonged) < CHILDREN  # some done by the killed run, none half
        assert ledger.prolong(period="2026", on="2025-12-22").prolonged == []
        successors: Counter[str] = Counter()
        log = ledger._log
        for notification in log.recorder.select_notifications(start=1, limit=1_000_000):
            event = log.mapper.to_domain_event(notification)
            if isinstance(event, Contract.Prolonged):
                successors[event.contract] += 1
        assert len(successors) == CHILDREN and set(successors.values()) == {1}
        assert ledger.continuing("2025").contracts == []
        report = ledger.period_report("2026")
        assert (report.prolonged, report.prolonged_reserved) == (CHILDREN, CHILDREN * 750000)


WORKERS = 16


def _prolong_once(db: str) -> int:
    """One process's run: how many contracts it prolonged."""
    with Ledger(db) as ledger:
        ledger.prolongation_batch = BATCH
        return len(ledger.prolong(period="2026", on="2025-12-20").prolonged)


def test_sixteen_processes_running_the_same_prolongation_prolong_each_contract_once(
    db_url: str,
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("sixteen writers at once: PostgreSQL (SQLite writes one at a time)")
    _two_years_with_continuing_contracts(db_url)
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        counts = pool.map(_prolong_once, [db_url] * WORKERS)
    assert sum(counts) == CHILDREN
    with Ledger(db_url) as ledger:
        successors: Counter[str] = Counter()
        log = ledger._log
        for notification in log.recorder.select_notifications(start=1, limit=1_000_000):
            event = log.mapper.to_domain_event(notification)
            if isinstance(event, Contract.Prolonged):
                successors[event.contract] += 1
        assert len(successors) == CHILDREN and set(successors.values()) == {1}
        report = ledger.auditor().verify()
        assert report.ok, report.problems
