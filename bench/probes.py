"""pfdo's side of each comparison: what the engine does through its public API (and, for
the rebuild's peers, through the library's own read paths).

Every probe returns counts and seconds; the benchmark turns them into figures.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.application import Repository
from region import PERIOD, TOWN
from sqlalchemy import delete, func, select, update

from pfdo import Ledger, PfdoError
from pfdo.application.collector import collector_paused
from pfdo.domain.certificate import Certificate
from pfdo.projections import runner
from pfdo.projections import tables as t
from pfdo.projections.chain import ChainKeeper
from pfdo.projections.read_models import ReadModels
from pfdo.projections.runner import Projector

#: The month the generated year leaves unbilled (the busiest), and its billing date.
MONTH, BILLED_ON = "2025-07", date(2025, 8, 1)
#: The business date of the `balance --as-of` latency probe.
AS_OF = "2025-06-30"
#: New children in the command workload are 10 on their contract's first day.
BORN, FUNDED_ON, ENROLLED_ON = date(2015, 3, 1), date(2025, 8, 20), date(2025, 8, 25)
CONTRACT = (date(2025, 9, 1), date(2025, 12, 31))
AGE = 10


@dataclass
class Commands:
    """How many commands ran, how long they took, and what went wrong."""

    commands: int = 0
    seconds: float = 0.0
    refused: int = 0
    conflicts_retried: int = 0

    def add(self, other: Commands) -> None:
        self.commands += other.commands
        self.seconds += other.seconds
        self.refused += other.refused
        self.conflicts_retried += other.conflicts_retried


def programs_for_new_children(ledger: Ledger) -> list[str]:
    """Open programs whose age band takes a child of AGE."""
    p = t.programs
    query = select(p.c.program).where(p.c.min_age <= AGE, p.c.max_age >= AGE, p.c.status == "open")
    with ledger._engine.connect() as connection:
        return sorted(connection.execute(query).scalars())


def new_children(
    ledger: Ledger, tag: str, children: int, programs: Sequence[str], offset: int = 0
) -> Commands:
    """Issue, fund and enrol `children` new children: three commands each, one durable
    save apiece (no bulk), as a portal would send them. Programs are taken in turn from
    `offset`, so that concurrent writers do not all enrol into the same program at once."""
    done = Commands()
    before = ledger.conflicts_retried
    started = time.perf_counter()
    for i in range(children):
        try:
            number = ledger.issue_certificate(
                child=f"bench-{tag}-{i:06d}", birth_date=BORN, municipality=TOWN, on=FUNDED_ON
            ).number
            ledger.fund_certificate(number, period=PERIOD, category="base", on=FUNDED_ON)
            ledger.enroll(
                number,
                program=programs[(offset + i) % len(programs)],
                start=CONTRACT[0],
                end=CONTRACT[1],
                mode="fixed",
                on=ENROLLED_ON,
            )
            done.commands += 3
        except PfdoError:
            done.refused += 1
    done.seconds = time.perf_counter() - started
    done.conflicts_retried = ledger.conflicts_retried - before
    return done


@dataclass(frozen=True)
class Billing:
    contracts: int
    events: int
    seconds: float
    state_size: int


def bill_month(db: str, month: str, on: date) -> Billing:
    """Run the billing of `month` on the store `db` and count what it wrote."""
    with Ledger(db) as ledger:
        before = ledger.log_position()
        with collector_paused():  # as the command line runs a billing
            started = time.perf_counter()
            run = ledger.bill(month, on=on)
            seconds = time.perf_counter() - started
        after = ledger.log_position()
        size = _average_state_size(ledger, before)
    return Billing(contracts=run.billed, events=after - before, seconds=seconds, state_size=size)


def _average_state_size(ledger: Ledger, after: int) -> int:
    notifications = ledger._log.recorder.select_notifications(start=after + 1, limit=10_000)
    sizes = [len(n.state) for n in notifications]
    return int(statistics.fmean(sizes)) if sizes else 300


def rebuild(ledger: Ledger) -> tuple[int, float]:
    """(events, seconds) of `Ledger.rebuild()`."""
    with collector_paused():  # as the command line runs a rebuild
        started = time.perf_counter()
        report = ledger.rebuild()
        return report.events, time.perf_counter() - started


def events_table(ledger: Ledger) -> str:
    """The name of the library's table of stored events."""
    return str(getattr(ledger._log.recorder, "events_table_name", "stored_events"))


def repository_replay(ledger: Ledger) -> tuple[int, float, int]:
    """(events, seconds, certificates): every certificate loaded through the library's
    repository, one aggregate at a time, as the engine's own commands load them."""
    with ledger._engine.connect() as connection:
        numbers = list(connection.execute(select(t.certificates.c.number)).scalars())
    repository = Repository(event_store=ledger._log.events)  # no snapshot look-ups
    started = time.perf_counter()
    events = 0
    for number in numbers:
        events += repository.get(Certificate.id_for(number)).version
    return events, time.perf_counter() - started, len(numbers)


class SampledProjector(Projector):
    """The engine's own catch-up, reading `page` events per transaction, stopped at log
    position `stop` or at `deadline`."""

    def __init__(self, log: Any, engine: Any, page: int, stop: int, deadline: float) -> None:
        super().__init__(log, engine, [ReadModels(log), ChainKeeper(log)])
        self.page = page  # the engine's page size, where it is an attribute
        self.stop, self.deadline = stop, deadline

    def _page(self, after: int) -> Any:
        if after >= self.stop or time.perf_counter() > self.deadline:
            return []
        with page_size(self.page):
            return [n for n in super()._page(after) if n.id <= self.stop]


@contextmanager
def page_size(size: int) -> Iterator[None]:
    """`runner.PAGE` set to `size`, for an engine that reads its page size from there."""
    saved, runner.PAGE = runner.PAGE, size
    try:
        yield
    finally:
        runner.PAGE = saved


def per_event_projection(ledger: Ledger, budget: float) -> tuple[int, float]:
    """(events, seconds) of the engine's catch-up with one event per transaction, from
    the middle of the log (the first half is folded first in pages of 1,000, untimed),
    for `budget` seconds. Run it on a copy: it empties and refills the read models."""
    total = ledger.log_position()
    with ledger._engine.begin() as connection:
        for table in t.FOLDED_TABLES:
            connection.execute(delete(table))
        connection.execute(update(t.position).values(position=0))
    SampledProjector(ledger._log, ledger._engine, 1000, total // 2, float("inf")).catch_up()
    sample = SampledProjector(ledger._log, ledger._engine, 1, total, float("inf"))
    started = time.perf_counter()
    sample.deadline = started + budget
    events = sample.catch_up()
    return events, time.perf_counter() - started


def busiest_certificate(ledger: Ledger) -> tuple[str, int]:
    """The certificate with the most movements, and how many events its aggregate has."""
    m = t.movements
    query = select(m.c.number).group_by(m.c.number).order_by(func.count().desc()).limit(1)
    with ledger._engine.connect() as connection:
        number = connection.execute(query).scalar_one()
    aggregate: Certificate = Repository(event_store=ledger._log.events).get(
        Certificate.id_for(number)
    )
    return number, aggregate.version


def median_rate(samples: Sequence[tuple[int, float]]) -> float:
    """The median of count / seconds over repeated runs."""
    return statistics.median(count / seconds for count, seconds in samples)


def latencies(call: Callable[[], object], calls: int) -> list[float]:
    """Seconds per call, `calls` times, after two untimed warm-up calls."""
    call()
    call()
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]
