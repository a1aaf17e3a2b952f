"""Providers and their programs (rule 4), and a program's capacity.

Only programs of admitted providers that are not withdrawn accept new contracts
("Доступна оплата сертификатом"). Capacity counts contracts active at once: a contract is
active from its start to its end, or to its termination date when terminated.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.errors import Capacity, Refused

PROVIDER_KINDS = ("municipal", "private", "sole-trader")


class Provider(Aggregate):
    """A school, private organisation or sole trader in the registry."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        code: str
        name: str
        kind: str
        status: str

    class Admitted(PfdoCreated):
        provider: str
        name: str
        kind: str

        def apply(self, aggregate: Provider) -> None:
            aggregate.code = self.provider
            aggregate.name = self.name
            aggregate.kind = self.kind
            aggregate.status = "admitted"

    class Excluded(PfdoEvent):
        provider: str

        def apply(self, aggregate: Provider) -> None:
            aggregate.status = "excluded"

    @staticmethod
    def id_for(provider: str) -> Any:
        return stable_id("provider", provider)

    @classmethod
    def admit(cls, provider: str, name: str, kind: str, on: date) -> Provider:
        if kind not in PROVIDER_KINDS:
            raise Refused(f"provider kind {kind!r} is not one of {', '.join(PROVIDER_KINDS)}")
        return cls._create(
            cls.Admitted, id=cls.id_for(provider), provider=provider, name=name, kind=kind, on=on
        )

    def exclude(self, on: date) -> None:
        if self.status == "excluded":
            raise Refused(f"provider {self.code} is already excluded from the registry")
        self.trigger_event(self.Excluded, provider=self.code, on=on)


class Program(Aggregate):
    """An educational program: monthly price, age band, optional capacity.

    Version 3 of its state is the one shape it has; a snapshot of version 1 may lack
    the normative monthly cost, the hours a month and the cost of a person-hour (before
    each existed: none), one of version 2 the prolongation switch (rule 23: before it,
    on)."""

    class_version = 3

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        code: str
        provider: str
        title: str
        monthly_price: int
        min_age: int
        max_age: int
        capacity: int | None
        normative: int | None
        hours: int | None
        hour_cost: int | None
        status: str
        active: dict[str, list[str]]
        prolongation: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.setdefault("normative", None)
        state.setdefault("hours", None)
        state.setdefault("hour_cost", None)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state.setdefault("prolongation", True)

    class Added(PfdoCreated):
        """Version 2 adds the normative monthly cost (rule 15); version 3 the hours a
        month and the normative cost of a person-hour (rule 21). Earlier had none."""

        class_version = 3
        program: str
        provider: str
        title: str
        monthly_price: int
        min_age: int
        max_age: int
        capacity: int | None
        normative_price: int | None
        hours_per_month: int | None
        hour_cost: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["normative_price"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["hours_per_month"] = None
            state["hour_cost"] = None

        def apply(self, aggregate: Program) -> None:
            aggregate.code = self.program
            aggregate.provider = self.provider
            aggregate.title = self.title
            aggregate.monthly_price = self.monthly_price
            aggregate.min_age = self.min_age
            aggregate.max_age = self.max_age
            aggregate.capacity = self.capacity
            aggregate.normative = self.normative_price
            aggregate.hours = self.hours_per_month
            aggregate.hour_cost = self.hour_cost
            aggregate.status = "open"
            aggregate.active = {}
            aggregate.prolongation = True

    class Withdrawn(PfdoEvent):
        program: str

        def apply(self, aggregate: Program) -> None:
            aggregate.status = "withdrawn"

    class ProlongationSet(PfdoEvent):
        """Rule 23: the provider turned prolongation of the program's contracts on or off."""

        program: str
        prolongation: bool

        def apply(self, aggregate: Program) -> None:
            aggregate.prolongation = self.prolongation

    class ContractAdmitted(PfdoEvent):
        contract: str
        start: date
        end: date

        def apply(self, aggregate: Program) -> None:
            aggregate.active[self.contract] = [self.start.isoformat(), self.end.isoformat()]

    class ContractEnded(PfdoEvent):
        contract: str
        last_day: date | None

        def apply(self, aggregate: Program) -> None:
            if self.last_day is None:
                aggregate.active.pop(self.contract, None)
            else:
                aggregate.active[self.contract][1] = self.last_day.isoformat()

    @staticmethod
    def id_for(program: str) -> Any:
        return stable_id("program", program)

    @classmethod
    def add(
        cls,
        program: str,
        provider: Provider,
        title: str,
        monthly_price: int,
        min_age: int,
        max_age: int,
        capacity: int | None,
        on: date,
        normative_price: int | None = None,
        hours: tuple[int, int] | None = None,
    ) -> Program:
        """`hours`: (hours a month in hundredths, kopecks per person-hour), when the
        program also serves social certificates (rule 21)."""
        if provider.status != "admitted":
            raise Refused(f"provider {provider.code} is excluded: it cannot add programs")
        if monthly_price <= 0:
            raise Refused(f"program {program} needs a monthly price above zero")
        if normative_price is not None and normative_price <= 0:
            raise Refused(f"program {program} needs a normative cost above zero, if any")
        if hours is not None and (hours[0] <= 0 or hours[1] <= 0):
            raise Refused(
                f"program {program} needs hours a month and a cost of a person-hour above zero"
            )
        if not 0 <= min_age <= max_age:
            raise Refused(f"program {program} has an empty age band {min_age}..{max_age}")
        if capacity is not None and capacity < 1:
            raise Refused(f"program {program} needs a capacity of at least 1, got {capacity}")
        return cls._create(
            cls.Added,
            id=cls.id_for(program),
            program=program,
            provider=provider.code,
            title=title,
            monthly_price=monthly_price,
            min_age=min_age,
            max_age=max_age,
            capacity=capacity,
            normative_price=normative_price,
            hours_per_month=None if hours is None else hours[0],
            hour_cost=None if hours is None else hours[1],
            on=on,
        )

    @property
    def normative_price(self) -> int | None:
        """Rule 15: the normative monthly cost, if any."""
        return self.normative

    @property
    def hours_offer(self) -> tuple[int, int] | None:
        """Rule 21: (H in hundredths of an hour a month, K in kopecks a person-hour), or
        None when the program does not serve social certificates."""
        hours, cost = self.hours, self.hour_cost
        return None if hours is None or cost is None else (hours, cost)

    def withdraw(self, on: date) -> None:
        if self.status == "withdrawn":
            raise Refused(f"program {self.code} is already withdrawn")
        self.trigger_event(self.Withdrawn, program=self.code, on=on)

    def set_prolongation(self, prolongation: bool, on: date) -> None:
        """Rule 23: turn prolongation of this program's contracts on or off (already so:
        nothing changes)."""
        if self.prolongation != prolongation:
            self.trigger_event(
                self.ProlongationSet, program=self.code, prolongation=prolongation, on=on
            )

    def at_capacity(self, start: date, end: date) -> bool:
        """Whether the program is at capacity on a day of start..end."""
        return self.capacity is not None and self.busiest_day_count(start, end) >= self.capacity

    def check_accepts(self, provider: Provider) -> None:
        """Rule 4: only open programs of admitted providers take new contracts."""
        if provider.status != "admitted":
            raise Refused(
                f"program {self.code} does not accept contracts: "
                f"its provider {provider.code} is excluded from the registry"
            )
        if self.status != "open":
            raise Refused(f"program {self.code} does not accept contracts: it is withdrawn")

    def busiest_day_count(self, start: date, end: date) -> int:
        """How many contracts are active at once, at most, on a day of start..end."""
        spans = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in self.active.values()]
        overlapping = [(a, b) for a, b in spans if a <= end and start <= b]
        days = {start} | {a for a, _ in overlapping if a >= start}
        return max((sum(1 for a, b in overlapping if a <= d <= b) for d in days), default=0)

    def admit_contract(self, contract: str, start: date, end: date, on: date) -> None:
        if self.capacity is not None and self.busiest_day_count(start, end) >= self.capacity:
            raise Capacity(
                f"program {self.code} is at capacity: {self.capacity} contracts "
                f"already active at once between {start} and {end}",
                program=self.code,
            )
        self.trigger_event(self.ContractAdmitted, contract=contract, start=start, end=end, on=on)

    def end_contract(self, contract: str, last_day: date | None, on: date) -> None:
        """A terminated contract stops counting after `last_day` (None: never counted)."""
        if contract in self.active:
            self.trigger_event(self.ContractEnded, contract=contract, last_day=last_day, on=on)
