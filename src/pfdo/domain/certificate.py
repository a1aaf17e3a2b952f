"""The certificate and its money, one pot per period (rules 1, 3, 6-13).

A pot obeys `credited = available + reserved + spent + expired` after every event:
funding and nominal changes credit it; reserving moves money from available to reserved;
a charge moves it from reserved to spent; a release back to available; a refund from
spent to available; expiry from available to expired.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.calendar import age_on
from pfdo.domain.errors import AlreadyExists, Refused


class Pot(TypedDict):
    """The money of one certificate for one period."""

    category: str
    credited: int
    available: int
    reserved: int
    spent: int
    expired: int


class ChildRegistration(Aggregate):
    """One certificate per child id: this record makes a second one conflict."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        number: str

    class Registered(PfdoCreated):
        child: str
        number: str

        def apply(self, aggregate: ChildRegistration) -> None:
            aggregate.number = self.number

    @classmethod
    def register(cls, registration: UUID, child: str, number: str, on: date) -> ChildRegistration:
        """Register `child`'s certificate under the id the application derives from the
        child's id (keyed: `pfdo.pseudonyms`), so that a second registration conflicts."""
        return cls._create(cls.Registered, id=registration, child=child, number=number, on=on)


class ContractMoney(PfdoEvent):
    """A movement of certificate money that belongs to a contract."""

    number: str
    period: str
    contract: str
    program: str
    provider: str
    amount: int


class Certificate(Aggregate):
    """A child's certificate: accounting until funded, then financing."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        number: str
        child: str
        birth_date: date
        municipality: str
        pots: dict[str, Pot]
        contracts: int

    class Issued(PfdoCreated):
        number: str
        child: str
        birth_date: date
        municipality: str

        def apply(self, aggregate: Certificate) -> None:
            aggregate.number = self.number
            aggregate.child = self.child
            aggregate.birth_date = self.birth_date
            aggregate.municipality = self.municipality
            aggregate.pots = {}
            aggregate.contracts = 0

    class Funded(PfdoEvent):
        number: str
        period: str
        category: str
        amount: int

        def apply(self, aggregate: Certificate) -> None:
            aggregate.pots[self.period] = Pot(
                category=self.category,
                credited=self.amount,
                available=self.amount,
                reserved=0,
                spent=0,
                expired=0,
            )

    class NominalChanged(PfdoEvent):
        number: str
        period: str
        amount: int

        def apply(self, aggregate: Certificate) -> None:
            pot = aggregate.pots[self.period]
            pot["credited"] += self.amount
            pot["available"] += self.amount

    class Reserved(ContractMoney):
        def apply(self, aggregate: Certificate) -> None:
            pot = aggregate.pots[self.period]
            pot["available"] -= self.amount
            pot["reserved"] += self.amount
            aggregate.contracts += 1

    class Charged(ContractMoney):
        month: str

        def apply(self, aggregate: Certificate) -> None:
            pot = aggregate.pots[self.period]
            pot["reserved"] -= self.amount
            pot["spent"] += self.amount

    class Released(ContractMoney):
        month: str

        def apply(self, aggregate: Certificate) -> None:
            pot = aggregate.pots[self.period]
            pot["reserved"] -= self.amount
            pot["available"] += self.amount

    class Refunded(ContractMoney):
        month: str
        reason: str

        def apply(self, aggregate: Certificate) -> None:
            pot = aggregate.pots[self.period]
            pot["spent"] -= self.amount
            pot["available"] += self.amount

    class Expired(PfdoEvent):
        number: str
        period: str
        amount: int

        def apply(self, aggregate: Certificate) -> None:
            pot = aggregate.pots[self.period]
            pot["available"] -= self.amount
            pot["expired"] += self.amount

    @staticmethod
    def id_for(number: str) -> Any:
        return stable_id("certificate", number)

    @classmethod
    def issue(
        cls, number: str, child: str, birth_date: date, municipality: str, on: date
    ) -> Certificate:
        """Rule 1: a child aged 5 to 17 on the issue date gets an accounting certificate."""
        age = age_on(birth_date, on)
        if not 5 <= age <= 17:
            raise Refused(
                f"child {child} is {age} on {on}: certificates are issued to children aged 5 to 17"
            )
        return cls._create(
            cls.Issued,
            id=cls.id_for(number),
            number=number,
            child=child,
            birth_date=birth_date,
            municipality=municipality,
            on=on,
        )

    @property
    def kind(self) -> str:
        return "financing" if self.pots else "accounting"

    def pot(self, period: str) -> Pot:
        try:
            return self.pots[period]
        except KeyError:
            raise Refused(f"certificate {self.number} is not funded for period {period}") from None

    def fund(
        self,
        period: str,
        municipality: str,
        period_start: date,
        category: str,
        amount: int,
        on: date,
    ) -> None:
        """Rule 3: credit a period's nominal to this certificate."""
        if municipality != self.municipality:
            raise Refused(
                f"certificate {self.number} belongs to municipality {self.municipality}, "
                f"not to {municipality} which opened period {period}"
            )
        if period in self.pots:
            raise AlreadyExists(f"certificate {self.number} is already funded for period {period}")
        age = age_on(self.birth_date, period_start)
        if age >= 18:
            raise Refused(
                f"the child of certificate {self.number} is {age} on {period_start}, "
                f"the start of period {period}: only children under 18 are funded"
            )
        self.trigger_event(
            self.Funded, number=self.number, period=period, category=category, amount=amount, on=on
        )

    def change_nominal(self, period: str, delta: int, on: date) -> None:
        self.trigger_event(
            self.NominalChanged, number=self.number, period=period, amount=delta, on=on
        )

    def expire(self, period: str, on: date) -> int:
        """Rule 12: the available money of a closing period expires; return how much."""
        amount = self.pot(period)["available"]
        if amount:
            self.trigger_event(
                self.Expired, number=self.number, period=period, amount=amount, on=on
            )
        return amount

    def next_contract_code(self) -> str:
        return f"{self.number}-{self.contracts + 1:03d}"
