"""A contract (договор об обучении): its months, attendance, billing, termination, refunds.

Each month keeps its price p_m and certificate part c_m from enrolment, then what billing
charged, released and put on the parents, and what was refunded later. A month is
`open` until it is `billed` or `cancelled` (rules 9-11). The contract decides each of
these by its own months; the certificate money they move is `pfdo.domain.billing`'s
to pass on, so that both aggregates change in one save.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import TYPE_CHECKING, Any, TypedDict, cast

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.calendar import month_of
from pfdo.domain.errors import InvalidInput, NotFound, Refused
from pfdo.domain.money import format_rubles
from pfdo.domain.pricing import MonthBill, MonthPrice, bill_attendance, bill_fixed
from pfdo.domain.units import HOURS, RUB, Unit, to_rubles

MODES = ("fixed", "attendance")


class _IsoDates(dict[date, str]):
    """`date.isoformat` remembered: a journal's 100,000 lessons fall on a few hundred
    dates, and formatting one costs several dict lookups (bounded: forgets past 10,000)."""

    def __missing__(self, day: date) -> str:
        if len(self) >= 10_000:
            self.clear()
        text = self[day] = day.isoformat()
        return text


_ISO = _IsoDates()


class MonthState(TypedDict):
    """One month of a contract."""

    price: int
    certificate: int
    status: str
    charged: int
    released: int
    parent: int
    present: int
    recorded: int
    refunded: int
    billed_on: str | None


@dataclass(frozen=True)
class BillingOutcome:
    """What billing one contract month did: billed, or waiting for attendance."""

    billed: MonthBill | None
    attendance_missing: bool = False


class Contract(Aggregate):
    """A child enrolled in a program for a date range, paid from one certificate pot.

    Version 3 of its state is the one shape it has; a snapshot of version 1 may lack
    the unit and the cost of a person-hour (before units: rubles, none), one of version 2
    the links across periods (rule 23: before them, none)."""

    class_version = 3

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        code: str
        number: str
        program: str
        provider: str
        period: str
        start: date
        end: date
        mode: str
        share: int
        unit: str
        hour_cost: int | None
        months: dict[str, MonthState]
        attendance: dict[str, bool]
        terminated_on: date | None
        enrolled_on: date
        continues_until: date | None
        continues: str | None
        continued_by: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.setdefault("unit", RUB)
        state.setdefault("hour_cost", None)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state.setdefault("continues_until", None)
        state.setdefault("continues", None)
        state.setdefault("continued_by", None)

    class Enrolled(PfdoCreated):
        """Version 2 adds the program's normative monthly cost (rule 15; None: none);
        version 3 the unit of its amounts and, in hours, the normative cost of a
        person-hour its months are paid at (rule 21); version 4 the end asked for beyond
        the period's (`continues_until`) and the contract it continues (rule 23: before
        them, none). `monthly_price` is in the unit: the program's hours a month for a
        contract in hours."""

        class_version = 4
        contract: str
        number: str
        program: str
        provider: str
        period: str
        start: date
        end: date
        mode: str
        monthly_price: int
        price: int
        share: int
        months: list[list[Any]]
        normative_price: int | None
        unit: str
        hour_cost: int | None
        continues_until: date | None
        continues: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["normative_price"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["unit"] = RUB
            state["hour_cost"] = None

        @staticmethod
        def upcast_v3_v4(state: dict[str, Any]) -> None:
            state["continues_until"] = None
            state["continues"] = None

        def apply(self, aggregate: Contract) -> None:
            aggregate.code = self.contract
            aggregate.number = self.number
            aggregate.program = self.program
            aggregate.provider = self.provider
            aggregate.period = self.period
            aggregate.start = self.start
            aggregate.end = self.end
            aggregate.mode = self.mode
            aggregate.share = self.share
            aggregate.unit = self.unit
            aggregate.hour_cost = self.hour_cost
            aggregate.months = {
                month: MonthState(
                    price=price,
                    certificate=part,
                    status="open",
                    charged=0,
                    released=0,
                    parent=0,
                    present=0,
                    recorded=0,
                    refunded=0,
                    billed_on=None,
                )
                for month, price, part in self.months
            }
            aggregate.attendance = {}
            aggregate.terminated_on = None
            aggregate.enrolled_on = self.on
            aggregate.continues_until = self.continues_until
            aggregate.continues = self.continues
            aggregate.continued_by = None

    class AttendanceRecorded(PfdoEvent):
        contract: str
        marks: list[list[Any]]

        def apply(self, aggregate: Contract) -> None:
            aggregate.attendance.update(self.marks)  # type: ignore[arg-type]  # [day, present] pairs

    class MonthBilled(PfdoEvent):
        contract: str
        month: str
        charged: int
        released: int
        parent: int
        present: int
        recorded: int

        def apply(self, aggregate: Contract) -> None:
            state = aggregate.months[self.month]
            state["status"] = "billed"
            state["charged"] = self.charged
            state["released"] = self.released
            state["parent"] = self.parent
            state["present"] = self.present
            state["recorded"] = self.recorded
            state["billed_on"] = self.on.isoformat()

    class Terminated(PfdoEvent):
        contract: str
        reason: str
        cancelled: list[str]
        released: int

        def apply(self, aggregate: Contract) -> None:
            aggregate.terminated_on = self.on
            aggregate.continues_until = None  # rule 23: a terminated contract ends
            for month in self.cancelled:
                state = aggregate.months[month]
                state["status"] = "cancelled"
                state["released"] = state["certificate"]

    class MonthRefunded(PfdoEvent):
        contract: str
        month: str
        amount: int
        reason: str

        def apply(self, aggregate: Contract) -> None:
            aggregate.months[self.month]["refunded"] += self.amount

    class ContinuationStopped(PfdoEvent):
        """Rule 23: the family will not continue the contract into the next period."""

        contract: str

        def apply(self, aggregate: Contract) -> None:
            aggregate.continues_until = None

    class Prolonged(PfdoEvent):
        """Rule 23: the contract was continued by a successor in a later period."""

        contract: str
        successor: str

        def apply(self, aggregate: Contract) -> None:
            aggregate.continued_by = self.successor

    @staticmethod
    def id_for(contract: str) -> Any:
        return stable_id("contract", contract)

    @classmethod
    def enrol(
        cls,
        code: str,
        number: str,
        program: str,
        provider: str,
        period: str,
        start: date,
        end: date,
        mode: str,
        monthly_price: int,
        schedule: Sequence[MonthPrice],
        on: date,
        normative_price: int | None = None,
        unit: str = RUB,
        hour_cost: int | None = None,
        continues_until: date | None = None,
        continues: str | None = None,
    ) -> Contract:
        """Rule 7: a new contract with its months priced (rules 5 and 6), in `unit`
        (rule 21: hours, paid to the provider at `hour_cost` kopecks a person-hour)."""
        if (unit == HOURS) != (hour_cost is not None):
            raise Refused(f"contract {code}: a cost of a person-hour goes with hours only")
        if mode not in MODES:
            raise Refused(f"payment mode {mode!r} is not one of {', '.join(MODES)}")
        if end < start:
            raise InvalidInput(
                f"a contract cannot end ({end}) before it starts ({start})",
                (("end", f"{end} is before the start {start}"),),
            )
        return cls._create(
            cls.Enrolled,
            id=cls.id_for(code),
            contract=code,
            number=number,
            program=program,
            provider=provider,
            period=period,
            start=start,
            end=end,
            mode=mode,
            monthly_price=monthly_price,
            price=sum(m.price for m in schedule),
            share=sum(m.certificate for m in schedule),
            months=[[m.month, m.price, m.certificate] for m in schedule],
            normative_price=normative_price,
            unit=unit,
            hour_cost=hour_cost,
            continues_until=continues_until if continues_until and continues_until > end else None,
            continues=continues,
            on=on,
        )

    def stop_continuation(self, on: date) -> None:
        """Rule 23: the family's refusal to continue; allowed until the contract is
        prolonged."""
        if self.continued_by is not None:
            raise Refused(
                f"contract {self.code} was already prolonged by {self.continued_by}: "
                "terminate the successor instead"
            )
        if self.continues_until is None:
            raise Refused(f"contract {self.code} does not continue beyond {self.end}")
        self.trigger_event(self.ContinuationStopped, contract=self.code, on=on)

    def record_successor(self, successor: str, on: date) -> None:
        """Rule 23: the contract is continued by `successor`."""
        if self.continued_by is not None:
            raise Refused(f"contract {self.code} was already prolonged by {self.continued_by}")
        self.trigger_event(self.Prolonged, contract=self.code, successor=successor, on=on)

    @property
    def contract_unit(self) -> Unit:
        """The unit of this contract's amounts."""
        return cast(Unit, self.unit)

    def rubles(self, amount: int) -> int:
        """Kopecks the provider is paid for `amount` of this contract (rule 21)."""
        return to_rubles(amount, self.unit, self.hour_cost)

    def month(self, month: str) -> MonthState:
        try:
            return self.months[month]
        except KeyError:
            raise NotFound(
                f"contract {self.code} has no month {month}", contract=self.code, month=month
            ) from None

    def attendance_in(self, month: str, until: date | None = None) -> tuple[int, int]:
        """(present, recorded) lesson counts of a month, of lessons up to `until` (a
        billing date inside the month, rule 18) when given."""
        last = self.terminated_on.isoformat() if self.terminated_on else "9999-12-31"
        if until is not None:
            last = min(last, until.isoformat())
        marks = [
            present
            for day, present in self.attendance.items()
            if day[:7] == month and day <= last  # lessons after a termination do not count
        ]
        return sum(1 for present in marks if present), len(marks)

    def record_attendance(self, marks: list[tuple[date, bool]], on: date) -> int:
        """Rule 8: record lessons as present or absent; return how many were recorded."""
        isos = self._check_lessons([day for day, _ in marks], on)
        pairs = [[iso, present] for iso, (_, present) in zip(isos, marks, strict=True)]
        self.trigger_event(self.AttendanceRecorded, contract=self.code, marks=pairs, on=on)
        return len(marks)

    def record_lessons(self, days: Sequence[date], present: bool, on: date) -> int:
        """`record_attendance` of lessons all present or all absent (a command's dates),
        without a pair per lesson on the way in."""
        isos = self._check_lessons(days, on)
        marks = list(map(list, zip(isos, repeat(present))))
        self.trigger_event(self.AttendanceRecorded, contract=self.code, marks=marks, on=on)
        return len(marks)

    def _check_lessons(self, days: Sequence[date], on: date) -> list[str]:
        """The lessons' dates as the event writes them (ISO), once none is after the
        business date, outside the contract's term or in a month no longer open. The
        earliest and latest lesson and the months between them answer a good list; a list
        that they do not is walked lesson by lesson, so a refusal names the first wrong
        lesson as a walk in order would."""
        if not days:
            raise Refused(f"contract {self.code}: no lesson date given")
        last = self.terminated_on if self.terminated_on is not None else self.end
        last = min(last, self.end)
        first, latest = min(days), max(days)
        if not (
            latest <= on and self.start <= first and latest <= last and self._open(first, latest)
        ):
            self._refuse_lessons(days, on, last)
        return list(map(_ISO.__getitem__, days))

    def _open(self, first: date, last: date) -> bool:
        """Whether every month from `first`'s to `last`'s is one of the contract's, open."""
        low, high = month_of(first), month_of(last)
        between = [s["status"] for m, s in self.months.items() if low <= m <= high]
        span = (last.year - first.year) * 12 + last.month - first.month + 1
        return len(between) == span and all(status == "open" for status in between)

    def _refuse_lessons(self, days: Sequence[date], on: date, last: date) -> None:
        """Raise the refusal of the first wrong lesson of `days`, in their order (none
        when each lesson's own month is open, whatever the months between them)."""
        opened: set[tuple[int, int]] = set()  # months already found open, for long lists
        for day in days:
            if day > on:
                raise Refused(
                    f"contract {self.code}: lesson date {day} is after the business date "
                    f"{on}; attendance is recorded for lessons that took place"
                )
            if not self.start <= day <= last:
                raise Refused(
                    f"contract {self.code} runs {self.start}..{last}: "
                    f"lesson date {day} is outside it"
                )
            if (day.year, day.month) in opened:
                continue
            status = self.month(month_of(day))["status"]
            if status != "open":
                raise Refused(
                    f"contract {self.code}: month {month_of(day)} is already {status}, "
                    f"attendance on {day} can no longer change it"
                )
            opened.add((day.year, day.month))

    def bill_month(self, month: str, on: date) -> BillingOutcome:
        """Rule 9 for one month; an unknown, billed or cancelled month is left alone."""
        state = self.months.get(month)
        if state is None or state["status"] != "open" or self.enrolled_on > on:
            return BillingOutcome(billed=None)  # nothing to bill, or enrolled after this run
        present, recorded = self.attendance_in(month, until=on)
        if self.mode == "fixed":
            bill = bill_fixed(state["price"], state["certificate"])
        elif recorded == 0:
            return BillingOutcome(billed=None, attendance_missing=True)
        else:
            bill = bill_attendance(state["price"], state["certificate"], present, recorded)
        self.trigger_event(
            self.MonthBilled,
            contract=self.code,
            month=month,
            charged=bill.charged,
            released=bill.released,
            parent=bill.parent,
            present=present,
            recorded=recorded,
            on=on,
        )
        return BillingOutcome(billed=bill)

    def terminate(self, reason: str, on: date) -> dict[str, int]:
        """Rule 10: cancel every month after the month of `on` (all, before the start);
        return the certificate part of each cancelled month, to be released."""
        if self.terminated_on is not None:
            raise Refused(f"contract {self.code} was already terminated on {self.terminated_on}")
        if on < self.enrolled_on:
            raise Refused(
                f"contract {self.code} was enrolled on {self.enrolled_on}: it cannot be "
                f"terminated on an earlier date ({on})"
            )
        if on > self.end:
            raise Refused(f"contract {self.code} ended on {self.end}: nothing to terminate on {on}")
        keep = "" if on < self.start else month_of(on)
        cancelled = {m: s["certificate"] for m, s in self.months.items() if m > keep}
        billed = [m for m in cancelled if self.months[m]["status"] != "open"]
        if billed:
            raise Refused(
                f"contract {self.code} cannot be terminated on {on}: month(s) "
                f"{', '.join(billed)} after it are already billed"
            )
        self.trigger_event(
            self.Terminated,
            contract=self.code,
            reason=reason,
            cancelled=list(cancelled),
            released=sum(cancelled.values()),
            on=on,
        )
        return cancelled

    def refund(self, month: str, amount: int, reason: str, on: date) -> None:
        """Rule 11: give back part or all of a month's charge, never more than was charged."""
        state = self.month(month)
        if state["status"] != "billed":
            raise Refused(f"contract {self.code}: month {month} is {state['status']}, not billed")
        if amount <= 0:
            raise Refused(f"a refund must be above zero, got {format_rubles(amount)}")
        if not reason.strip():
            raise Refused("a refund needs a reason")
        billed_on = state["billed_on"]
        if billed_on is not None and on.isoformat() < billed_on:
            raise Refused(
                f"contract {self.code}, month {month} was billed on {billed_on}: a refund "
                f"cannot be dated earlier ({on})"
            )
        refundable = state["charged"] - state["refunded"]
        if amount > refundable:
            raise Refused(
                f"contract {self.code}, month {month}: refund of {format_rubles(amount)} "
                f"exceeds what is left to refund ({format_rubles(refundable)} of "
                f"{format_rubles(state['charged'])} charged)"
            )
        self.trigger_event(
            self.MonthRefunded, contract=self.code, month=month, amount=amount, reason=reason, on=on
        )
