"""Rules 21 and 22 on the public `Ledger` for random hours, costs, dates and attendance,
against the reference arithmetic (`pfdo_reference`).

A certificate of a category in person-hours enrols in programs offering H hours a month at
K rubles a person-hour, one contract after another. Each contract's months are rule 5 over
H (`h_m = floor(H * d_m / D_m)`), the whole `P_h` is reserved or the enrolment is refused
when more than available (and writes nothing); the parents pay nothing. Billing charges
`h_m` (fixed) or `floor(h_m * a / n)` (attendance, the rest released); each register line
pays `floor(hours * K / 100)` kopecks and shows its hours; the pot keeps `credited =
available + reserved + spent + expired` in hours, and its spent hours are its register
lines' hours. A ruble pot of the same child in another category is untouched by all of it.
Every test runs on SQLite and, when `PFDO_TEST_POSTGRES` names a server, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pfdo_reference as ref
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pfdo_model import PERIOD, PERIOD_START

from pfdo import Ledger, Refused

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
SET_UP = date(2024, 12, 20)
HALF_END = date(2025, 6, 30)  # the contracts end by then; billing runs to July 1st


@st.composite
def hours_contracts(draw: st.DrawFn) -> tuple[int, int, date, date, str, list[bool]]:
    """(H, K, start, end, mode, a month's lesson marks pattern)."""
    start = draw(st.dates(PERIOD_START, HALF_END))
    end = draw(st.dates(start, min(start + timedelta(days=150), HALF_END)))
    marks = draw(st.lists(st.booleans(), min_size=1, max_size=8))
    return (
        draw(st.integers(1, 2_000)),
        draw(st.integers(1, 100_000)),
        start,
        end,
        draw(st.sampled_from(["fixed", "attendance"])),
        marks,
    )


def _lessons(start: date, end: date, month: str, count: int) -> list[date]:
    """Up to `count` distinct lesson days of `month` inside the contract."""
    first = max(start, ref.first_of(month))
    last = min(end, ref.first_of_next(month) - timedelta(days=1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return days[:count]


@LEDGER
@given(
    st.integers(1, 8_000),
    st.lists(hours_contracts(), min_size=1, max_size=3),
)
def test_hours_contracts_reserve_bill_and_pay_by_rule_21_in_their_own_unit(
    new_store: NewStore,
    nominal: int,
    terms: list[tuple[int, int, date, date, str, list[bool]]],
) -> None:
    with Ledger(new_store()) as ledger:
        ledger.open_period(
            PERIOD, municipality="m", start=PERIOD_START, end=date(2025, 12, 31),
            categories={
                "social": {"nominal": ref.rubles(nominal), "unit": "hours"},
                "base": {"nominal": "1000"},
            },
            on=SET_UP,
        )  # fmt: skip
        ledger.add_provider("prov-a", name="Provider A", on=SET_UP)
        social = ledger.issue_certificate(
            child="child-1", birth_date=date(2015, 6, 1), municipality="m", on=SET_UP
        ).number
        rubles = ledger.issue_certificate(
            child="child-2", birth_date=date(2015, 6, 1), municipality="m", on=SET_UP
        ).number
        ledger.fund_certificate(social, period=PERIOD, category="social", on=SET_UP)
        ledger.fund_certificate(rubles, period=PERIOD, category="base", on=SET_UP)
        untouched = ledger.balance(rubles)
        available = nominal
        enrolled: list[tuple[str, int, date, date, str, list[bool], dict[str, int]]] = []
        for i, (hours, cost, start, end, mode, marks) in enumerate(terms):
            code = f"prog-{i}"
            ledger.add_program(
                code, provider="prov-a", title=code, monthly_price="100",
                hours_per_month=ref.rubles(hours), hour_cost=ref.rubles(cost),
                min_age=5, max_age=17, on=SET_UP,
            )  # fmt: skip
            h = ref.month_prices(hours, start, end)
            needed = sum(x for _, x in h)
            if needed > available:
                before = ledger.log_position()
                with pytest.raises(Refused, match="no co-payment in hours"):
                    ledger.enroll(social, program=code, start=start, end=end, on=SET_UP)
                assert ledger.log_position() == before
                continue
            enrolment = ledger.enroll(
                social, program=code, start=start, end=end, mode=mode, on=SET_UP
            )
            assert (enrolment.unit, enrolment.hour_cost, enrolment.parent_share) == (
                "hours",
                cost,
                0,
            )
            assert [(m.month, m.price, m.certificate) for m in enrolment.months] == [
                (m, x, x) for m, x in h
            ]
            available -= needed
            enrolled.append((enrolment.contract, cost, start, end, mode, marks, dict(h)))
        expected_lines: dict[str, list[tuple[str, int, int]]] = {}
        charged_total = 0
        for contract, cost, start, end, mode, marks, h in enrolled:
            for month, part in h.items():
                days = _lessons(start, end, month, len(marks))
                present = [d for d, p in zip(days, marks, strict=False) if p]
                absent = [d for d, p in zip(days, marks, strict=False) if not p]
                on = ref.first_of_next(month) - timedelta(days=1)
                if mode == "attendance":
                    for flag, dates in ((True, present), (False, absent)):
                        if dates:
                            ledger.record_attendance(contract, dates=dates, present=flag, on=on)
                    charged = part * len(present) // len(days)
                else:
                    charged = part
                charged_total += charged
                expected_lines.setdefault(month, []).append(
                    (contract, charged * cost // 100, charged)
                )
        for month in sorted(expected_lines):
            run = ledger.bill(month, on=ref.first_of_next(month))
            assert run.charged == 0  # no ruble contract: nothing charged in rubles
        spent_hours = 0
        for month, lines in sorted(expected_lines.items()):
            register = ledger.register("prov-a", month=month)
            got = [(x.contract, x.certificate, x.hours) for x in register.lines]
            assert got == sorted(lines)
            assert {x.unit for x in register.lines} == {"hours"}
            assert register.total_certificate == sum(x[1] for x in lines)
            assert register.total_hours == sum(x[2] for x in lines)
            spent_hours += register.total_hours
        (pot,) = ledger.balance(social).periods
        assert pot.unit == "hours"
        assert pot.credited == nominal == pot.available + pot.reserved + pot.spent + pot.expired
        assert pot.spent == spent_hours == charged_total
        assert pot.reserved == 0
        assert ledger.balance(rubles) == untouched
        moves = ledger.history(social).movements
        assert {m.unit for m in moves} == {"hours"}
