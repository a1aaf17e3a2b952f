"""Room shards: how a category with a count or sum limit counts its fundings (rules 3, 19)
without one aggregate that every funding writes.

The room its limits leave (count limit less the funded count, sum limit less the funded
sum; a kind without a limit has none to share) is dealt over `SHARDS` shards of the
category. A funding draws its room from shards only: count 1 and its nominal as the sum,
from its own shard (by certificate number) or, when that one lacks it, from the others (a
sum may come in parts from several shards, so no remainder is wasted). Two fundings meet
only on a shard they both draw from; neither writes the period.

The period keeps what it dealt (`dealt_count`, `dealt_sum` of the category) beside what it
counted itself, so `funded + dealt <= limit` holds on the period alone, and over the
period and its shards `funded + drawn + room == limit`. Every command that gives room back
or changes the limits or the nominal writes the period: one that changes the limits or the
nominal, or serves a waiting list, first collects the shards (the period counts what they
drew and takes back their room, `collect`) and deals the room left afterwards. Collecting
starts a new generation of the category: a funding decided on the period as it was before
finds a newer shard and is decided again (`draw` refuses it).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated, PfdoEvent, stable_id
from pfdo.domain.errors import Refused
from pfdo.domain.tally import SHARDS


class RoomShard(Aggregate):
    """One share of the room a limited category's limits leave, and what it funded."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        period: str
        category: str
        shard: int
        generation: int
        room_count: int | None
        room_sum: int | None
        drawn_count: int
        drawn_sum: int

    class Opened(PfdoCreated):
        period: str
        category: str
        shard: int
        generation: int

        def apply(self, aggregate: RoomShard) -> None:
            aggregate.period = self.period
            aggregate.category = self.category
            aggregate.shard = self.shard
            aggregate.generation = self.generation
            aggregate.room_count = aggregate.room_sum = None
            aggregate.drawn_count = aggregate.drawn_sum = 0

    class Granted(PfdoEvent):
        """Room dealt to the shard (None: that kind has no limit)."""

        period: str
        category: str
        generation: int
        count: int | None
        sum: int | None

        def apply(self, aggregate: RoomShard) -> None:
            aggregate.generation = self.generation
            if self.count is not None:
                aggregate.room_count = (aggregate.room_count or 0) + self.count
            if self.sum is not None:
                aggregate.room_sum = (aggregate.room_sum or 0) + self.sum

    class Drawn(PfdoEvent):
        """A certificate funded with room of this shard: `count` (0 or 1) and `sum` are
        its part of the funding (a sum may come from several shards)."""

        period: str
        category: str
        number: str
        count: int
        sum: int

        def apply(self, aggregate: RoomShard) -> None:
            aggregate.drawn_count += self.count
            aggregate.drawn_sum += self.sum
            if aggregate.room_count is not None:
                aggregate.room_count -= self.count
            if aggregate.room_sum is not None:
                aggregate.room_sum -= self.sum

    class Collected(PfdoEvent):
        """The period counts what the shard funded and takes its room back."""

        period: str
        category: str
        generation: int
        count: int
        sum: int
        room_count: int | None
        room_sum: int | None

        def apply(self, aggregate: RoomShard) -> None:
            aggregate.generation = self.generation
            aggregate.room_count = aggregate.room_sum = None
            aggregate.drawn_count = aggregate.drawn_sum = 0

    @staticmethod
    def id_for(period: str, category: str, shard: int) -> UUID:
        return stable_id("room-shard", f"{period}/{category}/{shard}")

    @classmethod
    def open(cls, period: str, category: str, shard: int, generation: int, on: date) -> RoomShard:
        return cls._create(
            cls.Opened,
            id=cls.id_for(period, category, shard),
            period=period,
            category=category,
            shard=shard,
            generation=generation,
            on=on,
        )

    def room(self, count_limited: bool, sum_limited: bool) -> tuple[int, int]:
        """The room left here for each kind the category limits (0 for the others)."""
        count = (self.room_count or 0) if count_limited else 0
        return count, (self.room_sum or 0) if sum_limited else 0

    def holds(self) -> bool:
        """Whether the shard holds room or fundings the period has not collected."""
        return bool(self.room_count or self.room_sum or self.drawn_count or self.drawn_sum)

    def grant(self, count: int | None, total: int | None, generation: int, on: date) -> None:
        self.trigger_event(
            self.Granted,
            period=self.period,
            category=self.category,
            generation=generation,
            count=count,
            sum=total,
            on=on,
        )

    def draw(self, number: str, count: int, total: int, generation: int, on: date) -> None:
        """Fund `number` with room of this shard, as decided on the period's `generation`."""
        if generation != self.generation:
            # the limits or the nominal changed since the period was read: the executor
            # sees the period changed and decides again
            raise Refused(
                f"category {self.category} of period {self.period} has been dealt its room "
                "again: decide on the period as it is now"
            )
        short = (count and self.room_count is not None and self.room_count < count) or (
            total and self.room_sum is not None and self.room_sum < total
        )
        if short:
            raise Refused(f"shard {self.shard} of category {self.category} lacks that room")
        self.trigger_event(
            self.Drawn,
            period=self.period,
            category=self.category,
            number=number,
            count=count,
            sum=total,
            on=on,
        )

    def collect(self, generation: int, on: date) -> tuple[int, int]:
        """Give the period what was drawn here and the room left; return what was drawn."""
        drawn = self.drawn_count, self.drawn_sum
        self.trigger_event(
            self.Collected,
            period=self.period,
            category=self.category,
            generation=generation,
            count=drawn[0],
            sum=drawn[1],
            room_count=self.room_count,
            room_sum=self.room_sum,
            on=on,
        )
        return drawn


def split(room: int | None, unit: int, first: int) -> list[int | None]:
    """`room` over the shards in whole `unit`s (a nominal, so that one funding draws from
    one shard), from shard `first` on; what is less than a unit goes to shard `first`."""
    if room is None:
        return [None] * SHARDS
    units, rest = divmod(room, unit) if unit > 0 else (0, room)
    share, extra = divmod(units, SHARDS)
    parts: list[int | None] = [0] * SHARDS
    for step in range(SHARDS):
        parts[(first + step) % SHARDS] = (share + (step < extra)) * unit
    parts[first] = (parts[first] or 0) + rest
    return parts


def plan_draw(
    rooms: list[tuple[int, int]], count_limited: bool, nominal: int, sum_limited: bool
) -> dict[int, list[int]] | None:
    """How one funding draws from the shards (`rooms` in the order to try, each the room
    `RoomShard.room` reports): index -> [count, sum]; None when together they lack it.
    The count and the sum come from one shard when one holds both."""
    whole = [
        i
        for i, (count, total) in enumerate(rooms)
        if (not count_limited or count >= 1) and (not sum_limited or total >= nominal)
    ]
    if whole:
        return {whole[0]: [1, nominal]}
    if not sum_limited:
        return None
    parts: dict[int, list[int]] = {}
    if count_limited:
        with_count = [i for i, (count, _) in enumerate(rooms) if count >= 1]
        if not with_count:
            return None
        parts[with_count[0]] = [1, 0]
    need = nominal
    for i, (_, total) in enumerate(rooms):
        take = min(total, need)
        if take > 0:
            parts.setdefault(i, [0, 0])[1] += take
            need -= take
    if need > 0:
        return None
    if not count_limited:
        parts[min(parts)][0] = 1
    return parts
