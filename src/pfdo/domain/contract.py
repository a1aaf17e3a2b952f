"""A contract (договор об обучении): its months, attendance, billing, termination, refunds.

Each month keeps its price p_m and certificate part c_m from enrolment, then what billing
charged, released and put on the parents, and what was refunded later. A month is
`open` until it is `billed` or `cancelled` (rules 9-11).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.calendar import month_of
from pfdo.domain.errors import NotFound, Refused

MODES = ("fixed", "attendance")


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


class Contract(Aggregate):
    """A child enrolled in a program for a date range, paid from one certificate pot."""

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
        months: dict[str, MonthState]
        attendance: dict[str, bool]
        terminated_on: date | None
        enrolled_on: date

    class Enrolled(PfdoCreated):
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

    class AttendanceRecorded(PfdoEvent):
        contract: str
        marks: list[list[Any]]

        def apply(self, aggregate: Contract) -> None:
            for day, present in self.marks:
                aggregate.attendance[day] = present

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

    @staticmethod
    def id_for(contract: str) -> Any:
        return stable_id("contract", contract)

    def month(self, month: str) -> MonthState:
        try:
            return self.months[month]
        except KeyError:
            raise NotFound(f"contract {self.code} has no month {month}") from None

    def attendance_in(self, month: str) -> tuple[int, int]:
        """(present, recorded) lesson counts of a month."""
        last = self.terminated_on.isoformat() if self.terminated_on else "9999-12-31"
        marks = [
            present
            for day, present in self.attendance.items()
            if day[:7] == month and day <= last  # lessons after a termination do not count
        ]
        return sum(1 for present in marks if present), len(marks)

    def record_attendance(self, marks: list[tuple[date, bool]], on: date) -> int:
        """Rule 8: record lessons as present or absent; return how many were recorded."""
        if not marks:
            raise Refused(f"contract {self.code}: no lesson date given")
        last = self.terminated_on if self.terminated_on is not None else self.end
        for day, _ in marks:
            if day > on:
                raise Refused(
                    f"contract {self.code}: lesson date {day} is after the business date "
                    f"{on}; attendance is recorded for lessons that took place"
                )
            if not self.start <= day <= min(last, self.end):
                raise Refused(
                    f"contract {self.code} runs {self.start}..{min(last, self.end)}: "
                    f"lesson date {day} is outside it"
                )
            status = self.month(month_of(day))["status"]
            if status != "open":
                raise Refused(
                    f"contract {self.code}: month {month_of(day)} is already {status}, "
                    f"attendance on {day} can no longer change it"
                )
        self.trigger_event(
            self.AttendanceRecorded,
            contract=self.code,
            marks=[[day.isoformat(), present] for day, present in marks],
            on=on,
        )
        return len(marks)
