"""Invariants of the rules on the public `Ledger` after random, valid command sequences.

Each example builds a fresh ledger from a random scenario: a period, programs, children,
enrolments in both payment modes (some enrolled before their start, some back-dated after
it) and attendance marks. Then it bills, terminates, refunds, closes, rebuilds or changes
the nominal, and checks what must hold whatever the scenario was. Every test runs on
SQLite and, when `PFDO_TEST_POSTGRES` names a server, on PostgreSQL: each example takes a
fresh store from the `new_store` factory (tests/conftest.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

import pfdo_reference as ref
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pfdo_model import PERIOD, PERIOD_END, PERIOD_MONTHS, PERIOD_START, Move, as_of
from pfdo_support import reports

from pfdo import Ledger, NotFound, Refused

NewStore = Callable[[], str]

LEDGER = settings(
    max_examples=6,
    deadline=None,
    # `new_store` is a factory: every example calls it for a store of its own
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
PROVIDERS = ("prov-a", "prov-b")
AFTER_THE_YEAR = date(2026, 1, 10)
ISSUED = date(2024, 12, 1)
LEAP_DAY_BIRTHS = st.sampled_from([date(year, 2, 29) for year in (2008, 2012, 2016, 2020)])
SCHOOL_AGE_BIRTHS = st.dates(date(2008, 1, 1), date(2018, 12, 31)) | st.sampled_from(
    [date(2008, 2, 29), date(2012, 2, 29), date(2016, 2, 29)]
)


@dataclass(frozen=True)
class Enrolment:
    child: int
    program: int
    start: date
    end: date
    mode: str
    enrolled: date  # the enrol command's business date


@dataclass(frozen=True)
class Scenario:
    """A random but valid year: every command in it must be accepted."""

    nominal: int
    prices: list[int]
    births: list[date]
    enrolments: list[Enrolment]
    marks: list[tuple[int, int, bool]]  # (enrolment, day offset from its start, present)


@dataclass
class Built:
    """A ledger built from a scenario, with what the commands returned."""

    ledger: Ledger
    numbers: list[str]
    contracts: dict[str, dict[str, int]] = field(default_factory=dict)  # code -> month -> c_m
    modes: dict[str, str] = field(default_factory=dict)
    starts: dict[str, date] = field(default_factory=dict)
    enrolled: dict[str, date] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    marks: dict[str, dict[date, bool]] = field(default_factory=lambda: defaultdict(dict))

    def reports(self) -> dict[str, object]:
        return reports(self.ledger, self.numbers, PROVIDERS)

    def registered(self, month: str) -> dict[str, tuple[int, int, int]]:
        """Contract -> (certificate part, present, recorded) of the month's registers."""
        return {
            line.contract: (line.certificate, line.present, line.recorded)
            for provider in PROVIDERS
            for line in self.ledger.register(provider, month=month).lines
        }


@st.composite
def enrolments(draw: st.DrawFn, children: int, programs: int) -> Enrolment:
    start = draw(st.dates(PERIOD_START, PERIOD_END))
    end = min(start + timedelta(days=draw(st.integers(0, 240))), PERIOD_END)
    # enrolled up to a month ahead of the start, or entered late, up to 45 days after it
    enrolled = min(start + timedelta(days=draw(st.integers(-31, 45))), PERIOD_END)
    return Enrolment(
        child=draw(st.integers(0, children - 1)),
        program=draw(st.integers(0, programs - 1)),
        start=start,
        end=end,
        mode=draw(st.sampled_from(["fixed", "attendance"])),
        enrolled=enrolled,
    )


def _one_per_child_and_program(drawn: list[Enrolment]) -> list[Enrolment]:
    """Leave out each enrolment that rule 14 refuses: one that overlaps an earlier one of
    the same child and program."""
    kept: list[Enrolment] = []
    for e in drawn:
        if not any(
            (k.child, k.program) == (e.child, e.program) and k.start <= e.end and e.start <= k.end
            for k in kept
        ):
            kept.append(e)
    return kept


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    prices = draw(st.lists(st.integers(10_000, 400_000), min_size=1, max_size=3))
    births = draw(st.lists(SCHOOL_AGE_BIRTHS, min_size=1, max_size=3))
    drawn = draw(st.lists(enrolments(len(births), len(prices)), min_size=1, max_size=5))
    contracts = _one_per_child_and_program(drawn)
    marks = st.tuples(st.integers(0, len(contracts) - 1), st.integers(0, 240), st.booleans())
    return Scenario(
        nominal=draw(st.integers(100_000, 3_000_000)),
        prices=prices,
        births=births,
        enrolments=contracts,
        marks=draw(st.lists(marks, max_size=20)),
    )


def build(ledger: Ledger, scenario: Scenario) -> Built:
    """Run a scenario's commands; each of them must be accepted."""
    opened = ISSUED
    ledger.open_period(
        PERIOD,
        municipality="m",
        start=PERIOD_START,
        end=PERIOD_END,
        categories={"base": {"nominal": ref.rubles(scenario.nominal)}},
        on=opened,
    )
    for provider in PROVIDERS:
        ledger.add_provider(provider, name=provider, on=opened)
    for i, price in enumerate(scenario.prices):
        ledger.add_program(
            f"prog-{i}",
            provider=PROVIDERS[i % 2],
            title=f"Program {i}",
            monthly_price=ref.rubles(price),
            min_age=5,
            max_age=17,
            on=opened,
        )
    numbers = []
    for i, birth in enumerate(scenario.births):
        issued = ledger.issue_certificate(
            child=f"c{i}", birth_date=birth, municipality="m", on=opened
        )
        ledger.fund_certificate(issued.number, period=PERIOD, category="base", on=opened)
        numbers.append(issued.number)
    built = Built(ledger, numbers)
    codes = []
    for e in scenario.enrolments:
        enrolled = ledger.enroll(
            numbers[e.child],
            program=f"prog-{e.program}",
            start=e.start,
            end=e.end,
            mode=e.mode,
            on=e.enrolled,
        )
        codes.append(enrolled.contract)
        built.contracts[enrolled.contract] = {m.month: m.certificate for m in enrolled.months}
        built.modes[enrolled.contract] = e.mode
        built.starts[enrolled.contract] = e.start
        built.enrolled[enrolled.contract] = e.enrolled
        built.providers[enrolled.contract] = enrolled.provider
    for index, offset, present in scenario.marks:
        e = scenario.enrolments[index]
        day = e.start + timedelta(days=offset)
        if day <= e.end:
            # taken on the lesson's day, or when the contract was entered if that was later
            on = max(day, e.enrolled)
            ledger.record_attendance(codes[index], dates=[day], present=present, on=on)
            built.marks[codes[index]][day] = present
    return built


def take_missing_attendance(built: Built) -> None:
    """One lesson, attended, in every month of every attendance contract."""
    for code, months in built.contracts.items():
        if built.modes[code] == "attendance":
            start = built.starts[code]
            for month in months:
                day = max(start, ref.first_of(month))
                built.ledger.record_attendance(code, dates=[day], on=AFTER_THE_YEAR)


def bill_every_month(ledger: Ledger, on: date = AFTER_THE_YEAR) -> dict[str, list[str]]:
    """Bill the year's months in order; return each month's contracts missing attendance."""
    return {m: ledger.bill(m, on=on).attendance_missing for m in PERIOD_MONTHS}


def moved_by_contract(ledger: Ledger, number: str) -> dict[str, dict[str, int]]:
    moved: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in ledger.history(number).movements:
        if m.contract is not None:
            moved[m.contract][m.kind] += m.amount
    return moved


def no_negative_part(ledger: Ledger, number: str, day: date) -> None:
    for pot in ledger.balance(number, as_of=day).periods:
        parts = (pot.available, pot.reserved, pot.spent, pot.expired)
        assert min(parts) >= 0, f"{number} as of {day}: {pot}"


@LEDGER
@given(scenarios())
def test_billing_every_month_a_second_time_changes_nothing(
    new_store: NewStore, scenario: Scenario
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        missing = bill_every_month(ledger)
        before = built.reports()
        for month in PERIOD_MONTHS:
            again = ledger.bill(month, on=AFTER_THE_YEAR + timedelta(days=1))
            assert (again.billed, again.charged, again.released, again.parent) == (0, 0, 0, 0)
            assert again.attendance_missing == missing[month]
        assert built.reports() == before


@LEDGER
@given(scenarios())
def test_after_billing_every_pot_contract_and_register_adds_up(
    new_store: NewStore, scenario: Scenario
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        missing = bill_every_month(ledger)
        spent = 0
        for number in built.numbers:
            (pot,) = ledger.balance(number).periods
            parts = (pot.available, pot.reserved, pot.spent, pot.expired)
            assert pot.credited == sum(parts) == scenario.nominal
            assert min(parts) >= 0
            spent += pot.spent
            held = 0
            for code, moved in moved_by_contract(ledger, number).items():
                months = built.contracts[code]
                waiting = sum(c for m, c in months.items() if code in missing[m])
                assert moved["reserved"] == sum(months.values())
                assert moved["charged"] + moved["released"] + waiting == moved["reserved"]
                held += waiting
            assert pot.reserved == held
        registered = sum(
            ledger.register(p, month=m).total_certificate for p in PROVIDERS for m in PERIOD_MONTHS
        )
        assert registered == spent


@LEDGER
@given(scenarios(), st.sets(st.sampled_from(PERIOD_MONTHS)), st.none() | st.integers(-30, 200))
def test_rebuilding_or_reopening_the_ledger_gives_the_same_reports(
    new_store: NewStore, scenario: Scenario, billed: set[str], terminated_after: int | None
) -> None:
    url = new_store()
    with Ledger(url) as ledger:
        built = build(ledger, scenario)
        if terminated_after is not None:
            code, e = next(iter(built.enrolled)), scenario.enrolments[0]
            on = min(e.enrolled + timedelta(days=terminated_after), e.end)
            if on < e.enrolled:
                with pytest.raises(Refused, match="cannot be terminated on an earlier date"):
                    ledger.terminate(code, reason="moved away", on=on)
            else:
                ledger.terminate(code, reason="moved away", on=on)
        for month in sorted(billed):
            ledger.bill(month, on=ref.first_of_next(month))
        before = built.reports()
        assert ledger.rebuild().events > 0
        assert built.reports() == before
    with Ledger(url) as reopened:
        assert reports(reopened, built.numbers, PROVIDERS) == before


@LEDGER
@given(scenarios())
def test_closing_the_year_expires_exactly_the_money_left_available(
    new_store: NewStore, scenario: Scenario
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        take_missing_attendance(built)
        bill_every_month(ledger)
        before = {n: ledger.balance(n).periods[0] for n in built.numbers}
        closed = ledger.close_period(PERIOD, on=AFTER_THE_YEAR)
        assert closed.expired == sum(b.available for b in before.values())
        assert closed.certificates == len(built.numbers)
        for number, was in before.items():
            (now,) = ledger.balance(number).periods
            assert (now.available, now.reserved) == (0, 0)
            assert (now.spent, now.expired) == (was.spent, was.available)
            assert now.credited == now.spent + now.expired


@LEDGER
@given(scenarios(), st.lists(st.dates(date(2024, 11, 1), date(2026, 2, 1)), max_size=5))
def test_a_balance_as_of_a_date_folds_the_movements_dated_up_to_then_and_is_never_negative(
    new_store: NewStore, scenario: Scenario, days: list[date]
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        for month in PERIOD_MONTHS[:6]:
            ledger.bill(month, on=ref.first_of_next(month))
        for number in built.numbers:
            history = [
                Move(**m.model_dump(exclude={"actor"})) for m in ledger.history(number).movements
            ]
            for day in days:
                if day < ISSUED:
                    with pytest.raises(NotFound):
                        ledger.balance(number, as_of=day)
                    continue
                expected = as_of(history, day)
                balance = ledger.balance(number, as_of=day)
                assert {
                    p.period: {k: getattr(p, k) for k in expected.get(p.period, {})}
                    for p in balance.periods
                } == expected
                no_negative_part(ledger, number, day)


@LEDGER
@given(scenarios(), st.integers(1, 1_000_000))
def test_raising_then_lowering_a_nominal_gives_every_certificate_its_balance_back(
    new_store: NewStore, scenario: Scenario, raise_by: int
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        before = {n: ledger.balance(n).periods[0] for n in built.numbers}
        raised = ledger.change_nominal(
            PERIOD, category="base", nominal=ref.rubles(scenario.nominal + raise_by)
        )
        assert (raised.delta, raised.certificates) == (raise_by, len(built.numbers))
        for number, was in before.items():
            (now,) = ledger.balance(number).periods
            assert now.available == was.available + raise_by
            assert now.credited == was.credited + raise_by
        lowered = ledger.change_nominal(
            PERIOD, category="base", nominal=ref.rubles(scenario.nominal)
        )
        assert lowered.delta == -raise_by
        assert {n: ledger.balance(n).periods[0] for n in built.numbers} == before


@LEDGER
@given(scenarios())
def test_a_billing_run_leaves_alone_the_contracts_enrolled_after_its_date(
    new_store: NewStore, scenario: Scenario
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        late: dict[str, set[str]] = {}  # month -> contracts enrolled after its first run
        for month in PERIOD_MONTHS:
            day = ref.first_of_next(month)
            run = ledger.bill(month, on=day)
            late[month] = {
                code
                for code, months in built.contracts.items()
                if month in months and built.enrolled[code] > day
            }
            if late[month]:
                assert not late[month] & set(run.attendance_missing), (month, day)
                assert not late[month] & set(built.registered(month)), (month, day)
        # a run dated after their enrolment bills them like any other contract
        for month in PERIOD_MONTHS:
            waiting = set(ledger.bill(month, on=AFTER_THE_YEAR).attendance_missing)
            if late[month]:
                registered = set(built.registered(month))
                assert late[month] <= registered | waiting, month
                fixed = {code for code in late[month] if built.modes[code] == "fixed"}
                assert fixed <= registered, month


@LEDGER
@given(
    scenarios(),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=3),
    st.integers(1, 45),
    st.integers(0, 45),
)
def test_a_refund_cannot_be_dated_before_its_month_was_billed(
    new_store: NewStore, scenario: Scenario, picks: list[int], before: int, after: int
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        take_missing_attendance(built)
        # on the first day allowed, then after the year for the contracts enrolled later
        for month in PERIOD_MONTHS:
            ledger.bill(month, on=ref.first_of_next(month))
        bill_every_month(ledger)
        billed_on: dict[tuple[str, str], date] = {}  # the date of a month's charge
        charged: dict[tuple[str, str], int] = {}
        for number in built.numbers:
            for m in ledger.history(number).movements:
                if m.kind == "charged" and m.contract is not None and m.month is not None:
                    billed_on[m.contract, m.month] = m.on
                    charged[m.contract, m.month] = m.amount
        refundable = sorted(charged)
        chosen = {refundable[i % len(refundable)] for i in picks} if refundable else set()
        for code, month in sorted(chosen):
            day = billed_on[code, month]
            refund = partial(ledger.correct, code, month=month, refund="0.01", reason="no lesson")
            with pytest.raises(Refused, match="a refund cannot be dated earlier"):
                refund(on=day - timedelta(days=before))
            refund(on=day + timedelta(days=after))
            assert built.registered(month)[code][0] == charged[code, month] - 1
            number = code.split("-")[0]
            for as_of_day in (day - timedelta(days=before), day, day + timedelta(days=after)):
                no_negative_part(ledger, number, as_of_day)


@LEDGER
@given(scenarios(), st.integers(0, 240))
def test_lessons_after_a_termination_date_do_not_count_when_the_month_is_billed(
    new_store: NewStore, scenario: Scenario, after: int
) -> None:
    with Ledger(new_store()) as ledger:
        built = build(ledger, scenario)
        terminated: dict[str, date] = {}
        for code, e in zip(built.enrolled, scenario.enrolments, strict=True):
            on = min(e.enrolled + timedelta(days=after), e.end)
            if on >= e.enrolled:
                ledger.terminate(code, reason="moved away", on=on)
                terminated[code] = on
        bill_every_month(ledger)
        registers = {month: built.registered(month) for month in PERIOD_MONTHS}
        for code, last in terminated.items():
            for month in built.contracts[code]:
                lines = registers[month]
                if month > ref.month_key(last) or code not in lines:
                    continue  # cancelled, or waiting for attendance
                marks = [p for d, p in built.marks[code].items() if ref.month_key(d) == month]
                counted = [
                    p
                    for d, p in built.marks[code].items()
                    if ref.month_key(d) == month and d <= last
                ]
                assert lines[code][1:] == (sum(counted), len(counted)), (code, month, marks)


@LEDGER
@given(
    birth=LEAP_DAY_BIRTHS,
    year=st.sampled_from([2025, 2026]),
    around=st.integers(-3, 3),
    older=st.booleans(),
    length=st.integers(0, 40),
)
def test_a_child_born_on_29_february_has_birthdays_on_28_february_in_common_years(
    new_store: NewStore, birth: date, year: int, around: int, older: bool, length: int
) -> None:
    start = date(year, 2, 28) + timedelta(days=around)
    end = start + timedelta(days=length)
    band = year - birth.year - (0 if older else 1)
    with Ledger(new_store()) as ledger:
        ledger.open_period(
            str(year),
            municipality="m",
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            categories={"base": {"nominal": "10000.00"}},
            on=date(year - 1, 12, 1),
        )
        ledger.add_provider("prov-a", name="A", on=date(year - 1, 12, 1))
        ledger.add_program(
            "prog",
            provider="prov-a",
            title="P",
            monthly_price="1000.00",
            min_age=band,
            max_age=band,
            on=date(year - 1, 12, 1),
        )
        # issued on the start date: the child must be 5 to 17 on it
        if not 5 <= ref.age(birth, start) <= 17:
            with pytest.raises(Refused):
                ledger.issue_certificate(child="c", birth_date=birth, municipality="m", on=start)
            return
        number = ledger.issue_certificate(
            child="c", birth_date=birth, municipality="m", on=start
        ).number
        ledger.fund_certificate(number, period=str(year), category="base", on=start)
        enrol = partial(ledger.enroll, number, program="prog", start=start, end=end, on=start)
        if ref.age(birth, start) == band and ref.age(birth, end) < 18:
            assert enrol().certificate_share > 0
        else:
            with pytest.raises(Refused):
                enrol()


def _one_child_in_one_program(ledger: Ledger, mode: str = "fixed") -> tuple[str, str]:
    """A funded certificate (10,000.00) enrolled on 2025-03-01 for 10-31 March, 1,000.00 a
    month."""
    on = date(2024, 12, 1)
    ledger.open_period(
        PERIOD,
        municipality="m",
        start=PERIOD_START,
        end=PERIOD_END,
        categories={"base": {"nominal": "10000.00"}},
        on=on,
    )
    ledger.add_provider("prov-a", name="A", on=on)
    ledger.add_program(
        "prog", provider="prov-a", title="P", monthly_price="1000.00", min_age=5, max_age=17, on=on
    )
    number = ledger.issue_certificate(
        child="c", birth_date=date(2015, 1, 1), municipality="m", on=on
    ).number
    ledger.fund_certificate(number, period=PERIOD, category="base", on=on)
    contract = ledger.enroll(
        number, program="prog", start="2025-03-10", end="2025-03-31", mode=mode, on="2025-03-01"
    ).contract
    return number, contract


@LEDGER
@given(
    lessons=st.lists(st.dates(date(2025, 3, 10), date(2025, 3, 31)), min_size=1, max_size=3),
    on=st.dates(date(2025, 3, 1), date(2025, 4, 5)),
)
def test_attendance_is_recorded_only_for_lessons_that_took_place(
    new_store: NewStore, lessons: list[date], on: date
) -> None:
    with Ledger(new_store()) as ledger:
        _, contract = _one_child_in_one_program(ledger, mode="attendance")
        if max(lessons) > on:
            with pytest.raises(Refused, match="lessons that took place"):
                ledger.record_attendance(contract, dates=lessons, on=on)
            marks: dict[date, bool] = {}
        else:
            ledger.record_attendance(contract, dates=lessons, on=on)
            marks = dict.fromkeys(lessons, True)
        run = ledger.bill("2025-03", on=date(2025, 4, 5))
        assert run.attendance_missing == ([] if marks else [contract])
        assert run.billed == (1 if marks else 0)


def test_a_balance_as_of_a_past_date_never_shows_a_negative_reserve(
    new_store: NewStore,
) -> None:
    with Ledger(new_store()) as ledger:
        number, contract = _one_child_in_one_program(ledger)
        with pytest.raises(Refused, match="cannot be terminated on an earlier date"):
            ledger.terminate(contract, reason="never came", on="2025-02-20")
        ledger.terminate(contract, reason="never came", on="2025-03-05")
        for day in (date(2025, 2, 25), date(2025, 3, 1), date(2025, 3, 5)):
            no_negative_part(ledger, number, day)


def test_a_balance_as_of_a_past_date_never_shows_negative_spending(new_store: NewStore) -> None:
    with Ledger(new_store()) as ledger:
        number, contract = _one_child_in_one_program(ledger)
        ledger.bill("2025-03", on="2025-04-01")
        with pytest.raises(Refused, match="a refund cannot be dated earlier"):
            ledger.correct(contract, month="2025-03", refund="100.00", reason="x", on="2025-03-15")
        ledger.correct(contract, month="2025-03", refund="100.00", reason="x", on="2025-04-01")
        for day in (date(2025, 3, 20), date(2025, 4, 1)):
            no_negative_part(ledger, number, day)
