"""Several processes write to one store at once: nothing is double-spent, lost or duplicated.

Eight real processes enrol children on the same few certificates and bill months while
the others enrol. Afterwards every invariant holds, the contracts in the read models are
exactly the successful enrolments, and a rebuild from the log gives the same rows.
"""

from __future__ import annotations

import multiprocessing
import random
from typing import Any

from sqlalchemy import func, select

from pfdo import Ledger, PfdoError
from pfdo.projections import tables

WORKERS = 8
ATTEMPTS = 6
PROGRAMS = ["CHESS", "SWIM", "ART"]


def _set_up(db: str) -> list[str]:
    with Ledger(db) as ledger:
        ledger.open_period(
            "2025",
            municipality="kazan",
            start="2025-01-01",
            end="2025-12-31",
            categories={"base": {"nominal": "9000"}},
            on="2024-12-20",
        )
        ledger.add_provider("P1", name="Школа", on="2024-12-20")
        for code, price, capacity in zip(
            PROGRAMS, ("1500", "3000", "900"), (None, 4, 2), strict=True
        ):
            ledger.add_program(
                code,
                provider="P1",
                title=code,
                monthly_price=price,
                min_age=5,
                max_age=17,
                capacity=capacity,
                on="2024-12-20",
            )
        numbers = []
        for i in range(4):
            number = ledger.issue_certificate(
                child=f"c{i}", birth_date="2014-01-01", municipality="kazan", on="2025-01-02"
            ).number
            ledger.fund_certificate(number, period="2025", category="base", on="2025-01-03")
            numbers.append(number)
        return numbers


def _worker(args: tuple[str, list[str], int]) -> dict[str, Any]:
    db, numbers, seed = args
    rng = random.Random(seed)
    enrolled, refused, billed = [], 0, 0
    with Ledger(db) as ledger:
        for attempt in range(ATTEMPTS):
            start_month = rng.randint(1, 6)
            end_month = start_month + rng.randint(0, 3)
            try:
                result = ledger.enroll(
                    rng.choice(numbers),
                    program=rng.choice(PROGRAMS),
                    start=f"2025-{start_month:02d}-01",
                    end=f"2025-{end_month:02d}-28",
                    on="2025-01-10",
                )
                enrolled.append(result.contract)
            except PfdoError:
                refused += 1
            if attempt % 2 == seed % 2:
                billed += ledger.bill(f"2025-{rng.randint(1, 3):02d}", on="2025-06-01").billed
        retried = ledger.conflicts_retried
    return {"enrolled": enrolled, "refused": refused, "billed": billed, "retried": retried}


def test_eight_processes_enrolling_and_billing_at_once_keep_the_money_whole(db_url: str) -> None:
    numbers = _set_up(db_url)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WORKERS) as pool:
        outcomes = pool.map(_worker, [(db_url, numbers, seed) for seed in range(WORKERS)])
    enrolled = [code for outcome in outcomes for code in outcome["enrolled"]]
    assert len(enrolled) == len(set(enrolled))
    with Ledger(db_url) as ledger:
        for month in ("2025-01", "2025-02", "2025-03"):
            ledger.bill(month, on="2025-06-01")
        for number in numbers:
            (pot,) = ledger.balance(number).periods
            assert pot.credited == pot.available + pot.reserved + pot.spent + pot.expired
            assert min(pot.available, pot.reserved, pot.spent) >= 0
            assert pot.reserved + pot.spent <= pot.credited
        with ledger._engine.connect() as connection:
            contracts = connection.execute(select(tables.contracts.c.contract)).scalars()
            assert sorted(contracts) == sorted(enrolled)
            months = connection.execute(
                select(func.count())
                .select_from(tables.contract_months)
                .where(tables.contract_months.c.status == "billed")
            ).scalar_one()
        billed_events = sum(
            r.billed
            for r in [ledger.bill(m, on="2025-06-01") for m in ("2025-01", "2025-02", "2025-03")]
        )
        assert billed_events == 0
        total_spent = sum(ledger.balance(n).periods[0].spent for n in numbers)
        registers = sum(
            ledger.register("P1", month=m).total_certificate
            for m in ("2025-01", "2025-02", "2025-03")
        )
        assert registers == total_spent
        assert months == sum(
            len(ledger.register("P1", month=m).lines) for m in ("2025-01", "2025-02", "2025-03")
        )
        assert sum(o["refused"] for o in outcomes) + len(enrolled) == WORKERS * ATTEMPTS
