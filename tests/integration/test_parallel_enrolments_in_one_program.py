"""Rule 14 under concurrent writers: ten enrolments of one child in one program at once.

Ten threads, each with a `Ledger` of its own on the same store, enrol the same
certificate in the same program for overlapping dates, released together by a barrier.
Every enrolment saves the certificate with optimistic concurrency, so exactly one contract
is made; the other nine are refused naming it (or, at worst, give up on conflicts), and
the certificate's money reserves one share only.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from pfdo import Ledger, PfdoError
from pfdo.domain.errors import ConcurrencyConflict
from pfdo.projections import tables

WRITERS = 10


def _set_up(db: str) -> str:
    with Ledger(db) as ledger:
        ledger.open_period(
            "2025",
            municipality="city",
            start="2025-01-01",
            end="2025-12-31",
            categories={"base": {"nominal": "12000"}},
            on="2025-01-01",
        )
        ledger.add_provider("school-1", name="School 1", on="2025-01-01")
        ledger.add_program(
            "chess",
            provider="school-1",
            title="Chess",
            monthly_price="1500",
            min_age=5,
            max_age=12,
            on="2025-01-01",
        )
        number = ledger.issue_certificate(
            child="child-1", birth_date="2015-06-01", municipality="city", on="2025-01-10"
        ).number
        ledger.fund_certificate(number, period="2025", category="base", on="2025-01-10")
        return number


def test_ten_enrolments_at_once_of_one_child_in_one_program_make_one_contract(
    db_url: str,
) -> None:
    number = _set_up(db_url)
    ledgers = [Ledger(db_url) for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    made: list[str] = []
    errors: list[PfdoError] = []

    def enrol(ledger: Ledger, index: int) -> None:
        barrier.wait()
        try:
            made.append(
                ledger.enroll(
                    number,
                    program="chess",
                    start=f"2025-02-{index + 1:02d}",
                    end="2025-05-31",
                    on="2025-01-20",
                ).contract
            )
        except PfdoError as error:
            errors.append(error)

    threads = [threading.Thread(target=enrol, args=(ledger, i)) for i, ledger in enumerate(ledgers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for ledger in ledgers:
            ledger.close()

    assert made == [f"{number}-001"]
    assert len(errors) == WRITERS - 1
    for error in errors:
        assert isinstance(error, ConcurrencyConflict) or (
            f"already has contract {number}-001 in program chess" in str(error)
        ), error
    with Ledger(db_url) as ledger:
        with ledger._engine.connect() as connection:
            contracts = connection.execute(select(tables.contracts.c.contract)).scalars().all()
        assert contracts == [f"{number}-001"]
        (pot,) = ledger.balance(number).periods
        share = ledger.history(number).movements[-1]
        assert share.kind == "reserved"
        assert pot.reserved == share.amount
        assert pot.available == pot.credited - share.amount
