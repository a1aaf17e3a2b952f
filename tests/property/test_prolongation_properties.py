"""Rule 23 on the public `Ledger` for random school years, fundings and calendars of
periods, against the reference arithmetic (`pfdo_reference`).

Children enrol from the autumn asking for an end up to 366 days after the period's end;
the municipality opens the next year whole or as two halves, funds some certificates for
each, and runs the prolongation into each period in turn (sometimes twice). Every
successor starts on the later of its period's start and the day after its predecessor's
end, and ends on the earlier of the end first asked for and its period's end; no contract
of a chain ends after the end first asked for; each contract is prolonged at most once;
a successor is priced by rule 5 and takes `min(P, available)` from the certificate; a
contract left is `not_funded` exactly when its certificate is not funded for the period;
every pot keeps `credited = available + reserved + spent + expired`.
Every test runs on SQLite and, when `PFDO_TEST_POSTGRES` names a server, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pfdo_reference as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfdo import Ledger

NewStore = Callable[[], str]

LEDGER = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
PRICE = 150000
FIRST_END = date(2025, 12, 31)
WHOLE = [("2026", date(2026, 1, 1), date(2026, 12, 31))]
HALVES = [
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
]


@st.composite
def school_years(draw: st.DrawFn) -> tuple[date, date, int]:
    """(start, end asked for, nominal of the later periods in kopecks)."""
    start = draw(st.dates(date(2025, 7, 1), date(2025, 12, 31)))
    asked = draw(st.dates(date(2026, 1, 1), FIRST_END + timedelta(days=366)))
    return start, asked, draw(st.integers(0, 20_000)) * 100


@LEDGER
@given(
    st.lists(school_years(), min_size=1, max_size=4),
    st.booleans(),
    st.data(),
)
def test_prolongation_follows_rule_23_over_random_calendars(
    new_store: NewStore,
    years: list[tuple[date, date, int]],
    halves: bool,
    data: st.DataObject,
) -> None:
    later = HALVES if halves else WHOLE
    with Ledger(new_store()) as ledger:
        ledger.open_period(
            "2025", municipality="m", start="2025-01-01", end=FIRST_END,
            categories={"base": {"nominal": "12000"}}, on="2024-12-20",
        )  # fmt: skip
        ledger.add_provider("P1", name="Школа", on="2024-12-20")
        ledger.add_program(
            "CHESS", provider="P1", title="Шахматы", monthly_price="1500",
            min_age=5, max_age=17, on="2024-12-20",
        )  # fmt: skip
        asked: dict[str, date] = {}  # contract -> the end its chain first asked for
        numbers: list[str] = []
        for i, (start, until, _) in enumerate(years):
            number = ledger.issue_certificate(
                child=f"c{i}", birth_date="2014-01-01", municipality="m", on="2025-01-02"
            ).number
            ledger.fund_certificate(number, period="2025", category="base", on="2025-01-03")
            enrolment = ledger.enroll(
                number, program="CHESS", start=start, end=until, on="2025-06-01"
            )
            assert (enrolment.end, enrolment.continues_until) == (FIRST_END, until)
            asked[enrolment.contract] = until
            numbers.append(number)
        ends = {code: FIRST_END for code in asked}
        tails = set(asked)  # the contracts of the period before
        for code, first, last in later:
            nominals = [nominal for _, _, nominal in years]
            ledger.open_period(
                code, municipality="m", start=first, end=last,
                categories={f"n{i}": {"nominal": ref.rubles(n)} for i, n in enumerate(nominals)},
                on="2025-06-02",
            )  # fmt: skip
            funded = data.draw(
                st.lists(st.booleans(), min_size=len(numbers), max_size=len(numbers))
            )
            for i, number in enumerate(numbers):
                if funded[i]:
                    ledger.fund_certificate(number, period=code, category=f"n{i}", on="2025-06-03")
            run = ledger.prolong(period=code, on="2025-12-20")
            for line in run.prolonged:
                until = asked[line.contract]
                i = next(k for k, n in enumerate(numbers) if line.successor.startswith(n))
                assert funded[i]
                # the two invariants of a chain
                assert line.start == max(first, ends[line.contract] + timedelta(days=1))
                assert line.end == min(until, last) and line.end <= until
                price = sum(p for _, p in ref.month_prices(PRICE, line.start, line.end))
                share = min(price, years[i][2])
                assert (line.price, line.certificate_share) == (price, share)
                assert line.parent_share == price - share
                asked[line.successor], ends[line.successor] = until, line.end
            for left in run.not_prolonged:
                i = next(k for k, n in enumerate(numbers) if left.contract.startswith(n))
                assert (left.reason == "not_funded") == (not funded[i])
            prolonged = {line.contract for line in run.prolonged}
            assert len(prolonged) == len(run.prolonged)
            assert ledger.prolong(period=code, on="2025-12-21").prolonged == []
            # every contract of the period before that continues into this one, decided once
            expected = {c for c in tails if asked[c] >= first}
            decided = [line.contract for line in run.prolonged] + [
                n.contract for n in run.not_prolonged
            ]
            assert sorted(decided) == sorted(expected)
            tails = {line.successor for line in run.prolonged}
        for number in numbers:
            for pot in ledger.balance(number).periods:
                assert pot.credited == pot.available + pot.reserved + pot.spent + pot.expired
                assert min(pot.available, pot.reserved, pot.spent, pot.expired) >= 0
            for line in ledger.contracts(certificate=number).contracts:
                card = ledger.contract(line.contract)
                assert card.end <= asked[line.contract]
