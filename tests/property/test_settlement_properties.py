"""Rules 15 and 16 on the public `Ledger` for random prices, normative costs, dates and
money available, against the reference arithmetic (`pfdo_reference`).

Rule 15: with a normative monthly cost, the certificate pays `s = min(P, N, available)`,
split over the months by rule 6 (weights `p_m`), so each part is at most `p_m` and the
parts add up to `s`. Rule 16: an advance has a line `floor(c_m * rate / 100)` for each
contract month still open (lines of 0 left out; none at all: refused), and it moves no
certificate money; the month's invoice then deducts it. Every test runs on SQLite and,
when `PFDO_TEST_POSTGRES` names a server, on PostgreSQL (`new_store`, tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pfdo_reference as ref
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pfdo_model import PERIOD, PERIOD_END, PERIOD_START

from pfdo import Ledger, Refused
from pfdo.application.results import Enrolment

NewStore = Callable[[], str]

LEDGER = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
SET_UP = date(2024, 12, 20)  # every command of the set-up is dated then

prices = st.integers(1, 400_000)
normatives = st.none() | st.integers(1, 500_000) | st.sampled_from([250_000, 300_000])


@st.composite
def contracts(draw: st.DrawFn) -> tuple[int, int | None, date, date]:
    """(monthly price, normative monthly cost or None, start, end) inside the period."""
    start = draw(st.dates(PERIOD_START, PERIOD_END))
    end = draw(st.dates(start, min(start + timedelta(days=300), PERIOD_END)))
    return draw(prices), draw(normatives), start, end


def _child_in_a_period(ledger: Ledger, nominal: int, advance: int = 0) -> str:
    ledger.open_period(
        PERIOD,
        municipality="m",
        start=PERIOD_START,
        end=PERIOD_END,
        categories={"base": {"nominal": ref.rubles(nominal)}},
        on=SET_UP,
    )
    if advance:
        ledger.period_settings(PERIOD, advance=advance, on=SET_UP)
    ledger.add_provider("prov-a", name="Provider A", on=SET_UP)
    number = ledger.issue_certificate(
        child="child-1", birth_date=date(2015, 6, 1), municipality="m", on=SET_UP
    ).number
    ledger.fund_certificate(number, period=PERIOD, category="base", on=SET_UP)
    return number


def _enrol(
    ledger: Ledger, number: str, code: str, contract: tuple[int, int | None, date, date]
) -> Enrolment:
    price, normative, start, end = contract
    ledger.add_program(
        code,
        provider="prov-a",
        title=f"Program {code}",
        monthly_price=ref.rubles(price),
        normative_price=None if normative is None else ref.rubles(normative),
        min_age=5,
        max_age=17,
        on=SET_UP,
    )
    return ledger.enroll(number, program=code, start=start, end=end, mode="fixed", on=SET_UP)


@LEDGER
@given(st.integers(1, 3_000_000), st.lists(contracts(), min_size=1, max_size=4))
def test_the_share_is_the_least_of_price_normative_cost_and_money_available_split_by_price(
    new_store: NewStore, nominal: int, terms: list[tuple[int, int | None, date, date]]
) -> None:
    """Contracts one after the other in programs of their own: each finds what the
    ones before it left available."""
    with Ledger(new_store()) as ledger:
        number = _child_in_a_period(ledger, nominal)
        available = nominal
        for i, contract in enumerate(terms):
            price, normative, start, end = contract
            enrolment = _enrol(ledger, number, f"prog-{i}", contract)
            p = ref.month_prices(price, start, end)
            big_p = sum(x for _, x in p)
            big_n = (
                None
                if normative is None
                else sum(x for _, x in ref.month_prices(normative, start, end))
            )
            share = min(big_p, big_p if big_n is None else big_n, available)
            parts = ref.split_share(share, [x for _, x in p])
            assert enrolment.price == big_p
            assert enrolment.normative == big_n
            assert enrolment.certificate_share == share
            assert enrolment.parent_share == big_p - share
            months = [(m.month, m.price, m.certificate, m.parent) for m in enrolment.months]
            assert months == [(m, x, c, x - c) for (m, x), c in zip(p, parts, strict=True)]
            assert sum(parts) == share and all(
                0 <= c <= x for (_, x), c in zip(p, parts, strict=True)
            )
            available -= share
            pot = ledger.balance(number).periods[0]
            assert (pot.available, pot.reserved) == (available, nominal - available)


@LEDGER
@given(
    st.integers(1, 3_000_000),
    st.lists(contracts(), min_size=1, max_size=3),
    st.integers(0, 100),
    st.data(),
)
def test_an_advance_is_a_share_of_each_open_month_and_the_invoice_deducts_it(
    new_store: NewStore,
    nominal: int,
    terms: list[tuple[int, int | None, date, date]],
    rate: int,
    data: st.DataObject,
) -> None:
    with Ledger(new_store()) as ledger:
        number = _child_in_a_period(ledger, nominal, advance=rate)
        parts: dict[str, dict[str, int]] = {}  # contract -> month -> c_m
        for i, contract in enumerate(terms):
            enrolment = _enrol(ledger, number, f"prog-{i}", contract)
            parts[enrolment.contract] = {m.month: m.certificate for m in enrolment.months}
        months = sorted({m for by_month in parts.values() for m in by_month})
        month = data.draw(st.sampled_from(months), label="month")
        expected = [
            (code, number, by_month[month] * rate // 100)
            for code, by_month in sorted(parts.items())
            if month in by_month and by_month[month] * rate // 100 > 0
        ]
        before = ledger.balance(number)
        first = ref.first_of(month)
        with pytest.raises(Refused):
            ledger.issue_advance(provider="prov-a", month=month, on=first - timedelta(days=1))
        if not expected:
            with pytest.raises(Refused, match="no contract month"):
                ledger.issue_advance(provider="prov-a", month=month, on=first)
            advance = 0
        else:
            issued = ledger.issue_advance(provider="prov-a", month=month, on=first)
            assert [(x.contract, x.number, x.amount) for x in issued.lines] == expected
            assert issued.total == sum(x[2] for x in expected)
            advance = issued.total
        assert ledger.balance(number) == before  # an advance moves no certificate money
        billed_on = ref.first_of_next(month)
        ledger.bill(month, on=billed_on)
        invoice = ledger.issue_invoice(provider="prov-a", month=month, on=billed_on)
        amount = sum(by_month.get(month, 0) for by_month in parts.values())  # fixed: c_m
        assert (invoice.amount, invoice.advance, invoice.adjustments) == (amount, advance, 0)
        assert invoice.due == amount - advance
