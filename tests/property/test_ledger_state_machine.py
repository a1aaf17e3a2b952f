"""The public `Ledger` driven by random valid and invalid commands, against a reference model.

Every example starts a fresh store: a SQLite file, and (when `PFDO_TEST_POSTGRES` names a
server) a PostgreSQL database of its own, dropped when the example ends. A model clock
moves forward as commands come in (each one may wait a few days); commands carry it as
their business date, except terminations, billing runs and refunds, which are sometimes
back-dated. For each command the model (`pfdo_model`) says whether the rules refuse it
and, if not, what it moves; a refusal must raise `PfdoError` and leave everything as it
was. After every step the balances, histories and registers are compared with the model
and the invariants of docs/RULES.md are checked on what the engine reports.

Rules 15-20 are driven too: programs with a normative cost, the period's settings (and
December billed early from its own date), limits raised and lowered, fundings that join a
waiting list, unfunding, leaving a list, and each provider's advances, invoices, payments
and the refunds that later invoices deduct. After every step the waiting lists are the
model's, the funded counts and sums fit the limits, the documents are the model's, and for
every provider `sum(advance + due) - adjustments not yet deducted = net charges` over its
invoiced months. The store's secrets are fixed, so the certificate numbers derived from
child ids are the same when Hypothesis replays an example.

Rule 23 is driven across two periods: school years asking for an end in the next one,
that period opened and funded, prolongation runs (twice each) compared with the model;
after every step each successor starts on the later of its period's start and the day
after its predecessor's end, and no contract of a chain ends after the end first asked
for. Chains are made often (contracts of the first steps asking for such an end, the next
period opened at once, school years enrolled and funded for it in one step), programs'
prolongation is turned off and on, and contracts continuing, prolonged or successors are
terminated or their continuation stopped, each refusal with the engine's error code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any, TypeVar
from unittest.mock import patch

import pfdo_model as mdl
import pfdo_reference as ref
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from pfdo_model import (
    MUNICIPALITY,
    NEXT,
    NEXT_CATEGORY,
    NEXT_END,
    NEXT_START,
    PERIOD,
    PERIOD_END,
    PERIOD_MONTHS,
    PERIOD_START,
    Refusal,
)
from pfdo_support import fresh_store, postgres_server

from pfdo import Ledger, PfdoError
from pfdo.application.results import CertificateFunded, CertificateQueued

T = TypeVar("T")
Seen = dict[str, tuple[Any, list[Any]]]  # number -> (balance, movements) read after a step

FIRST_DAY = date(2024, 12, 10)
LAST_DAY = date(2026, 2, 28)
CHILDREN = [f"child-{i}" for i in range(1, 9)]
NUMBERS = [f"10000000{i:02d}" for i in range(1, 6)]
PROVIDERS = ["prov-a", "prov-b", "prov-c", "prov-d"]
PROGRAMS = [f"prog-{i}" for i in range(1, 7)]
CATEGORIES = ["base", "disabled", "social", "gold"]  # social: hours, when opened; gold: none
BILLABLE = ["2024-12", *PERIOD_MONTHS, "2026-01"]
MAX_CERTIFICATES = 6
SETTLE_FROM = date(2025, 8, 1)
ONE_DAY = timedelta(days=1)
LEAP_DAY_BIRTHS = st.sampled_from([date(year, 2, 29) for year in (2008, 2012, 2016, 2020)])

nominals = st.integers(100_000, 3_000_000)
monthly_prices = st.integers(10_000, 400_000)
#: a social certificate's person-hours (rule 21), in hundredths: 1.00-60.00 hours
hour_nominals = st.integers(100, 12_000)
#: a program's hours a month and its cost of a person-hour (rule 21), or none
hour_offers = st.tuples(st.integers(50, 1_200), st.integers(1, 50_000)) | st.none()
WIDE_BANDS = st.tuples(st.sampled_from([0, 5, 7]), st.sampled_from([14, 17, 18]))
ANY_BAND = WIDE_BANDS | st.tuples(st.integers(0, 18), st.integers(0, 18))
malformed_amounts = st.sampled_from(["1.005", "-1.00", "abc", "12.3.4"])


#: who runs every command of the machine (rule 25)
ACTOR = "state-machine"


def month_before(day: date) -> str:
    return ref.month_key(day.replace(day=1) - timedelta(days=1))


class LedgerAgainstTheRules(RuleBasedStateMachine):
    """Random commands on a real ledger, each checked against the reference model."""

    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        with ExitStack() as resources:
            self.url = resources.enter_context(fresh_store(self.backend))
            # the store's secrets (its ids key) are fixed, so that the certificate numbers
            # the ledger derives, and so what is drawn among them in their order, are the
            # same each time Hypothesis replays an example
            with patch("pfdo.storage.secrets.os", SimpleNamespace(urandom=bytes)):
                self.ledger = Ledger(self.url, actor=ACTOR)
            self.resources = resources.pop_all()  # the store, removed by teardown
        self.model = mdl.Model(FIRST_DAY)
        # registers are read again for the months a command may have touched
        self.unchecked_months: set[str] = set(PERIOD_MONTHS)
        self.register_totals: dict[tuple[str, str], int] = {}  # (provider, month) -> total
        # (provider, month) -> (rubles of its ruble lines, hours of its hours lines)
        self.register_spent: dict[tuple[str, str], tuple[int, int]] = {}

    def teardown(self) -> None:
        try:
            self.ledger.close()
        finally:
            self.resources.close()

    # -- helpers ---------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.model.today

    def time_passes(self, data: st.DataObject, most: int = 20) -> None:
        days = data.draw(st.integers(0, most), label="days pass")
        self.move_clock_to(data, min(self.today + timedelta(days=days), LAST_DAY))

    def move_clock_to(self, data: st.DataObject, day: date) -> None:
        """Advance the clock; at each month's end journals are filled in and it is billed."""
        while (next_month := ref.first_of_next(ref.month_key(self.today))) <= day:
            ended = ref.month_key(self.today)
            self.model.today = next_month
            if self.model.opened and not self.model.closed and ended in PERIOD_MONTHS:
                self.month_ends(data, ended)
        self.model.today = max(self.today, day)

    def month_ends(self, data: st.DataObject, month: str) -> None:
        """Most months, teachers record some lessons and the municipality bills the month."""
        if data.draw(st.integers(0, 4), label=f"{month} routine skipped") == 0:
            return
        for code, contract in sorted(self.model.contracts.items()):
            state = contract.months.get(month)
            if contract.mode != "attendance" or state is None or state.status != "open":
                continue
            first = max(contract.start, ref.first_of(month))
            last = min(contract.last_lesson_day(), ref.first_of_next(month) - timedelta(days=1))
            if last < first:
                continue
            days = st.lists(st.integers(0, (last - first).days), max_size=3)
            for present in (True, False):
                offsets = data.draw(days, label=f"{code} {month} present={present}")
                if offsets:
                    lessons = [first + timedelta(days=d) for d in offsets]
                    self.record_attendance_and_compare(code, lessons, present)
        self.bill_and_compare(month)

    def business_date(self, data: st.DataObject, edges: list[date], most: int) -> date:
        """Today, a day up to `most` days back, or one of `edges` that is not in the future
        (the days around a fact the command depends on, where the rules change answer)."""
        days_back = st.integers(0, most).map(lambda back: self.today - timedelta(days=back))
        choices = st.just(self.today) | days_back
        past = sorted({day for day in edges if day <= self.today})
        if past:
            choices |= st.sampled_from(past)
        return data.draw(choices, label="business date")

    def attempt(self, predict: Callable[[], T], act: Callable[[], Any]) -> tuple[T, Any] | None:
        """Run a command on the model and the engine: both accept it, or both refuse it."""
        try:
            expected = predict()
        except Refusal as why:
            try:
                act()
            except PfdoError as error:
                assert why.code in (None, error.code), f"{why}: {why.code}, not {error.code}"
                return None
            raise AssertionError(f"the engine accepted a command the rules refuse: {why}") from None
        try:
            return expected, act()
        except PfdoError as error:
            raise AssertionError(f"the engine refused an acceptable command: {error}") from error

    def choose(self, data: st.DataObject, known: list[str], unknown: list[str], label: str) -> str:
        """Mostly something that exists, sometimes something that does not."""
        if known and data.draw(st.integers(0, 9), label=f"{label} exists") > 0:
            return data.draw(st.sampled_from(sorted(known)), label=label)
        return data.draw(st.sampled_from(unknown), label=label)

    # -- periods ---------------------------------------------------------------------

    @initialize(
        base=nominals,
        disabled=nominals,
        count=st.none() | st.integers(1, 4),
        headroom=st.none() | st.integers(0, 3_000_000),
        social=st.none() | hour_nominals,
        data=st.data(),
    )
    def open_the_period_with_a_catalogue_and_some_children(
        self,
        base: int,
        disabled: int,
        count: int | None,
        headroom: int | None,
        social: int | None,
        data: st.DataObject,
    ) -> None:
        self.open_the_period(base, disabled, count, headroom, social)
        advance = data.draw(st.sampled_from([0, 30, 80, 100]), label="advance rate")
        early = data.draw(st.none() | st.dates(date(2025, 12, 1), PERIOD_END), label="December")
        if advance or early:
            self.attempt(
                partial(self.model.period_settings, advance, early),
                partial(
                    self.ledger.period_settings,
                    PERIOD,
                    advance=advance,
                    final_billing_from=early,
                    on=self.today,
                ),
            )
        for provider in PROVIDERS[: data.draw(st.integers(1, 2), label="providers")]:
            self.add_provider(provider, "municipal")
        for code in PROGRAMS[: data.draw(st.integers(1, 3), label="programs")]:
            provider = data.draw(st.sampled_from(sorted(self.model.providers)), label="provider")
            self.add_program(data, code, provider, bands=WIDE_BANDS)
        for child in CHILDREN[: data.draw(st.integers(1, 3), label="children")]:
            births = st.dates(date(2008, 1, 1), date(2018, 12, 31)) | LEAP_DAY_BIRTHS
            birth = data.draw(births, label="birth")
            number = self.issue(child, birth, MUNICIPALITY, None)
            if number is not None:
                self.fund(number, data.draw(st.sampled_from(sorted(self.model.categories))))
        for _ in range(data.draw(st.integers(1, 3), label="contracts")):
            if not self.model.certificates or not self.model.programs:
                break
            start = data.draw(st.dates(date(2025, 1, 1), date(2025, 6, 30)), label="start")
            # some asking for an end in the next period (rule 23)
            ends = st.dates(start, min(start + timedelta(days=240), PERIOD_END))
            last = PERIOD_END + timedelta(days=366)
            into_next = st.dates(NEXT_START, last)
            end = data.draw(ends | into_next | into_next, label="end")
            number = data.draw(st.sampled_from(sorted(self.model.certificates)), label="number")
            program = data.draw(st.sampled_from(sorted(self.model.programs)), label="program")
            mode = data.draw(st.sampled_from(["fixed", "attendance"]), label="mode")
            self.enroll(number, program, start, end, mode)
        # (Hypothesis draws small integers most often)
        if data.draw(st.integers(0, 2), label="the next period at once") < 2:
            self.the_next_period_opens_and_a_first_run_follows(data)

    def the_next_period_opens_and_a_first_run_follows(self, data: st.DataObject) -> None:
        """Rule 23 from the start: the next period opened, most certificates whose
        contracts continue funded for it, prolongation perhaps turned off for a program,
        and a run compared with the model."""
        self.open_the_next_period(data)
        for number in sorted({k.number for k in self.model.continuing()}):
            if data.draw(st.integers(0, 3), label=f"fund {number} for the next period") < 3:
                self.fund_for_the_next_period(number)
        for code in sorted(self.model.programs):
            if data.draw(st.integers(0, 7), label=f"prolongation of {code}") == 7:
                self.set_prolongation(code, False)
        self.prolong_and_compare()

    def open_the_period(
        self,
        base: int,
        disabled: int,
        count: int | None,
        headroom: int | None,
        social: int | None = None,
    ) -> None:
        """Two ruble categories and, given `social`, one of person-hours (rule 21) with a
        sum limit of three certificates' hours."""
        sum_limit = None if headroom is None else 2 * disabled + headroom
        spec: dict[str, dict[str, Any]] = {
            "base": {"nominal": ref.rubles(base)},
            "disabled": {"nominal": ref.rubles(disabled)},
        }
        if count is not None:
            spec["base"]["count"] = count
        if sum_limit is not None:
            spec["disabled"]["sum"] = ref.rubles(sum_limit)
        categories = {
            "base": mdl.Category(base, count, None),
            "disabled": mdl.Category(disabled, None, sum_limit),
        }
        if social is not None:
            spec["social"] = {"nominal": ref.rubles(social), "unit": "hours"}
            spec["social"]["sum"] = ref.rubles(3 * social)
            categories["social"] = mdl.Category(social, None, 3 * social, unit="hours")
        outcome = self.attempt(
            partial(self.model.open_period, categories),
            partial(
                self.ledger.open_period,
                PERIOD,
                municipality=MUNICIPALITY,
                start=PERIOD_START,
                end=PERIOD_END,
                categories=spec,
                on=self.today,
            ),
        )
        assert outcome is not None
        opened = outcome[1]
        assert {
            c.name: (c.nominal, c.count_limit, c.sum_limit, c.unit) for c in opened.categories
        } == {n: (c.nominal, c.count_limit, c.sum_limit, c.unit) for n, c in categories.items()}

    @rule(
        code=st.sampled_from([PERIOD, "2025-bis"]),
        start=st.dates(date(2025, 1, 1), date(2025, 12, 31)),
        days=st.integers(0, 400),
    )
    def open_an_overlapping_period(self, code: str, start: date, days: int) -> None:
        def predict() -> None:
            raise Refusal(f"period {code} ({start}..+{days}d) overlaps or exists")

        self.attempt(
            predict,
            partial(
                self.ledger.open_period,
                code,
                municipality=MUNICIPALITY,
                start=start,
                end=start + timedelta(days=days),
                categories={"base": {"nominal": "100.00"}},
                on=self.today,
            ),
        )

    @rule(data=st.data())
    def change_a_nominal(self, data: st.DataObject) -> None:
        self.time_passes(data)
        category = data.draw(st.sampled_from(CATEGORIES), label="category")
        current = (
            self.model.categories[category].nominal if category in self.model.categories else 0
        )
        if data.draw(st.integers(0, 9), label="malformed") == 0:
            amount = data.draw(malformed_amounts, label="nominal")
            self.attempt(self.refused("malformed nominal"), self.change_nominal(category, amount))
            return
        hours = category == "social"
        step = 3_000 if hours else 300_000
        nominal = data.draw(
            st.integers(-step, step).map(lambda d: max(0, current + d))
            | (hour_nominals if hours else nominals),
            label="nominal",
        )
        self.change_nominal_and_compare(category, nominal)

    def change_nominal_and_compare(self, category: str, nominal: int) -> None:
        outcome = self.attempt(
            partial(self.model.change_nominal, category, nominal),
            self.change_nominal(category, ref.rubles(nominal)),
        )
        if outcome is not None:
            expected, changed = outcome
            assert (changed.delta, changed.certificates, changed.funded_from_queue) == (
                expected["delta"],
                expected["certificates"],
                expected["funded_from_queue"],
            )

    def change_nominal(self, category: str, nominal: str) -> Callable[[], Any]:
        return partial(
            self.ledger.change_nominal, PERIOD, category=category, nominal=nominal, on=self.today
        )

    def refused(self, why: str) -> Callable[[], None]:
        def predict() -> None:
            raise Refusal(why)

        return predict

    @rule(data=st.data())
    def close_the_period(self, data: st.DataObject) -> None:
        self.time_passes(data, most=30)
        if self.year_can_be_settled() and data.draw(st.booleans(), label="settle first"):
            self.settle_the_year(data)
        self.close_and_compare()

    def year_can_be_settled(self) -> bool:
        return not self.model.closed and self.model.today >= SETTLE_FROM

    def close_and_compare(self) -> None:
        self.unchecked_months.update(PERIOD_MONTHS)
        outcome = self.attempt(
            self.model.close_period, partial(self.ledger.close_period, PERIOD, on=self.today)
        )
        if outcome is not None:
            expected, closed = outcome
            assert (closed.expired, closed.expired_hours, closed.certificates) == (
                expected["expired"],
                expected["expired_hours"],
                expected["certificates"],
            )
            owed = [(o.provider, o.amount) for o in closed.owed_by_providers]
            assert owed == expected["owed_by_providers"]

    @precondition(lambda self: self.year_can_be_settled())
    @rule(data=st.data())
    def settle_the_year_and_close_the_period(self, data: st.DataObject) -> None:
        self.settle_the_year(data)
        self.close_and_compare()
        assert self.model.closed

    def settle_the_year(self, data: st.DataObject) -> None:
        """After the year: take the missing attendance and bill every month."""
        wait = data.draw(st.integers(0, 20), label="days into the next year")
        self.move_clock_to(data, date(2026, 1, 1) + timedelta(days=wait))
        for code, month in self.model.open_months():
            contract = self.model.contracts[code]
            if contract.mode == "attendance" and contract.lessons_in(month)[1] == 0:
                day = max(contract.start, ref.first_of(month))
                present = data.draw(st.booleans(), label=f"{code} present on {day}")
                self.record_attendance_and_compare(code, [day], present)
        for month in PERIOD_MONTHS:
            self.bill_and_compare(month)

    @precondition(lambda self: self.model.today < LAST_DAY)
    @rule(data=st.data())
    def time_goes_by(self, data: st.DataObject) -> None:
        self.time_passes(data, most=60)

    # -- providers and programs ------------------------------------------------------

    @rule(data=st.data())
    def add_a_provider(self, data: st.DataObject) -> None:
        self.time_passes(data)
        code = data.draw(st.sampled_from(PROVIDERS), label="provider")
        kind = data.draw(st.sampled_from(["municipal", "private", "sole-trader"]), label="kind")
        self.add_provider(code, kind)

    def add_provider(self, code: str, kind: str) -> None:
        self.attempt(
            partial(self.model.add_provider, code),
            partial(
                self.ledger.add_provider, code, name=f"Provider {code}", kind=kind, on=self.today
            ),
        )

    @rule(data=st.data())
    def add_a_program(self, data: st.DataObject) -> None:
        self.time_passes(data)
        code = data.draw(st.sampled_from(PROGRAMS), label="program")
        provider = self.choose(data, list(self.model.providers), ["prov-x"], "provider")
        self.add_program(data, code, provider)

    def add_program(
        self,
        data: st.DataObject,
        code: str,
        provider: str,
        bands: st.SearchStrategy[tuple[int, int]] = ANY_BAND,
    ) -> None:
        min_age, max_age = data.draw(bands, label="age band")
        program = mdl.Program(
            code=code,
            provider=provider,
            price=data.draw(monthly_prices, label="monthly price"),
            min_age=min_age,
            max_age=max_age,
            capacity=data.draw(st.none() | st.integers(1, 3), label="capacity"),
            normative=data.draw(st.none() | monthly_prices, label="normative monthly cost"),
            hours=data.draw(hour_offers, label="hours a month and cost of an hour"),
        )
        outcome = self.attempt(
            partial(self.model.add_program, program),
            partial(
                self.ledger.add_program,
                code,
                provider=provider,
                title=f"Program {code}",
                monthly_price=ref.rubles(program.price),
                min_age=program.min_age,
                max_age=program.max_age,
                capacity=program.capacity,
                normative_price=None
                if program.normative is None
                else ref.rubles(program.normative),
                hours_per_month=None if program.hours is None else ref.rubles(program.hours[0]),
                hour_cost=None if program.hours is None else ref.rubles(program.hours[1]),
                on=self.today,
            ),
        )
        if outcome is not None:
            assert outcome[1].monthly_price == program.price
            assert outcome[1].normative_price == program.normative
            offer = (outcome[1].hours_per_month, outcome[1].hour_cost)
            assert offer == (program.hours or (None, None))

    @rule(data=st.data())
    def take_a_provider_or_a_program_off_the_catalogue(self, data: st.DataObject) -> None:
        self.time_passes(data)
        if data.draw(st.booleans(), label="provider"):
            code = self.choose(data, list(self.model.providers), ["prov-x"], "provider")
            self.attempt(
                partial(self.model.exclude_provider, code),
                partial(self.ledger.exclude_provider, code, on=self.today),
            )
        else:
            code = self.choose(data, list(self.model.programs), ["prog-x"], "program")
            self.attempt(
                partial(self.model.withdraw_program, code),
                partial(self.ledger.withdraw_program, code, on=self.today),
            )

    # -- certificates ------------------------------------------------------------------

    @precondition(lambda self: len(self.model.certificates) < MAX_CERTIFICATES)
    @rule(data=st.data())
    def issue_a_certificate(self, data: st.DataObject) -> None:
        self.time_passes(data)
        child = data.draw(st.sampled_from(CHILDREN), label="child")
        birth = data.draw(
            st.dates(date(2007, 1, 1), date(2019, 12, 31))
            | st.dates(date(2005, 6, 1), date(2021, 6, 1))
            | LEAP_DAY_BIRTHS,
            label="birth date",
        )
        municipality = data.draw(st.sampled_from([MUNICIPALITY] * 5 + ["m2"]), label="where")
        number = data.draw(st.none() | st.sampled_from(NUMBERS), label="number")
        self.issue(child, birth, municipality, number)

    def issue(self, child: str, birth: date, municipality: str, number: str | None) -> str | None:
        """Issue a certificate; return its number unless refused."""
        outcome = self.attempt(
            partial(self.model.check_issue, child, birth, number),
            partial(
                self.ledger.issue_certificate,
                child=child,
                birth_date=birth,
                municipality=municipality,
                number=number,
                on=self.today,
            ),
        )
        if outcome is not None:
            issued = outcome[1]
            assert issued.type == "accounting"
            assert len(issued.number) == 10 and issued.number.isdigit()
            assert number in (None, issued.number)
            assert issued.number not in self.model.certificates
            self.model.issue(child, birth, municipality, issued.number)
            return str(issued.number)
        return None

    @rule(data=st.data())
    def fund_a_certificate(self, data: st.DataObject) -> None:
        self.time_passes(data)
        unfunded = [n for n, c in self.model.certificates.items() if c.category is None]
        number = self.choose(data, unfunded or list(self.model.certificates), NUMBERS, "number")
        category = data.draw(st.sampled_from(["base", *CATEGORIES]), label="cat")
        self.fund(number, category, queue=data.draw(st.booleans(), label="queue if full"))

    def fund(self, number: str, category: str, queue: bool = False) -> None:
        outcome = self.attempt(
            partial(self.model.fund, number, category, queue),
            partial(
                self.ledger.fund_certificate,
                number,
                period=PERIOD,
                category=category,
                queue=queue,
                on=self.today,
            ),
        )
        if outcome is not None:
            expected, funding = outcome
            assert (funding.number, funding.period, funding.category) == (number, PERIOD, category)
            if "position" in expected:
                assert isinstance(funding, CertificateQueued), funding
                assert funding.position == expected["position"]
            else:
                assert isinstance(funding, CertificateFunded), funding
                assert funding.nominal == expected["nominal"]

    @rule(data=st.data())
    def change_the_limits_of_a_category(self, data: st.DataObject) -> None:
        """Raise or lower a count or sum limit (below what is funded: refused); the room
        made serves the list."""
        self.time_passes(data)
        category = data.draw(st.sampled_from(CATEGORIES), label="category")
        cat = self.model.categories.get(category)
        funded = (0, 0) if cat is None else (cat.funded_count, cat.funded_sum)
        count = data.draw(
            st.none() | st.integers(-1, 2).map(lambda d: max(0, funded[0] + d)), label="count"
        )
        nominal = 0 if cat is None else cat.nominal
        total = data.draw(
            st.none()
            | st.sampled_from([-1, 0, nominal - 1, nominal, 2 * nominal]).map(
                lambda k: funded[1] + k
            ),
            label="sum",
        )
        if count is None and total is None and data.draw(st.booleans(), label="both none"):
            count = funded[0] + 1
        self.change_limits_and_compare(category, count, total)

    def change_limits_and_compare(
        self, category: str, count: int | None, total: int | None
    ) -> None:
        outcome = self.attempt(
            partial(self.model.change_limits, category, count, total),
            partial(
                self.ledger.change_limits,
                PERIOD,
                category=category,
                count=count,
                sum=None if total is None else ref.rubles(total) if total >= 0 else "-1.00",
                on=self.today,
            ),
        )
        if outcome is not None:
            expected, changed = outcome
            assert (changed.count, changed.sum, changed.funded_from_queue) == (
                expected["count"],
                expected["sum"],
                expected["funded_from_queue"],
            )

    @rule(data=st.data())
    def a_full_category_queues_then_room_serves_its_list(self, data: st.DataObject) -> None:
        """A category's limit is lowered to what is funded; some certificates ask to be
        funded and join its list (perhaps one leaves it); then room is made: a limit
        raised, a certificate unfunded or the nominal lowered."""
        self.time_passes(data, most=5)
        category = data.draw(st.sampled_from(["base", "disabled"]), label="category")
        cat = self.model.categories[category]
        by_count = data.draw(st.booleans(), label="by count")
        self.change_limits_and_compare(
            category,
            cat.funded_count if by_count else None,
            None if by_count else cat.funded_sum + data.draw(st.integers(0, cat.nominal - 1)),
        )
        for _ in range(data.draw(st.integers(1, 2), label="new certificates")):
            if len(self.model.certificates) < MAX_CERTIFICATES:
                child = data.draw(st.sampled_from(CHILDREN), label="child")
                self.issue(child, date(2014, 5, 5), MUNICIPALITY, None)
        unfunded = sorted(n for n, c in self.model.certificates.items() if c.category is None)
        for number in data.draw(st.permutations(unfunded), label="who asks")[:3]:
            queue = data.draw(st.integers(0, 3), label="queue") > 0
            self.fund(number, category, queue=queue)
        waiting = [n for n, _ in cat.queue]
        if waiting and data.draw(st.integers(0, 3), label="one leaves") == 0:
            self.leave_queue_and_compare(data.draw(st.sampled_from(waiting), label="leaves"))
        self.time_passes(data, most=3)
        how = data.draw(st.sampled_from(["count", "sum", "unfund", "nominal"]), label="room")
        if how == "unfund":
            idle = [
                n
                for n, c in sorted(self.model.certificates.items())
                if c.category == category and not (c.pot()["reserved"] or c.pot()["spent"])
            ]
            if idle:
                self.unfund_and_compare(data.draw(st.sampled_from(idle), label="unfunded"))
        elif how == "nominal":
            lower = data.draw(st.integers(1, max(1, cat.nominal // 2)), label="lower by")
            self.change_nominal_and_compare(category, cat.nominal - lower)
        else:
            more = data.draw(st.sampled_from([1, 2, 0]), label="room for")
            self.change_limits_and_compare(
                category,
                cat.funded_count + more if how == "count" else None,
                cat.funded_sum + more * cat.nominal if how == "sum" else None,
            )

    @precondition(lambda self: bool(self.model.certificates))
    @rule(data=st.data())
    def unfund_a_certificate(self, data: st.DataObject) -> None:
        """Mostly one with nothing reserved or spent; its place serves the list."""
        self.time_passes(data)
        funded = [n for n, c in self.model.certificates.items() if c.category is not None]
        idle = [
            n
            for n in funded
            if not any(self.model.certificates[n].pot()[k] for k in ("reserved", "spent"))
        ]
        number = self.choose(
            data, idle or funded or list(self.model.certificates), NUMBERS, "number"
        )
        self.unfund_and_compare(number)

    def unfund_and_compare(self, number: str) -> None:
        outcome = self.attempt(
            partial(self.model.unfund, number),
            partial(self.ledger.unfund_certificate, number, period=PERIOD, on=self.today),
        )
        if outcome is not None:
            expected, unfunded = outcome
            assert (unfunded.number, unfunded.period) == (number, PERIOD)
            assert (unfunded.category, unfunded.unfunded, unfunded.funded_from_queue) == (
                expected["category"],
                expected["unfunded"],
                expected["funded_from_queue"],
            )

    @precondition(lambda self: bool(self.model.certificates))
    @rule(data=st.data())
    def leave_a_waiting_list(self, data: st.DataObject) -> None:
        self.time_passes(data)
        waiting = [n for cat in self.model.categories.values() for n, _ in cat.queue]
        number = self.choose(data, waiting or list(self.model.certificates), NUMBERS, "number")
        self.leave_queue_and_compare(number)

    def leave_queue_and_compare(self, number: str) -> None:
        outcome = self.attempt(
            partial(self.model.leave_queue, number),
            partial(self.ledger.leave_queue, number, period=PERIOD, on=self.today),
        )
        if outcome is not None:
            assert outcome[1].category == outcome[0]

    # -- moving and annulling a certificate (rule 24) --------------------------------

    @precondition(lambda self: bool(self.model.certificates))
    @rule(data=st.data())
    def move_a_certificate(self, data: st.DataObject) -> None:
        """Mostly one that may move: unfunded, or funded for the closed period."""
        self.time_passes(data)
        movable = [
            n
            for n, c in self.model.certificates.items()
            if not c.annulled and (c.category is None or self.model.closed)
        ]
        number = self.choose(data, movable or list(self.model.certificates), NUMBERS, "number")
        to = data.draw(st.sampled_from([MUNICIPALITY, "m2", "m3"]), label="to")
        outcome = self.attempt(
            partial(self.model.move, number, to),
            partial(self.ledger.move_certificate, number, to=to, on=self.today),
        )
        if outcome is not None:
            expected, moved = outcome
            assert (moved.number, moved.municipality) == (number, to)
            assert (moved.previous, moved.left_queues) == (
                expected["previous"],
                expected["left_queues"],
            )
            assert self.ledger.certificate(number).municipality == to

    @precondition(lambda self: bool(self.model.certificates))
    @rule(data=st.data())
    def annul_a_certificate(self, data: st.DataObject) -> None:
        """Mostly one that may be annulled: never had a contract, holds no money."""
        self.time_passes(data)
        idle = [
            n
            for n, c in self.model.certificates.items()
            if not c.annulled and c.category is None and not c.contracts
        ]
        number = self.choose(data, idle or list(self.model.certificates), NUMBERS, "number")
        outcome = self.attempt(
            partial(self.model.annul, number),
            partial(self.ledger.annul_certificate, number, reason="issued in error", on=self.today),
        )
        if outcome is not None:
            left, annulled = outcome
            assert (annulled.number, annulled.status, annulled.left_queues) == (
                number,
                "annulled",
                left,
            )

    # -- contracts ---------------------------------------------------------------------

    @precondition(lambda self: bool(self.model.certificates) and bool(self.model.programs))
    @rule(data=st.data())
    def enroll_a_child(self, data: st.DataObject) -> None:
        self.time_passes(data)
        number, program = self.certificate_and_program(data)
        start = self.today + timedelta(days=data.draw(st.integers(-20, 120), label="starts in"))
        lasts = st.integers(-3, 150) | st.integers(0, 330)
        end = start + timedelta(days=data.draw(lasts, label="lasts"))
        mode = data.draw(st.sampled_from(["fixed", "attendance"]), label="mode")
        self.enroll(number, program, start, end, mode)

    def social_pairs(self) -> list[tuple[str, str]]:
        """(certificate funded in hours, open program offering hours) pairs (rule 21)."""
        social = [
            n
            for n, c in self.model.certificates.items()
            if c.category is not None and self.model.categories[c.category].unit == "hours"
        ]
        offering = [
            code
            for code, p in self.model.programs.items()
            if p.hours is not None and not p.withdrawn and self.model.providers[p.provider]
        ]
        return [(n, p) for n in sorted(social) for p in sorted(offering)]

    @precondition(lambda self: bool(self.social_pairs()))
    @rule(data=st.data())
    def enroll_a_social_certificate(self, data: st.DataObject) -> None:
        """A certificate in person-hours enrols in a program offering hours: the whole
        P_h is reserved, or the enrolment is refused when it is more than available."""
        self.time_passes(data)
        number, program = data.draw(st.sampled_from(self.social_pairs()), label="social pair")
        start = self.today + timedelta(days=data.draw(st.integers(-20, 90), label="starts in"))
        end = start + timedelta(days=data.draw(st.integers(0, 200), label="lasts"))
        mode = data.draw(st.sampled_from(["fixed", "attendance"]), label="mode")
        self.enroll(number, program, start, end, mode)

    def certificate_and_program(self, data: st.DataObject) -> tuple[str, str]:
        """Mostly a funded certificate and a program open for contracts."""
        funded = [n for n, c in self.model.certificates.items() if c.category is not None]
        number = self.choose(data, funded or list(self.model.certificates), NUMBERS, "number")
        open_programs = [
            code
            for code, p in self.model.programs.items()
            if not p.withdrawn and self.model.providers[p.provider]
        ]
        program = self.choose(data, open_programs or list(self.model.programs), PROGRAMS, "program")
        return number, program

    @precondition(
        lambda self: (
            bool(self.model.certificates)
            and bool(self.model.programs)
            and month_before(self.model.today) in PERIOD_MONTHS
        )
    )
    @rule(data=st.data())
    def enroll_in_a_contract_of_last_month_then_bill_that_month_back_dated(
        self, data: st.DataObject
    ) -> None:
        """A contract that started last month is entered today. Last month's billing run,
        dated before today, leaves it open; dated today, it bills it."""
        self.time_passes(data, most=10)
        last_month = month_before(self.today)
        number, program = self.certificate_and_program(data)
        start = ref.first_of(last_month) + timedelta(days=data.draw(st.integers(0, 27)))
        end = start + timedelta(days=data.draw(st.integers(0, 150), label="lasts"))
        mode = data.draw(st.sampled_from(["fixed", "attendance"]), label="mode")
        self.enroll(number, program, start, end, mode)
        first = ref.first_of(ref.month_key(self.today))
        billed_on = data.draw(st.dates(first, self.today), label="billed on")
        self.bill_and_compare(last_month, billed_on)

    def enroll(self, number: str, program: str, start: date, end: date, mode: str) -> bool:
        """Enrol as the model says; whether it was enrolled."""
        outcome = self.attempt(
            partial(self.model.enroll, number, program, start, end, mode),
            partial(
                self.ledger.enroll,
                number,
                program=program,
                start=start,
                end=end,
                mode=mode,
                on=self.today,
            ),
        )
        if outcome is None:
            return False
        contract, enrolment = outcome
        assert enrolment.contract == contract.code
        # rule 23: an end past the period's is the period's end, and continues
        assert (enrolment.end, enrolment.continues_until) == (
            contract.end,
            contract.continues_until,
        )
        end = contract.end
        assert [(m.month, m.price, m.certificate, m.parent) for m in enrolment.months] == [
            (month, s.price, s.part, s.price - s.part) for month, s in contract.months.items()
        ]
        assert enrolment.certificate_share == contract.share
        assert (enrolment.unit, enrolment.hour_cost) == (contract.unit, contract.hour_cost)
        normative = self.model.programs[program].normative
        if contract.unit == "hours":  # rule 21: no normative cost, no co-payment
            normative = None
            assert enrolment.parent_share == 0
        assert enrolment.normative == (
            None
            if normative is None
            else sum(n for _, n in ref.month_prices(normative, start, end))
        )
        assert enrolment.certificate_share <= min(
            enrolment.price, enrolment.normative or enrolment.price
        )
        assert sum(m.certificate for m in enrolment.months) == enrolment.certificate_share
        assert enrolment.price == enrolment.certificate_share + enrolment.parent_share
        return True

    @precondition(lambda self: bool(self.model.contracts))
    @rule(data=st.data())
    def the_family_stops_a_continuation(self, data: st.DataObject) -> None:
        """Rule 23: `contract continue --stop` clears `continues_until`, once; terminating
        clears it too."""
        self.time_passes(data, most=5)
        code = data.draw(st.sampled_from(sorted(self.model.contracts)), label="contract")
        self.attempt(
            partial(self.model.stop_continuation, code),
            partial(self.ledger.stop_continuation, code, on=self.today),
        )
        card = self.ledger.contract(code)
        assert card.continues_until == self.model.contracts[code].continues_until
        assert (card.continues, card.continued_by) == (None, self.model.contracts[code].successor)

    # -- the next period and prolongation (rule 23) ----------------------------------------

    @precondition(lambda self: self.model.opened)
    @rule(data=st.data())
    def prolong_into_the_next_period(self, data: st.DataObject) -> None:
        """Open the next period (once), fund a few certificates for it, and run the
        prolongation on today's date: the model's successors with their dates, prices and
        shares, the rest with the first reason of rule 23; a second run prolongs nothing."""
        self.time_passes(data)
        self.open_the_next_period(data)
        school_year = self.model.certificates and self.model.programs
        if school_year and self.today <= PERIOD_END:
            number, program = self.certificate_and_program(data)
            start = min(self.today + timedelta(days=data.draw(st.integers(0, 60))), PERIOD_END)
            asked = data.draw(st.dates(NEXT_START, PERIOD_END + timedelta(days=366)), label="to")
            self.enroll(number, program, start, asked, "fixed")
        # mostly those whose contracts continue; not one waiting in a list of the period
        # (funding leaves those lists)
        listed = {n for n in self.model.certificates if self.model.place_of(n) is not None}
        continuing = {k.number for k in self.model.continuing()} - listed
        numbers = sorted(continuing or set(self.model.certificates) - listed)
        for number in [n for n in numbers if data.draw(st.booleans(), label=f"fund {n}")]:
            self.fund_for_the_next_period(number)
        self.prolong_and_compare()

    def open_the_next_period(self, data: st.DataObject) -> None:
        """Open the next period (once), with one category in rubles."""
        if self.model.next_nominal is None:
            nominal = data.draw(nominals, label="next nominal")
            self.attempt(
                partial(self.model.open_next, nominal),
                partial(
                    self.ledger.open_period,
                    NEXT,
                    municipality=MUNICIPALITY,
                    start=NEXT_START,
                    end=NEXT_END,
                    categories={NEXT_CATEGORY: {"nominal": ref.rubles(nominal)}},
                    on=self.today,
                ),
            )

    def fund_for_the_next_period(self, number: str) -> None:
        self.attempt(
            partial(self.model.fund_next, number),
            partial(
                self.ledger.fund_certificate,
                number,
                period=NEXT,
                category=NEXT_CATEGORY,
                on=self.today,
            ),
        )

    def school_year_pairs(self) -> list[tuple[str, str]]:
        """(certificate funded in rubles, open program whose age band takes the child
        today and which the child does not leave before the next period ends) pairs."""
        if not self.model.opened or self.model.closed or self.today >= PERIOD_END:
            return []
        funded = [
            c
            for c in self.model.certificates.values()
            if c.category is not None
            and self.model.categories[c.category].unit == "rub"
            and not c.annulled
            and c.municipality == MUNICIPALITY
        ]
        return [
            (c.number, code)
            for c in sorted(funded, key=lambda c: c.number)
            for code, p in sorted(self.model.programs.items())
            if not p.withdrawn
            and self.model.providers[p.provider]
            and p.min_age <= ref.age(c.birth, self.today) <= p.max_age
            and ref.age(c.birth, NEXT_END) < 18
        ]

    @precondition(lambda self: bool(self.school_year_pairs()))
    @rule(data=st.data())
    def enrol_a_school_year_funded_for_the_next_period_then_prolong(
        self, data: st.DataObject
    ) -> None:
        """Rule 23 made likely: a school year asking for an end in the next period, the
        certificate funded for that period at once (unless it waits in a list of this
        one), and a run compared with the model."""
        self.open_the_next_period(data)
        pair = data.draw(st.sampled_from(self.school_year_pairs()), label="school year pair")
        number, program = pair
        start = min(self.today + timedelta(days=data.draw(st.integers(0, 60))), PERIOD_END)
        start = max(start, PERIOD_START)
        last = PERIOD_END + timedelta(days=366)
        asked = data.draw(st.dates(NEXT_START + timedelta(days=30), last), label="asked until")
        mode = data.draw(st.sampled_from(["fixed", "attendance"]), label="mode")
        enrolled = self.enroll(number, program, start, asked, mode)
        waits = self.model.place_of(number) is not None  # funding would leave the list
        if number not in self.model.next_funded and not waits:
            self.fund_for_the_next_period(number)
        if data.draw(st.integers(0, 4), label="the provider turns prolongation off") == 4:
            self.set_prolongation(program, False)
        self.prolong_and_compare()
        # and perhaps the family changes its mind: the new contract or its successor
        # is terminated, or its continuation stopped
        made = list(self.model.contracts)[-1] if enrolled else None
        if made is not None and data.draw(st.integers(0, 2), label="cut the chain") == 0:
            successor = self.model.contracts[made].successor
            links = [made] if successor is None else [made, successor]
            self.cut_the_chain(data, data.draw(st.sampled_from(links), label="link"))

    @rule(data=st.data())
    def the_provider_turns_prolongation_of_a_program_off_or_on(self, data: st.DataObject) -> None:
        """Rule 23's switch (`program settings P --no-prolongation`): with it off a run
        lists the program's contracts as `prolongation_off`; turned back on, a run
        prolongs them (an unknown program is not found)."""
        self.time_passes(data, most=10)
        code = self.choose(data, list(self.model.programs), ["prog-x"], "program")
        prolongation = data.draw(st.sampled_from([False, False, True]), label="prolongation")
        self.set_prolongation(code, prolongation)
        if self.model.next_nominal is not None:
            self.prolong_and_compare()

    def set_prolongation(self, code: str, prolongation: bool) -> None:
        outcome = self.attempt(
            partial(self.model.program_settings, code, prolongation),
            partial(self.ledger.program_settings, code, prolongation=prolongation, on=self.today),
        )
        if outcome is not None:
            assert (outcome[1].program, outcome[1].prolongation) == (code, prolongation)

    def chain_links(self) -> list[str]:
        """Rule 23's chains: contracts continuing into the next period or prolonged, and
        their successors."""
        links = [
            c.code
            for c in self.model.contracts.values()
            if c.continues_until is not None or c.successor is not None
        ]
        return sorted([*links, *self.model.successors])

    @precondition(lambda self: bool(self.chain_links()))
    @rule(data=st.data())
    def a_chain_is_cut_by_a_termination_or_the_familys_stop(self, data: st.DataObject) -> None:
        """Rule 23: a contract continuing into the next period, one prolonged already, or
        a successor is terminated (back-dated, perhaps before its enrolment: refused) or
        its continuation stopped (refused once prolonged, or when it does not continue);
        the card says so, and a run after it is the model's."""
        self.time_passes(data, most=10)
        successors = sorted(self.model.successors)
        a_successor = bool(successors) and data.draw(st.booleans(), label="a successor")
        code = data.draw(st.sampled_from(successors if a_successor else self.chain_links()))
        self.cut_the_chain(data, code)

    def cut_the_chain(self, data: st.DataObject, code: str) -> None:
        """Terminate contract `code` or stop its continuation, as the model says."""
        contract = self.model.contract(code)
        if code in self.model.successors:
            link = "successor"
        else:
            link = "prolonged" if contract.successor is not None else "continuing"
        if data.draw(st.booleans(), label="terminate"):
            self.unchecked_months.update(contract.months)
            edges = [contract.enrolled_on - ONE_DAY, contract.enrolled_on, contract.start]
            done = self.terminate_and_compare(code, self.business_date(data, edges, 30))
            event(f"chain: {link} {'terminated' if done else 'termination refused'}")
        else:
            stopped = self.attempt(
                partial(self.model.stop_continuation, code),
                partial(self.ledger.stop_continuation, code, on=self.today),
            )
            event(f"chain: {link} {'stopped' if stopped else 'stop refused'}")
        card = self.ledger.contract(code)
        assert (card.continues_until, card.terminated_on, card.continued_by) == (
            contract.continues_until,
            contract.terminated_on,
            contract.successor,
        )
        assert card.status == ("active" if contract.terminated_on is None else "terminated")
        if self.model.next_nominal is not None:
            self.prolong_and_compare()

    def prolong_and_compare(self) -> None:
        """A run into the next period on today's date is the model's; run again at once,
        it prolongs nothing and lists the same contracts."""
        outcome = self.attempt(
            self.model.prolong, partial(self.ledger.prolong, period=NEXT, on=self.today)
        )
        assert outcome is not None
        expected, run = outcome
        assert [
            (x.contract, x.successor, x.start, x.end, x.certificate_share, x.unit)
            for x in run.prolonged
        ] == [(k.code, s.code, s.start, s.end, s.share, s.unit) for k, s in expected["prolonged"]]
        for line, (_, successor) in zip(run.prolonged, expected["prolonged"], strict=True):
            assert line.price == sum(m.price for m in successor.months.values())
            assert line.parent_share == line.price - line.certificate_share
        assert [(x.contract, x.reason) for x in run.not_prolonged] == expected["not_prolonged"]
        assert sum(run.reasons.values()) == len(run.not_prolonged)
        event(f"prolonged: {bool(run.prolonged)}")
        for reason in run.reasons:
            event(f"not prolonged: {reason}")
        again = self.ledger.prolong(period=NEXT, on=self.today)
        assert again.prolonged == [] and again.not_prolonged == run.not_prolonged

    @invariant()
    def every_successor_follows_its_chain(self) -> None:
        """Rule 23: a successor starts on the later of its period's start and the day after
        its predecessor's end, and no contract of a chain ends after the end first asked
        for (the predecessors here are the chains' first contracts)."""
        for code, predecessor in self.model.contracts.items():
            if predecessor.successor is None:
                continue
            first = self.ledger.contract(code)
            card = self.ledger.contract(predecessor.successor)
            assert (first.continued_by, card.continues) == (card.contract, code)
            assert card.start == max(NEXT_START, first.end + ONE_DAY)
            asked = self.model.successors[card.contract].asked
            assert asked is not None
            assert card.continues_until == self.model.successors[card.contract].continues_until
            assert first.end <= asked and card.end <= asked

    @precondition(lambda self: bool(self.model.contracts))
    @rule(data=st.data())
    def record_attendance(self, data: st.DataObject) -> None:
        self.time_passes(data, most=6)
        code = self.choose(data, list(self.model.contracts), ["9999999999-001"], "contract")
        contract = self.model.contracts.get(code)
        first, last = (
            (self.today, self.today)
            if contract is None
            else (contract.start, max(contract.start, min(contract.end, self.today)))
        )
        # lessons of the last weeks or of the contract so far, a few days out of bounds
        # (before the start, after the end or the termination, or yet to take place)
        recent = st.integers(-3, 40).map(lambda back: self.today - timedelta(days=back))
        so_far = st.integers(-3, (last - first).days + 3).map(lambda d: first + timedelta(days=d))
        days = data.draw(st.lists(recent | so_far, min_size=1, max_size=3), label="lesson days")
        present = data.draw(st.booleans(), label="present")
        self.record_attendance_and_compare(code, days, present)

    @rule()
    def teachers_record_the_lessons_of_the_day(self) -> None:
        """Every contract with a lesson today (inside its dates, month still open) gets it
        marked, present on even days. Later terminations may be dated before these marks."""
        for code, contract in sorted(self.model.contracts.items()):
            state = contract.months.get(ref.month_key(self.today))
            if contract.start <= self.today <= contract.last_lesson_day() and (
                state is not None and state.status == "open"
            ):
                present = self.today.day % 2 == 0
                self.record_attendance_and_compare(code, [self.today], present)

    def record_attendance_and_compare(self, code: str, days: list[date], present: bool) -> None:
        self.unchecked_months.update(ref.month_key(day) for day in days)
        outcome = self.attempt(
            partial(self.model.record_attendance, code, days, present),
            partial(
                self.ledger.record_attendance, code, dates=days, present=present, on=self.today
            ),
        )
        if outcome is not None:
            assert outcome[1].recorded == outcome[0]

    @rule(data=st.data())
    def bill_the_months_up_to_now(self, data: st.DataObject) -> None:
        self.time_passes(data)
        for month in PERIOD_MONTHS:
            if ref.first_of_next(month) <= self.today:
                self.bill_and_compare(month)

    @rule(data=st.data())
    def bill_a_month(self, data: st.DataObject) -> None:
        """Bill a month, now or back-dated (contracts enrolled after the run's date wait)."""
        self.time_passes(data)
        month = data.draw(
            st.just(month_before(self.today)) | st.sampled_from(BILLABLE), label="month"
        )
        enrolled = [
            c.enrolled_on
            for c in self.model.contracts.values()
            if month in c.months and c.months[month].status == "open"
        ]
        on = self.business_date(data, [d + k * ONE_DAY for d in enrolled for k in (-1, 0)], 45)
        billed = self.bill_and_compare(month, on)
        if billed and data.draw(st.booleans(), label="bill again"):
            # the model does not move: the invariants check that the engine did not either
            run = self.ledger.bill(month, on=on)
            assert (run.billed, run.charged, run.released, run.parent) == (0, 0, 0, 0)

    def bill_and_compare(self, month: str, on: date | None = None) -> bool:
        on = self.today if on is None else on
        self.unchecked_months.add(month)
        outcome = self.attempt(
            partial(self.model.bill, month, on), partial(self.ledger.bill, month, on=on)
        )
        if outcome is None:
            return False
        expected, run = outcome
        assert run.model_dump(exclude={"month"}) == expected
        return True

    @precondition(lambda self: bool(self.model.contracts))
    @rule(data=st.data())
    def terminate_a_contract(self, data: st.DataObject) -> None:
        self.time_passes(data)
        # often one with lessons recorded in a month still open, which a back-dated
        # termination may leave after its last day
        attended = [
            c.code
            for c in self.model.contracts.values()
            if any(c.months[ref.month_key(day)].status == "open" for day in c.attendance)
        ]
        if not attended or data.draw(st.booleans(), label="any contract"):
            attended = list(self.model.contracts)
        code = self.choose(data, attended, ["9999999999-001"], "contract")
        edges = []
        if (contract := self.model.contracts.get(code)) is not None:
            self.unchecked_months.update(contract.months)
            # around the enrolment, the start, and just before a lesson already recorded
            edges = [contract.enrolled_on - ONE_DAY, contract.enrolled_on, contract.start]
            edges += [day - ONE_DAY for day in sorted(contract.attendance)[-4:]]
        self.terminate_and_compare(code, self.business_date(data, edges, 60))

    def terminate_and_compare(self, code: str, on: date) -> bool:
        """Terminate on `on` as the model says; whether it was terminated."""
        outcome = self.attempt(
            partial(self.model.terminate, code, on),
            partial(self.ledger.terminate, code, reason="family moved", on=on),
        )
        if outcome is not None:
            expected, terminated = outcome
            assert terminated.released == expected["released"]
            assert terminated.cancelled_months == expected["cancelled_months"]
        return outcome is not None

    def running(self) -> list[str]:
        """Contracts not terminated that had lessons in the last two weeks."""
        recently = self.today - timedelta(days=14)
        return [
            c.code
            for c in self.model.contracts.values()
            if c.terminated_on is None and c.start <= self.today and recently <= c.end
        ]

    @precondition(lambda self: bool(self.running()))
    @rule(data=st.data())
    def record_lessons_then_terminate_the_contract_back_dated(self, data: st.DataObject) -> None:
        """Lessons are recorded (some perhaps yet to take place: refused); then the contract
        is terminated back-dated to before some of them, whose marks then no longer count,
        or to before its enrolment (refused)."""
        self.time_passes(data, most=6)
        running = self.running()  # the month's end may have come meanwhile
        if not running:
            return
        code = data.draw(st.sampled_from(running), label="contract")
        contract = self.model.contracts[code]
        first = max(contract.start, self.today - timedelta(days=14))
        days = st.integers(0, (self.today - first).days + 2).map(lambda d: first + timedelta(d))
        lessons = data.draw(st.lists(days, min_size=1, max_size=3), label="lesson days")
        self.record_attendance_and_compare(code, lessons, data.draw(st.booleans()))
        self.unchecked_months.update(contract.months)
        edges = [contract.enrolled_on - ONE_DAY, *(day - ONE_DAY for day in lessons)]
        past = sorted({day for day in edges if day <= self.today})
        self.terminate_and_compare(code, data.draw(st.sampled_from(past), label="terminated on"))

    @precondition(lambda self: bool(self.model.contracts))
    @rule(data=st.data())
    def correct_a_charge(self, data: st.DataObject) -> None:
        self.time_passes(data)
        billed = [c for c in self.model.contracts.values() if c.billed_months()]
        code = self.choose(
            data, [c.code for c in billed] or list(self.model.contracts), ["9999999999-001"], "code"
        )
        contract = self.model.contracts.get(code)
        months = [] if contract is None else contract.billed_months() or list(contract.months)
        month = self.choose(data, months, ["2024-11", *PERIOD_MONTHS], "month")
        self.unchecked_months.add(month)
        state = None if contract is None else contract.months.get(month)
        charged = 0 if state is None else state.charged
        left = 0 if state is None else state.charged - state.refunded
        correct = partial(self.ledger.correct, code, month=month, reason="lesson not held")
        if data.draw(st.integers(0, 9), label="malformed") == 0:
            amount = data.draw(malformed_amounts, label="refund")
            self.attempt(self.refused("malformed refund"), partial(correct, refund=amount))
            return
        refund = data.draw(
            st.sampled_from([left, left + 1, 1, 0]) | st.integers(0, charged + 100), label="refund"
        )
        billed_on = None if state is None else state.billed_on
        edges = [] if billed_on is None else [billed_on - ONE_DAY, billed_on]
        on = self.business_date(data, edges, 45)
        outcome = self.attempt(
            partial(self.model.correct, code, month, refund, on),
            partial(correct, refund=ref.rubles(refund), on=on),
        )
        if outcome is not None:
            assert outcome[1].refunded == refund

    # -- settlement (rules 16-18) --------------------------------------------------------

    @rule(data=st.data())
    def change_the_period_settings(self, data: st.DataObject) -> None:
        """The advance rate (0-100; outside: refused) and the last month's billing date
        (a day of December; another: refused)."""
        self.time_passes(data)
        advance = data.draw(
            st.none() | st.sampled_from([0, 50, 80, 100]) | st.integers(-1, 101), label="advance"
        )
        day = data.draw(
            st.none()
            | st.dates(date(2025, 12, 1), PERIOD_END)
            | st.dates(date(2025, 11, 20), date(2026, 1, 5)),
            label="final billing from",
        )
        outcome = self.attempt(
            partial(self.model.period_settings, advance, day),
            partial(
                self.ledger.period_settings,
                PERIOD,
                advance=advance,
                final_billing_from=day,
                on=self.today,
            ),
        )
        if outcome is not None:
            expected, settings_ = outcome
            assert (settings_.advance, settings_.final_billing_from) == (
                expected["advance"],
                expected["final_billing_from"],
            )

    @precondition(
        lambda self: (
            self.model.final_billing_from is not None
            and not self.model.closed
            and self.model.final_billing_from <= self.model.today < date(2026, 1, 1)
        )
    )
    @rule(data=st.data())
    def bill_the_last_month_early(self, data: st.DataObject) -> None:
        """Rule 18: December from the period's own date (a day before it: refused)."""
        self.record_the_lessons_of_today_perhaps(data)
        early = self.model.final_billing_from
        assert early is not None
        on = self.business_date(data, [early - ONE_DAY, early], 10)
        self.bill_and_compare(PERIOD_MONTHS[-1], on)

    def record_the_lessons_of_today_perhaps(self, data: st.DataObject) -> None:
        if data.draw(st.booleans(), label="lessons of today"):
            self.teachers_record_the_lessons_of_the_day()

    def provider_months(self, data: st.DataObject) -> tuple[str, str]:
        """A provider (sometimes one that does not exist) and a month: mostly this month,
        the last one, or one of its contracts'."""
        provider = self.choose(data, list(self.model.providers), ["prov-x"], "provider")
        theirs = sorted(
            {m for c in self.model.contracts.values() if c.provider == provider for m in c.months}
        )
        choices = st.sampled_from(
            [ref.month_key(self.today), month_before(self.today), *theirs, *BILLABLE[:1]]
        ) | st.sampled_from(BILLABLE)
        return provider, data.draw(choices, label="month")

    @rule(data=st.data())
    def issue_an_advance(self, data: st.DataObject) -> None:
        self.time_passes(data)
        provider, month = self.provider_months(data)
        self.issue_advance_and_compare(provider, month)

    def issue_advance_and_compare(self, provider: str, month: str) -> None:
        outcome = self.attempt(
            partial(self.model.issue_advance, provider, month),
            partial(self.ledger.issue_advance, provider=provider, month=month, on=self.today),
        )
        if outcome is not None:
            expected, advance = outcome
            assert (advance.invoice, advance.provider, advance.month) == (
                expected["invoice"],
                provider,
                month,
            )
            assert advance.total == expected["total"]
            assert [(x.contract, x.number, x.amount) for x in advance.lines] == expected["lines"]

    @rule(data=st.data())
    def issue_an_invoice(self, data: st.DataObject) -> None:
        self.time_passes(data)
        provider, month = self.provider_months(data)
        self.issue_invoice_and_compare(provider, month)

    def issue_invoice_and_compare(self, provider: str, month: str) -> None:
        outcome = self.attempt(
            partial(self.model.issue_invoice, provider, month),
            partial(self.ledger.issue_invoice, provider=provider, month=month, on=self.today),
        )
        if outcome is not None:
            expected, invoice = outcome
            assert (invoice.invoice, invoice.provider, invoice.month) == (
                expected["invoice"],
                provider,
                month,
            )
            got = (invoice.amount, invoice.advance, invoice.adjustments, invoice.due)
            assert got == tuple(expected[k] for k in ("amount", "advance", "adjustments", "due"))
            assert [(x.contract, x.number, x.amount) for x in invoice.lines] == expected["lines"]
            # its amount is its register's total as of the invoice
            assert invoice.amount == self.ledger.register(provider, month=month).total_certificate

    @precondition(lambda self: bool(self.model.contracts))
    @rule(data=st.data())
    def settle_with_the_providers(self, data: st.DataObject) -> None:
        """An advance for this month, then an invoice for each month of the year gone by
        that can have one, for every provider."""
        self.time_passes(data)
        for provider in sorted(self.model.providers):
            self.issue_advance_and_compare(provider, ref.month_key(self.today))
            for month in PERIOD_MONTHS:
                if ref.first_of_next(month) <= self.today:
                    number = f"{provider}/{month}"
                    if number not in self.model.documents.get(provider, {}):
                        self.issue_invoice_and_compare(provider, month)

    @precondition(lambda self: bool(self.model.contracts))
    @rule(data=st.data())
    def a_month_is_advanced_billed_invoiced_paid_then_a_charge_of_it_refunded(
        self, data: st.DataObject
    ) -> None:
        """A provider's month: its advance inside it, its billing and invoice after it,
        both paid; then a refund of an invoiced month, which the next invoice deducts
        (or, at the close, the provider owes)."""
        code = data.draw(st.sampled_from(sorted(self.model.contracts)), label="contract")
        contract = self.model.contracts[code]
        month = data.draw(st.sampled_from(sorted(contract.months)), label="month")
        provider = contract.provider
        if self.today < ref.first_of(month):
            self.move_clock_to(data, ref.first_of(month) + timedelta(data.draw(st.integers(0, 9))))
        self.issue_advance_and_compare(provider, month)
        self.move_clock_to(data, max(self.today, ref.first_of_next(month)))
        self.settle_attendance_of(data, month)
        self.bill_and_compare(month)
        self.issue_invoice_and_compare(provider, month)
        for number in (f"{provider}/{month}-A", f"{provider}/{month}"):
            if number in self.model.documents.get(provider, {}):
                self.pay_and_compare(number, self.today)
        invoiced = [
            (c, m)
            for c in sorted(self.model.contracts.values(), key=lambda c: c.code)
            if c.provider == provider
            for m, state in c.months.items()
            if state.charged > state.refunded
            and f"{provider}/{m}" in self.model.documents[provider]
        ]
        if invoiced:
            refunded, refunded_month = data.draw(st.sampled_from(invoiced), label="refunded")
            state = refunded.months[refunded_month]
            refund = data.draw(st.integers(1, state.charged - state.refunded), label="refund")
            self.unchecked_months.add(refunded_month)
            outcome = self.attempt(
                partial(self.model.correct, refunded.code, refunded_month, refund, self.today),
                partial(
                    self.ledger.correct,
                    refunded.code,
                    month=refunded_month,
                    refund=ref.rubles(refund),
                    reason="lesson not held",
                    on=self.today,
                ),
            )
            if outcome is not None and data.draw(st.booleans(), label="next invoice"):
                self.move_clock_to(data, ref.first_of_next(ref.month_key(self.today)))
                later = month_before(self.today)
                self.settle_attendance_of(data, later)
                self.bill_and_compare(later)
                self.issue_invoice_and_compare(provider, later)

    def settle_attendance_of(self, data: st.DataObject, month: str) -> None:
        """A lesson recorded in each attendance contract month of `month` with none."""
        for code, contract in sorted(self.model.contracts.items()):
            state = contract.months.get(month)
            if state is None or state.status != "open" or contract.mode != "attendance":
                continue
            if contract.lessons_in(month)[1] == 0 and not self.model.closed:
                day = max(contract.start, ref.first_of(month))
                if day <= min(contract.last_lesson_day(), self.today):
                    present = data.draw(st.booleans(), label=f"{code} present on {day}")
                    self.record_attendance_and_compare(code, [day], present)

    @rule(data=st.data())
    def pay_an_advance_or_an_invoice(self, data: st.DataObject) -> None:
        self.time_passes(data)
        documents = self.model.all_documents()
        number = self.choose(
            data,
            [d.invoice for d in documents if d.paid_on is None] or [d.invoice for d in documents],
            ["prov-a/2025-13", "prov-a/2025", "prov-x/2025-03", "prov-a/2024-01-A"],
            "invoice",
        )
        issued = [d.issued_on for d in documents if d.invoice == number]
        on = self.business_date(data, [day + k * ONE_DAY for day in issued for k in (-1, 0)], 30)
        self.pay_and_compare(number, on)

    def pay_and_compare(self, number: str, on: date) -> None:
        outcome = self.attempt(
            partial(self.model.pay, number, on),
            partial(self.ledger.pay_invoice, number, on=on),
        )
        if outcome is not None:
            expected, paid = outcome
            assert (paid.invoice, paid.kind, paid.paid_on, paid.amount) == (
                number,
                expected["kind"],
                on,
                expected["amount"],
            )
        unpaid = self.ledger.invoices(unpaid=True)
        expected_unpaid = [d.invoice for d in self.model.all_documents() if d.paid_on is None]
        assert [d.invoice for d in unpaid.invoices] == expected_unpaid
        assert unpaid.total_due == sum(d.due for d in unpaid.invoices)

    # -- reading it back -----------------------------------------------------------------

    @rule(reopen=st.booleans())
    def rebuilding_or_reopening_the_ledger_gives_the_same_reports(self, reopen: bool) -> None:
        """Rebuild the read models from the log, or close the ledger and open the store
        again; the invariants then compare every report with the model."""
        if reopen:
            self.ledger.close()
            self.ledger = Ledger(self.url, actor=ACTOR)
        else:
            assert self.ledger.rebuild().events > 0
        self.unchecked_months.update(PERIOD_MONTHS)

    @precondition(lambda self: bool(self.model.certificates))
    @rule(data=st.data())
    def a_balance_as_of_a_past_date_folds_the_movements_dated_up_to_then_none_negative(
        self, data: st.DataObject
    ) -> None:
        number = data.draw(st.sampled_from(sorted(self.model.certificates)), label="number")
        day = data.draw(st.dates(FIRST_DAY - timedelta(days=5), self.today), label="as of")
        certificate = self.model.certificates[number]
        if day < certificate.issued_on:
            self.attempt(
                self.refused(f"{number} was issued on {certificate.issued_on}, after {day}"),
                partial(self.ledger.balance, number, as_of=day),
            )
            return
        expected = mdl.as_of(certificate.history, day)
        balance = self.ledger.balance(number, as_of=day)
        assert balance.type == ("financing" if expected else "accounting")
        assert _amounts(balance) == expected
        for pot in balance.periods:
            parts = (pot.available, pot.reserved, pot.spent, pot.expired)
            assert min(parts) >= 0, f"{number} as of {day}: {pot}"
        history = self.ledger.history(number, as_of=day).movements
        assert [mdl.Move(**m.model_dump(exclude={"actor"})) for m in history] == [
            m for m in certificate.history if m.on <= day
        ]
        known_now = self.ledger.balance(number, known_at="2999-12-31T00:00:00")
        assert known_now == self.ledger.balance(number)

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def what_the_ledger_reports_is_what_the_model_says_and_adds_up(self) -> None:
        """After every step: balances, histories and the registers of the months a command
        may have touched (each report read once, then checked several ways)."""
        seen = {
            number: (self.ledger.balance(number), self.ledger.history(number).movements)
            for number in self.model.certificates
        }
        self.balances_and_histories_are_what_the_model_says(seen)
        # rule 25: every movement carries the actor of the command that moved it
        assert {m.actor for _, movements in seen.values() for m in movements} <= {ACTOR}
        self.every_pot_holds_exactly_what_was_credited(seen)
        self.every_contract_accounts_for_its_whole_share(seen)
        self.registers_are_what_the_model_says_and_add_up_to_the_money_spent(seen)
        self.funded_certificates_fit_their_limits_and_the_lists_are_the_models(seen)
        self.invoices_are_the_models_and_every_provider_is_paid_its_net_charges()

    def balances_and_histories_are_what_the_model_says(self, seen: Seen) -> None:
        for number, certificate in self.model.certificates.items():
            balance, movements = seen[number]
            funded_next = number in self.model.next_funded
            categories = [certificate.category] + [NEXT_CATEGORY] * funded_next
            assert balance.type == ("financing" if any(categories) else "accounting")
            assert balance.status == ("annulled" if certificate.annulled else "active")
            assert [p.category for p in balance.periods] == [c for c in categories if c]
            assert _amounts(balance) == mdl.fold(certificate.history)
            assert [
                mdl.Move(**m.model_dump(exclude={"actor"})) for m in movements
            ] == certificate.history

    def every_pot_holds_exactly_what_was_credited(self, seen: Seen) -> None:
        for number, (balance, _) in seen.items():
            for pot in balance.periods:
                parts = (pot.available, pot.reserved, pot.spent, pot.expired)
                assert pot.credited == sum(parts), f"{number}: {pot}"
                assert min(parts) >= 0, f"{number}: {pot}"

    def every_contract_accounts_for_its_whole_share(self, seen: Seen) -> None:
        for number, (balance, movements) in seen.items():
            moved: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for m in movements:
                if m.contract is not None:
                    moved[m.contract][m.kind] += m.amount
            held = 0
            for code, contract in [*self.model.contracts.items(), *self.model.successors.items()]:
                if contract.number != number:
                    continue
                assert sum(s.part for s in contract.months.values()) == contract.share
                assert all(0 <= s.part <= s.price for s in contract.months.values())
                money = moved[code]
                still = self.model.still_reserved(contract)
                assert money["reserved"] == contract.share
                assert money["charged"] + money["released"] + still == contract.share, code
                held += still
            assert sum(p.reserved for p in balance.periods) == held

    def registers_are_what_the_model_says_and_add_up_to_the_money_spent(self, seen: Seen) -> None:
        for provider in sorted(self.model.providers):
            for month in PERIOD_MONTHS:
                known = (provider, month) in self.register_spent
                if known and month not in self.unchecked_months:
                    continue
                register = self.ledger.register(provider, month=month)
                lines = [_line(x) for x in register.lines]
                assert lines == self.model.register(provider, month), (provider, month)
                assert register.total_certificate == sum(x.certificate for x in register.lines)
                assert register.total_parent == sum(x.parent for x in register.lines)
                assert register.total_hours == sum(x.hours or 0 for x in register.lines)
                self.register_totals[provider, month] = register.total_certificate
                self.register_spent[provider, month] = (
                    sum(x.certificate for x in register.lines if x.unit == "rub"),
                    register.total_hours,
                )
        self.unchecked_months.clear()
        for index, unit in enumerate(("rub", "hours")):  # rule 22: each unit adds up alone
            spent = sum(
                p.spent for balance, _ in seen.values() for p in balance.periods if p.unit == unit
            )
            assert sum(s[index] for s in self.register_spent.values()) == spent, unit

    def funded_certificates_fit_their_limits_and_the_lists_are_the_models(self, seen: Seen) -> None:
        """Rule 19: the funded count and sum never above the limits; each waiting list
        is the model's, in order (none after the close: the lists lapse)."""
        for name, cat in self.model.categories.items():
            pots = [p for b, _ in seen.values() for p in b.periods if p.category == name]
            assert (len(pots), sum(p.credited for p in pots)) == (cat.funded_count, cat.funded_sum)
            assert cat.count_limit is None or cat.funded_count <= cat.count_limit, name
            assert cat.sum_limit is None or cat.funded_sum <= cat.sum_limit, name
            entries = self.ledger.queue(period=PERIOD, category=name).entries
            assert [(e.position, e.number, e.since) for e in entries] == [
                (i, number, since) for i, (number, since) in enumerate(cat.queue, start=1)
            ], name
            funded_numbers = {n for n, c in self.model.certificates.items() if c.category}
            assert not funded_numbers & {number for number, _ in cat.queue}
            assert not cat.queue or cat.limit_refuses(), f"{name}: room left with a list"

    def invoices_are_the_models_and_every_provider_is_paid_its_net_charges(self) -> None:
        """Rules 16, 17: the documents are the model's; over each provider's invoiced
        months, sum(advance + due) - adjustments not yet deducted = net charges."""
        listed = self.ledger.invoices().invoices
        assert [_document(d) for d in listed] == [_document(d) for d in self.model.all_documents()]
        for provider in {d.provider for d in listed}:
            invoices = [d for d in listed if d.provider == provider and d.kind == "invoice"]
            net = {d.month: self.register_total(provider, d.month) for d in invoices}
            undeducted = sum(d.amount - net[d.month] for d in invoices) - sum(
                d.adjustments for d in invoices
            )
            assert undeducted == self.model.undeducted(provider), provider
            paid_for = sum(d.advance + d.due for d in invoices)
            assert paid_for - undeducted == sum(net.values()), provider
            for d in invoices:
                assert d.due == d.amount - d.advance - d.adjustments, d

    def register_total(self, provider: str, month: str) -> int:
        """A register's total now, as the engine reports it (months outside the period
        have no contract)."""
        if month not in PERIOD_MONTHS:
            return 0
        if (provider, month) not in self.register_totals:
            total = self.ledger.register(provider, month=month).total_certificate
            self.register_totals[provider, month] = total
        return self.register_totals[provider, month]


def _document(d: Any) -> tuple[Any, ...]:
    return (
        d.invoice,
        d.kind,
        d.provider,
        d.month,
        d.amount,
        d.advance,
        d.adjustments,
        d.due,
        d.issued_on,
        d.paid_on,
    )


def _line(x: Any) -> tuple[Any, ...]:
    return (
        x.contract,
        x.number,
        x.program,
        x.certificate,
        x.parent,
        x.present,
        x.recorded,
        x.unit,
        x.hours,
    )


def _amounts(balance: Any) -> dict[str, dict[str, int]]:
    return {p.period: {f: getattr(p, f) for f in mdl.BALANCE_FIELDS} for p in balance.periods}


class LedgerOnPostgresAgainstTheRules(LedgerAgainstTheRules):
    """The same, each example on a PostgreSQL database of its own."""

    backend = "postgresql"


def machine_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


LedgerAgainstTheRules.TestCase.settings = machine_settings(30)
LedgerOnPostgresAgainstTheRules.TestCase.settings = machine_settings(8)
TestTheLedgerFollowsTheRulesUnderRandomCommands = LedgerAgainstTheRules.TestCase
TestTheLedgerOnPostgresFollowsTheRulesUnderRandomCommands = pytest.mark.skipif(
    postgres_server() is None, reason="PFDO_TEST_POSTGRES is not set: see scripts/pg-test-server"
)(LedgerOnPostgresAgainstTheRules.TestCase)
