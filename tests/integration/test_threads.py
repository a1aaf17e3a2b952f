"""A `Ledger` that a threaded portal can share: many threads enrol at once through one.

Twelve threads enrol ten children each, all on the same program (so every enrolment
writes the same aggregate), while a reader asks for balances, and every thread also
retries one shared request id. Every call returns a result or raises a `PfdoError`,
and the contracts in the store are exactly the successes returned. A command committed
before its catch-up failed still returns its result, and the errors of the libraries
under pfdo reach a caller as `PfdoError`s.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from eventsourcing.persistence import ConnectionUnavailableError
from sqlalchemy import select

from integration.year import open_year
from pfdo import Ledger, PfdoError, StoreUnavailable
from pfdo.projections import tables

THREADS = 12
EACH = 10


def _set_up(ledger: Ledger, children: int) -> list[str]:
    open_year(ledger, nominal="9000")
    with ledger.bulk() as bulk:
        numbers = [
            bulk.issue_certificate(
                child=f"c{i}", birth_date="2014-01-01", municipality="kazan", on="2025-01-02"
            ).number
            for i in range(children)
        ]
        for number in numbers:
            bulk.fund_certificate(number, period="2025", category="base", on="2025-01-03")
    return numbers


def _enrol(ledger: Ledger, number: str, request_id: str | None = None) -> Any:
    return ledger.enroll(
        number,
        program="CHESS",
        start="2025-02-01",
        end="2025-03-31",
        on="2025-01-20",
        request_id=request_id,
    )


def test_one_ledger_shared_by_many_threads_reports_exactly_what_it_committed(
    ledger: Ledger,
) -> None:
    numbers = _set_up(ledger, THREADS * EACH + 1)
    shared = numbers[-1]
    start = threading.Barrier(THREADS + 1)
    done = threading.Event()
    outcomes: list[tuple[str, Any]] = []

    def enrolling(thread: int) -> None:
        start.wait()
        for number in numbers[thread * EACH : (thread + 1) * EACH]:
            try:
                outcomes.append(("ok", _enrol(ledger, number).contract))
            except PfdoError as refusal:
                outcomes.append(("refused", refusal))
            except BaseException as error:  # what the test exists to rule out
                outcomes.append(("foreign", error))
        try:
            outcomes.append(("ok", _enrol(ledger, shared, request_id="shared").contract))
        except BaseException as error:
            outcomes.append(("foreign", error))

    def reading() -> None:
        start.wait()
        while not done.is_set():
            try:
                ledger.balance(numbers[0])
            except BaseException as error:
                outcomes.append(("foreign", error))

    workers = [threading.Thread(target=enrolling, args=(t,)) for t in range(THREADS)]
    reader = threading.Thread(target=reading)
    for thread in [*workers, reader]:
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    reader.join()

    assert [o for o in outcomes if o[0] == "foreign"] == []
    assert len(outcomes) == THREADS * EACH + THREADS
    succeeded = {contract for kind, contract in outcomes if kind == "ok"}
    ledger.catch_up()
    with ledger._engine.connect() as connection:
        stored = set(connection.execute(select(tables.contracts.c.contract)).scalars())
    assert stored == succeeded
    assert len(succeeded) == THREADS * EACH + 1  # one contract for the shared request id


def test_a_command_committed_before_its_catch_up_failed_returns_its_result(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command's path holds no catch-up (issue 14): the catch-up after it is the next
    read's; when that fails, it raises to that read, and the next catch-up folds it."""
    (number,) = _set_up(ledger, 1)
    real = ledger._projector.catch_up
    failures: list[int] = []

    def failing_once(*args: Any) -> int:
        if not failures:
            failures.append(1)
            raise RuntimeError("the disk is full")
        return real(*args)

    monkeypatch.setattr(ledger._projector, "catch_up", failing_once)
    enrolment = _enrol(ledger, number)
    assert enrolment.contract == f"{number}-001"
    with ledger._engine.connect() as connection:
        assert connection.execute(select(tables.contracts.c.contract)).first() is None
    with pytest.raises(RuntimeError, match="the disk is full"):
        ledger.catch_up()
    assert ledger.catch_up() > 0
    (pot,) = ledger.balance(number).periods
    assert pot.reserved == enrolment.certificate_share
    with ledger._engine.connect() as connection:
        contracts = list(connection.execute(select(tables.contracts.c.contract)).scalars())
    assert contracts == [enrolment.contract]


def test_a_busy_event_store_reaches_the_caller_as_store_unavailable(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    (number,) = _set_up(ledger, 1)

    def busy(*_: Any, **__: Any) -> Any:
        raise ConnectionUnavailableError("Timed out waiting for return of writer")

    monkeypatch.setattr(ledger._log, "save", busy)
    with pytest.raises(StoreUnavailable, match="is busy: Timed out waiting") as raised:
        _enrol(ledger, number)
    assert raised.value.__suppress_context__ and raised.value.__cause__ is None
    assert "\n" not in str(raised.value)


def test_a_driver_error_in_a_report_reaches_the_caller_as_store_unavailable(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    (number,) = _set_up(ledger, 1)

    def locked(*_: Any) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ledger._projector, "catch_up", locked)
    with pytest.raises(StoreUnavailable, match=r"failed on .*: it is locked by another process"):
        ledger.balance(number)


def test_a_driver_error_in_an_audit_reaches_the_auditor_as_store_unavailable(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(ledger, 1)
    auditor = ledger.auditor()

    def locked(*_: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(auditor._engine, "connect", locked)
    with pytest.raises(StoreUnavailable, match=r"failed on .*: it is locked by another process"):
        auditor.verify()
