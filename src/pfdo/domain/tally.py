"""Funding tallies: how a category without limits counts its certificates (rule 3)
without one aggregate that every funding writes.

A category with a count or sum limit keeps its funded count and sum on its `Period`
and deals the room its limits leave over room shards (`pfdo.domain.room`). A category
without limits needs no room while it stays without, so a funding in it
writes its certificate and one of `SHARDS` tallies of the category, the one its number
falls in: concurrent fundings meet on a tally only one time in `SHARDS`, and never on
the period. The tallies matter again the day a first limit is set on the category: that
command writes every tally (`seal`, creating the ones no funding has made yet), so any
funding that raced it conflicts and is decided again on the sealed category, and the
period takes the tallies' count into its own (`Period.absorb_tallies`). A sealed tally
takes no more fundings. A close and a change of nominal, which find the certificates funded
in the read models, write every tally of the categories they touch first (`reckon`), so a
funding counted after that read conflicts with them on its tally. Every certificate of a
category is credited its nominal, so the funded sum is the count times the nominal: a
tally counts, it needs no sum.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.errors import Refused

#: How many tallies a category without limits spreads its fundings over.
SHARDS = 16


def shard_of(number: str) -> int:
    """The tally a certificate's funding counts in (certificate numbers are uniform)."""
    return int(number) % SHARDS if number.isdigit() else sum(map(ord, number)) % SHARDS


class FundingTally(Aggregate):
    """One share of the fundings of a category without limits."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        period: str
        category: str
        shard: int
        count: int
        sealed: bool

    class Opened(PfdoCreated):
        period: str
        category: str
        shard: int

        def apply(self, aggregate: FundingTally) -> None:
            aggregate.period = self.period
            aggregate.category = self.category
            aggregate.shard = self.shard
            aggregate.count = 0
            aggregate.sealed = False

    class Counted(PfdoEvent):
        period: str
        category: str
        number: str

        def apply(self, aggregate: FundingTally) -> None:
            aggregate.count += 1

    class Sealed(PfdoEvent):
        period: str
        category: str
        count: int

        def apply(self, aggregate: FundingTally) -> None:
            aggregate.sealed = True

    class Reckoned(PfdoEvent):
        """A close or a change of nominal (`by`) took the fundings counted so far."""

        period: str
        category: str
        count: int
        by: str

        def apply(self, aggregate: FundingTally) -> None:
            pass

    @staticmethod
    def id_for(period: str, category: str, shard: int) -> UUID:
        return stable_id("funding-tally", f"{period}/{category}/{shard}")

    @classmethod
    def ids(cls, period: str, category: str) -> list[UUID]:
        return [cls.id_for(period, category, k) for k in range(SHARDS)]

    @classmethod
    def open(cls, period: str, category: str, shard: int, on: date) -> FundingTally:
        return cls._create(
            cls.Opened,
            id=cls.id_for(period, category, shard),
            period=period,
            category=category,
            shard=shard,
            on=on,
        )

    def count_funding(self, number: str, on: date) -> None:
        """One more certificate funded in the category."""
        if self.sealed:
            # the category has had a limit set since its period was read: the executor
            # sees the period changed and decides again
            raise Refused(
                f"category {self.category} of period {self.period} has limits now: "
                "its tallies are sealed"
            )
        self.trigger_event(
            self.Counted, period=self.period, category=self.category, number=number, on=on
        )

    def seal(self, on: date) -> int:
        """Take no more fundings; return the count the period takes over."""
        if self.sealed:
            return 0
        self.trigger_event(
            self.Sealed, period=self.period, category=self.category, count=self.count, on=on
        )
        return self.count

    def reckon(self, by: str, on: date) -> None:
        """Mark the fundings counted so far as taken by a close or a change of nominal
        (`by`): a funding counted in this tally since it was read conflicts with it."""
        self.trigger_event(
            self.Reckoned,
            period=self.period,
            category=self.category,
            count=self.count,
            by=by,
            on=on,
        )


def tally_for(found: Any, period: str, category: str, shard: int, on: date) -> FundingTally:
    """The tally as loaded, or a new one when no funding has counted in it yet."""
    if found is None:
        return FundingTally.open(period, category, shard, on)
    assert isinstance(found, FundingTally)
    return found
