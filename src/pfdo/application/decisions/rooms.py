"""Fundings in a category with a count or sum limit, drawn from its room shards
(`pfdo.domain.room`), and how the commands that change its room deal and collect it.

A funding reads the period and writes its certificate and the shards it draws from, not
the period, unless the period still holds room of its own (a category no funding has
drawn from yet, or a store written before the shards): then that funding deals it out
first. A funding the shards together lack room for is refused by the limit or joins the
waiting list (which writes the period). Every command that makes room writes the period:
an unfunding with nobody waiting deals its room to the certificate's shard; one that
serves a list, a change of the limits or the nominal, and a close first collect every
shard, so the period decides on all of it, then deal what is left.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from pfdo.application.decisions import waiting
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import Refused
from pfdo.domain.period import Period
from pfdo.domain.room import RoomShard, plan_draw, split
from pfdo.domain.tally import SHARDS, shard_of

if TYPE_CHECKING:
    from pfdo.application.execution import Executor


class Shards:
    """A category's room shards, loaded when first needed, and the ones written."""

    def __init__(
        self, w: Executor, period: Period, category: str, on: date, *, new: bool = False
    ) -> None:
        """`new`: the period is being opened, so none of its shards exists yet."""
        self.w, self.period, self.category, self.on = w, period, category, on
        self._found: dict[int, RoomShard | None] = dict.fromkeys(range(SHARDS)) if new else {}
        self._written: dict[int, RoomShard] = {}

    def get(self, k: int) -> RoomShard | None:
        if k not in self._found:
            shard_id = RoomShard.id_for(self.period.code, self.category, k)
            found = self.w.find_ids(RoomShard, [shard_id], watched=False)[shard_id]
            assert found is None or isinstance(found, RoomShard)
            self._found[k] = found
        return self._found[k]

    def writing(self, k: int) -> RoomShard:
        """Shard `k`, opened when no room was ever dealt to it, noted as written."""
        found = self.get(k)
        shard = found or RoomShard.open(
            self.period.code, self.category, k, self.period.generation(self.category), self.on
        )
        self._found[k] = self._written[k] = shard
        return shard

    def load_all(self) -> None:
        """Read every shard not read yet, in one batch."""
        wanted = {
            RoomShard.id_for(self.period.code, self.category, k): k
            for k in range(SHARDS)
            if k not in self._found
        }
        if wanted:
            # unwatched: fundings only take room from a shard; whatever gives room back
            # writes the period, which a refusal is decided again on
            loaded = self.w.find_ids(RoomShard, list(wanted), watched=False)
            for aggregate_id, found in loaded.items():
                self._found[wanted[aggregate_id]] = found

    def drawn(self) -> tuple[int, int]:
        """What every shard funded that the period has not collected: count and sum."""
        self.load_all()
        shards = [s for k in range(SHARDS) if (s := self.get(k)) is not None]
        return sum(s.drawn_count for s in shards), sum(s.drawn_sum for s in shards)

    def written(self) -> list[Aggregate]:
        return list(self._written.values())


def fund(
    w: Executor, certificate: Certificate, period: Period, category: str, on: date, queue: bool
) -> tuple[list[Aggregate], str | None]:
    """Rule 3 within the limits: the aggregates written, and why the limits refused it
    (then the certificate is not funded, and the list is for the caller to join). While
    anyone waits there is no room (serving the list takes it all), so a funding that may
    wait joins the list without reading the shards."""
    if queue and period.waiting_numbers(category):
        return [], "the waiting list is not empty"
    shards = Shards(w, period, category, on)
    own = shard_of(certificate.number)
    changed: list[Aggregate] = []
    if any(period.undealt_room(category)):
        deal(shards, period, category, own, on)
        changed.append(period)
    plan = _plan(shards, period, category, [own])
    if plan is None:
        shards.load_all()
    plan = plan or _plan(
        shards, period, category, [(own + step) % SHARDS for step in range(SHARDS)]
    )
    if plan is None:
        refusal = period.limit_refusal(category, shards.drawn())
        if refusal is None:  # the shards and the period disagree: never decided on that
            raise Refused(f"the room of category {category} of period {period.code} is off")
        return [*changed, *shards.written()], refusal
    generation = period.generation(category)
    for k, (count, total) in plan.items():
        shards.writing(k).draw(certificate.number, count, total, generation, on)
    waiting.credit(certificate, period, category, on)
    if period.place_of(certificate.number) is not None:
        period.leave_queue(certificate.number, on)  # funded: it waits no more (rule 19)
        changed[:] = [period]
    return [certificate, *changed, *shards.written()], None


def _plan(
    shards: Shards, period: Period, category: str, order: list[int]
) -> dict[int, list[int]] | None:
    state = period.category(category)
    count_limited, sum_limited = state["count_limit"] is not None, state["sum_limit"] is not None
    rooms = [
        (0, 0) if (s := shards.get(k)) is None else s.room(count_limited, sum_limited)
        for k in order
    ]
    plan = plan_draw(rooms, count_limited, state["nominal"], sum_limited)
    return None if plan is None else {order[i]: part for i, part in plan.items()}


def deal(shards: Shards, period: Period, category: str, first: int, on: date) -> None:
    """Deal the room the period holds itself over the shards, from shard `first` on."""
    count, total = period.undealt_room(category)
    counts = split(count, 1, first)
    sums = split(total, period.category(category)["nominal"], first)
    generation = period.generation(category)
    for k in range(SHARDS):
        if counts[k] or sums[k]:
            shards.writing(k).grant(counts[k], sums[k], generation, on)
    period.deal_room(category, count or 0, total or 0, on)


def collect(w: Executor, period: Period, category: str, on: date) -> Shards:
    """The period counts what every shard funded and takes their room back."""
    shards = Shards(w, period, category, on)
    shards.load_all()
    generation = period.generation(category) + 1
    drawn = [0, 0]
    for k in range(SHARDS):
        shard = shards.get(k)
        if shard is not None and shard.holds():
            count, total = shards.writing(k).collect(generation, on)
            drawn[0] += count
            drawn[1] += total
    if shards.written():
        period.collect_shards(category, drawn[0], drawn[1], on)
    return shards


def make_room(
    w: Executor, period: Period, category: str, number: str, on: date
) -> tuple[list[Certificate], list[Aggregate]]:
    """After an unfunding gave its room back to the period: serve the category's list
    (rule 19) on every shard's room, then deal what is left, from the certificate's shard
    on; return the certificates served and the shards written."""
    if not period.limited(category):
        return waiting.serve(w, period, category, on), []
    served: list[Certificate] = []
    if period.waiting_numbers(category):
        shards = collect(w, period, category, on)
        served = waiting.serve(w, period, category, on)
    else:
        shards = Shards(w, period, category, on)
    deal(shards, period, category, shard_of(number), on)
    return served, shards.written()


def collect_all(w: Executor, period: Period, on: date) -> list[Aggregate]:
    """Collect the shards of every limited category of the period (at its close)."""
    return [
        shard
        for name in sorted(period.categories)
        if period.limited(name)
        for shard in collect(w, period, name, on).written()
    ]
