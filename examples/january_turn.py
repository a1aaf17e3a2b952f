"""A municipality's January turn: school-year contracts prolonged into the next period.

Kazan's periods are calendar years; families enrol for the school year. Three children
enrol in chess from 15 September 2025 asking for an end of 31 May 2026: each contract
ends with period 2025 and records `continues_until` (rule 23). One family then says it
will not continue. Period 2026 opens and two of the certificates are funded for it; the
prolongation run of 20 December gives the first child's contract its successor in 2026
(7,500.00, of which 5,000.00 from the certificate: 1,000.00 a month, 500.00 from the
parents), skips the stopped one, and lists the third as `not_funded`. The contract cards
link predecessor and successor, and every event records who asked for it (rule 25).

Every command carries a request id, so running the script twice writes nothing the
second time and prints the same figures.

    python examples/january_turn.py [--db PATH]
"""

from __future__ import annotations

import argparse

from pfdo import Ledger

TOWN = "kazan"
CHILDREN = [("turn-1", "2016-03-14"), ("turn-2", "2015-07-02"), ("turn-3", "2017-11-20")]


def rub(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def play(ledger: Ledger) -> None:
    ledger.open_period(
        "2025", municipality=TOWN, start="2025-01-01", end="2025-12-31",
        categories={"base": {"nominal": "12000"}}, on="2024-12-15", request_id="turn-open-2025",
    )  # fmt: skip
    ledger.add_provider(
        "SCHOOL-1", name="МБОУ Школа №1", kind="municipal", on="2024-12-16",
        request_id="turn-provider",
    )  # fmt: skip
    ledger.add_program(
        "CHESS", provider="SCHOOL-1", title="Шахматы", monthly_price="1500", min_age=6,
        max_age=12, on="2024-12-16", request_id="turn-program",
    )  # fmt: skip
    contracts = []
    for index, (child, born) in enumerate(CHILDREN, 1):
        number = ledger.issue_certificate(
            child=child, birth_date=born, municipality=TOWN, number=f"16{index + 90:08d}",
            on="2025-09-01", request_id=f"turn-issue-{child}",
        ).number  # fmt: skip
        ledger.fund_certificate(
            number, period="2025", category="base", on="2025-09-01",
            request_id=f"turn-fund-2025-{child}",
        )  # fmt: skip
        enrolment = ledger.enroll(
            number, program="CHESS", start="2025-09-15", end="2026-05-31", on="2025-09-10",
            request_id=f"turn-enroll-{child}", actor="portal",
        )  # fmt: skip
        contracts.append((number, enrolment))
    first = contracts[0][1]
    months = " / ".join(rub(m.price) for m in first.months)
    print(f"{first.contract}: {first.start}..{first.end}, continues until {first.continues_until}")
    print(
        f"  months {months}; price {rub(first.price)}, certificate {rub(first.certificate_share)}"
    )
    ledger.stop_continuation(
        contracts[1][1].contract, on="2025-11-20", request_id="turn-stop", actor="parent:turn-2"
    )
    ledger.open_period(
        "2026", municipality=TOWN, start="2026-01-01", end="2026-12-31",
        categories={"base": {"nominal": "5000"}}, on="2025-12-01", request_id="turn-open-2026",
    )  # fmt: skip
    for number, _ in contracts[:2]:
        ledger.fund_certificate(
            number, period="2026", category="base", on="2025-12-01",
            request_id=f"turn-fund-2026-{number}",
        )  # fmt: skip
    run = ledger.prolong(period="2026", on="2025-12-20", request_id="turn-prolong-2026")
    for made in run.prolonged:
        print(
            f"prolonged {made.contract} -> {made.successor}: {made.start}..{made.end}, "
            f"price {rub(made.price)}, certificate {rub(made.certificate_share)}, "
            f"parents {rub(made.parent_share)}"
        )
    for left in run.not_prolonged:
        print(f"not prolonged {left.contract}: {left.reason}")
    for made in run.prolonged:
        card = ledger.contract(made.successor)
        print(f"{card.contract} continues {card.continues}; enrolled by {card.actor}")
    for number, _ in contracts:
        pots = ", ".join(
            f"{p.period} available {rub(p.available)} reserved {rub(p.reserved)}"
            for p in ledger.balance(number).periods
        )
        print(f"{number}: {pots}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="pfdo-turn.sqlite", help="SQLite file (created)")
    args = parser.parse_args()
    with Ledger(args.db, actor="operator:kazan") as ledger:
        play(ledger)


if __name__ == "__main__":
    main()
