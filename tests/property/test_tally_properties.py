"""Properties of the funding tallies of a category without limits (`pfdo.domain.tally`).

Whatever mix of fundings counted on the period (as an older pfdo recorded every one),
fundings counted in tallies, unfundings and nominal changes came before, the day a first
limit is set the period's funded count is the number of certificates funded and its sum
that count times the nominal; a limit below it is refused, one at it is taken, and a
sealed tally takes no more fundings.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfdo.domain import funding
from pfdo.domain.errors import LimitExceeded, Refused
from pfdo.domain.period import CategoryState, Period
from pfdo.domain.tally import SHARDS, FundingTally, shard_of

ON = date(2025, 1, 2)
NOMINAL = 1_000_000

steps = st.lists(
    st.tuples(
        st.sampled_from(["old funding", "tallied funding", "unfunding", "nominal"]),
        st.integers(1, 99_999),
    ),
    max_size=60,
)


def _period() -> Period:
    category = CategoryState(
        nominal=NOMINAL, count_limit=None, sum_limit=None, funded_count=0, funded_sum=0, unit="rub"
    )
    return Period.open("2025", "m", date(2025, 1, 1), date(2025, 12, 31), {"base": category}, ON)


@settings(max_examples=150, deadline=None)
@given(steps=steps, extra=st.integers(0, 3))
def test_a_first_limit_counts_every_funding_whichever_way_it_was_counted(
    steps: list[tuple[str, int]], extra: int
) -> None:
    period = _period()
    tallies = {k: FundingTally.open("2025", "base", k, ON) for k in range(SHARDS)}
    funded: set[str] = set()
    for kind, seed in steps:
        number = f"{seed:010d}"
        nominal = period.category("base")["nominal"]
        if kind == "old funding" and number not in funded:
            period.record_funding(number, "base", ON)
            funded.add(number)
        elif kind == "tallied funding" and number not in funded:
            tallies[shard_of(number)].count_funding(number, ON)
            funded.add(number)
        elif kind == "unfunding" and funded:
            gone = sorted(funded)[seed % len(funded)]
            period.record_unfunding(gone, "base", nominal, ON)
            funded.discard(gone)
        elif kind == "nominal":
            period.change_nominal("base", nominal + seed, ON)
    period.absorb_tallies("base", sum(t.seal(ON) for t in tallies.values()), ON)
    category = period.category("base")
    assert category["funded_count"] == len(funded)
    assert category["funded_sum"] == len(funded) * category["nominal"]
    if funded:
        with pytest.raises(LimitExceeded):
            period.change_limits("base", len(funded) - 1, None, ON)
    period.change_limits("base", len(funded) + extra, None, ON)
    assert (funding.limit_refusal(period, "base") is None) == (extra > 0)
    assert all(t.seal(ON) == 0 for t in tallies.values())  # sealed once
    with pytest.raises(Refused, match="sealed"):
        tallies[0].count_funding("0000000000", ON)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_every_number_falls_in_one_of_the_tallies(number: str) -> None:
    assert 0 <= shard_of(number) < SHARDS
    assert FundingTally.id_for("2025", "base", shard_of(number)) in FundingTally.ids("2025", "base")
