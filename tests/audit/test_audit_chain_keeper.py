"""The chain as one more fold: kept level with the log by catch-up, appended to and never
rewritten, and built for a store that had none, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, delete, func, select

from pfdo import Ledger
from pfdo.audit.auditor import Auditor
from pfdo.projections import audit_tables as at
from pfdo.storage.store import StoreURL


def chain_rows(db: str) -> list[tuple[int, str]]:
    engine = create_engine(StoreURL.parse(db).sqlalchemy_url())
    try:
        with engine.connect() as connection:
            query = select(at.chain.c.position, at.chain.c.hash).order_by(at.chain.c.position)
            return [(int(p), h) for p, h in connection.execute(query)]
    finally:
        engine.dispose()


def forget_chain(db: str) -> None:
    """What a store written before the chain existed looks like: no hashes at all."""
    engine = create_engine(StoreURL.parse(db).sqlalchemy_url())
    try:
        with engine.begin() as connection:
            connection.execute(delete(at.chain))
            assert connection.execute(select(func.count()).select_from(at.chain)).scalar() == 0
    finally:
        engine.dispose()


def test_the_chain_holds_one_hash_per_event_in_log_order(year_url: str) -> None:
    rows = chain_rows(year_url)
    with Ledger(year_url) as ledger:
        assert [p for p, _ in rows] == list(range(1, ledger.log_position() + 1))
        result = ledger.auditor().verify()
    assert result.ok and result.head.hash == rows[-1][1]


def test_a_rebuild_leaves_every_recorded_hash_as_it_was(year_url: str) -> None:
    before = chain_rows(year_url)
    with Ledger(year_url) as ledger:
        ledger.rebuild()
    assert chain_rows(year_url) == before


def test_a_store_without_a_chain_is_chained_by_its_next_rebuild(year_url: str) -> None:
    before = chain_rows(year_url)
    forget_chain(year_url)
    with Auditor.open(year_url) as auditor:
        unchained = auditor.verify()
    assert unchained.chained == 0
    assert any(f"{len(before)} event(s) after position 0 are not chained" in w
               for w in unchained.warnings)  # fmt: skip
    with Ledger(year_url) as ledger:
        ledger.rebuild()
    assert chain_rows(year_url) == before


def test_a_store_without_a_chain_is_chained_by_its_next_command(year_url: str) -> None:
    before = chain_rows(year_url)
    forget_chain(year_url)
    with Ledger(year_url) as ledger:
        ledger.add_provider("LATE", name="A later provider", on="2026-01-10")
        result = ledger.auditor().verify()
    after = chain_rows(year_url)
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert result.ok, result.problems
