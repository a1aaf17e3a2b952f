"""The certificate and its money, one pot per period (rules 1, 3, 6-13).

A pot obeys `credited = available + reserved + spent + expired` after every event:
funding and nominal changes credit it; reserving moves money from available to reserved;
a charge moves it from reserved to spent; a release back to available; a refund from
spent to available; expiry from available to expired. What each movement does is the one
table of `pfdo.domain.balance`; the methods here guard each movement (no amount may go
below zero) and record it as the certificate's own event.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain.balance import POT_FIELDS, apply_movement, empty_balance
from pfdo.domain.base import PfdoCreated, PfdoEvent, StaleSnapshot, stable_id
from pfdo.domain.calendar import age_on
from pfdo.domain.errors import Age, AlreadyExists, CertificateAnnulled, NotFunded, Refused
from pfdo.domain.money import format_rubles
from pfdo.domain.units import RUB


class Pot(TypedDict):
    """The money of one certificate for one period, in its category's unit."""

    category: str
    unit: str  # "rub" or "hours" (rule 22)
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

    class Reissued(PfdoEvent):
        """Rule 24: the child's certificate was annulled; `number` is the new one."""

        number: str
        annulled: str

        def apply(self, aggregate: ChildRegistration) -> None:
            aggregate.number = self.number

    @classmethod
    def register(cls, registration: UUID, child: str, number: str, on: date) -> ChildRegistration:
        """Register `child`'s certificate under the id the application derives from the
        child's id (keyed: `pfdo.storage.pseudonyms`), so that a second registration conflicts."""
        return cls._create(cls.Registered, id=registration, child=child, number=number, on=on)

    def reissue(self, annulled: Certificate, number: str, on: date) -> None:
        """Rule 24: register the child's new certificate `number` in place of the one it
        has, which must be annulled (one certificate per child otherwise)."""
        if annulled.number != self.number or annulled.status != ANNULLED:
            raise AlreadyExists(
                f"the child already has certificate {self.number}", certificate=self.number
            )
        self.trigger_event(self.Reissued, number=number, annulled=annulled.number, on=on)


#: A certificate's status (rule 24): it accepts commands while active, none once annulled.
ACTIVE = "active"
ANNULLED = "annulled"


class ForContract(Protocol):
    """The contract a movement of certificate money belongs to (a `Contract`)."""

    code: str
    number: str
    period: str
    program: str
    provider: str


class ContractMoney(PfdoEvent):
    """A movement of certificate money that belongs to a contract."""

    number: str
    period: str
    contract: str
    program: str
    provider: str
    amount: int


class Certificate(Aggregate):
    """A child's certificate: accounting until funded, then financing.

    Version 3 of its state is the one shape it has; a snapshot of version 2 has no
    status (it was active: annulment came with version 3), one of version 1 may have
    pots without a unit (before units: rubles), and one taken before the certificate
    kept its contracts' programs cannot be upcast (they are only in its events): it is
    discarded, and the certificate replayed from its events."""

    class_version = 3

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        number: str
        child: str
        birth_date: date
        municipality: str
        pots: dict[str, Pot]
        contracts: int
        contract_programs: dict[str, str]  # contract -> program (rule 14)
        status: str  # ACTIVE or ANNULLED (rule 24)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        if "contract_programs" not in state:
            raise StaleSnapshot("a certificate snapshot without its contracts' programs")
        for pot in state["pots"].values():
            pot.setdefault("unit", RUB)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["status"] = ACTIVE

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
            aggregate.contract_programs = {}
            aggregate.status = ACTIVE

    class Funded(PfdoEvent):
        """Version 2 adds the category's unit (rules 21, 22); version 1 was rubles."""

        class_version = 2
        number: str
        period: str
        category: str
        amount: int
        unit: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["unit"] = RUB

        def apply(self, aggregate: Certificate) -> None:
            pot = {"category": self.category, "unit": self.unit, **empty_balance(POT_FIELDS)}
            aggregate.pots[self.period] = cast(Pot, pot)
            _move(aggregate, self)

    class NominalChanged(PfdoEvent):
        number: str
        period: str
        amount: int

        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)

    class Reserved(ContractMoney):
        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)
            aggregate.contracts += 1
            aggregate.contract_programs[self.contract] = self.program

    class Charged(ContractMoney):
        month: str

        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)

    class Released(ContractMoney):
        month: str

        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)

    class Refunded(ContractMoney):
        month: str
        reason: str

        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)

    class Expired(PfdoEvent):
        number: str
        period: str
        amount: int

        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)

    class Unfunded(PfdoEvent):
        """Rule 20: the period's credit leaves; `kind` is what the certificate is after."""

        number: str
        period: str
        category: str
        amount: int
        kind: str

        def apply(self, aggregate: Certificate) -> None:
            _move(aggregate, self)
            del aggregate.pots[self.period]

    class Moved(PfdoEvent):
        """Rule 24: `municipality` is the certificate's from the event's date on."""

        number: str
        municipality: str
        previous: str

        def apply(self, aggregate: Certificate) -> None:
            aggregate.municipality = self.municipality

    class Annulled(PfdoEvent):
        """Rule 24: issued in error; it accepts no more commands."""

        number: str
        reason: str

        def apply(self, aggregate: Certificate) -> None:
            aggregate.status = ANNULLED

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
            raise Age(
                f"child {child} is {age} on {on}: certificates are issued to children aged 5 to 17",
                certificate=number,
                age=age,
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

    # -- rule 24: moving and annulling ----------------------------------------------

    def check_active(self) -> None:
        """Refuse any command on an annulled certificate (rule 24)."""
        if self.status == ANNULLED:
            raise CertificateAnnulled(
                f"certificate {self.number} is annulled and accepts no more commands",
                certificate=self.number,
            )

    def move(self, municipality: str, on: date, open_funded: Sequence[str]) -> None:
        """Rule 24: make `municipality` the certificate's from `on`, unless it is funded
        for a period of its municipality that is not closed (`open_funded`)."""
        self.check_active()
        if municipality == self.municipality:
            raise Refused(
                f"certificate {self.number} belongs to municipality {municipality} already"
            )
        if open_funded:
            raise Refused(
                f"certificate {self.number} is funded for period(s) {', '.join(open_funded)} "
                f"of municipality {self.municipality}, not closed: unfund it first or let "
                "the period close"
            )
        self.trigger_event(
            self.Moved,
            number=self.number,
            municipality=municipality,
            previous=self.municipality,
            on=on,
        )

    def annul(self, reason: str, on: date) -> None:
        """Rule 24: annul a certificate issued in error, one that never had a contract
        and holds no money in any period."""
        self.check_active()
        if self.contracts:
            raise Refused(
                f"certificate {self.number} has had {self.contracts} contract(s): only a "
                "certificate that never had a contract can be annulled"
            )
        if self.pots:
            raise Refused(
                f"certificate {self.number} holds money in period(s) "
                f"{', '.join(sorted(self.pots))}: unfund every funding before annulling it"
            )
        self.trigger_event(self.Annulled, number=self.number, reason=reason, on=on)

    def pot(self, period: str) -> Pot:
        try:
            return self.pots[period]
        except KeyError:
            raise NotFunded(
                f"certificate {self.number} is not funded for period {period}",
                certificate=self.number,
                period=period,
            ) from None

    def fund(self, period: str, category: str, amount: int, on: date, unit: str) -> None:
        """Rule 3: credit a period's nominal (in its category's unit) to this certificate,
        once `check_fundable` has passed (`pfdo.domain.funding.check`, the one place it
        is checked)."""
        self.trigger_event(
            self.Funded,
            number=self.number,
            period=period,
            category=category,
            amount=amount,
            unit=unit,
            on=on,
        )

    def check_fundable(self, period: str, municipality: str, period_start: date) -> None:
        """Rule 3 but the limits: whether this certificate may be funded for `period`."""
        self.check_active()
        if municipality != self.municipality:
            raise Refused(
                f"certificate {self.number} belongs to municipality {self.municipality}, "
                f"not to {municipality} which opened period {period}"
            )
        if period in self.pots:
            raise AlreadyExists(
                f"certificate {self.number} is already funded for period {period}",
                certificate=self.number,
                period=period,
            )
        age = age_on(self.birth_date, period_start)
        if age >= 18:
            raise Age(
                f"the child of certificate {self.number} is {age} on {period_start}, "
                f"the start of period {period}: only children under 18 are funded",
                certificate=self.number,
                period=period,
                age=age,
            )

    def unfund(self, period: str, on: date, running: Sequence[str] = ()) -> Pot:
        """Rule 20: take a period's credit back while nothing of it is reserved or spent
        and no contract of it (`running`: even one the certificate pays nothing of) has a
        month left to bill or cancel; return the pot as it was."""
        self.check_active()
        pot = self.pot(period)
        if pot["reserved"] or pot["spent"]:
            raise Refused(
                f"certificate {self.number} has {format_rubles(pot['reserved'])} reserved and "
                f"{format_rubles(pot['spent'])} spent in period {period}: it can be unfunded "
                "only while nothing is reserved or spent"
            )
        if running:
            raise Refused(
                f"certificate {self.number} has contract(s) {', '.join(running)} in period "
                f"{period} with months neither billed nor cancelled: terminate or bill them "
                "before unfunding"
            )
        kind = "financing" if len(self.pots) > 1 else "accounting"
        before = cast(Pot, dict(pot))
        self.trigger_event(
            self.Unfunded,
            number=self.number,
            period=period,
            category=pot["category"],
            amount=pot["available"],
            kind=kind,
            on=on,
        )
        return before

    def change_nominal(self, period: str, delta: int, on: date) -> None:
        """Rule 13: credit a category's nominal change; a cut needs that much available."""
        available = self.pot(period)["available"]
        if available + delta < 0:
            raise Refused(
                f"certificate {self.number} has {format_rubles(available)} available in "
                f"period {period}: its nominal cannot be lowered by {format_rubles(-delta)}"
            )
        self.trigger_event(
            self.NominalChanged, number=self.number, period=period, amount=delta, on=on
        )

    def reserve(self, contract: ForContract, amount: int, on: date) -> None:
        """Rule 7: set a contract's certificate share aside (it may be zero)."""
        self.check_active()
        self._check_move(contract, "reserve", amount, "available")
        self.trigger_event(self.Reserved, amount=amount, on=on, **self._money(contract))

    def charge(self, contract: ForContract, month: str, amount: int, on: date) -> None:
        """Rule 9: spend a month's charge out of the contract's reservation."""
        if self._check_move(contract, "charge", amount, "reserved"):
            self.trigger_event(
                self.Charged, month=month, amount=amount, on=on, **self._money(contract)
            )

    def release(self, contract: ForContract, month: str, amount: int, on: date) -> None:
        """Rules 9 and 10: give a month's unbilled reservation back to available."""
        if self._check_move(contract, "release", amount, "reserved"):
            self.trigger_event(
                self.Released, month=month, amount=amount, on=on, **self._money(contract)
            )

    def refund(self, contract: ForContract, month: str, amount: int, reason: str, on: date) -> None:
        """Rule 11: give part or all of a charge back to available."""
        if not self._check_move(contract, "refund", amount, "spent"):
            raise Refused(f"a refund must be above zero, got {format_rubles(amount)}")
        self.trigger_event(
            self.Refunded, month=month, amount=amount, reason=reason, on=on, **self._money(contract)
        )

    def expire(self, period: str, on: date) -> int:
        """Rule 12: the available money of a closing period expires; return how much."""
        amount = self.pot(period)["available"]
        if amount:
            self.trigger_event(
                self.Expired, number=self.number, period=period, amount=amount, on=on
            )
        return amount

    def contract_codes(self) -> list[str]:
        """The ids of all this certificate's contracts."""
        return [f"{self.number}-{n:03d}" for n in range(1, self.contracts + 1)]

    def contracts_in(self, program: str) -> list[str]:
        """Rule 14: the ids of this certificate's contracts in `program`."""
        return [code for code, of in self.contract_programs.items() if of == program]

    def _check_move(self, contract: ForContract, verb: str, amount: int, source: str) -> bool:
        """Refuse moving money of another certificate, a negative amount or more than the
        pot holds in `source`; return whether there is anything to move."""
        if contract.number != self.number:
            raise Refused(
                f"contract {contract.code} is paid from certificate {contract.number}: "
                f"certificate {self.number} cannot {verb} money for it"
            )
        held = cast("dict[str, int]", self.pot(contract.period))[source]
        if amount < 0:
            raise Refused(
                f"certificate {self.number} cannot {verb} a negative amount "
                f"({format_rubles(amount)}) for contract {contract.code}"
            )
        if amount > held:
            raise Refused(
                f"certificate {self.number} cannot {verb} {format_rubles(amount)} for "
                f"contract {contract.code}: period {contract.period} has only "
                f"{format_rubles(held)} {source}"
            )
        return amount > 0

    @staticmethod
    def _money(contract: ForContract) -> dict[str, str]:
        return {
            "number": contract.number,
            "period": contract.period,
            "contract": contract.code,
            "program": contract.program,
            "provider": contract.provider,
        }

    def next_contract_code(self) -> str:
        return f"{self.number}-{self.contracts + 1:03d}"


#: Each money event of a certificate -> the kind of movement it is (`pfdo.domain.balance`).
MOVEMENT_EVENTS: dict[type[PfdoEvent], str] = {
    Certificate.Funded: "funded",
    Certificate.NominalChanged: "nominal_changed",
    Certificate.Reserved: "reserved",
    Certificate.Charged: "charged",
    Certificate.Released: "released",
    Certificate.Refunded: "refunded",
    Certificate.Expired: "expired",
    Certificate.Unfunded: "unfunded",
}


def _move(certificate: Certificate, event: Any) -> None:
    """Apply a money event to its pot by the movement table."""
    pot = cast("MutableMapping[str, int]", certificate.pots[event.period])
    apply_movement(pot, MOVEMENT_EVENTS[type(event)], event.amount, POT_FIELDS)
