"""Faults in the middle of a billing run: a writer killed with SIGKILL, a server restarted.

Billing saves contracts with their certificates in atomic batches, so a run stopped at any
point leaves each contract month billed or not, never half; billing again finishes the
month, and every contract month ends billed exactly once. The server restarted is one of
the test's own (`OwnServer`), never the suite's shared one.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pfdo import Ledger
from pfdo.domain.contract import Contract

CHILDREN = 120
BATCH = 10
BILL_SLOWLY = """
import sys, time
from pfdo import Ledger
with Ledger(sys.argv[1], billing_batch={batch}) as ledger:
    ledger.bill("2025-02", on="2025-03-01", progress=lambda done, total: time.sleep(0.05))
"""


def _year_with_contracts(db: str) -> int:
    with Ledger(db) as ledger:
        ledger.open_period(
            "2025",
            municipality="kazan",
            start="2025-01-01",
            end="2025-12-31",
            categories={"base": {"nominal": "12000"}},
            on="2024-12-20",
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
                number, program="CHESS", start="2025-02-01", end="2025-03-31", on="2025-01-10"
            )
        return ledger.log_position()


def _start_slow_billing(db: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", BILL_SLOWLY.format(batch=BATCH), db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_progress(db: str, past: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    with Ledger(db) as watcher:
        while watcher.log_position() <= past + BATCH and time.monotonic() < deadline:
            assert process.poll() is None, "billing finished before the fault"
            time.sleep(0.02)


def _assert_every_month_billed_once(db: str) -> None:
    with Ledger(db) as ledger:
        run = ledger.bill("2025-02", on="2025-03-02")
        assert ledger.bill("2025-02", on="2025-03-03").billed == 0
        billed = Counter()
        log = ledger._log
        for notification in log.recorder.select_notifications(start=1, limit=1_000_000):
            event = log.mapper.to_domain_event(notification)
            if isinstance(event, Contract.MonthBilled) and event.month == "2025-02":
                billed[event.contract] += 1
        assert len(billed) == CHILDREN and set(billed.values()) == {1}
        register = ledger.register("P1", month="2025-02")
        assert register.total_certificate == CHILDREN * 150000
        assert len(register.lines) == CHILDREN
        assert run.billed < CHILDREN


def test_billing_killed_with_sigkill_resumes_and_bills_each_month_once(db_url: str) -> None:
    setup_end = _year_with_contracts(db_url)
    process = _start_slow_billing(db_url)
    _wait_for_progress(db_url, setup_end, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    _assert_every_month_billed_once(db_url)


class OwnServer:
    """A throw-away PostgreSQL server of one test's own, on a free port of loopback.

    The suite's server (`PFDO_TEST_POSTGRES`) is shared by every test, and by several at
    once when the suite runs in parallel: restarting it would break their connections.
    """

    def __init__(self, bin_dir: str) -> None:
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._pg_ctl = os.path.join(bin_dir, "pg_ctl")
        self.data = Path(tempfile.mkdtemp(prefix="pfdo-pg-own-"))
        if self._as_postgres:
            shutil.chown(self.data, "postgres", "postgres")
        initdb = os.path.join(bin_dir, "initdb")
        options = ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"]
        self._run(initdb, "-D", str(self.data), *options)
        self.port = self._start()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str, check: bool = True) -> int:
        done = subprocess.run(
            [*self._as_postgres, *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=check,
        )
        return done.returncode

    def _ctl(self, *command: str, check: bool = True) -> int:
        return self._run(self._pg_ctl, "-D", str(self.data), "-w", *command, check=check)

    def _start(self) -> int:
        for _ in range(5):  # a port found free may be taken before the server binds it
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = int(probe.getsockname()[1])
            options = f"-h 127.0.0.1 -p {port} -k {self.data}"
            log = f"{self.data}/server.log"
            if self._ctl("-l", log, "-o", options, "start", check=False) == 0:
                return port
        raise RuntimeError(f"no PostgreSQL server would start in {self.data}")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def remove(self) -> None:
        self._ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture
def own_server() -> Iterator[OwnServer]:
    if not os.environ.get("PFDO_TEST_POSTGRES"):
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    bin_dir = os.environ.get("PFDO_TEST_PG_BIN")
    if not bin_dir:
        pytest.skip("PFDO_TEST_PG_BIN is not set: see scripts/pg-test-server")
    server = OwnServer(bin_dir)
    try:
        yield server
    finally:
        server.remove()


def test_billing_across_a_server_restart_bills_each_month_once(own_server: OwnServer) -> None:
    db_url = own_server.url
    setup_end = _year_with_contracts(db_url)
    process = _start_slow_billing(db_url)
    _wait_for_progress(db_url, setup_end, process)
    own_server.restart()
    process.wait(timeout=120)
    _assert_every_month_billed_once(db_url)
