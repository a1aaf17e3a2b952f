"""A reference model of the ledger, written from the rules with plain dicts of kopecks.

Each command method first checks every condition and raises `Refusal` (changing nothing)
when the rules refuse the command; otherwise it applies the command and returns what the
engine's result should say. The model also keeps every certificate's expected history,
so balances as of a past business date are a fold over it.

Where the rules are silent the model follows the engine's documented choices (docs/RULES.md):
contract ids are `NUMBER-001`; capacity counts contracts active at once (a terminated
contract stops counting after its termination date); attendance is taken only for open
months inside the contract's dates and only for lessons that took place (not after the
command's business date); marks for days after a termination date do not count when the
month is billed; a termination on D cancels the months after D's month; a certificate
with no money still gets a zero `reserved` movement; close is refused while any contract
month is open; ages follow ГК РФ ст. 192 (see `pfdo_reference.age`).

Business dates follow the facts they depend on: a termination cannot be dated before the
contract's enrolment, nor a refund before the billing of its month, and a billing run
dated B leaves alone (neither bills nor lists as missing attendance) the contracts
enrolled after B. So a balance as of any date never shows a negative part.

Rules 15-20 (docs/RULES.md where the rules are silent): a program's normative monthly cost
caps the share (`s = min(P, N, available)`, split by the prices); the period's settings
(advance rate 0-100, a day of its last month from which that month is billed) keep what is
not given; a limit change keeps the limit not given and is refused below what is funded;
a funding refused only by a limit may join the category's list (a certificate waits in one
list at most; it leaves every list when funded); whenever room appears (a limit changed, a
certificate unfunded, a nominal lowered) the list is served from its head, each one funded
as of that command's date, stopping at the first that does not fit; the lists lapse at the
close. Unfunding needs nothing reserved or spent: an `unfunded` movement of what is
available, and the period's pot is no longer in the balances (now, or as of a date on or
after it) until funded again. Advances and invoices are issued on or after their month's
first day, once each (an advance not after its month's invoice, and only with a positive
line); an invoice's adjustments are what the provider's invoiced months' registers lost
since their invoices, less what earlier invoices deducted.

Rules 21 and 22: a category may be in person-hours (hundredths); a program may offer
hours a month at a cost of a person-hour. A contract from an hours pot takes rule 5 over
the hours, reserves all of it (refused when more than available: no co-payment) and pays
the provider `floor(hours * K / 100)` kopecks per line (registers, advances, invoices);
billing runs and the close count each unit apart.

Rule 23: a second period (`NEXT`, a half year after a gap) may be opened with one
category in rubles; certificates are funded for it, and a prolongation run gives each
contract continuing into it (in the order made, not prolonged yet) a successor from the
later of its start and the day after the contract's end to the earlier of the end first
asked for and its end, priced and shared as an enrolment of the run's date, or the first
reason it is not (`not_funded`, `program_closed`, `prolongation_off`, `age`, `capacity`,
`overlap`). A certificate funded for it can be neither moved nor annulled. A successor may
be terminated (its months released into the next period's pot; one terminated before its
start overlaps nothing and takes no place) or its own continuation stopped; a prolonged
contract's continuation can no longer be stopped. Terminations, stops and program
settings name the engine's error code (`Refusal.code`).

It never imports the engine's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pfdo_reference as ref

PERIOD = "2025"
MUNICIPALITY = "m"
PERIOD_START = date(2025, 1, 1)
PERIOD_END = date(2025, 12, 31)
PERIOD_MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
#: Rule 23's next period: a half year after a gap, so that no month of a successor is
#: billable, and no enrolment can start in it, before the machine's clock stops
NEXT = "2026-H2"
NEXT_START = date(2026, 7, 1)
NEXT_END = date(2026, 12, 31)
NEXT_CATEGORY = "next"
BALANCE_FIELDS = ("nominal", "credited", "available", "reserved", "spent", "expired")


class Refusal(Exception):
    """The rules refuse this command: the engine must raise a PfdoError, and one with
    this `code` (`PfdoError.code`) when the refusal names one."""

    def __init__(self, why: str, code: str | None = None) -> None:
        super().__init__(why)
        self.code = code


def refuse_if(condition: bool, why: str, code: str | None = None) -> None:
    if condition:
        raise Refusal(why, code)


@dataclass(frozen=True)
class Move:
    """One movement of a certificate's history, as `Ledger.history` reports it."""

    on: date
    kind: str
    amount: int
    period: str = PERIOD
    contract: str | None = None
    program: str | None = None
    provider: str | None = None
    month: str | None = None
    unit: str = "rub"  # of the pot it moves (rule 22)


KIND_DELTAS = {
    "funded": {"credited": 1, "available": 1},
    "nominal_changed": {"credited": 1, "available": 1},
    "reserved": {"available": -1, "reserved": 1},
    "charged": {"reserved": -1, "spent": 1},
    "released": {"reserved": -1, "available": 1},
    "refunded": {"spent": -1, "available": 1},
    "expired": {"available": -1, "expired": 1},
    "unfunded": {"credited": -1, "available": -1},
}


def funded_periods(moves: list[Move]) -> set[str]:
    """The periods funded by the end of `moves`: an unfunded one is no longer (rule 20),
    until funded again."""
    funded: set[str] = set()
    for move in moves:
        if move.kind == "funded":
            funded.add(move.period)
        elif move.kind == "unfunded":
            funded.discard(move.period)
    return funded


def fold(moves: list[Move]) -> dict[str, dict[str, int]]:
    """Balances of the funded periods from movements (nominal is credited: nominal plus
    changes less unfunded)."""
    return {p: pot for p, pot in fold_all(moves).items() if p in funded_periods(moves)}


def fold_all(moves: list[Move]) -> dict[str, dict[str, int]]:
    """Balances per period from movements, unfunded periods included (all zero)."""
    result: dict[str, dict[str, int]] = {}
    for move in moves:
        pot = result.setdefault(move.period, dict.fromkeys(BALANCE_FIELDS, 0))
        for name, sign in KIND_DELTAS[move.kind].items():
            pot[name] += sign * move.amount
        pot["nominal"] = pot["credited"]
    return result


def as_of(moves: list[Move], day: date) -> dict[str, dict[str, int]]:
    """Balances as of a business date: the movements dated up to `day`, in the periods
    the certificate had been funded for by then."""
    return fold([m for m in moves if m.on <= day])


@dataclass
class Category:
    nominal: int
    count_limit: int | None
    sum_limit: int | None
    funded_count: int = 0
    funded_sum: int = 0
    queue: list[tuple[str, date]] = field(default_factory=list)  # (number, since), head first
    unit: str = "rub"  # or "hours" (rule 21): the nominal, sum limit and pots in it

    def limit_refuses(self) -> bool:
        """Whether one more certificate does not fit the count or the sum limit."""
        return (self.count_limit is not None and self.funded_count + 1 > self.count_limit) or (
            self.sum_limit is not None and self.funded_sum + self.nominal > self.sum_limit
        )


@dataclass
class Certificate:
    number: str
    child: str
    birth: date
    municipality: str
    issued_on: date
    category: str | None = None
    contracts: int = 0
    history: list[Move] = field(default_factory=list)
    annulled: bool = False  # rule 24: it accepts no more commands

    def pot(self) -> dict[str, int]:
        return fold_all(self.history).get(PERIOD, dict.fromkeys(BALANCE_FIELDS, 0))


@dataclass
class Program:
    code: str
    provider: str
    price: int
    min_age: int
    max_age: int
    capacity: int | None
    normative: int | None = None  # N_month (rule 15)
    hours: tuple[int, int] | None = None  # (H hundredths a month, K kopecks an hour), rule 21
    withdrawn: bool = False
    active: dict[str, tuple[date, date]] = field(default_factory=dict)
    prolongation: bool = True  # rule 23: its contracts are prolonged


@dataclass
class Month:
    price: int
    part: int
    status: str = "open"
    charged: int = 0
    released: int = 0
    parent: int = 0
    refunded: int = 0
    present: int = 0
    recorded: int = 0
    billed_on: date | None = None


@dataclass
class Contract:
    code: str
    number: str
    program: str
    provider: str
    start: date
    end: date
    mode: str
    share: int
    months: dict[str, Month]
    enrolled_on: date
    attendance: dict[date, bool] = field(default_factory=dict)
    terminated_on: date | None = None
    unit: str = "rub"
    hour_cost: int | None = None
    #: rule 23: the end asked for past the period's end; None once terminated or stopped
    continues_until: date | None = None
    period: str = PERIOD
    successor: str | None = None  # rule 23: the contract that continues it
    asked: date | None = None  # rule 23, a successor: the end its chain first asked for

    def money(self) -> dict[str, Any]:
        return {
            "contract": self.code,
            "program": self.program,
            "provider": self.provider,
            "unit": self.unit,
        }

    def rubles(self, amount: int) -> int:
        """What the provider is paid for `amount` (rule 21: hours at K, rounded down)."""
        return amount if self.hour_cost is None else amount * self.hour_cost // 100

    def last_lesson_day(self) -> date:
        return self.end if self.terminated_on is None else min(self.end, self.terminated_on)

    def billed_months(self) -> list[str]:
        return [m for m, s in self.months.items() if s.status == "billed"]

    def lessons_in(self, month: str, until: date | None = None) -> tuple[int, int]:
        """(present, recorded) in `month`; marks for days after a termination date (taken
        before the contract was terminated) do not count."""
        marks = [
            present
            for day, present in self.attendance.items()
            if ref.month_key(day) == month
            and (self.terminated_on is None or day <= self.terminated_on)
            and (until is None or day <= until)
        ]
        return sum(marks), len(marks)


@dataclass
class Document:
    """An advance or an invoice (rules 16, 17), as `Ledger.invoices` lists it."""

    invoice: str
    kind: str
    provider: str
    month: str
    amount: int
    advance: int
    adjustments: int
    due: int
    issued_on: date
    paid_on: date | None = None


class Model:
    """What the ledger should hold, and whether each command should be refused."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.opened = False
        self.closed = False
        self.categories: dict[str, Category] = {}
        self.providers: dict[str, bool] = {}  # code -> admitted
        self.programs: dict[str, Program] = {}
        self.children: dict[str, str] = {}
        self.certificates: dict[str, Certificate] = {}
        self.contracts: dict[str, Contract] = {}
        self.advance_rate = 0
        self.final_billing_from: date | None = None
        # provider -> document number -> Document; provider -> adjustments deducted
        self.documents: dict[str, dict[str, Document]] = {}
        self.deducted: dict[str, int] = {}
        # rule 23: the next period (opened or not, its nominal), who is funded for it,
        # and the successors made in it
        self.next_nominal: int | None = None
        self.next_funded: set[str] = set()
        self.successors: dict[str, Contract] = {}

    # -- periods ---------------------------------------------------------------------

    def open_period(self, categories: dict[str, Category]) -> None:
        refuse_if(self.opened, f"period {PERIOD} exists already")
        self.opened = True
        self.categories = categories

    def check_open(self) -> None:
        refuse_if(not self.opened, f"period {PERIOD} is not open")
        refuse_if(self.closed, f"period {PERIOD} is closed")

    def open_months(self) -> list[tuple[str, str]]:
        return [
            (c.code, m)
            for c in self.contracts.values()
            for m, s in c.months.items()
            if s.status == "open"
        ]

    def close_period(self) -> dict[str, Any]:
        self.check_open()
        refuse_if(bool(self.open_months()), f"months still open: {self.open_months()}")
        refuse_if(self.today < PERIOD_END, f"{PERIOD} cannot close before {PERIOD_END}")
        expired = {"rub": 0, "hours": 0}
        funded = self.funded()
        for certificate in funded:
            amount, unit = certificate.pot()["available"], self.unit_of(certificate)
            expired[unit] += amount
            if amount:
                certificate.history.append(Move(self.today, "expired", amount, unit=unit))
        self.closed = True
        for cat in self.categories.values():
            cat.queue.clear()  # the lists lapse (rule 19)
        in_period = {c.provider for c in self.contracts.values()}
        owed = [(p, self.undeducted(p)) for p in sorted(in_period)]
        return {
            "expired": expired["rub"],
            "expired_hours": expired["hours"],
            "certificates": len(funded),
            "owed_by_providers": [(p, amount) for p, amount in owed if amount],
        }

    def unit_of(self, certificate: Certificate) -> str:
        """The unit of a funded certificate's pot: its category's."""
        assert certificate.category is not None
        return self.categories[certificate.category].unit

    def funded(self, category: str | None = None) -> list[Certificate]:
        return [
            c
            for c in self.certificates.values()
            if c.category is not None and category in (None, c.category)
        ]

    def change_nominal(self, category: str, nominal: int) -> dict[str, Any]:
        self.check_open()
        refuse_if(category not in self.categories, f"no category {category}")
        refuse_if(nominal <= 0, "a nominal must be above zero")
        cat = self.categories[category]
        delta = nominal - cat.nominal
        new_sum = cat.funded_sum + delta * cat.funded_count
        refuse_if(
            delta > 0 and cat.sum_limit is not None and new_sum > cat.sum_limit,
            f"raising {category} to {nominal} exceeds the sum limit {cat.sum_limit}",
        )
        funded = self.funded(category)
        short = [c.number for c in funded if c.pot()["available"] < -delta]
        refuse_if(bool(short), f"lowering by {-delta}: {short} have less available")
        cat.nominal, cat.funded_sum = nominal, new_sum
        for certificate in funded:
            if delta:
                certificate.history.append(
                    Move(self.today, "nominal_changed", delta, unit=cat.unit)
                )
        served = self.serve(category) if delta < 0 else []
        return {"delta": delta, "certificates": len(funded), "funded_from_queue": served}

    def period_settings(self, advance: int | None, final_billing_from: date | None) -> dict:
        """Rules 16 and 18: what is not given stays."""
        self.check_open()
        rate = self.advance_rate if advance is None else advance
        day = self.final_billing_from if final_billing_from is None else final_billing_from
        refuse_if(advance is None and final_billing_from is None, "nothing to change")
        refuse_if(not 0 <= rate <= 100, f"advance rate {rate} is not 0-100")
        refuse_if(
            day is not None and not (ref.month_key(day) == PERIOD_MONTHS[-1] and day <= PERIOD_END),
            f"{day} is not a day of the period's last month",
        )
        self.advance_rate, self.final_billing_from = rate, day
        return {"advance": rate, "final_billing_from": day}

    def change_limits(self, category: str, count: int | None, total: int | None) -> dict:
        """Rule 19: never below what is funded; the room made serves the list."""
        refuse_if(count is None and total is None, "nothing to change")
        refuse_if(count is not None and count < 0, "a negative count limit")
        refuse_if(total is not None and total < 0, "a negative sum limit")
        self.check_open()
        refuse_if(category not in self.categories, f"no category {category}")
        cat = self.categories[category]
        count = cat.count_limit if count is None else count
        total = cat.sum_limit if total is None else total
        refuse_if(count is not None and count < cat.funded_count, "count below the funded")
        refuse_if(total is not None and total < cat.funded_sum, "sum below the funded")
        cat.count_limit, cat.sum_limit = count, total
        return {"count": count, "sum": total, "funded_from_queue": self.serve(category)}

    # -- waiting lists (rule 19) and unfunding (rule 20) ---------------------------------

    def place_of(self, number: str) -> tuple[str, int] | None:
        for name, cat in self.categories.items():
            for index, (waiting, _) in enumerate(cat.queue):
                if waiting == number:
                    return name, index + 1
        return None

    def drop_from_lists(self, number: str) -> None:
        for cat in self.categories.values():
            cat.queue[:] = [entry for entry in cat.queue if entry[0] != number]

    def serve(self, category: str) -> list[str]:
        """From the head, in order, each one that fits; stop at the first that does not."""
        cat, served = self.categories[category], []
        while cat.queue and not cat.limit_refuses():
            number = cat.queue[0][0]
            self.credit(self.certificates[number], category)
            served.append(number)
        return served

    def leave_queue(self, number: str) -> str:
        self.check_active(number)
        self.check_open()
        place = self.place_of(number)
        refuse_if(place is None, f"{number} waits in no list")
        assert place is not None
        self.drop_from_lists(number)
        return place[0]

    def unfund(self, number: str) -> dict[str, Any]:
        refuse_if(number not in self.certificates, f"no certificate {number}")
        self.check_active(number)
        self.check_open()
        certificate = self.certificates[number]
        refuse_if(certificate.category is None, f"{number} is not funded for {PERIOD}")
        pot = certificate.pot()
        refuse_if(bool(pot["reserved"] or pot["spent"]), "something is reserved or spent")
        refuse_if(
            any(
                k.number == number and any(m.status == "open" for m in k.months.values())
                for k in self.contracts.values()
            ),
            "a contract (even one paid nothing) has months left to bill or cancel",
        )
        category = certificate.category
        assert category is not None
        cat = self.categories[category]
        certificate.history.append(
            Move(self.today, "unfunded", pot["available"], unit=self.unit_of(certificate))
        )
        certificate.category = None
        cat.funded_count -= 1
        cat.funded_sum -= pot["credited"]
        return {
            "category": category,
            "unfunded": pot["credited"],
            "funded_from_queue": self.serve(category),
        }

    # -- registry ---------------------------------------------------------------------

    def add_provider(self, code: str) -> None:
        refuse_if(code in self.providers, f"provider {code} exists")
        self.providers[code] = True

    def exclude_provider(self, code: str) -> None:
        refuse_if(code not in self.providers, f"no provider {code}")
        refuse_if(not self.providers[code], f"provider {code} is already excluded")
        self.providers[code] = False

    def add_program(self, program: Program) -> None:
        refuse_if(program.code in self.programs, f"program {program.code} exists")
        refuse_if(program.provider not in self.providers, f"no provider {program.provider}")
        refuse_if(not self.providers[program.provider], "the provider is excluded")
        refuse_if(program.min_age > program.max_age, "empty age band")
        self.programs[program.code] = program

    def withdraw_program(self, code: str) -> None:
        refuse_if(code not in self.programs, f"no program {code}")
        refuse_if(self.programs[code].withdrawn, f"program {code} is already withdrawn")
        self.programs[code].withdrawn = True

    # -- certificates -----------------------------------------------------------------

    def check_issue(self, child: str, birth: date, number: str | None) -> None:
        had = self.children.get(child)
        refuse_if(
            had is not None and not self.certificates[had].annulled,
            f"child {child} has a certificate",
        )
        refuse_if(number in self.certificates, f"number {number} is taken")
        refuse_if(not 5 <= ref.age(birth, self.today) <= 17, "the child is not 5 to 17")

    def issue(self, child: str, birth: date, municipality: str, number: str) -> None:
        self.children[child] = number
        self.certificates[number] = Certificate(number, child, birth, municipality, self.today)

    def fund(self, number: str, category: str, queue: bool = False) -> dict[str, Any]:
        """Rule 3; with `queue`, one refused only by a limit joins the list (rule 19):
        {"nominal": ...} when funded, {"position": ...} when queued."""
        refuse_if(number not in self.certificates, f"no certificate {number}")
        self.check_active(number)
        self.check_open()
        refuse_if(category not in self.categories, f"no category {category}")
        certificate, cat = self.certificates[number], self.categories[category]
        refuse_if(certificate.municipality != MUNICIPALITY, "another municipality")
        refuse_if(certificate.category is not None, "already funded for the period")
        refuse_if(ref.age(certificate.birth, PERIOD_START) >= 18, "18 on the period start")
        if queue and cat.limit_refuses():
            place = self.place_of(number)
            refuse_if(place is not None, f"{number} already waits: {place}")
            cat.queue.append((number, self.today))
            return {"position": len(cat.queue)}
        refuse_if(cat.limit_refuses(), "count or sum limit reached")
        return {"nominal": self.credit(certificate, category)}

    def credit(self, certificate: Certificate, category: str) -> int:
        """Fund a certificate that fits (rule 3): it leaves any list it waits in."""
        cat = self.categories[category]
        cat.funded_count += 1
        cat.funded_sum += cat.nominal
        certificate.category = category
        certificate.history.append(Move(self.today, "funded", cat.nominal, unit=cat.unit))
        self.drop_from_lists(certificate.number)
        return cat.nominal

    # -- moving and annulling (rule 24) -------------------------------------------------

    def check_active(self, number: str) -> None:
        refuse_if(
            number in self.certificates and self.certificates[number].annulled,
            f"{number} is annulled",
        )

    def leave_lists_of(self, certificate: Certificate) -> list[str]:
        """The period's lists, left when the certificate is of its municipality."""
        if certificate.municipality != MUNICIPALITY or self.place_of(certificate.number) is None:
            return []
        self.drop_from_lists(certificate.number)
        return [PERIOD]

    def move(self, number: str, to: str) -> dict[str, Any]:
        refuse_if(number not in self.certificates, f"no certificate {number}")
        self.check_active(number)
        certificate = self.certificates[number]
        refuse_if(to == certificate.municipality, f"{number} is of {to} already")
        refuse_if(
            certificate.municipality == MUNICIPALITY
            and certificate.category is not None
            and not self.closed,
            f"{number} is funded for the open period {PERIOD}",
        )
        refuse_if(number in self.next_funded, f"{number} is funded for the open period {NEXT}")
        previous = certificate.municipality
        left = self.leave_lists_of(certificate)
        certificate.municipality = to
        return {"municipality": to, "previous": previous, "left_queues": left}

    def annul(self, number: str) -> list[str]:
        refuse_if(number not in self.certificates, f"no certificate {number}")
        self.check_active(number)
        certificate = self.certificates[number]
        refuse_if(certificate.contracts > 0, f"{number} has had a contract")
        refuse_if(certificate.category is not None, f"{number} holds money in {PERIOD}")
        refuse_if(number in self.next_funded, f"{number} holds money in {NEXT}")
        certificate.annulled = True
        return self.leave_lists_of(certificate)

    # -- contracts --------------------------------------------------------------------

    def busiest_day(self, program: Program, start: date, end: date) -> int:
        spans = [s for s in program.active.values() if s[0] <= end and start <= s[1]]
        day, busiest = start, 0
        while day <= end and spans:
            busiest = max(busiest, sum(1 for a, b in spans if a <= day <= b))
            day += timedelta(days=1)
        return busiest

    def enroll(self, number: str, program_code: str, start: date, end: date, mode: str) -> Contract:
        refuse_if(number not in self.certificates, f"no certificate {number}")
        self.check_active(number)
        refuse_if(program_code not in self.programs, f"no program {program_code}")
        certificate, program = self.certificates[number], self.programs[program_code]
        refuse_if(certificate.municipality != MUNICIPALITY, "no period in that municipality")
        refuse_if(not self.opened or not PERIOD_START <= start <= PERIOD_END, "start outside")
        refuse_if(self.closed, "period closed")
        refuse_if(end < start, "ends before it starts")
        # rule 23: an end past the period's, at most 366 days, continues the contract
        refuse_if(end > PERIOD_END + timedelta(days=366), "ends too far after the period")
        continues_until = end if end > PERIOD_END else None
        end = min(end, PERIOD_END)
        refuse_if(certificate.category is None, "not funded")
        refuse_if(not self.providers[program.provider], "provider excluded")
        refuse_if(program.withdrawn, "program withdrawn")
        age = ref.age(certificate.birth, start)
        refuse_if(not program.min_age <= age <= program.max_age, f"age {age} outside band")
        refuse_if(ref.age(certificate.birth, end) >= 18, "turns 18 before the end")
        refuse_if(
            any(
                k.number == number
                and k.program == program_code
                and k.start <= k.last_lesson_day()
                and k.start <= end
                and start <= k.last_lesson_day()
                for k in self.contracts.values()
            ),
            "one contract per child and program at a time (rule 14)",
        )
        refuse_if(
            program.capacity is not None
            and self.busiest_day(program, start, end) >= program.capacity,
            "program at capacity",
        )
        unit = self.unit_of(certificate)
        available = certificate.pot()["available"]
        if unit == "hours":  # rule 21: the whole P_h from the certificate, no co-payment
            refuse_if(program.hours is None, "the program offers no hours")
            assert program.hours is not None
            prices = ref.month_prices(program.hours[0], start, end)
            share = sum(p for _, p in prices)
            refuse_if(share > available, f"{share} hours needed, {available} available")
        else:
            prices = ref.month_prices(program.price, start, end)
            cap = sum(p for _, p in prices)
            if program.normative is not None:  # rule 15
                cap = min(cap, sum(n for _, n in ref.month_prices(program.normative, start, end)))
            share = min(cap, available)
        parts = ref.split_share(share, [p for _, p in prices])
        certificate.contracts += 1
        contract = Contract(
            code=f"{number}-{certificate.contracts:03d}",
            number=number,
            program=program_code,
            provider=program.provider,
            start=start,
            end=end,
            mode=mode,
            share=share,
            months={m: Month(p, c) for (m, p), c in zip(prices, parts, strict=True)},
            enrolled_on=self.today,
            unit=unit,
            hour_cost=None if unit != "hours" or program.hours is None else program.hours[1],
            continues_until=continues_until,
        )
        self.contracts[contract.code] = contract
        program.active[contract.code] = (start, end)
        certificate.history.append(Move(self.today, "reserved", share, **contract.money()))
        return contract

    def record_attendance(self, code: str, days: list[date], present: bool) -> int:
        refuse_if(code not in self.contracts, f"no contract {code}")
        self.check_open()
        contract = self.contracts[code]
        for day in days:
            refuse_if(day > self.today, f"the lesson of {day} has not taken place yet")
            refuse_if(not contract.start <= day <= contract.last_lesson_day(), f"{day} outside")
            status = contract.months[ref.month_key(day)].status
            refuse_if(status != "open", f"month of {day} is {status}")
        for day in days:
            contract.attendance[day] = present
        return len(days)

    def bill(self, month: str, on: date | None = None) -> dict[str, Any]:
        """A billing run dated `on` (default today)."""
        on = self.today if on is None else on
        refuse_if(
            on < self.billing_opens(month), f"{month} is billed from {self.billing_opens(month)}"
        )
        totals: dict[str, Any] = {
            "billed": 0,
            "charged": 0,
            "released": 0,
            "parent": 0,
            "charged_hours": 0,
            "released_hours": 0,
        }
        missing = []
        for code in sorted(self.contracts):
            contract = self.contracts[code]
            state = contract.months.get(month)
            if state is None or state.status != "open" or contract.enrolled_on > on:
                continue  # nothing to bill, or enrolled after the run's date: left open
            present, recorded = contract.lessons_in(month, until=on)
            if contract.mode == "attendance" and recorded == 0:
                missing.append(code)
                continue
            charged, released, parent = ref.bill(
                contract.mode, state.price, state.part, present, recorded
            )
            state.status, state.charged, state.released = "billed", charged, released
            state.parent, state.present, state.recorded = parent, present, recorded
            state.billed_on = on
            history = self.certificates[contract.number].history
            for kind, amount in (("charged", charged), ("released", released)):
                if amount:
                    history.append(Move(on, kind, amount, **contract.money(), month=month))
            suffix = "_hours" if contract.unit == "hours" else ""
            totals["billed"] += 1
            totals["charged" + suffix] += charged
            totals["released" + suffix] += released
            totals["parent"] += parent
        return {**totals, "attendance_missing": missing}

    def contract(self, code: str) -> Contract:
        """A contract of the period or a successor in the next one (rule 23)."""
        contract = self.contracts.get(code) or self.successors.get(code)
        refuse_if(contract is None, f"no contract {code}", "not_found")
        assert contract is not None
        return contract

    def terminate(self, code: str, on: date) -> dict[str, Any]:
        contract = self.contract(code)
        if contract.period == PERIOD:  # the next period is never closed
            refuse_if(self.closed, f"period {PERIOD} is closed", "period_closed")
        refuse_if(contract.terminated_on is not None, "already terminated", "refused")
        refuse_if(
            on < contract.enrolled_on,
            f"enrolled on {contract.enrolled_on}, after {on}",
            "refused",
        )
        refuse_if(on > contract.end, "terminated after its end", "refused")
        kept = ref.month_key(on) if on >= contract.start else ""
        cancelled = [m for m in contract.months if m > kept]
        refuse_if(
            any(contract.months[m].status != "open" for m in cancelled),
            "a later month is already billed",
            "refused",
        )
        released = 0
        history = self.certificates[contract.number].history
        for month in cancelled:
            state = contract.months[month]
            state.status, state.released = "cancelled", state.part
            released += state.part
            if state.part:
                history.append(
                    Move(
                        on,
                        "released",
                        state.part,
                        period=contract.period,
                        **contract.money(),
                        month=month,
                    )
                )
        contract.terminated_on = on
        contract.continues_until = None  # rule 23
        program = self.programs[contract.program]
        if on >= contract.start:
            program.active[code] = (contract.start, on)
        else:
            del program.active[code]
        return {"released": released, "cancelled_months": cancelled}

    def stop_continuation(self, code: str) -> None:
        """Rule 23: the family will not continue the contract (until it is prolonged)."""
        contract = self.contract(code)
        refuse_if(contract.successor is not None, "prolonged already", "refused")
        refuse_if(contract.continues_until is None, "does not continue", "refused")
        contract.continues_until = None

    def program_settings(self, code: str, prolongation: bool) -> None:
        """Rule 23: turn a program's prolongation on or off (as it is: nothing changes)."""
        refuse_if(code not in self.programs, f"no program {code}", "not_found")
        self.programs[code].prolongation = prolongation

    def correct(self, code: str, month: str, refund: int, on: date | None = None) -> int:
        """A refund dated `on` (default today)."""
        on = self.today if on is None else on
        refuse_if(code not in self.contracts, f"no contract {code}")
        self.check_open()
        contract = self.contracts[code]
        refuse_if(month not in contract.months, f"no month {month}")
        state = contract.months[month]
        refuse_if(state.status != "billed", f"month {month} is {state.status}")
        refuse_if(refund <= 0, "a refund must be above zero")
        refuse_if(refund > state.charged - state.refunded, "more than is left to refund")
        billed_on = state.billed_on
        refuse_if(billed_on is not None and on < billed_on, f"{month} was billed on {billed_on}")
        state.refunded += refund
        move = Move(on, "refunded", refund, **contract.money(), month=month)
        self.certificates[contract.number].history.append(move)
        return refund

    def billing_opens(self, month: str) -> date:
        """Rules 9 and 18: the next month's first day, or the period's own date for its
        last month (while the period is open)."""
        early = self.final_billing_from
        if early is not None and month == PERIOD_MONTHS[-1] and not self.closed:
            return early
        return ref.first_of_next(month)

    # -- settlement (rules 16, 17) ----------------------------------------------------------

    def contract_months(self, provider: str, month: str) -> list[tuple[Contract, Month]]:
        return [
            (c, s)
            for c in sorted(self.contracts.values(), key=lambda c: c.code)
            if c.provider == provider and (s := c.months.get(month)) is not None
        ]

    def register_total(self, provider: str, month: str) -> int:
        """In rubles: the hours of a contract in hours converted line by line (rule 21)."""
        return sum(
            c.rubles(s.charged - s.refunded) for c, s in self.contract_months(provider, month)
        )

    def undeducted(self, provider: str) -> int:
        """What the invoiced months' registers lost since their invoices, less what later
        invoices deducted."""
        drift = sum(
            d.amount - self.register_total(provider, d.month)
            for d in self.documents.get(provider, {}).values()
            if d.kind == "invoice"
        )
        return drift - self.deducted.get(provider, 0)

    def check_document(self, provider: str, month: str, number: str) -> None:
        refuse_if(provider not in self.providers, f"no provider {provider}")
        refuse_if(number in self.documents.get(provider, {}), f"{number} was already issued")
        refuse_if(self.today < ref.first_of(month), f"{number} is issued from {month}'s first day")

    def issue_advance(self, provider: str, month: str) -> dict[str, Any]:
        number = f"{provider}/{month}-A"
        self.check_document(provider, month, number)
        invoiced = f"{provider}/{month}" in self.documents.get(provider, {})
        refuse_if(invoiced, f"{month} of {provider} is already invoiced: no advance")
        lines = [
            (c.code, c.number, c.rubles(s.part) * self.advance_rate // 100)
            for c, s in self.contract_months(provider, month)
            if s.status == "open"
        ]
        lines = [line for line in lines if line[2] > 0]
        refuse_if(not lines, f"no contract month {month} of {provider} to advance")
        total = sum(line[2] for line in lines)
        self.documents.setdefault(provider, {})[number] = Document(
            number, "advance", provider, month, total, 0, 0, total, self.today
        )
        return {"invoice": number, "total": total, "lines": lines}

    def issue_invoice(self, provider: str, month: str) -> dict[str, Any]:
        number = f"{provider}/{month}"
        self.check_document(provider, month, number)
        months = self.contract_months(provider, month)
        unbilled = [c.code for c, s in months if s.status == "open"]
        refuse_if(bool(unbilled), f"{month} of {provider} has open months: {unbilled}")
        lines = [
            (c.code, c.number, c.rubles(s.charged - s.refunded))
            for c, s in months
            if s.status == "billed"
        ]
        amount = sum(line[2] for line in lines)
        documents = self.documents.setdefault(provider, {})
        advance_doc = documents.get(f"{number}-A")
        advance = 0 if advance_doc is None else advance_doc.amount
        adjustments = self.undeducted(provider)
        due = amount - advance - adjustments
        documents[number] = Document(
            number, "invoice", provider, month, amount, advance, adjustments, due, self.today
        )
        self.deducted[provider] = self.deducted.get(provider, 0) + adjustments
        return {
            "invoice": number,
            "amount": amount,
            "advance": advance,
            "adjustments": adjustments,
            "due": due,
            "lines": lines,
        }

    def pay(self, number: str, on: date) -> dict[str, Any]:
        provider = number.rpartition("/")[0]
        document = self.documents.get(provider, {}).get(number)
        refuse_if(document is None, f"no invoice {number}")
        assert document is not None
        refuse_if(document.paid_on is not None, f"{number} was paid on {document.paid_on}")
        refuse_if(on < document.issued_on, f"{number} was issued on {document.issued_on}")
        document.paid_on = on
        return {"kind": document.kind, "amount": document.due}

    def all_documents(self) -> list[Document]:
        """By provider, month, kind (an advance before its invoice)."""
        return sorted(
            (d for docs in self.documents.values() for d in docs.values()),
            key=lambda d: (d.provider, d.month, d.kind),
        )

    # -- what the reports should say ------------------------------------------------------

    # -- the next period and prolongation (rule 23) ----------------------------------------

    def open_next(self, nominal: int) -> None:
        refuse_if(self.next_nominal is not None, f"period {NEXT} exists already")
        self.next_nominal = nominal

    def fund_next(self, number: str) -> int:
        """Rule 3 in the next period: one category of rubles, no limits."""
        refuse_if(number not in self.certificates, f"no certificate {number}")
        self.check_active(number)
        refuse_if(self.next_nominal is None, f"period {NEXT} is not open")
        assert self.next_nominal is not None
        certificate = self.certificates[number]
        refuse_if(certificate.municipality != MUNICIPALITY, "another municipality")
        refuse_if(number in self.next_funded, f"already funded for {NEXT}")
        refuse_if(ref.age(certificate.birth, NEXT_START) >= 18, f"18 on {NEXT_START}")
        self.next_funded.add(number)
        certificate.history.append(Move(self.today, "funded", self.next_nominal, period=NEXT))
        return self.next_nominal

    def continuing(self) -> list[Contract]:
        """The contracts a run into the next period decides, in the order they were made."""
        return [
            c
            for c in self.contracts.values()
            if c.successor is None
            and c.continues_until is not None
            and c.continues_until >= NEXT_START
        ]

    def prolongation_refusal(self, contract: Contract, start: date, end: date) -> str | None:
        """The first reason of rule 23 that keeps `contract` from a successor."""
        certificate = self.certificates[contract.number]
        program = self.programs[contract.program]
        if contract.number not in self.next_funded:
            return "not_funded"
        if program.withdrawn or not self.providers[program.provider]:
            return "program_closed"
        if not program.prolongation:
            return "prolongation_off"
        age = ref.age(certificate.birth, start)
        if not program.min_age <= age <= program.max_age or ref.age(certificate.birth, end) >= 18:
            return "age"
        capacity = program.capacity
        if capacity is not None and self.busiest_day(program, start, end) >= capacity:
            return "capacity"
        if any(
            k.number == contract.number
            and k.program == program.code
            and k.start <= k.last_lesson_day()  # one terminated before its start: none
            and k.start <= end
            and start <= k.last_lesson_day()
            for k in self.successors.values()
        ):
            return "overlap"
        return None

    def prolong(self) -> dict[str, Any]:
        """A prolongation run into the next period on today's date: (contract, successor)
        pairs in order, and (contract, reason) for those left."""
        refuse_if(self.next_nominal is None, f"period {NEXT} does not exist")
        prolonged: list[tuple[Contract, Contract]] = []
        left: list[tuple[str, str]] = []
        for contract in self.continuing():
            assert contract.continues_until is not None
            start = max(NEXT_START, contract.end + timedelta(days=1))
            end = min(contract.continues_until, NEXT_END)
            reason = self.prolongation_refusal(contract, start, end)
            if reason is not None:
                left.append((contract.code, reason))
                continue
            successor = self.successor_of(contract, start, end)
            prolonged.append((contract, successor))
        return {"prolonged": prolonged, "not_prolonged": left}

    def successor_of(self, contract: Contract, start: date, end: date) -> Contract:
        """Priced, shared and reserved as an enrolment of today in the next period."""
        certificate = self.certificates[contract.number]
        program = self.programs[contract.program]
        prices = ref.month_prices(program.price, start, end)
        cap = sum(p for _, p in prices)
        if program.normative is not None:  # rule 15
            cap = min(cap, sum(n for _, n in ref.month_prices(program.normative, start, end)))
        share = min(cap, fold_all(certificate.history)[NEXT]["available"])
        parts = ref.split_share(share, [p for _, p in prices])
        certificate.contracts += 1
        successor = Contract(
            code=f"{contract.number}-{certificate.contracts:03d}",
            number=contract.number,
            program=contract.program,
            provider=program.provider,
            start=start,
            end=end,
            mode=contract.mode,
            share=share,
            months={m: Month(p, c) for (m, p), c in zip(prices, parts, strict=True)},
            enrolled_on=self.today,
            # it continues in turn only past the next period's end
            continues_until=None
            if contract.continues_until is None or contract.continues_until <= end
            else contract.continues_until,
            period=NEXT,
            asked=contract.asked or contract.continues_until,
        )
        contract.successor = successor.code
        self.successors[successor.code] = successor
        program.active[successor.code] = (start, end)
        certificate.history.append(
            Move(self.today, "reserved", share, period=NEXT, **successor.money())
        )
        return successor

    def still_reserved(self, contract: Contract) -> int:
        return sum(s.part for s in contract.months.values() if s.status == "open")

    def register(self, provider: str, month: str) -> list[tuple[Any, ...]]:
        """Each line: ..., rubles paid, parents' part, lessons, unit, hours (None: rubles)."""
        return [
            (
                c.code,
                c.number,
                c.program,
                c.rubles(s.charged - s.refunded),
                s.parent,
                s.present,
                s.recorded,
                c.unit,
                s.charged - s.refunded if c.unit == "hours" else None,
            )
            for c in sorted(self.contracts.values(), key=lambda c: c.code)
            if c.provider == provider
            and (s := c.months.get(month)) is not None
            and s.status == "billed"
        ]
