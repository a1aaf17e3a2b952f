"""A library leaves the process's cycle collector alone: `bill()` and `rebuild()` run with
it as the embedding process set it (the command line pauses it: tests/cli)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest

from integration.year import funded_child, open_year
from pfdo import Ledger

Seen = list[tuple[bool, tuple[int, ...]]]


@pytest.fixture
def collector_on() -> Iterator[tuple[int, ...]]:
    """The collector on, with thresholds of the test's own; restored afterwards."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.enable()
    gc.set_threshold(701, 11, 12)
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*thresholds)
        if not enabled:
            gc.disable()


def _watch(seen: Seen) -> Callable[[int, int], None]:
    return lambda _done, _total: seen.append((gc.isenabled(), gc.get_threshold()))


def _a_contract(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.enroll(number, program="CHESS", start="2025-01-15", end="2025-06-10", on="2025-01-10")


def test_a_billing_run_leaves_the_collector_as_the_process_set_it(
    ledger: Ledger, collector_on: tuple[int, ...]
) -> None:
    _a_contract(ledger)
    seen: Seen = []
    assert ledger.bill("2025-01", on="2025-02-01", progress=_watch(seen)).billed == 1
    assert seen and all(state == (True, collector_on) for state in seen)
    assert (gc.isenabled(), gc.get_threshold()) == (True, collector_on)


def test_a_rebuild_leaves_the_collector_as_the_process_set_it(
    ledger: Ledger, collector_on: tuple[int, ...]
) -> None:
    _a_contract(ledger)
    seen: Seen = []
    ledger.rebuild(_watch(seen))
    assert seen and all(state == (True, collector_on) for state in seen)
    assert (gc.isenabled(), gc.get_threshold()) == (True, collector_on)
