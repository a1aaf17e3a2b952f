"""Properties of the room shards of a category with limits (`pfdo.domain.room`).

Random fundings (some asking to wait), unfundings, raised limits and changed nominals
are decided two at a time on what each read, then saved one after the other as the store
would: a save whose aggregates another save changed since they were read is refused and
decided again, and so is a refusal decided on records that changed (`pfdo.application.execution`).
After every save: the certificates funded never exceed the limits, what the period and
its shards counted is what was funded, funded plus the shards' room is each limit, the
waiting list is served first in, first out, and nobody is funded past it while anyone
who fits waits.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from memory_reader import Conflict, MemoryReader
from pfdo.application import commands as cmd
from pfdo.application.decisions import funding as decisions
from pfdo.application.decisions import periods
from pfdo.domain import funding
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import PfdoError
from pfdo.domain.period import Period
from pfdo.domain.room import RoomShard, plan_draw, split
from pfdo.domain.tally import SHARDS

ON = date(2025, 1, 10)
PERIOD = "2025"
NUMBERS = [f"{4_000_000_000 + 7 * i:010d}" for i in range(24)]


class MemoryStore(MemoryReader):
    """The in-memory reader, whose period may be read as it was before another save."""

    def __init__(self) -> None:
        super().__init__()
        #: the period as a decision read it before another save, while it reads the
        #: rest after that save
        self.early: Aggregate | None = None

    def kept(self, aggregate_id: UUID) -> Aggregate | None:
        if self.early is not None and aggregate_id == self.early.id:
            return self.early
        return super().kept(aggregate_id)

    def certificate(self, number: str) -> Certificate:
        found = self.saved[Certificate.id_for(number)]
        assert isinstance(found, Certificate)
        return found

    def period(self) -> Period:
        found = self.saved[Period.id_for(PERIOD)]
        assert isinstance(found, Period)
        return found

    def shards(self) -> list[RoomShard]:
        ids = [RoomShard.id_for(PERIOD, "base", k) for k in range(SHARDS)]
        return [s for i in ids if isinstance(s := self.saved.get(i), RoomShard)]


def _decide(store: MemoryStore, command: cmd.Command) -> tuple[Any, list[Aggregate], dict]:
    """Decide on what is saved now: the result (or the refusal), the aggregates changed,
    and what was read."""
    store.reads = {}
    decide: Any = {
        cmd.FundCertificate: decisions.fund_certificate,
        cmd.UnfundCertificate: decisions.unfund_certificate,
        cmd.ChangeLimits: decisions.change_limits,
        cmd.ChangeNominal: periods.change_nominal,
    }[type(command)]
    try:
        result, changed = decide(store, command)
    except PfdoError as refusal:
        return refusal, [], store.reads
    return result, changed, store.reads


def _command(kind: str, k: int, queue: bool) -> cmd.Command:
    number = NUMBERS[k % len(NUMBERS)]
    if kind == "fund":
        return cmd.FundCertificate(number=number, period=PERIOD, category="base", queue=queue)
    if kind == "unfund":
        return cmd.UnfundCertificate(number=number, period=PERIOD)
    if kind == "nominal":
        return cmd.ChangeNominal(period=PERIOD, category="base", nominal=f"{900 + 50 * (k % 5)}")
    count, total = 4 + k % 6, f"{3500 + 250 * (k % 9)}"
    if k % 3 == 0:
        return cmd.ChangeLimits(period=PERIOD, category="base", count=count)
    if k % 3 == 1:
        return cmd.ChangeLimits(period=PERIOD, category="base", sum=total)
    return cmd.ChangeLimits(period=PERIOD, category="base", count=count, sum=total)


class Reference:
    """What the list must be: the certificates in the order they joined."""

    def __init__(self) -> None:
        self.waiting: list[str] = []

    def saved(self, store: MemoryStore, before: list[str], command: Any, result: Any) -> None:
        served = list(getattr(result, "funded_from_queue", []))
        inner = getattr(result, "root", result)
        assert served == before[: len(served)], "the list is served from its head, in order"
        if getattr(inner, "position", None) is not None:
            assert before == self.waiting
            self.waiting = [*before, inner.number]
            assert inner.position == len(self.waiting)
        else:
            self.waiting = [n for n in before[len(served) :] if n != getattr(inner, "number", "")]
        if type(inner).__name__ == "CertificateFunded":
            assert not before, "nobody is funded past the list"
        assert store.period().waiting_numbers("base") == self.waiting


def _check(store: MemoryStore) -> None:
    period = store.period()
    state = period.category("base")
    funded = store.funded_numbers(PERIOD)
    credited = sum(store.certificate(n).pot(PERIOD)["credited"] for n in funded)
    assert credited == len(funded) * state["nominal"], "each is credited the nominal"
    shards = store.shards()
    drawn = sum(s.drawn_count for s in shards), sum(s.drawn_sum for s in shards)
    assert (state["funded_count"] + drawn[0], state["funded_sum"] + drawn[1]) == (
        len(funded),
        credited,
    )
    for limit, have, room in (
        (state["count_limit"], len(funded), sum(s.room_count or 0 for s in shards)),
        (state["sum_limit"], credited, sum(s.room_sum or 0 for s in shards)),
    ):
        if limit is not None:
            assert have <= limit
            assert have + room == limit, "funded and the shards' room make the limit"
    if period.waiting_numbers("base"):
        assert funding.limit_refusal(period, "base", drawn) is not None, "room while someone waits"


steps = st.lists(
    st.tuples(
        st.booleans(),
        st.sampled_from(["fund", "fund", "fund", "unfund", "limits", "nominal"]),
        st.integers(0, 200),
        st.booleans(),
        st.sampled_from(["fund", "fund", "unfund", "limits", "nominal", "none"]),
        st.integers(0, 200),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


def _open(store: MemoryStore, limits: dict[str, Any]) -> None:
    opened = cmd.OpenPeriod(
        period=PERIOD,
        municipality="m",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        categories={"base": cmd.CategorySpec(nominal="1000", **limits)},
        on=date(2025, 1, 1),
    )
    store.reads = {}
    _, changed = periods.open_period(store, opened)
    for number in NUMBERS:
        changed.append(Certificate.issue(number, f"c{number}", date(2015, 1, 1), "m", ON))
    store.save(changed)


@pytest.mark.parametrize(
    "limits",
    [{"count": 5}, {"sum": "4500"}, {"count": 6, "sum": "5200"}],
    ids=["count", "sum", "both"],
)
@settings(max_examples=60, deadline=None)
@given(steps=steps)
def test_two_commands_at_once_keep_the_limits_and_the_list(
    limits: dict[str, Any], steps: list[tuple[bool, str, int, bool, str, int, bool]]
) -> None:
    _run(MemoryStore(), limits, steps)


def _run(
    store: MemoryStore,
    limits: dict[str, Any],
    steps: list[tuple[bool, str, int, bool, str, int, bool]],
) -> None:
    _open(store, limits)
    reference = Reference()
    for late, kind, k, queue, other, j, other_queue in steps:
        pending = [_command(kind, k, queue)]
        if other != "none":
            pending.append(_command(other, j, other_queue))
        if late and len(pending) == 2:
            # the first reads the period, then the second is saved, then the first
            # reads the rest
            early = copy.deepcopy(store.period())
            _save(store, reference, [(pending[1], *_decide(store, pending[1]))])
            store.early = early
            decided = [(pending[0], *_decide(store, pending[0]))]
            store.early = None
        else:
            decided = [(c, *_decide(store, c)) for c in pending]  # both on the same reads
        _save(store, reference, decided)


def _save(store: MemoryStore, reference: Reference, decided: list[Any]) -> None:
    """Save the decisions in turn, each lost race or stale refusal decided again."""
    attempts = 0
    while decided:
        command, result, changed, reads = decided.pop(0)
        attempts += 1
        assert attempts < 20
        if isinstance(result, PfdoError):
            if store.stale(reads):  # decided on records changed since: decide again
                decided.append((command, *_decide(store, command)))
            continue
        before = store.period().waiting_numbers("base")
        try:
            store.save(changed)
        except Conflict:
            decided.append((command, *_decide(store, command)))
            continue
        reference.saved(store, before, command, result)
        _check(store)


@given(st.integers(0, 10**9), st.integers(1, 10**7), st.integers(0, SHARDS - 1))
def test_the_room_dealt_over_the_shards_is_the_room(room: int, nominal: int, first: int) -> None:
    parts = split(room, nominal, first)
    assert sum(p or 0 for p in parts) == room
    assert sum((p or 0) // nominal for p in parts) == room // nominal  # no unit split


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3000)), min_size=1, max_size=SHARDS),
    st.booleans(),
    st.booleans(),
    st.integers(1, 2000),
)
def test_a_draw_takes_one_funding_within_each_shard_or_nothing(
    rooms: list[tuple[int, int]], count_limited: bool, sum_limited: bool, nominal: int
) -> None:
    plan = plan_draw(rooms, count_limited, nominal, sum_limited)
    counts = sum(c for c, _ in rooms) if count_limited else 1
    sums = sum(s for _, s in rooms) if sum_limited else nominal
    assert (plan is not None) == (counts >= 1 and sums >= nominal)
    if plan is None:
        return
    assert sum(c for c, _ in plan.values()) == 1
    assert sum(s for _, s in plan.values()) == nominal
    for i, (count, total) in plan.items():
        assert not count_limited or count <= rooms[i][0]
        assert not sum_limited or total <= rooms[i][1]
