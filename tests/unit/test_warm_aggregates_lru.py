"""`WarmAggregates` keeps at most its size, forgetting the least recently used first."""

from __future__ import annotations

from datetime import date

from pfdo.domain.tally import FundingTally
from pfdo.storage.loading import WarmAggregates


def _tally(shard: int) -> FundingTally:
    return FundingTally.open("2025", "base", shard, date(2025, 1, 1))


def test_the_least_recently_used_is_forgotten_first() -> None:
    warm = WarmAggregates(size=2)
    a, b, c = _tally(0), _tally(1), _tally(2)
    warm.keep([a, b])
    assert warm.get(a.id) is a  # now b is the least recently used
    warm.keep([c])
    assert warm.get(b.id) is None
    assert warm.get(a.id) is a and warm.get(c.id) is c


def test_forgotten_ids_are_gone_and_unknown_ids_are_ignored() -> None:
    warm = WarmAggregates()
    a, b = _tally(0), _tally(1)
    warm.keep([a])
    warm.forget([a.id, b.id])
    assert warm.get(a.id) is None
