"""A synthetic region's certificate year, seeded and deterministic, through the public API.

The shape follows the scale of docs/RULES.md: children aged 5-17 with certificates (about 4 in
100 funded in the `disabled` category at 30,000 rubles, the rest in `base` at 12,000), a
provider for every 400 children and a program for every 40, contracts of 2 to 9 months at
500 to 3,000 rubles a month (a fifth of the children take two), both payment modes,
two lessons a week with 85% attendance, co-payments where a certificate runs short, 3%
of contracts terminated early, refunds on 1 billed month in 200, every month billed and
the year closed. Everything goes through `Ledger.bulk()` and the bulk billing run.
With `--unbilled 2025-07` that month is left unbilled and the period open (the year is
otherwise the same), so that a benchmark can time the billing run of a full month.

    python bench/region.py --children 100000 --db region.sqlite [--seed 1] [--unbilled M]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from pfdo import Ledger, PfdoError
from pfdo.application.collector import collector_paused

PERIOD, TOWN = "2025", "region"
YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)


@dataclass
class Plan:
    """A contract to enrol: who, where, when, how."""

    number: str
    program: str
    start: date
    end: date
    mode: str
    weekdays: tuple[int, int]


def month_starts() -> list[date]:
    return [date(2025, m, 1) for m in range(1, 13)]


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def set_up_registry(
    ledger: Ledger, rng: random.Random, children: int
) -> list[tuple[str, int, int]]:
    """Open the period, admit providers, add programs; return (program, min, max age)."""
    ledger.open_period(
        PERIOD,
        municipality=TOWN,
        start=YEAR_START,
        end=YEAR_END,
        categories={"base": {"nominal": "12000"}, "disabled": {"nominal": "30000"}},
        on="2024-12-01",
    )
    providers = [f"PR{i:04d}" for i in range(max(3, children // 400))]
    kinds = ("municipal", "private", "sole-trader")
    programs = []
    with ledger.bulk(chunk=2000) as bulk:
        for i, provider in enumerate(providers):
            bulk.add_provider(provider, name=f"Организация {i}", kind=kinds[i % 3], on="2024-12-02")
        for i in range(max(5, children // 40)):
            low = rng.randint(5, 14)
            high = min(17, low + rng.randint(2, 8))
            price = rng.choice((500, 700, 900, 1000, 1200, 1500, 1800, 2000, 2400, 3000))
            code = f"PG{i:05d}"
            bulk.add_program(
                code,
                provider=rng.choice(providers),
                title=f"Программа {i}",
                monthly_price=str(price),
                min_age=low,
                max_age=high,
                on="2024-12-03",
            )
            programs.append((code, low, high))
    return programs


def issue_and_enrol(
    ledger: Ledger, rng: random.Random, children: int, programs: list[tuple[str, int, int]]
) -> list[Plan]:
    """Issue, fund and enrol every child; return the contracts made."""
    plans: list[Plan] = []
    with ledger.bulk(chunk=2000) as bulk:
        for i in range(children):
            age = rng.randint(5, 16)  # turning 5..17 during 2025
            born = date(2024 - age, rng.randint(1, 12), rng.randint(1, 28))
            number = bulk.issue_certificate(
                child=f"child-{i:07d}", birth_date=born, municipality=TOWN, on="2025-01-02"
            ).number
            category = "disabled" if rng.random() < 0.04 else "base"
            bulk.fund_certificate(number, period=PERIOD, category=category, on="2025-01-02")
            for _ in range(2 if rng.random() < 0.2 else 1):
                plan = _plan(rng, number, born, programs)
                if plan is None:
                    continue
                try:
                    bulk.enroll(
                        number,
                        program=plan.program,
                        start=plan.start,
                        end=plan.end,
                        mode=plan.mode,
                        on=plan.start - timedelta(days=5),
                    )
                except PfdoError:
                    continue
                plans.append(plan)
    return plans


def _plan(
    rng: random.Random, number: str, born: date, programs: list[tuple[str, int, int]]
) -> Plan | None:
    months = rng.randint(2, 9)
    first = rng.randint(1, 13 - months)
    start = date(2025, first, rng.choice((1, 1, 1, 10, 15)))
    end = month_end(date(2025, first + months - 1, 1))
    age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
    fitting = [code for code, low, high in programs if low <= age <= high]
    if not fitting:
        return None
    mode = "attendance" if rng.random() < 0.6 else "fixed"
    weekdays = rng.choice(((0, 2), (1, 3), (2, 4), (5, 6)))
    return Plan(number, rng.choice(fitting), start, end, mode, weekdays)


def contract_codes(ledger: Ledger, plans: list[Plan]) -> dict[int, str]:
    """Contract ids by plan, in enrolment order (NUMBER-001, -002 per certificate)."""
    seen: dict[str, int] = {}
    codes = {}
    for index, plan in enumerate(plans):
        seen[plan.number] = seen.get(plan.number, 0) + 1
        codes[index] = f"{plan.number}-{seen[plan.number]:03d}"
    return codes


def run_year(
    ledger: Ledger,
    rng: random.Random,
    plans: list[Plan],
    progress: bool = False,
    unbilled: str | None = None,
) -> None:
    """Attendance, terminations, billing and refunds month by month, then the close
    (unless month `unbilled` is left unbilled: then the period stays open)."""
    codes = contract_codes(ledger, plans)
    ended: dict[int, date] = {}
    for first in month_starts():
        last = month_end(first)
        billed_on = last + timedelta(days=1)
        with ledger.bulk(chunk=2000) as bulk:
            for index, plan in enumerate(plans):
                if plan.start > last or plan.end < first or index in ended:
                    continue
                if rng.random() < 0.005 and plan.end > last:
                    day = first + timedelta(days=rng.randint(0, 27))
                    if day >= plan.start:
                        bulk.terminate(codes[index], reason="семья отказалась", on=day)
                        ended[index] = day
                if plan.mode == "attendance":
                    _attend(bulk, rng, codes[index], plan, first, ended.get(index, last))
        month = first.isoformat()[:7]
        with collector_paused():  # as the command line runs a billing
            billed = 0 if month == unbilled else ledger.bill(month, on=billed_on).billed
        with ledger.bulk(chunk=2000) as bulk:
            for index, plan in enumerate(plans):
                if plan.start <= last and rng.random() < 0.005 and index not in ended:
                    with contextlib.suppress(PfdoError):
                        bulk.correct(
                            codes[index],
                            month=month,
                            refund="100",
                            reason="перерасчёт",
                            on=billed_on + timedelta(days=2),
                        )
        if progress:
            print(f"  {month}: billed {billed}", flush=True)
    if unbilled is None:
        ledger.close_period(PERIOD, on=YEAR_END)


def _attend(
    ledger: Ledger, rng: random.Random, code: str, plan: Plan, first: date, last: date
) -> None:
    day = max(first, plan.start)
    present: list[date] = []
    absent: list[date] = []
    until = min(last, plan.end)
    while day <= until:
        if day.weekday() in plan.weekdays:
            (present if rng.random() < 0.85 else absent).append(day)
        day += timedelta(days=1)
    if not present and not absent:  # a few days without a lesson: the month is recorded
        absent.append(until)  # as one missed lesson, so that it can be billed and closed
    for flag, days in ((True, present), (False, absent)):
        if days:
            ledger.record_attendance(code, dates=days, present=flag, on=month_end(first))


def generate(
    db: str, children: int, seed: int = 1, progress: bool = False, unbilled: str | None = None
) -> dict[str, float]:
    """Play the whole synthetic year into the store `db`; return counts and seconds.
    `unbilled`: a month ("2025-07") to leave unbilled, and the period open."""
    rng = random.Random(seed)
    started = time.perf_counter()
    with Ledger(db) as ledger:
        programs = set_up_registry(ledger, rng, children)
        plans = issue_and_enrol(ledger, rng, children, programs)
        if progress:
            print(f"  enrolled {len(plans)} contracts", flush=True)
        run_year(ledger, rng, plans, progress, unbilled)
        events = ledger.log_position()
    return {
        "children": children,
        "contracts": len(plans),
        "events": events,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="region.sqlite")
    parser.add_argument(
        "--unbilled",
        metavar="YYYY-MM",
        default=None,
        help="leave this month unbilled and the period open",
    )
    args = parser.parse_args()
    figures = generate(args.db, args.children, args.seed, progress=True, unbilled=args.unbilled)
    print(
        ", ".join(
            f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()
        )
    )


if __name__ == "__main__":
    main()
