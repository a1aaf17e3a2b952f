"""Fundings in a category without limits, counted in its tallies (`pfdo.domain.tally`),
and the day a first limit is set on such a category.

A funding without limits writes its certificate and one tally; it writes the period only
when the certificate waits in one of its lists (funding takes it off: rule 19). Setting a
first limit writes every tally of the category beside the period, so a funding decided
on the category before the limit conflicts on its tally and is decided again. A close and a
change of nominal write every tally of the categories without limits they touch before
they read the certificates funded (`reckon`), for the same reason.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from pfdo.application.decisions import waiting
from pfdo.domain.certificate import Certificate
from pfdo.domain.period import Period
from pfdo.domain.tally import SHARDS, FundingTally, shard_of, tally_for

if TYPE_CHECKING:
    from pfdo.application.execution import Executor


def fund_without_limits(
    w: Executor, certificate: Certificate, period: Period, category: str, on: date
) -> list[Aggregate]:
    """Rule 3 in a category without limits: credit the nominal, count it in a tally."""
    period.check_open()
    period.category(category)
    certificate.check_fundable(period.code, period.municipality, period.start)
    tally = _tally(w, period.code, category, shard_of(certificate.number), on)
    tally.count_funding(certificate.number, on)
    waiting.credit(certificate, period, category, on)
    changed: list[Aggregate] = [certificate, tally]
    if period.place_of(certificate.number) is not None:
        period.leave_queue(certificate.number, on)
        changed.append(period)
    return changed


def seal_for_limits(w: Executor, period: Period, category: str, on: date) -> list[Aggregate]:
    """Before a first limit on `category`: the period takes over its tallies' count, and
    the tallies take no more fundings; return the tallies (all written)."""
    if period.limited(category):
        return []
    tallies = _all_tallies(w, period, [category], on)
    period.absorb_tallies(category, sum(t.seal(on) for t in tallies), on)
    return list(tallies)


def reckon(
    w: Executor, period: Period, by: str, on: date, category: str | None = None
) -> list[Aggregate]:
    """Before a close (`by` "close": every category) or a change of nominal ("nominal":
    `category`) finds the certificates funded in the read models: write every tally of
    those without limits (creating the ones no funding has made), so that a funding counted
    in one after that read conflicts with this save on its tally and is decided again, on
    the period as the close or the change left it; return the tallies (all written)."""
    names = [category] if category is not None else sorted(period.categories)
    tallies = _all_tallies(w, period, [n for n in names if not period.limited(n)], on)
    for tally in tallies:
        tally.reckon(by, on)
    return list(tallies)


def _all_tallies(
    w: Executor, period: Period, categories: list[str], on: date
) -> list[FundingTally]:
    """Every tally of `categories`, read in one batch (new ones for those no funding has
    made)."""
    shares = [
        (name, k, FundingTally.id_for(period.code, name, k))
        for name in categories
        for k in range(SHARDS)
    ]
    found = w.find_ids(FundingTally, [i for _, _, i in shares])
    return [tally_for(found.get(i), period.code, name, k, on) for name, k, i in shares]


def _tally(w: Executor, period: str, category: str, shard: int, on: date) -> FundingTally:
    found = w.find_id(FundingTally, FundingTally.id_for(period, category, shard))
    return tally_for(found, period, category, shard, on)
