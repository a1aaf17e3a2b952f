"""A small municipality's certificate year, played through pfdo's public API.

Kazan opens period 2025 with two categories, admits three providers with five programs,
issues and funds twelve certificates, enrols the children (fixed and attendance-paid
contracts, one with a co-payment), records attendance, bills every month, terminates one
contract, refunds one charge, raises a nominal in September and closes the year.

Every command carries a request id, so running the script twice writes nothing the
second time and prints the same figures.

    python examples/municipality_year.py [--db PATH]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta

from pfdo import Ledger

TOWN, PERIOD = "kazan", "2025"
PROGRAMS = [  # program, provider, title, monthly price, ages, capacity
    ("CHESS", "SCHOOL-1", "Шахматы", "1500", (6, 12), None),
    ("ROBOT", "SCHOOL-1", "Робототехника", "2400", (8, 15), 10),
    ("SWIM", "POOL", "Плавание", "3000", (5, 17), None),
    ("DANCE", "IP-IVANOVA", "Народный танец", "1200", (5, 17), None),
    ("ART", "IP-IVANOVA", "Изостудия", "900", (5, 10), None),
]
CHILDREN = [  # child, birth date, category, program, start, end, mode
    ("child-01", "2016-03-14", "base", "CHESS", "2025-01-15", "2025-05-31", "fixed"),
    ("child-02", "2013-07-02", "base", "ROBOT", "2025-02-01", "2025-11-30", "attendance"),
    ("child-03", "2018-11-20", "base", "ART", "2025-01-09", "2025-06-30", "attendance"),
    ("child-04", "2010-01-30", "base", "SWIM", "2025-01-10", "2025-12-31", "fixed"),
    ("child-05", "2012-05-05", "disabled", "DANCE", "2025-03-01", "2025-12-31", "attendance"),
    ("child-06", "2015-09-09", "base", "CHESS", "2025-09-01", "2025-12-31", "fixed"),
    ("child-07", "2009-12-12", "base", "ROBOT", "2025-01-20", "2025-05-20", "fixed"),
    ("child-08", "2017-04-01", "base", "SWIM", "2025-04-01", "2025-08-31", "attendance"),
    ("child-09", "2014-02-28", "disabled", "SWIM", "2025-01-13", "2025-12-31", "fixed"),
    ("child-10", "2019-06-15", "base", "ART", "2025-09-01", "2025-12-31", "fixed"),
    ("child-11", "2011-10-10", "base", "DANCE", "2025-02-03", "2025-06-30", "attendance"),
    ("child-12", "2008-03-03", "base", "DANCE", "2025-09-01", "2025-12-31", "attendance"),
]


def months() -> list[str]:
    return [f"2025-{m:02d}" for m in range(1, 13)]


def lesson_days(start: date, end: date) -> list[date]:
    """Two lessons a week: Tuesdays and Thursdays."""
    days, day = [], start
    while day <= end:
        if day.weekday() in (1, 3):
            days.append(day)
        day += timedelta(days=1)
    return days


def play_year(ledger: Ledger) -> list[str]:
    """Run the whole year; return the certificate numbers."""
    ledger.open_period(
        PERIOD,
        municipality=TOWN,
        start="2025-01-01",
        end="2025-12-31",
        categories={
            "base": {"nominal": "12000", "count": 100},
            "disabled": {"nominal": "30000", "sum": "300000"},
        },
        on="2024-12-15",
        request_id="open-2025",
    )
    for provider, name, kind in [
        ("SCHOOL-1", "МБОУ Школа №1", "municipal"),
        ("POOL", "ООО Бассейн «Волна»", "private"),
        ("IP-IVANOVA", "ИП Иванова А. А.", "sole-trader"),
    ]:
        ledger.add_provider(
            provider, name=name, kind=kind, on="2024-12-16", request_id=f"provider-{provider}"
        )
    for program, provider, title, price, (lo, hi), capacity in PROGRAMS:
        ledger.add_program(
            program,
            provider=provider,
            title=title,
            monthly_price=price,
            min_age=lo,
            max_age=hi,
            capacity=capacity,
            on="2024-12-16",
            request_id=f"program-{program}",
        )
    numbers, contracts = [], []
    for index, (child, born, category, program, start, end, mode) in enumerate(CHILDREN, 1):
        number = ledger.issue_certificate(
            child=child,
            birth_date=born,
            municipality=TOWN,
            number=f"16{index:08d}",  # as the regional registry numbers them (Tatarstan: 16)
            on="2025-01-05",
            request_id=f"issue-{child}",
        ).number
        ledger.fund_certificate(
            number, period=PERIOD, category=category, on="2025-01-06", request_id=f"fund-{child}"
        )
        enrolled_on = min(date.fromisoformat(start), date(2025, 9, 1)) - timedelta(days=3)
        contract = ledger.enroll(
            number,
            program=program,
            start=start,
            end=end,
            mode=mode,
            on=enrolled_on,
            request_id=f"enroll-{child}",
        )
        numbers.append(number)
        contracts.append(
            (contract.contract, mode, date.fromisoformat(start), date.fromisoformat(end))
        )
    rng = random.Random(2025)
    for month in months():
        first = date.fromisoformat(f"{month}-01")
        next_first = (first + timedelta(days=32)).replace(day=1)
        if month == "2025-04":
            ledger.terminate(
                contracts[6][0],
                reason="семья переехала",
                on="2025-04-10",
                request_id="terminate-child-07",
            )
        if month == "2025-09":
            ledger.change_nominal(
                PERIOD,
                category="base",
                nominal="13000",
                on="2025-09-01",
                request_id="nominal-2025-09",
            )
        for code, mode, start, end in contracts:
            if mode != "attendance" or code == contracts[6][0]:
                continue
            days = lesson_days(max(start, first), min(end, next_first - timedelta(days=1)))
            present = [d for d in days if rng.random() < 0.85]
            absent = [d for d in days if d not in present]
            for flag, marks in ((True, present), (False, absent)):
                if marks:
                    ledger.record_attendance(
                        code,
                        dates=marks,
                        present=flag,
                        on=next_first - timedelta(days=1),
                        request_id=f"attend-{code}-{month}-{flag}",
                    )
        ledger.bill(month, on=next_first, request_id=f"bill-{month}")
        if month == "2025-03":
            ledger.correct(
                contracts[3][0],
                month="2025-02",
                refund="750",
                reason="бассейн закрыт на ремонт 2 недели",
                on="2025-03-05",
                request_id="refund-child-04-feb",
            )
    ledger.close_period(PERIOD, on="2025-12-31", request_id="close-2025")
    return numbers


def rub(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def report(ledger: Ledger, numbers: list[str]) -> None:
    print(f"{'certificate':<12}{'category':<10}{'credited':>11}{'spent':>11}{'expired':>11}")
    totals = [0, 0, 0]
    for number in numbers:
        (pot,) = ledger.balance(number, period=PERIOD).periods
        print(
            f"{number:<12}{pot.category:<10}{rub(pot.credited):>11}{rub(pot.spent):>11}"
            f"{rub(pot.expired):>11}"
        )
        for i, amount in enumerate((pot.credited, pot.spent, pot.expired)):
            totals[i] += amount
    print(f"{'total':<22}{rub(totals[0]):>11}{rub(totals[1]):>11}{rub(totals[2]):>11}")
    register = ledger.register("POOL", month="2025-02")
    print(
        f"\nPOOL's register for 2025-02: certificates {rub(register.total_certificate)}, "
        f"parents {rub(register.total_parent)}, {len(register.lines)} contract(s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="pfdo-demo.sqlite", help="SQLite file (created)")
    args = parser.parse_args()
    with Ledger(args.db) as ledger:
        numbers = play_year(ledger)
        report(ledger, numbers)
    print(f"\nThe log is in {args.db}; try: pfdo --db {args.db} history {numbers[0]}")


if __name__ == "__main__":
    main()
