"""`pfdo bill` and `pfdo rebuild` own their process: they pause the cycle collector for
the run (pfdo.application.collector) and turn it back on after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from cli_helpers import Pfdo

from pfdo.ledger import Ledger


@pytest.fixture
def collector_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether the collector was on while each `Ledger.bill` or `Ledger.rebuild` ran."""
    seen: list[bool] = []
    for name in ("bill", "rebuild"):
        original = getattr(Ledger, name)

        def watched(self: Ledger, *args: Any, _original: Any = original, **kw: Any) -> Any:
            seen.append(gc.isenabled())
            return _original(self, *args, **kw)

        monkeypatch.setattr(Ledger, name, watched)
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield seen
    finally:
        if not enabled:
            gc.disable()


def test_pfdo_bill_runs_with_the_collector_paused_and_turns_it_back_on(
    year: Pfdo, collector_seen: list[bool]
) -> None:
    year.enroll()
    assert year.json("bill", "--month", "2025-01", "--on", "2025-02-01")["billed"] == 1
    assert collector_seen == [False]
    assert gc.isenabled()


def test_pfdo_rebuild_runs_with_the_collector_paused_and_turns_it_back_on(
    year: Pfdo, collector_seen: list[bool]
) -> None:
    year.json("rebuild")
    assert collector_seen == [False]
    assert gc.isenabled()
