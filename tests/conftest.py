"""Fixtures shared by every suite: a fresh store per test, on SQLite and on PostgreSQL.

Every test that takes `db_url` (or `ledger`) runs once per backend. SQLite is a file in
the test's temporary folder. PostgreSQL runs when `PFDO_TEST_POSTGRES` names a server
(`postgresql://USER@HOST:PORT/DB`, as `scripts/pg-test-server` prints): each test gets a
database of its own, dropped afterwards. Without it the PostgreSQL half is skipped, and
`.ci/run` always sets it.

Every test is marked by where it runs (see `pytest_collection_modifyitems`), so that
`-m "not store and not slow"` picks the fast inner loop: `store` for the tests that open a
store, `postgres` for those that need the PostgreSQL server, `slow` for the few that take
seconds each. The marks are given here, from the fixtures a test takes and from its path,
not written on each test.

The suite runs in parallel (pytest-xdist, `-n auto` in `.ci/run`): no test shares a file,
a port or a database with another, and the one test that restarts PostgreSQL restarts a
server of its own (tests/integration/test_faults.py), never the shared one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pfdo import Ledger

BACKENDS = ["sqlite", "postgresql"]
TESTS = Path(__file__).parent

MARKERS = {
    "store": "opens a store (SQLite or PostgreSQL): every test of tests/integration, "
    "tests/cli and tests/audit, the ledger's state machine and any test taking `db_url`, "
    "`new_store` or `ledger`",
    "postgres": "needs the PostgreSQL server of PFDO_TEST_POSTGRES (skipped without it)",
    "slow": "takes seconds: killed processes, many writers, the benchmarks' smoke runs, "
    "long Hypothesis runs on stores",
}
# folders whose every test opens a store, whatever its fixtures
STORE_FOLDERS = ("integration", "cli", "audit", "service")
STORE_FIXTURES = {"db_url", "new_store", "ledger"}
POSTGRES_FIXTURES = {"postgres_server", "own_server"}
# tests that open a store, or reach the PostgreSQL server, themselves: module path, then
# the test's name (a class's name for a Hypothesis state machine), without parameters
OPENS_STORE_ITSELF = {
    (
        "property/test_copy_properties.py",
        "test_an_interrupted_copy_run_again_holds_the_whole_log_once",
    ),
    ("property/test_ledger_state_machine.py", "TestTheLedgerFollowsTheRulesUnderRandomCommands"),
    (
        "property/test_ledger_state_machine.py",
        "TestTheLedgerOnPostgresFollowsTheRulesUnderRandomCommands",
    ),
}
REACHES_POSTGRES_ITSELF = {
    (
        "integration/test_benchmark_smoke.py",
        "test_the_copy_benchmark_reports_both_directions_with_their_peers",
    ),
    (
        "property/test_ledger_state_machine.py",
        "TestTheLedgerOnPostgresFollowsTheRulesUnderRandomCommands",
    ),
    (
        "integration/test_benchmark_smoke.py",
        "test_the_campaign_reports_one_writer_and_the_campaign_on_each_store",
    ),
    (
        "integration/test_benchmark_smoke.py",
        "test_the_writers_cpu_reports_each_count_of_writers_and_the_calls",
    ),
    ("integration/test_backends_agree.py", "test_sqlite_and_postgresql_print_the_same_bytes"),
}
# `slow`: measured with `--durations=0` on two cores, each takes 4 s or more on one backend
# at least (8 to 18 s for the slowest); and the tests that kill processes or run the
# benchmarks, whatever they take. Whole modules first, then single tests.
SLOW_MODULES = {
    "integration/test_benchmark_smoke.py",
    "integration/test_profile_smoke.py",
    "integration/test_sixteen_writers_on_limits.py",
    "integration/test_catch_up_faults.py",
    "integration/test_faults.py",
    "property/test_ledger_state_machine.py",
}
SLOW = {
    ("integration/test_store_copy.py", "test_a_copy_killed_five_times_then_run_again_is_whole"),
    (
        "integration/test_store_copy.py",
        "test_a_copy_beside_four_writers_then_after_them_equals_the_source",
    ),
    ("integration/test_store_copy.py", "test_the_year_goes_there_and_back_whole"),
    (
        "audit/test_audit_guessed_child_ids.py",
        "test_no_child_of_the_year_nor_a_plausible_guess_is_found_in_an_export",
    ),
    ("integration/test_backends_agree.py", "test_sqlite_and_postgresql_print_the_same_bytes"),
    (
        "integration/test_concurrency.py",
        "test_eight_processes_enrolling_and_billing_at_once_keep_the_money_whole",
    ),
    (
        "integration/test_waiting_lists.py",
        "test_eight_processes_funding_at_once_keep_within_the_limit",
    ),
    (
        "integration/test_write_path.py",
        "test_a_writer_killed_between_its_commit_and_the_catch_up_loses_nothing",
    ),
    (
        "property/test_hours_properties.py",
        "test_hours_contracts_reserve_bill_and_pay_by_rule_21_in_their_own_unit",
    ),
    (
        "property/test_ledger_properties.py",
        "test_billing_every_month_a_second_time_changes_nothing",
    ),
    (
        "property/test_ledger_properties.py",
        "test_a_billing_run_leaves_alone_the_contracts_enrolled_after_its_date",
    ),
    (
        "property/test_ledger_properties.py",
        "test_a_refund_cannot_be_dated_before_its_month_was_billed",
    ),
    (
        "property/test_ledger_properties.py",
        "test_lessons_after_a_termination_date_do_not_count_when_the_month_is_billed",
    ),
}
NewStore = Callable[[], str]


class _PostgresStores:
    """Creates throw-away databases on the test server and drops them at the end."""

    def __init__(self, server_url: str) -> None:
        base = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
        self._admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._server = server_url.rsplit("/", 1)[0]
        self._created: list[str] = []

    def new(self) -> str:
        name = f"pfdo_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        self._created.append(name)
        return f"{self._server}/{name}"

    def drop_all(self) -> None:
        with self._admin.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test speaks English unless it says otherwise: the command line says its errors
    in Russian under a Russian locale (`pfdo.application.messages.language_of`), and the
    tests assert on the English text, whatever the locale of the machine running them."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewStore]:
    """A factory of fresh, empty stores on the test's backend."""
    if request.param == "sqlite":
        counter = iter(range(1_000_000))
        yield lambda: str(tmp_path / f"pfdo-{next(counter)}.sqlite")
        return
    server = os.environ.get("PFDO_TEST_POSTGRES")
    if not server:
        pytest.skip("PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server")
    stores = _PostgresStores(server)
    try:
        yield stores.new
    finally:
        stores.drop_all()


@pytest.fixture
def db_url(new_store: NewStore) -> str:
    return new_store()


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with Ledger(db_url) as opened:
        yield opened


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def _where(item: pytest.Item) -> tuple[str, str]:
    """The test's module, relative to tests/, and its name without parameters (for a
    method, its class's name)."""
    module = Path(str(item.path)).resolve().relative_to(TESTS.resolve()).as_posix()
    name = item.nodeid.split("::")[1].split("[")[0]
    return module, name


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = _where(item)
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("new_store") if callspec is not None else None
        if (
            where[0].split("/")[0] in STORE_FOLDERS
            or fixtures & STORE_FIXTURES
            or where in OPENS_STORE_ITSELF
        ):
            item.add_marker(pytest.mark.store)
        if (
            backend == "postgresql"
            or fixtures & POSTGRES_FIXTURES
            or where in REACHES_POSTGRES_ITSELF
        ):
            item.add_marker(pytest.mark.postgres)
        if where[0] in SLOW_MODULES or where in SLOW:
            item.add_marker(pytest.mark.slow)
