"""A small municipality's certificate year, played through pfdo's public API.

Kazan opens period 2025 with three categories, admits three providers with five programs
(the pool's at a normative cost below its price), issues and funds fourteen certificates
(one waits in the list of a full category until its limit is raised in June), enrols the
children (fixed and attendance-paid contracts, some with a co-payment), records
attendance, bills every month (December on the 20th: the budget year closes), terminates
one contract, refunds one charge, raises a nominal in September and closes the year. The
pool is paid as regions pay providers: an 80% advance in the middle of each month, an
invoice after it (the refund, recorded after February was invoiced, is deducted in
March's), each paid a few days later.

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
PROGRAMS = [  # program, provider, title, monthly price, normative cost, ages, capacity
    ("CHESS", "SCHOOL-1", "Шахматы", "1500", None, (6, 12), None),
    ("ROBOT", "SCHOOL-1", "Робототехника", "2400", None, (8, 15), 10),
    ("SWIM", "POOL", "Плавание", "3000", "2500", (5, 17), None),
    ("DANCE", "IP-IVANOVA", "Народный танец", "1200", None, (5, 17), None),
    ("ART", "IP-IVANOVA", "Изостудия", "900", None, (5, 10), None),
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
    ("child-13", "2013-08-08", "large-family", "CHESS", "2025-02-01", "2025-05-31", "fixed"),
]
#: funded only when the category's limit is raised; then enrolled
WAITING = ("child-14", "2012-12-01", "large-family", "DANCE", "2025-07-01", "2025-11-30", "fixed")
PAID = "POOL"  # the provider paid by advances and invoices here
DECEMBER_BILLING = date(2025, 12, 20)


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
            "large-family": {"nominal": "10000", "count": 1},
        },
        on="2024-12-15",
        request_id="open-2025",
    )
    ledger.period_settings(
        PERIOD,
        advance=80,
        final_billing_from=DECEMBER_BILLING,
        on="2024-12-15",
        request_id="settings-2025",
    )
    for provider, name, kind in [
        ("SCHOOL-1", "МБОУ Школа №1", "municipal"),
        ("POOL", "ООО Бассейн «Волна»", "private"),
        ("IP-IVANOVA", "ИП Иванова А. А.", "sole-trader"),
    ]:
        ledger.add_provider(
            provider, name=name, kind=kind, on="2024-12-16", request_id=f"provider-{provider}"
        )
    for program, provider, title, price, normative, (lo, hi), capacity in PROGRAMS:
        ledger.add_program(
            program,
            provider=provider,
            title=title,
            monthly_price=price,
            normative_price=normative,
            min_age=lo,
            max_age=hi,
            capacity=capacity,
            on="2024-12-16",
            request_id=f"program-{program}",
        )
    numbers, contracts = [], []
    for index, (child, born, category, program, start, end, mode) in enumerate(CHILDREN, 1):
        number = issue(ledger, index, child, born)
        ledger.fund_certificate(
            number, period=PERIOD, category=category, on="2025-01-06", request_id=f"fund-{child}"
        )
        numbers.append(number)
        contracts.append(enroll(ledger, number, child, program, start, end, mode))
    waiting = issue(ledger, len(CHILDREN) + 1, WAITING[0], WAITING[1])
    numbers.append(waiting)
    ledger.fund_certificate(  # the category is full: the certificate waits in its list
        waiting, period=PERIOD, category=WAITING[2], queue=True, on="2025-01-06",
        request_id=f"fund-{WAITING[0]}",
    )  # fmt: skip
    rng = random.Random(2025)
    for month in months():
        first = date.fromisoformat(f"{month}-01")
        next_first = (first + timedelta(days=32)).replace(day=1)
        billed_on = DECEMBER_BILLING if month == "2025-12" else next_first
        if month == "2025-03":  # February is invoiced already: March's invoice deducts it
            ledger.correct(
                contracts[3][0],
                month="2025-02",
                refund="750",
                reason="бассейн закрыт на ремонт 2 недели",
                on="2025-03-05",
                request_id="refund-child-04-feb",
            )
        if month == "2025-04":
            ledger.terminate(
                contracts[6][0],
                reason="семья переехала",
                on="2025-04-10",
                request_id="terminate-child-07",
            )
        if month == "2025-06":  # the region adds a place: the list is served at once
            ledger.change_limits(
                PERIOD, category=WAITING[2], count=2, on="2025-06-02", request_id="limits-2025-06"
            )
            contracts.append(enroll(ledger, waiting, *WAITING[:1], *WAITING[3:]))
        if month != "2025-01":
            ledger.issue_advance(
                provider=PAID, month=month, on=first + timedelta(days=14),
                request_id=f"advance-{month}",
            )  # fmt: skip
            ledger.pay_invoice(
                f"{PAID}/{month}-A", on=first + timedelta(days=16), request_id=f"pay-{month}-A"
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
            days = lesson_days(max(start, first), min(end, billed_on - timedelta(days=1)))
            present = [d for d in days if rng.random() < 0.85]
            absent = [d for d in days if d not in present]
            for flag, marks in ((True, present), (False, absent)):
                if marks:
                    ledger.record_attendance(
                        code,
                        dates=marks,
                        present=flag,
                        on=billed_on - timedelta(days=1),
                        request_id=f"attend-{code}-{month}-{flag}",
                    )
        ledger.bill(month, on=billed_on, request_id=f"bill-{month}")
        ledger.issue_invoice(
            provider=PAID, month=month, on=billed_on, request_id=f"invoice-{month}"
        )
        ledger.pay_invoice(
            f"{PAID}/{month}", on=billed_on + timedelta(days=5), request_id=f"pay-{month}"
        )
    ledger.close_period(PERIOD, on="2025-12-31", request_id="close-2025")
    return numbers


def issue(ledger: Ledger, index: int, child: str, born: str) -> str:
    return ledger.issue_certificate(
        child=child,
        birth_date=born,
        municipality=TOWN,
        number=f"16{index:08d}",  # as the regional registry numbers them (Tatarstan: 16)
        on="2025-01-05",
        request_id=f"issue-{child}",
    ).number


def enroll(
    ledger: Ledger, number: str, child: str, program: str, start: str, end: str, mode: str
) -> tuple[str, str, date, date]:
    """Enrol a few days before the start (before September for the autumn contracts)."""
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
    return contract.contract, mode, date.fromisoformat(start), date.fromisoformat(end)


def rub(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def report(ledger: Ledger, numbers: list[str]) -> None:
    print(f"{'certificate':<12}{'category':<14}{'credited':>11}{'spent':>11}{'expired':>11}")
    totals = [0, 0, 0]
    for number in numbers:
        (pot,) = ledger.balance(number, period=PERIOD).periods
        print(
            f"{number:<12}{pot.category:<14}{rub(pot.credited):>11}{rub(pot.spent):>11}"
            f"{rub(pot.expired):>11}"
        )
        for i, amount in enumerate((pot.credited, pot.spent, pot.expired)):
            totals[i] += amount
    print(f"{'total':<26}{rub(totals[0]):>11}{rub(totals[1]):>11}{rub(totals[2]):>11}")
    register = ledger.register(PAID, month="2025-02")
    print(
        f"\n{PAID}'s register for 2025-02: certificates {rub(register.total_certificate)}, "
        f"parents {rub(register.total_parent)}, {len(register.lines)} contract(s)"
    )
    print(f"\n{PAID}'s invoices (80% advanced mid-month):")
    print(f"{'invoice':<15}{'amount':>10}{'advance':>10}{'adjust':>9}{'due':>10}  paid on")
    for doc in ledger.invoices(provider=PAID).invoices:
        if doc.kind == "invoice":
            print(
                f"{doc.invoice:<15}{rub(doc.amount):>10}{rub(doc.advance):>10}"
                f"{rub(doc.adjustments):>9}{rub(doc.due):>10}  {doc.paid_on}"
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
