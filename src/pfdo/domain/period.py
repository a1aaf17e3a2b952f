"""Periods and their categories (rules 2, 3, 12, 13), and the municipality's calendar.

A period holds the counters its category limits need; the list of certificates funded in
it lives in the projections, which is what keeps this aggregate small.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.errors import LimitExceeded, PeriodClosed, Refused
from pfdo.domain.money import format_rubles


class CategoryState(TypedDict):
    """A category of certificates inside one period."""

    nominal: int
    count_limit: int | None
    sum_limit: int | None
    funded_count: int
    funded_sum: int


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
                raise Refused(
                    f"period {period} ({start}..{end}) overlaps period {other} "
                    f"({other_start}..{other_end}) of municipality {self.name}"
                )
        self.trigger_event(self.PeriodAdded, period=period, start=start, end=end, on=on)


class Period(Aggregate):
    """A municipality's financing period with its categories."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        code: str
        municipality: str
        start: date
        end: date
        categories: dict[str, CategoryState]
        closed: bool

    class Opened(PfdoCreated):
        period: str
        municipality: str
        start: date
        end: date
        categories: dict[str, CategoryState]

        def apply(self, aggregate: Period) -> None:
            aggregate.code = self.period
            aggregate.municipality = self.municipality
            aggregate.start = self.start
            aggregate.end = self.end
            aggregate.categories = {k: dict(v) for k, v in self.categories.items()}  # type: ignore[misc]
            aggregate.closed = False

    class CertificateFunded(PfdoEvent):
        period: str
        number: str
        category: str
        amount: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["funded_count"] += 1
            category["funded_sum"] += self.amount

    class NominalChanged(PfdoEvent):
        period: str
        category: str
        nominal: int
        delta: int

        def apply(self, aggregate: Period) -> None:
            category = aggregate.categories[self.category]
            category["nominal"] = self.nominal
            category["funded_sum"] += self.delta * category["funded_count"]

    class Closed(PfdoEvent):
        period: str
        expired: int

        def apply(self, aggregate: Period) -> None:
            aggregate.closed = True

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
            raise Refused(f"period {period} ends ({end}) before it starts ({start})")
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
            raise PeriodClosed(f"period {self.code} is closed and accepts no more commands")

    def category(self, name: str) -> CategoryState:
        try:
            return self.categories[name]
        except KeyError:
            known = ", ".join(sorted(self.categories))
            raise Refused(
                f"period {self.code} has no category {name!r} (it has: {known})"
            ) from None

    def contains(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def record_funding(self, number: str, category_name: str, on: date) -> int:
        """Count a certificate funded in a category, within its limits; return the nominal."""
        self.check_open()
        category = self.category(category_name)
        nominal = category["nominal"]
        count_limit, sum_limit = category["count_limit"], category["sum_limit"]
        if count_limit is not None and category["funded_count"] + 1 > count_limit:
            raise LimitExceeded(
                f"category {category_name} of period {self.code} has reached its count limit "
                f"of {count_limit} funded certificates"
            )
        if sum_limit is not None and category["funded_sum"] + nominal > sum_limit:
            raise LimitExceeded(
                f"category {category_name} of period {self.code} would exceed its sum limit: "
                f"{format_rubles(category['funded_sum'])} funded + {format_rubles(nominal)} "
                f"> {format_rubles(sum_limit)}"
            )
        self.trigger_event(
            self.CertificateFunded,
            period=self.code,
            number=number,
            category=category_name,
            amount=nominal,
            on=on,
        )
        return nominal

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

    def close(self, expired: int, on: date) -> None:
        self.check_open()
        if on < self.end:
            raise Refused(f"period {self.code} ends on {self.end}: it cannot close on {on}")
        self.trigger_event(self.Closed, period=self.code, expired=expired, on=on)
