"""Periods and their categories (rules 2, 3, 12, 13, 16, 18-20), and the municipality's
calendar.

A period holds the counters its category limits need and each category's waiting list
(rule 19: certificates refused only by a limit, first in, first out); a category without
limits counts its fundings in tallies instead (`pfdo.domain.tally`), which the period
takes over when a first limit is set (`absorb_tallies`), and a category with limits deals
the room they leave over shards (`pfdo.domain.room`): the period counts what it dealt,
and what they funded when it collects them (`deal_room`, `collect_shards`). Whether a
funding fits the limits, and who is served from a list, `pfdo.domain.funding` decides;
the period counts and records it. The list of
certificates funded in it lives in the projections, which is what keeps this aggregate
small. Its settings say how providers are paid: the advance rate (rule 16) and the day
from which its last month may be billed (rule 18).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.calendar import Month, month_of, next_month_start
from pfdo.domain.errors import (
    AlreadyExists,
    InvalidInput,
    LimitExceeded,
    NotFound,
    Overlap,
    PeriodClosed,
    Refused,
)
from pfdo.domain.money import format_rubles
from pfdo.domain.units import RUB


class CategoryState(TypedDict):
    """A category of certificates as a period is opened with it; its nominal, sum limit
    and funded sum are in its unit (`pfdo.domain.units`), rules 21, 22: "rub" or "hours"."""

    nominal: int
    count_limit: int | None
    sum_limit: int | None
    funded_count: int
    funded_sum: int
    unit: str


class Category(TypedDict):
    """A category of certificates inside one period: what it was opened with, the room
    of its limits dealt to its shards (`pfdo.domain.room`) and how many times they were
    collected, and its waiting list, head first: [number, since] (rule 19)."""

    nominal: int
    count_limit: int | None
    sum_limit: int | None
    funded_count: int
    funded_sum: int
    unit: str
    dealt_count: int
    dealt_sum: int
    generation: int
    queue: list[list[str]]


def _category(opened: CategoryState) -> Category:
    """A category's state as the period opens it."""
    return Category(
        nominal=opened["nominal"],
        count_limit=opened["count_limit"],
        sum_limit=opened["sum_limit"],
        funded_count=opened["funded_count"],
        funded_sum=opened["funded_sum"],
        unit=opened["unit"],
        dealt_count=0,
        dealt_sum=0,
        generation=0,
        queue=[],
    )


def waiting(category: Category) -> list[list[str]]:
    """A category's waiting list, head first: [number, since] (rule 19)."""
    return category["queue"]


class Municipality(Aggregate):
    """A municipality's calendar of periods, which must not overlap (rule 2)."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        name: str
        periods: dict[str, list[str]]

    class Registered(PfdoCreated):
        municipality: str

        def apply(self, aggregate: Municipality) -> None:
            aggregate.name = self.municipality
            aggregate.periods = {}

    class PeriodAdded(PfdoEvent):
        period: str
        start: date
        end: date

        def apply(self, aggregate: Municipality) -> None:
            aggregate.periods[self.period] = [self.start.isoformat(), self.end.isoformat()]

    @staticmethod
    def id_for(municipality: str) -> Any:
        return stable_id("municipality", municipality)

    @classmethod
    def register(cls, municipality: str, on: date) -> Municipality:
        return cls._create(
            cls.Registered, id=cls.id_for(municipality), municipality=municipality, on=on
        )

    def add_period(self, period: str, start: date, end: date, on: date) -> None:
        for other, (other_start, other_end) in self.periods.items():
            if start <= date.fromisoformat(other_end) and date.fromisoformat(other_start) <= end:
                raise Overlap(
                    f"period {period} ({start}..{end}) overlaps period {other} "
                    f"({other_start}..{other_end}) of municipality {self.name}",
                    period=period,
                    municipality=self.name,
                )
        self.trigger_event(self.PeriodAdded, period=period, start=start, end=end, on=on)


class Period(Aggregate):
    """A municipality's financing period with its categories.

    Its state has one shape (`Category` for each category). Version 2 of the state is
    that shape; a snapshot of version 1 may lack a category's unit (before units:
    rubles), its dealt room and generation (before shards: none) and its waiting list
    (before the lists: empty), and kept the settings as `_advance_rate` and
    `_final_billing_from` (absent before settings: 0 and None)."""

    class_version = 2

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        code: str
        municipality: str
        start: date
        end: date
        categories: dict[str, Category]
        closed: bool
        advance_rate: int  # rule 16: whole per cent of a month's certificate parts
        final_billing_from: date | None  # rule 18: the last month's billing day, if set

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["advance_rate"] = state.pop("_advance_rate", 0)
        state["final_billing_from"] = state.pop("_final_billing_from", None)
        for category in state["categories"].values():
            category.setdefault("unit", RUB)
            category.setdefault("dealt_count", 0)
            category.setdefault("dealt_sum", 0)
            category.setdefault("generation", 0)
            category.setdefault("queue", [])

    class Opened(PfdoCreated):
        """Version 2 gives every category its unit (rules 21, 22); version 1 left it
        out for rubles."""

        class_version = 2
        period: str
        municipality: str
        start: date
        end: date
        categories: dict[str, CategoryState]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            for category in state["categories"].values():
                category.setdefault("unit", RUB)

        def apply(self, aggregate: Period) -> None:
            aggregate.code = self.period
            aggregate.municipality = self.municipality
            aggregate.start = self.start
            aggregate.end = self.end
            aggregate.categories = {k: _category(v) for k, v in self.categories.items()}
            aggregate.closed = False
            aggregate.advance_rate = 0
            aggregate.final_billing_from = None

    class CertificateFunded(PfdoEvent):
        period: str
        number: str
        category: str
        amount: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["funded_count"] += 1
            category["funded_sum"] += self.amount
            _drop(aggregate, self.number)  # funded: it waits no more (rule 19)

    class NominalChanged(PfdoEvent):
        period: str
        category: str
        nominal: int
        delta: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["nominal"] = self.nominal
            category["funded_sum"] += self.delta * category["funded_count"]

    class SettingsChanged(PfdoEvent):
        period: str
        advance_rate: int
        final_billing_from: date | None

        def apply(self, aggregate: Period) -> None:
            aggregate.advance_rate = self.advance_rate
            aggregate.final_billing_from = self.final_billing_from

    class LimitsChanged(PfdoEvent):
        period: str
        category: str
        count_limit: int | None
        sum_limit: int | None

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["count_limit"] = self.count_limit
            category["sum_limit"] = self.sum_limit

    class Queued(PfdoEvent):
        period: str
        category: str
        number: str

        def apply(self, aggregate: Period) -> None:
            waiting(aggregate.categories[self.category]).append([self.number, self.on.isoformat()])

    class LeftQueue(PfdoEvent):
        period: str
        category: str
        number: str

        def apply(self, aggregate: Period) -> None:
            _drop(aggregate, self.number)

    class CertificateUnfunded(PfdoEvent):
        period: str
        number: str
        category: str
        amount: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["funded_count"] -= 1
            category["funded_sum"] -= self.amount

    class TalliesAbsorbed(PfdoEvent):
        """A first limit is set on a category without: the fundings its tallies counted
        (`pfdo.domain.tally`) are the period's to count from now on."""

        period: str
        category: str
        count: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["funded_count"] += self.count
            category["funded_sum"] += self.count * category["nominal"]

    class RoomDealt(PfdoEvent):
        """Room of a limited category's limits dealt to its shards (`pfdo.domain.room`)."""

        period: str
        category: str
        count: int
        sum: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["dealt_count"] += self.count
            category["dealt_sum"] += self.sum

    class ShardsCollected(PfdoEvent):
        """The period counts what a limited category's shards funded (`count`, `sum`) and
        takes back the room they held; the shards' next generation begins."""

        period: str
        category: str
        count: int
        sum: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["funded_count"] += self.count
            category["funded_sum"] += self.sum
            category["dealt_count"] = category["dealt_sum"] = 0
            category["generation"] += 1

    class Closed(PfdoEvent):
        """`expired`: rubles; version 2 adds `expired_hours` (rule 22: units never mix)."""

        class_version = 2
        period: str
        expired: int
        expired_hours: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["expired_hours"] = 0

        def apply(self, aggregate: Period) -> None:
            aggregate.closed = True
            for category in aggregate.categories.values():
                waiting(category).clear()  # the lists lapse (rule 19)

    @staticmethod
    def id_for(period: str) -> Any:
        return stable_id("period", period)

    @classmethod
    def open(
        cls,
        period: str,
        municipality: str,
        start: date,
        end: date,
        categories: dict[str, CategoryState],
        on: date,
    ) -> Period:
        if end < start:
            raise InvalidInput(
                f"period {period} ends ({end}) before it starts ({start})",
                (("end", f"{end} is before the start {start}"),),
                period=period,
            )
        if not categories:
            raise Refused(f"period {period} needs at least one category")
        return cls._create(
            cls.Opened,
            id=cls.id_for(period),
            period=period,
            municipality=municipality,
            start=start,
            end=end,
            categories=categories,
            on=on,
        )

    def check_open(self) -> None:
        """Refuse any command on a closed period (rule 12)."""
        if self.closed:
            raise PeriodClosed(
                f"period {self.code} is closed and accepts no more commands", period=self.code
            )

    def category(self, name: str) -> Category:
        try:
            return self.categories[name]
        except KeyError:
            known = ", ".join(sorted(self.categories))
            raise NotFound(
                f"period {self.code} has no category {name!r} (it has: {known})",
                period=self.code,
                category=name,
            ) from None

    def contains(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def deal_room(self, category_name: str, count: int, total: int, on: date) -> None:
        """Hand room of the category's limits to its shards."""
        if count or total:
            self.trigger_event(
                self.RoomDealt,
                period=self.code,
                category=category_name,
                count=count,
                sum=total,
                on=on,
            )

    def collect_shards(self, category_name: str, count: int, total: int, on: date) -> None:
        """Count what the category's shards funded; they hold no room from now on."""
        self.trigger_event(
            self.ShardsCollected,
            period=self.code,
            category=category_name,
            count=count,
            sum=total,
            on=on,
        )

    def absorb_tallies(self, category_name: str, count: int, on: date) -> None:
        """Count here the fundings the category's tallies counted while it had no limit."""
        if count:
            self.trigger_event(
                self.TalliesAbsorbed, period=self.code, category=category_name, count=count, on=on
            )

    def record_funding(self, number: str, category_name: str, on: date) -> int:
        """Count a certificate funded in a category (within its limits: that is for
        `pfdo.domain.funding` to decide); return the nominal."""
        self.check_open()
        nominal = self.category(category_name)["nominal"]
        self.trigger_event(
            self.CertificateFunded,
            period=self.code,
            number=number,
            category=category_name,
            amount=nominal,
            on=on,
        )
        return nominal

    def record_unfunding(self, number: str, category_name: str, amount: int, on: date) -> None:
        """Rule 20: a certificate's place in its category is freed."""
        self.check_open()
        self.category(category_name)
        self.trigger_event(
            self.CertificateUnfunded,
            period=self.code,
            number=number,
            category=category_name,
            amount=amount,
            on=on,
        )

    # -- the waiting lists (rule 19) ------------------------------------------------

    def place_of(self, number: str) -> tuple[str, int] | None:
        """The category whose list `number` waits in, and its position (1 = next)."""
        for name, category in self.categories.items():
            for index, (waiting_number, _) in enumerate(waiting(category)):
                if waiting_number == number:
                    return name, index + 1
        return None

    def enqueue(self, number: str, category_name: str, on: date) -> int:
        """Put a certificate a limit refused at the end of the category's list; return
        its position."""
        self.check_open()
        category = self.category(category_name)
        place = self.place_of(number)
        if place is not None:
            raise AlreadyExists(
                f"certificate {number} already waits in the list of category {place[0]} of "
                f"period {self.code}, at position {place[1]}"
            )
        self.trigger_event(
            self.Queued, period=self.code, category=category_name, number=number, on=on
        )
        return len(waiting(category))

    def leave_queue(self, number: str, on: date) -> str:
        """Take a certificate off the list it waits in; return the category."""
        self.check_open()
        place = self.place_of(number)
        if place is None:
            raise NotFound(
                f"certificate {number} waits in no list of period {self.code}",
                certificate=number,
                period=self.code,
            )
        self.trigger_event(
            self.LeftQueue, period=self.code, category=place[0], number=number, on=on
        )
        return place[0]

    def waiting_numbers(self, category_name: str) -> list[str]:
        """The list of a category, head first."""
        return [number for number, _ in waiting(self.category(category_name))]

    # -- limits and settings -------------------------------------------------------

    def change_limits(
        self, category_name: str, count_limit: int | None, sum_limit: int | None, on: date
    ) -> None:
        """Rule 19: set a category's limits; never below what is already funded."""
        self.check_open()
        category = self.category(category_name)
        if count_limit is not None and count_limit < category["funded_count"]:
            raise LimitExceeded(
                f"category {category_name} of period {self.code} has "
                f"{category['funded_count']} funded certificates: its count limit cannot be "
                f"lowered to {count_limit}"
            )
        if sum_limit is not None and sum_limit < category["funded_sum"]:
            raise LimitExceeded(
                f"category {category_name} of period {self.code} has "
                f"{format_rubles(category['funded_sum'])} funded: its sum limit cannot be "
                f"lowered to {format_rubles(sum_limit)}"
            )
        self.trigger_event(
            self.LimitsChanged,
            period=self.code,
            category=category_name,
            count_limit=count_limit,
            sum_limit=sum_limit,
            on=on,
        )

    def change_settings(
        self, advance_rate: int | None, final_billing_from: date | None, on: date
    ) -> None:
        """Rules 16 and 18: set the advance rate and the last month's billing date (what
        is not given stays as it is)."""
        self.check_open()
        rate = self.advance_rate if advance_rate is None else advance_rate
        if not 0 <= rate <= 100:
            raise Refused(f"an advance rate is a whole per cent 0-100, got {rate}")
        day = self.final_billing_from if final_billing_from is None else final_billing_from
        last_month = month_of(self.end)
        if day is not None and not (month_of(day) == last_month and day <= self.end):
            raise Refused(
                f"period {self.code} ends on {self.end}: its last month {last_month} may be "
                f"billed from a day inside it, not from {day}"
            )
        self.trigger_event(
            self.SettingsChanged,
            period=self.code,
            advance_rate=rate,
            final_billing_from=day,
            on=on,
        )

    def billing_opens(self, month: Month) -> date:
        """Rules 9 and 18: the first day month `month` of this period may be billed."""
        day = self.final_billing_from
        if day is not None and month == month_of(self.end):
            return day
        return next_month_start(month)

    def change_nominal(self, category_name: str, nominal: int, on: date) -> int:
        """Set a category's nominal; return the change per funded certificate."""
        self.check_open()
        category = self.category(category_name)
        delta = nominal - category["nominal"]
        sum_limit = category["sum_limit"]
        new_sum = category["funded_sum"] + delta * category["funded_count"]
        if delta > 0 and sum_limit is not None and new_sum > sum_limit:
            raise LimitExceeded(
                f"raising category {category_name} of period {self.code} to "
                f"{format_rubles(nominal)} would exceed its sum limit: "
                f"{format_rubles(new_sum)} > {format_rubles(sum_limit)}"
            )
        self.trigger_event(
            self.NominalChanged,
            period=self.code,
            category=category_name,
            nominal=nominal,
            delta=delta,
            on=on,
        )
        return delta

    def close(self, expired: int, on: date, expired_hours: int = 0) -> None:
        self.check_open()
        if on < self.end:
            raise Refused(f"period {self.code} ends on {self.end}: it cannot close on {on}")
        self.trigger_event(
            self.Closed, period=self.code, expired=expired, expired_hours=expired_hours, on=on
        )


def _drop(period: Period, number: str) -> None:
    for category in period.categories.values():
        queue = waiting(category)
        queue[:] = [entry for entry in queue if entry[0] != number]
