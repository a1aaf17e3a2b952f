"""`Ledger(busy_timeout=SECONDS)`: a call on a store another process holds locked waits that
long at most, then raises `StoreUnavailable` having written nothing; a busy timeout that is
not a number of seconds 0 or more is `InvalidInput`."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from pfdo import InvalidInput, Ledger, StoreUnavailable


def test_a_command_on_a_locked_sqlite_store_gives_up_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "store.sqlite")
    with Ledger(db) as first:
        first.add_provider("P1", name="Школа", on="2025-01-02")
    with Ledger(db, busy_timeout=0.5) as ledger:
        before = ledger.log_position()
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writing, and taking its time
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="locked"):
                ledger.add_provider("P2", name="Другая", on="2025-01-02")
            waited = time.monotonic() - started
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert 0.4 <= waited < 5, waited
        assert ledger.log_position() == before
        assert ledger.add_provider("P2", name="Другая", on="2025-01-02").provider == "P2"


@pytest.mark.parametrize("seconds", [-1, "5", float("nan"), float("inf"), True, [1]])
def test_a_busy_timeout_that_is_not_seconds_is_invalid_input(tmp_path: Path, seconds: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        Ledger(str(tmp_path / "store.sqlite"), busy_timeout=seconds)
    assert [field for field, _ in raised.value.fields] == ["busy_timeout"]
    assert not (tmp_path / "store.sqlite").exists()
