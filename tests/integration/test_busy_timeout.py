"""`Ledger(busy_timeout=SECONDS)`: a call on a store another process holds locked waits that
long at most, then raises `StoreUnavailable` having written nothing; a busy timeout that is
not a number of seconds 0 or more is `InvalidInput`."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pfdo import InvalidInput, Ledger, StoreUnavailable


@contextmanager
def held_locked(db_url: str) -> Iterator[None]:
    """Another process writing, and taking its time: SQLite's write lock, or on PostgreSQL
    the lock every insert into the log takes."""
    if db_url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(db_url) as other:
            other.execute("LOCK TABLE pfdo_events IN EXCLUSIVE MODE")
            yield
            other.rollback()
        return
    other = sqlite3.connect(db_url, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_command_on_a_locked_store_gives_up_after_the_busy_timeout(db_url: str) -> None:
    with Ledger(db_url) as first:
        first.add_provider("P1", name="Школа", on="2025-01-02")
    with Ledger(db_url, busy_timeout=0.5) as ledger:
        before = ledger.log_position()
        with held_locked(db_url):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="lock"):
                ledger.add_provider("P2", name="Другая", on="2025-01-02")
            waited = time.monotonic() - started
        # SQLite waits the busy timeout; PostgreSQL's insert lock waits whole seconds
        assert 0.4 <= waited < 5, waited
        assert ledger.log_position() == before
        assert ledger.add_provider("P2", name="Другая", on="2025-01-02").provider == "P2"


@pytest.mark.parametrize("seconds", [-1, "5", float("nan"), float("inf"), True, [1]])
def test_a_busy_timeout_that_is_not_seconds_is_invalid_input(tmp_path: Path, seconds: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        Ledger(str(tmp_path / "store.sqlite"), busy_timeout=seconds)
    assert [field for field, _ in raised.value.fields] == ["busy_timeout"]
    assert not (tmp_path / "store.sqlite").exists()


def test_a_busy_timeout_opens_either_store_and_its_commands_run(db_url: str) -> None:
    with Ledger(db_url, busy_timeout=0.5) as ledger:
        assert ledger.add_provider("P1", name="Школа", on="2025-01-02").provider == "P1"
        assert [p.provider for p in ledger.providers().providers] == ["P1"]
