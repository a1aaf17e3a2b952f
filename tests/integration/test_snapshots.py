"""Snapshots of contracts and certificates are a cache: loading from them gives exactly the
state a full replay of the log gives, and deleting them changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import text
from year import funded_child, open_year, pot

from pfdo import Ledger
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.storage.loading import load_batch

MONTHS = ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]


def _a_billed_spring(ledger: Ledger) -> tuple[list[str], list[str]]:
    """Three children, attendance and fixed contracts, billed February to June, with
    lessons recorded after the last billing run."""
    open_year(ledger)
    # numbered here: generated numbers are keyed per store, and two stores are compared
    numbers = [funded_child(ledger, f"child-{i}", number=f"100000000{i}") for i in range(3)]
    contracts = []
    for i, number in enumerate(numbers):
        mode = "attendance" if i % 2 else "fixed"
        enrolment = ledger.enroll(
            number,
            program="CHESS",
            start="2025-02-03",
            end="2025-09-30",
            mode=mode,
            on="2025-01-20",
        )
        contracts.append(enrolment.contract)
    for month in MONTHS:
        for code in contracts:
            ledger.record_attendance(code, dates=[f"{month}-10", f"{month}-17"], on=f"{month}-20")
        next_month = f"2025-{int(month[5:]) + 1:02d}-01"
        ledger.bill(month, on=next_month)
    for code in contracts:
        ledger.record_attendance(code, dates=["2025-07-08"], on="2025-07-09")
    return numbers, contracts


def _ids(numbers: list[str], contracts: list[str]) -> list[UUID]:
    return [Certificate.id_for(n) for n in numbers] + [Contract.id_for(c) for c in contracts]


def _states(ledger: Ledger, ids: list[UUID]) -> tuple[dict[UUID, dict[str, Any]], int]:
    """Each aggregate's state as loaded, and how many were loaded from a snapshot."""
    batch = load_batch(ledger._log, ids, ledger._decode)
    states = {
        key: {k: v for k, v in vars(a).items() if k != "_pending_events"}
        for key, a in batch.aggregates.items()
    }
    return states, len(batch.snapshot_versions)


def _drop_snapshots(ledger: Ledger) -> None:
    snapshots = ledger._log.snapshots
    assert snapshots is not None
    table = snapshots.recorder.events_table_name  # type: ignore[attr-defined]
    with ledger._engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {table}"))


def test_loads_from_snapshots_equal_a_full_replay(ledger: Ledger) -> None:
    numbers, contracts = _a_billed_spring(ledger)
    ids = _ids(numbers, contracts)
    from_snapshots, snapshotted = _states(ledger, ids)
    assert snapshotted == len(ids)  # every one of them was billed often enough
    _drop_snapshots(ledger)
    replayed, none = _states(ledger, ids)
    assert none == 0
    assert from_snapshots == replayed


def test_billing_without_snapshots_charges_the_same(db_url: str, tmp_path: Path) -> None:
    with Ledger(db_url) as ledger:
        numbers, _ = _a_billed_spring(ledger)
        ledger.bill("2025-07", on="2025-08-01")
        with_snapshots = [pot(ledger, n) for n in numbers]
        register = ledger.register("P1", month="2025-07")
    assert any(p["spent"] > 0 for p in with_snapshots)
    with Ledger(str(tmp_path / "again.sqlite")) as again:
        numbers_again, _ = _a_billed_spring(again)
        _drop_snapshots(again)
        again.bill("2025-07", on="2025-08-01")
        assert [pot(again, n) for n in numbers_again] == with_snapshots
        assert again.register("P1", month="2025-07") == register
