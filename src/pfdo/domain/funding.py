"""Funding a certificate for a period's category, the category's count and sum limits,
and its waiting list (rules 3, 19, 20): every decision on them is taken here, and only
here.

`fund` checks rule 3 (`check`, the one place its guard is checked) and funds a
certificate, or refuses it by a limit (`limit_refusal`), or puts it on the category's
waiting list; `unfund` takes a funding back and serves the list (`serve`, `fitting`) with
the room it makes; `open_period`, `change_limits`, `change_nominal` and `before_close` do
what opening a period, changing a category's limits or nominal and closing a period need
of the counting. The aggregates record what is decided here (`Period.record_funding`,
`Period.enqueue`, `Certificate.fund`, ...).

How a category counts its fundings is this module's own affair (`COUNTERS`): without
limits in 16 funding tallies (`pfdo.domain.tally`), with limits in 16 room shards the
period deals its room to (`pfdo.domain.room`), so that concurrent fundings meet on one of
16 aggregates and never on the period. The functions take the period and certificates a
decision loaded; the tallies and shards they read through `Records` (a decision's
reader), and they return every aggregate they changed, for the caller to save together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain import closing
from pfdo.domain.certificate import Certificate, Pot
from pfdo.domain.errors import LimitExceeded, Refused
from pfdo.domain.money import format_rubles
from pfdo.domain.period import CategoryState, Period
from pfdo.domain.room import RoomShard, plan_draw, split
from pfdo.domain.tally import SHARDS, FundingTally, shard_of, tally_for
from pfdo.domain.units import unit_of

A = TypeVar("A", bound=Aggregate)

#: The aggregates a category's fundings are counted in: many writers write them (one
#: funding in 16 of a category meets another on one), and they are snapshotted as a
#: period is. Nothing outside this module needs to know more of them.
COUNTERS: tuple[type[Aggregate], ...] = (FundingTally, RoomShard)


class Records(Protocol):
    """What funding reads besides the period and certificates it is given."""

    def get(self, cls: type[A], key: str, what: str) -> A: ...

    def find_id(self, cls: type[A], aggregate_id: UUID) -> A | None: ...

    def find_ids(
        self, cls: type[A], aggregate_ids: Sequence[UUID], *, watched: bool = True
    ) -> dict[UUID, A | None]: ...


# -- the limits (rule 19) -------------------------------------------------------------


def limited(period: Period, category: str) -> bool:
    """Whether the category has a count or sum limit: then its fundings draw room from
    its shards (`pfdo.domain.room`); without, they count in its tallies
    (`pfdo.domain.tally`)."""
    state = period.category(category)
    return state["count_limit"] is not None or state["sum_limit"] is not None


def limit_refusal(
    period: Period, category: str, drawn: tuple[int, int] | None = None
) -> str | None:
    """Why one more certificate does not fit the category's limits, or None. `drawn`:
    what its shards funded that the period has not collected, summed over all of them;
    without it, only the room the period holds itself counts (all of it once the shards
    are collected)."""
    state = period.category(category)
    nominal = state["nominal"]
    count_limit, sum_limit = state["count_limit"], state["sum_limit"]
    if drawn is None:
        drawn = state["dealt_count"], state["dealt_sum"]
    funded_count = state["funded_count"] + drawn[0]
    funded_sum = state["funded_sum"] + drawn[1]
    if count_limit is not None and funded_count + 1 > count_limit:
        return (
            f"category {category} of period {period.code} has reached its count limit "
            f"of {count_limit} funded certificates"
        )
    if sum_limit is not None and funded_sum + nominal > sum_limit:
        return (
            f"category {category} of period {period.code} would exceed its sum limit: "
            f"{format_rubles(funded_sum)} funded + {format_rubles(nominal)} "
            f"> {format_rubles(sum_limit)}"
        )
    return None


def fitting(period: Period, category: str) -> Iterator[str]:
    """The head of the category's list, again and again, while it fits the limits (the
    caller funds each one; serving stops at the first that does not fit: no skipping)."""
    while True:
        queue = period.waiting_numbers(category)
        if not queue or limit_refusal(period, category) is not None:
            return
        yield queue[0]


def _generation(period: Period, category: str) -> int:
    """How many times the category's shards were collected."""
    return period.category(category)["generation"]


def _undealt_room(period: Period, category: str) -> tuple[int | None, int | None]:
    """The room the limits leave that the period holds itself (dealt to no shard): count
    and sum, None for a kind without a limit."""
    state = period.category(category)
    count_limit, sum_limit = state["count_limit"], state["sum_limit"]
    count = state["funded_count"] + state["dealt_count"]
    total = state["funded_sum"] + state["dealt_sum"]
    return (
        None if count_limit is None else count_limit - count,
        None if sum_limit is None else sum_limit - total,
    )


# -- rule 3: funding ------------------------------------------------------------------


def check(certificate: Certificate, period: Period, category: str) -> CategoryState:
    """Rule 3 but the limits, checked once before any funding: the period is open, has
    the category, and the certificate may be funded for it; return the category."""
    period.check_open()
    state = period.category(category)
    certificate.check_fundable(period.code, period.municipality, period.start)
    return state


def fund(
    records: Records,
    certificate: Certificate,
    period: Period,
    category: str,
    on: date,
    *,
    queue: bool,
) -> tuple[list[Aggregate], int | None]:
    """Rule 3: fund `certificate` for `category` of `period`; with `queue`, one refused
    only by a limit joins the category's waiting list instead (rule 19). Return the
    aggregates changed and the position on the list (None: funded)."""
    check(certificate, period, category)
    if not limited(period, category):
        return _count_in_tally(records, certificate, period, category, on), None
    changed, refusal = _draw(records, certificate, period, category, on, queue)
    if refusal is None:
        return changed, None
    if not queue:
        raise LimitExceeded(refusal, period=period.code, category=category)
    position = period.enqueue(certificate.number, category, on)
    return [period, *(a for a in changed if a is not period)], position


def fund_on_period(certificate: Certificate, period: Period, category: str, on: date) -> int:
    """Rule 3 counted on the period itself, within the limits it holds (as a waiting list
    is served, and as every funding was counted before tallies and shards); return the
    nominal credited."""
    check(certificate, period, category)
    refusal = limit_refusal(period, category)
    if refusal is not None:
        raise LimitExceeded(refusal, period=period.code, category=category)
    period.record_funding(certificate.number, category, on)
    return _credit(certificate, period, category, on)


def _credit(certificate: Certificate, period: Period, category: str, on: date) -> int:
    """Credit the category's nominal, in its unit, to the certificate; return it."""
    state = period.category(category)
    nominal: int = state["nominal"]
    certificate.fund(period.code, category, nominal, on, unit_of(state))
    return nominal


def _count_in_tally(
    records: Records, certificate: Certificate, period: Period, category: str, on: date
) -> list[Aggregate]:
    """A category without limits: credit the nominal, count it in the certificate's
    tally; the period is written only when the certificate waits in one of its lists."""
    tally_id = FundingTally.id_for(period.code, category, shard_of(certificate.number))
    found = records.find_id(FundingTally, tally_id)
    tally = tally_for(found, period.code, category, shard_of(certificate.number), on)
    tally.count_funding(certificate.number, on)
    _credit(certificate, period, category, on)
    changed: list[Aggregate] = [certificate, tally]
    if period.place_of(certificate.number) is not None:
        period.leave_queue(certificate.number, on)  # funded: it waits no more (rule 19)
        changed.append(period)
    return changed


# -- rule 20: unfunding ---------------------------------------------------------------


def unfund(
    records: Records,
    certificate: Certificate,
    period: Period,
    on: date,
    running: Sequence[str] = (),
) -> tuple[Pot, list[Certificate], list[Aggregate]]:
    """Rule 20: take a period's credit back (`running`: the certificate's contracts of
    the period with a month left to bill or cancel); its place in the limits serves the
    category's list. Return the pot as it was, the certificates funded from the list and
    every aggregate changed."""
    pot = certificate.unfund(period.code, on, running)
    category = pot["category"]
    period.record_unfunding(certificate.number, category, pot["credited"], on)
    if not limited(period, category):
        served, written = serve(records, period, category, on), []
    else:
        if period.waiting_numbers(category):
            shards = _collect(records, period, category, on)
            served = serve(records, period, category, on)
        else:
            served, shards = [], _Shards(records, period, category, on)
        _deal(shards, period, category, shard_of(certificate.number), on)
        written = shards.written()
    return pot, served, [certificate, period, *written, *served]


# -- rule 19: the waiting lists -------------------------------------------------------


def serve(records: Records, period: Period, category: str, on: date) -> list[Certificate]:
    """Fund the head of `category`'s list while it fits, from the head, in order, no
    skipping; return the certificates funded. In a category with limits the shards have
    been collected first, so the period holds all the room."""
    funded: list[Certificate] = []
    for number in fitting(period, category):
        certificate = records.get(Certificate, number, "certificate")
        try:
            fund_on_period(certificate, period, category, on)
        except Refused:
            # it can no longer be funded for a reason of its own (never the limits,
            # which were just checked): it leaves the list rather than block it
            period.leave_queue(number, on)
            continue
        funded.append(certificate)
    return funded


# -- what the period's own commands need of the counting ------------------------------


def open_period(period: Period, on: date) -> list[Aggregate]:
    """A period just opened deals the room of each limited category over its shards;
    return the shards (all new)."""
    written: list[Aggregate] = []
    for name in period.categories:
        if limited(period, name):
            shards = _Shards(None, period, name, on)
            _deal(shards, period, name, 0, on)
            written += shards.written()
    return written


def change_limits(
    records: Records,
    period: Period,
    category: str,
    count: int | None,
    total: int | None,
    on: date,
) -> tuple[list[Certificate], list[Aggregate]]:
    """Rule 19: set a category's limits (never below what is funded) and serve its list
    with the room made; return the certificates funded from it and the counting's
    aggregates written (the period and the certificates are the caller's)."""
    period.check_open()
    limits = count is not None or total is not None
    sealed = _seal_for_limits(records, period, category, on) if limits else []
    shards = _collect(records, period, category, on)  # none yet on a first limit
    period.change_limits(category, count, total, on)
    served = serve(records, period, category, on)
    if limits:
        _deal(shards, period, category, 0, on)
    return served, [*sealed, *shards.written()]


def change_nominal(
    records: Records,
    period: Period,
    category: str,
    nominal: int,
    on: date,
    funded: Callable[[], list[Certificate]],
) -> tuple[int, list[Certificate], list[Certificate], list[Aggregate]]:
    """Change a category's nominal for every certificate funded in it (`funded` finds
    them, in the read models: it is called once the counting is written, so that a
    funding counted after that read conflicts with this save); a lowered nominal serves
    the list. Return the change per certificate, the certificates changed, those funded
    from the list and the counting's aggregates written."""
    period.check_open()
    period.category(category)
    with_limits = limited(period, category)
    shards = _collect(records, period, category, on) if with_limits else None
    counted = [] if with_limits else _reckon(records, period, "nominal", on, category)
    certificates = funded()
    delta = closing.change_nominal(period, category, nominal, certificates, on)
    served = serve(records, period, category, on) if delta < 0 else []
    if shards is not None:
        _deal(shards, period, category, 0, on)
    written = counted if shards is None else shards.written()
    return delta, certificates, served, written


def before_close(records: Records, period: Period, on: date) -> list[Aggregate]:
    """Before a close finds the certificates funded in the read models: collect the
    shards of every limited category and reckon the tallies of the others, so that a
    funding counted after that read conflicts with the close's save; return them."""
    shards = [
        shard
        for name in sorted(period.categories)
        if limited(period, name)
        for shard in _collect(records, period, name, on).written()
    ]
    return [*shards, *_reckon(records, period, "close", on)]


# -- the tallies of a category without limits -----------------------------------------


def _seal_for_limits(records: Records, period: Period, category: str, on: date) -> list[Aggregate]:
    """Before a first limit on `category`: the period takes over its tallies' count, and
    the tallies take no more fundings; return the tallies (all written)."""
    if limited(period, category):
        return []
    tallies = _all_tallies(records, period, [category], on)
    period.absorb_tallies(category, sum(t.seal(on) for t in tallies), on)
    return list(tallies)


def _reckon(
    records: Records, period: Period, by: str, on: date, category: str | None = None
) -> list[Aggregate]:
    """Before a close (`by` "close": every category) or a change of nominal ("nominal":
    `category`) finds the certificates funded in the read models: write every tally of
    those without limits (creating the ones no funding has made), so that a funding counted
    in one after that read conflicts with this save on its tally and is decided again, on
    the period as the close or the change left it; return the tallies (all written)."""
    names = [category] if category is not None else sorted(period.categories)
    tallies = _all_tallies(records, period, [n for n in names if not limited(period, n)], on)
    for tally in tallies:
        tally.reckon(by, on)
    return list(tallies)


def _all_tallies(
    records: Records, period: Period, categories: list[str], on: date
) -> list[FundingTally]:
    """Every tally of `categories`, read in one batch (new ones for those no funding has
    made)."""
    shares = [
        (name, k, FundingTally.id_for(period.code, name, k))
        for name in categories
        for k in range(SHARDS)
    ]
    found = records.find_ids(FundingTally, [i for _, _, i in shares])
    return [tally_for(found.get(i), period.code, name, k, on) for name, k, i in shares]


# -- the room shards of a category with limits ----------------------------------------


class _Shards:
    """A category's room shards, read when first needed, and the ones written."""

    def __init__(self, records: Records | None, period: Period, category: str, on: date) -> None:
        """`records` None: the period is being opened, so none of its shards exists yet."""
        self.records, self.period, self.category, self.on = records, period, category, on
        self._found: dict[int, RoomShard | None] = (
            dict.fromkeys(range(SHARDS)) if records is None else {}
        )
        self._written: dict[int, RoomShard] = {}

    def _read(self, ids: list[UUID]) -> dict[UUID, RoomShard | None]:
        # unwatched: fundings only take room from a shard; whatever gives room back
        # writes the period, which a refusal is decided again on
        assert self.records is not None
        return self.records.find_ids(RoomShard, ids, watched=False)

    def get(self, k: int) -> RoomShard | None:
        if k not in self._found:
            shard_id = RoomShard.id_for(self.period.code, self.category, k)
            found = self._read([shard_id])[shard_id]
            assert found is None or isinstance(found, RoomShard)
            self._found[k] = found
        return self._found[k]

    def writing(self, k: int) -> RoomShard:
        """Shard `k`, opened when no room was ever dealt to it, noted as written."""
        found = self.get(k)
        shard = found or RoomShard.open(
            self.period.code, self.category, k, _generation(self.period, self.category), self.on
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
            for aggregate_id, found in self._read(list(wanted)).items():
                self._found[wanted[aggregate_id]] = found

    def drawn(self) -> tuple[int, int]:
        """What every shard funded that the period has not collected: count and sum."""
        self.load_all()
        shards = [s for k in range(SHARDS) if (s := self.get(k)) is not None]
        return sum(s.drawn_count for s in shards), sum(s.drawn_sum for s in shards)

    def written(self) -> list[Aggregate]:
        return list(self._written.values())


def _draw(
    records: Records,
    certificate: Certificate,
    period: Period,
    category: str,
    on: date,
    queue: bool,
) -> tuple[list[Aggregate], str | None]:
    """Rule 3 within the limits: the aggregates written, and why the limits refused it
    (then the certificate is not funded, and the list is for the caller to join). While
    anyone waits there is no room (serving the list takes it all), so a funding that may
    wait joins the list without reading the shards."""
    if queue and period.waiting_numbers(category):
        return [], "the waiting list is not empty"
    shards = _Shards(records, period, category, on)
    own = shard_of(certificate.number)
    changed: list[Aggregate] = []
    if any(_undealt_room(period, category)):
        _deal(shards, period, category, own, on)
        changed.append(period)
    plan = _plan(shards, period, category, [own])
    if plan is None:
        shards.load_all()
    plan = plan or _plan(
        shards, period, category, [(own + step) % SHARDS for step in range(SHARDS)]
    )
    if plan is None:
        refusal = limit_refusal(period, category, shards.drawn())
        if refusal is None:  # the shards and the period disagree: never decided on that
            raise Refused(f"the room of category {category} of period {period.code} is off")
        return [*changed, *shards.written()], refusal
    generation = _generation(period, category)
    for k, (count, total) in plan.items():
        shards.writing(k).draw(certificate.number, count, total, generation, on)
    _credit(certificate, period, category, on)
    if period.place_of(certificate.number) is not None:
        period.leave_queue(certificate.number, on)  # funded: it waits no more (rule 19)
        changed[:] = [period]
    return [certificate, *changed, *shards.written()], None


def _plan(
    shards: _Shards, period: Period, category: str, order: list[int]
) -> dict[int, list[int]] | None:
    state = period.category(category)
    count_limited, sum_limited = state["count_limit"] is not None, state["sum_limit"] is not None
    rooms = [
        (0, 0) if (s := shards.get(k)) is None else s.room(count_limited, sum_limited)
        for k in order
    ]
    plan = plan_draw(rooms, count_limited, state["nominal"], sum_limited)
    return None if plan is None else {order[i]: part for i, part in plan.items()}


def _deal(shards: _Shards, period: Period, category: str, first: int, on: date) -> None:
    """Deal the room the period holds itself over the shards, from shard `first` on."""
    count, total = _undealt_room(period, category)
    counts = split(count, 1, first)
    sums = split(total, period.category(category)["nominal"], first)
    generation = _generation(period, category)
    for k in range(SHARDS):
        if counts[k] or sums[k]:
            shards.writing(k).grant(counts[k], sums[k], generation, on)
    period.deal_room(category, count or 0, total or 0, on)


def _collect(records: Records, period: Period, category: str, on: date) -> _Shards:
    """The period counts what every shard funded and takes their room back."""
    shards = _Shards(records, period, category, on)
    shards.load_all()
    generation = _generation(period, category) + 1
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
