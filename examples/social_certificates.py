"""A municipality moving from ruble certificates to social certificates in one year.

Yelabuga pays its first half-year (period 2025-1) from ruble certificates of 9,000.00
(ПФДО) and its second half-year (period 2025-2) from social certificates (189-ФЗ) of
40.00 person-hours. The same two providers serve both: the pool's swimming costs
3,000.00 a month or 8.00 hours a month at 169.55 rubles a person-hour, the club's chess
1,500.00 a month or 6.00 hours at 150.00. Six children are funded in both periods and
enrolled (fixed and attendance-paid); in the hours period one enrolment asks for more
hours than are left and is refused (there is no co-payment in hours), then enrols for
fewer months. Every month is billed and every provider invoiced and paid, and both
periods close. The two periods are printed side by side: each pot in its unit, and what
the providers were paid, always in rubles.

Every command carries a request id, so running the script twice writes nothing the
second time and prints the same figures.

    python examples/social_certificates.py [--db PATH]
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from pfdo import Ledger
from pfdo.domain.errors import Refused

TOWN = "yelabuga"
RUBLES, HOURS = "2025-1", "2025-2"
PERIODS = {  # period: start, end, category, its spec
    RUBLES: ("2025-01-01", "2025-06-30", "base", {"nominal": "9000", "count": 10}),
    HOURS: ("2025-07-01", "2025-12-31", "social", {"nominal": "40", "unit": "hours"}),
}
PROGRAMS = [  # program, provider, title, monthly price, hours a month, cost of an hour
    ("SWIM", "POOL", "Плавание", "3000", "8", "169.55"),
    ("CHESS", "CLUB", "Шахматы", "1500", "6", "150"),
]
CHILDREN = [  # child, birth date, (program, start, end, mode) in each period
    ("child-1", "2015-04-01", ("SWIM", "2025-02-10", "2025-04-30", "fixed"),
     ("SWIM", "2025-09-01", "2025-12-31", "fixed")),
    ("child-2", "2012-09-15", ("CHESS", "2025-01-15", "2025-06-30", "attendance"),
     ("CHESS", "2025-07-01", "2025-12-31", "attendance")),
    ("child-3", "2017-02-20", ("SWIM", "2025-03-01", "2025-05-31", "attendance"),
     ("SWIM", "2025-09-10", "2025-11-30", "attendance")),
    ("child-4", "2010-11-11", ("CHESS", "2025-01-09", "2025-06-30", "fixed"),
     ("SWIM", "2025-07-01", "2025-12-31", "fixed")),  # 48.00 hours of 40.00: refused
    ("child-5", "2014-06-30", ("SWIM", "2025-01-13", "2025-03-31", "fixed"),
     ("CHESS", "2025-09-01", "2025-12-31", "fixed")),
    ("child-6", "2016-01-25", ("CHESS", "2025-04-01", "2025-06-30", "attendance"),
     ("SWIM", "2025-10-01", "2025-12-31", "attendance")),
]  # fmt: skip
#: the enrolment refused for want of hours, and the shorter one its child enrols in then
REFUSED = ("child-4", HOURS)
SHORTER = ("SWIM", "2025-08-01", "2025-12-31", "fixed")


def months(period: str) -> list[str]:
    first = 1 if period == RUBLES else 7
    return [f"2025-{m:02d}" for m in range(first, first + 6)]


def lesson_days(start: date, end: date) -> list[date]:
    """Two lessons a week: Mondays and Wednesdays."""
    days, day = [], start
    while day <= end:
        if day.weekday() in (0, 2):
            days.append(day)
        day += timedelta(days=1)
    return days


def play(ledger: Ledger) -> tuple[list[str], list[str]]:
    """The year: (certificate numbers, refusals met on the way)."""
    for period, (start, end, category, spec) in PERIODS.items():
        ledger.open_period(
            period,
            municipality=TOWN,
            start=start,
            end=end,
            categories={category: spec},
            on="2024-12-20",
            request_id=f"open-{period}",
        )
    for provider in sorted({p[1] for p in PROGRAMS}):
        ledger.add_provider(provider, name=provider.title(), on="2024-12-20", request_id=provider)
    for program, provider, title, price, hours, cost in PROGRAMS:
        ledger.add_program(
            program,
            provider=provider,
            title=title,
            monthly_price=price,
            hours_per_month=hours,
            hour_cost=cost,
            min_age=5,
            max_age=17,
            on="2024-12-20",
            request_id=f"program-{program}",
        )
    numbers, refusals, contracts = [], [], []
    for index, (child, born, *terms) in enumerate(CHILDREN, start=1):
        number = ledger.issue_certificate(
            child=child,
            birth_date=born,
            municipality=TOWN,
            number=f"16{index:08d}",
            on="2024-12-25",
            request_id=f"issue-{child}",
        ).number
        numbers.append(number)
        for period, (program, start, end, mode) in zip(PERIODS, terms, strict=True):
            category = PERIODS[period][2]
            funded_on = date.fromisoformat(PERIODS[period][0])
            ledger.fund_certificate(
                number, period=period, category=category, on=funded_on,
                request_id=f"fund-{child}-{period}",
            )  # fmt: skip
            if (child, period) == REFUSED:
                refusals.append(refuse(ledger, number, child, period, program, start, end))
                program, start, end, mode = SHORTER
            contracts.append(enrol(ledger, number, child, period, program, start, end, mode))
    for period in PERIODS:
        for month in months(period):
            attend(ledger, contracts, month)
            first = date.fromisoformat(f"{month}-01")
            billed_on = (first + timedelta(days=32)).replace(day=1)
            ledger.bill(month, on=billed_on, request_id=f"bill-{month}")
            for provider in ("CLUB", "POOL"):
                ledger.issue_invoice(
                    provider=provider, month=month, on=billed_on,
                    request_id=f"invoice-{provider}-{month}",
                )  # fmt: skip
                ledger.pay_invoice(
                    f"{provider}/{month}", on=billed_on + timedelta(days=5),
                    request_id=f"pay-{provider}-{month}",
                )  # fmt: skip
        ledger.close_period(period, on=PERIODS[period][1], request_id=f"close-{period}")
    return numbers, refusals


def refuse(
    ledger: Ledger, number: str, child: str, period: str, program: str, start: str, end: str
) -> str:
    """The enrolment that asks for more hours than the certificate holds: refused. (When
    the script runs again the period is closed and the enrolment is not tried.)"""
    (pot,) = ledger.balance(number, period=period).periods
    status = {p.period: p.status for p in ledger.periods().periods}[period]
    if status == "open" and pot.reserved == 0:
        try:
            ledger.enroll(number, program=program, start=start, end=end, on=PERIODS[period][0])
        except Refused as refusal:
            assert "no co-payment in hours" in str(refusal), refusal
        else:
            raise AssertionError("an enrolment beyond the hours available was accepted")
    credited = amount(pot.credited)
    return f"{child}: {program} {start}..{end} asks for more hours than the {credited} credited"


def enrol(
    ledger: Ledger,
    number: str,
    child: str,
    period: str,
    program: str,
    start: str,
    end: str,
    mode: str,
) -> tuple[str, str, date, date]:
    """Enrol a week before the start (in the period, not before its first day)."""
    first = date.fromisoformat(PERIODS[period][0])
    on = max(first, date.fromisoformat(start) - timedelta(days=7))
    contract = ledger.enroll(
        number, program=program, start=start, end=end, mode=mode, on=on,
        request_id=f"enroll-{child}-{period}-{start}",
    )  # fmt: skip
    return contract.contract, mode, date.fromisoformat(start), date.fromisoformat(end)


def attend(ledger: Ledger, contracts: list[tuple[str, str, date, date]], month: str) -> None:
    """The month's journal of every attendance-paid contract: every fifth lesson missed."""
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for code, mode, start, end in contracts:
        days = lesson_days(max(start, first), min(end, last))
        if mode != "attendance" or not days:
            continue
        for present in (True, False):
            marked = [d for i, d in enumerate(days) if (i % 5 != 4) == present]
            if marked:
                ledger.record_attendance(
                    code, dates=marked, present=present, on=last,
                    request_id=f"attend-{code}-{month}-{present}",
                )  # fmt: skip


def amount(value: int) -> str:
    return f"{value // 100:,}.{value % 100:02d}".replace(",", " ")


def report(ledger: Ledger, numbers: list[str]) -> None:
    """The two periods side by side: pots in their units, providers paid in rubles."""
    pots = {p: [ledger.balance(n, period=p).periods[0] for n in numbers] for p in PERIODS}
    paid = {
        p: sum(
            ledger.register(provider, month=m).total_certificate
            for provider in ("CLUB", "POOL")
            for m in months(p)
        )
        for p in PERIODS
    }
    hours = sum(
        ledger.register(provider, month=m).total_hours
        for provider in ("CLUB", "POOL")
        for m in months(HOURS)
    )
    print(f"{'':<28}{RUBLES + ' (rubles)':>20}{HOURS + ' (hours)':>20}")
    print(f"{'certificates funded':<28}{len(pots[RUBLES]):>20}{len(pots[HOURS]):>20}")
    for field in ("credited", "spent", "expired"):
        row = [amount(sum(getattr(pot, field) for pot in pots[p])) for p in PERIODS]
        print(f"{field:<28}{row[0]:>20}{row[1]:>20}")
    print(f"{'providers paid, rubles':<28}{amount(paid[RUBLES]):>20}{amount(paid[HOURS]):>20}")
    print(f"{'  for person-hours':<28}{'-':>20}{amount(hours):>20}")
    for provider in ("CLUB", "POOL"):
        dues = [
            sum(i.due for i in ledger.invoices(provider=provider, period=p).invoices)
            for p in PERIODS
        ]
        print(f"{'  invoiced ' + provider:<28}{amount(dues[0]):>20}{amount(dues[1]):>20}")
    units = {pot.unit for p in PERIODS for pot in pots[p]}
    print(f"\nunits of the pots: {', '.join(sorted(units))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="pfdo-social.sqlite", help="SQLite file (created)")
    args = parser.parse_args()
    with Ledger(args.db) as ledger:
        numbers, refusals = play(ledger)
        report(ledger, numbers)
    for refusal in refusals:
        print(f"refused on the way: {refusal}")
    print(f"\nThe log is in {args.db}; try: pfdo --db {args.db} register --provider POOL "
          "--month 2025-09")  # fmt: skip


if __name__ == "__main__":
    main()
