"""Prolonging a region's school-year contracts (rule 23) against billing one month of the
same contracts, in the same run on the same store.

A synthetic region (the registry of bench/region.py: a provider for every 400 children,
a program for every 40) enrols every child from September or October asking for an end
in May of the next year; period 2026 is opened and every certificate funded for it.
Then October is billed (one month of every contract, in the billing run's batches) and
the contracts are prolonged into 2026 (one successor each, in the prolongation run's
batches), each timed; the figure is prolongation seconds / billing seconds (and the same
ratio of the process's CPU seconds).

    python bench/prolong.py --children 10000 [--db prolong.sqlite] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from pathlib import Path

from region import TOWN, set_up_registry

from pfdo import Ledger, PfdoError
from pfdo.application.collector import collector_paused

NEXT = "2026"


def enrol_school_years(
    ledger: Ledger, rng: random.Random, children: int, programs: list[tuple[str, int, int]]
) -> list[str]:
    """Issue and fund every child, enrol each in a school year; return the numbers."""
    numbers: list[str] = []
    with ledger.bulk(chunk=2000) as bulk:
        for i in range(children):
            age = rng.randint(6, 14)
            born = date(2024 - age, rng.randint(1, 12), rng.randint(1, 28))
            number = bulk.issue_certificate(
                child=f"child-{i:07d}", birth_date=born, municipality=TOWN, on="2025-01-02"
            ).number
            bulk.fund_certificate(number, period="2025", category="base", on="2025-01-02")
            start = date(2025, rng.choice((9, 10)), rng.choice((1, 1, 15)))
            fitting = [code for code, low, high in programs if low <= age + 1 <= high - 1]
            if not fitting:
                continue
            try:
                bulk.enroll(
                    number,
                    program=rng.choice(fitting),
                    start=start,
                    end="2026-05-31",
                    mode="fixed",  # billed without attendance: the same contracts
                    on="2025-08-25",
                )
            except PfdoError:
                continue
            numbers.append(number)
    return numbers


def open_next_year(ledger: Ledger, numbers: list[str]) -> None:
    ledger.open_period(
        NEXT,
        municipality=TOWN,
        start="2026-01-01",
        end="2026-12-31",
        categories={"base": {"nominal": "12000"}},
        on="2025-11-20",
    )
    with ledger.bulk(chunk=2000) as bulk:
        for number in numbers:
            bulk.fund_certificate(number, period=NEXT, category="base", on="2025-11-21")


def measure(db: str, children: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    with Ledger(db) as ledger:
        programs = set_up_registry(ledger, rng, children)
        numbers = enrol_school_years(ledger, rng, children, programs)
        open_next_year(ledger, numbers)
        ledger.period_report(NEXT)  # the read models level with the log before timing
        with collector_paused():  # as the command line runs both
            started, cpu = time.perf_counter(), time.process_time()
            billed = ledger.bill("2025-10", on="2025-11-01").billed
            billing = time.perf_counter() - started
            billing_cpu = time.process_time() - cpu
            ledger.period_report(NEXT)  # level again: the billing's own catch-up is its own
            started, cpu = time.perf_counter(), time.process_time()
            run = ledger.prolong(period=NEXT, on="2025-12-20")
            prolonging = time.perf_counter() - started
            prolonging_cpu = time.process_time() - cpu
    return {
        "children": children,
        "contracts": len(numbers),
        "billed": billed,
        "prolonged": len(run.prolonged),
        "not_prolonged": len(run.not_prolonged),
        "billing_s": billing,
        "prolonging_s": prolonging,
        "ratio": prolonging / billing,
        # the process's own CPU seconds: what the two cost apart from waiting on the disk
        # and on the other processes of a loaded machine
        "billing_cpu_s": billing_cpu,
        "prolonging_cpu_s": prolonging_cpu,
        "cpu_ratio": prolonging_cpu / billing_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="prolong.sqlite")
    args = parser.parse_args()
    if args.db.endswith(".sqlite") and Path(args.db).exists():
        Path(args.db).unlink()
    figures = measure(args.db, args.children, args.seed)
    print(
        ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()
        )
    )


if __name__ == "__main__":
    main()
