"""A store written by an older pfdo, whose fundings in a category with a count or sum
limit were all counted on the `Period` (`Period.CertificateFunded`) and whose period
dealt no room to shards, keeps its answers: the first newer funding deals the room the
period holds over the shards (`pfdo.domain.room`) and draws from them, the limits count
the older fundings and the newer ones, the list is served, and a rebuild and an audit
agree.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from pfdo import Ledger
from pfdo.application.results import CertificateQueued
from pfdo.domain import funding
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import LimitExceeded
from pfdo.domain.period import CategoryState, Municipality, Period

PERIOD = "2025"
ON = date(2025, 1, 5)


def _open_as_older_pfdo(ledger: Ledger, count: int, total: int) -> None:
    """A period opened before the shards: its room stays on it."""
    municipality = Municipality.register("m", ON)
    municipality.add_period(PERIOD, date(2025, 1, 1), date(2025, 12, 31), ON)
    base = CategoryState(
        nominal=1_000_000,
        count_limit=count,
        sum_limit=total,
        funded_count=0,
        funded_sum=0,
        unit="rub",
    )
    period = Period.open(PERIOD, "m", date(2025, 1, 1), date(2025, 12, 31), {"base": base}, ON)
    ledger._x.save(municipality, period)


def _fund_as_older_pfdo(ledger: Ledger, number: str) -> None:
    """What every funding in a category with limits wrote before the shards."""
    x = ledger._x
    certificate = x.get(Certificate, number, "certificate")
    period = x.get(Period, PERIOD, "period")
    funding.fund_on_period(certificate, period, "base", ON)
    x.save(certificate, period)


def _period_events(ledger: Ledger) -> list[str]:
    events = ledger._x.log.recorder.select_events(Period.id_for(PERIOD))
    return [e.topic.rsplit(".", 1)[-1] for e in events]


def _figures(ledger: Ledger) -> tuple[int, int]:
    (category,) = ledger.period_report(PERIOD).categories
    return category.funded_count, category.funded_sum


@pytest.mark.parametrize("kind", ["count", "sum"])
def test_older_fundings_on_the_period_and_newer_ones_from_shards_add_up(
    db_url: str, kind: str
) -> None:
    count, total = (5, None) if kind == "count" else (None, 5_500_000)
    with Ledger(db_url) as ledger:
        _open_as_older_pfdo(ledger, count, total)  # type: ignore[arg-type]
        numbers = [
            ledger.issue_certificate(
                child=f"c{i}", birth_date="2015-01-01", municipality="m", on="2025-01-01"
            ).number
            for i in range(8)
        ]
        for number in numbers[:3]:
            _fund_as_older_pfdo(ledger, number)
        for number in numbers[3:5]:
            ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-06")
        # the first newer funding dealt the period's room; the second wrote no period
        assert _period_events(ledger)[-2:] == ["CertificateFunded", "RoomDealt"]
        assert _figures(ledger) == (5, 5_000_000)
        full = (
            "reached its count limit of 5"
            if kind == "count"
            else re.escape("50000.00 funded + 10000.00 > 55000.00")
        )
        with pytest.raises(LimitExceeded, match=full):
            ledger.fund_certificate(numbers[5], period=PERIOD, category="base", on="2025-01-06")
        queued = ledger.fund_certificate(
            numbers[5], period=PERIOD, category="base", queue=True, on="2025-01-06"
        )
        assert isinstance(queued, CertificateQueued) and queued.position == 1
        with pytest.raises(LimitExceeded, match="cannot be lowered"):
            if kind == "count":
                ledger.change_limits(PERIOD, category="base", count=4, on="2025-01-07")
            else:
                ledger.change_limits(PERIOD, category="base", sum="40000", on="2025-01-07")
        unfunded = ledger.unfund_certificate(numbers[0], period=PERIOD, on="2025-01-07")
        assert unfunded.funded_from_queue == [numbers[5]]
        unfunded = ledger.unfund_certificate(numbers[4], period=PERIOD, on="2025-01-07")
        assert unfunded.funded_from_queue == []
        ledger.fund_certificate(numbers[6], period=PERIOD, category="base", on="2025-01-08")
        assert _figures(ledger) == (5, 5_000_000)
        with pytest.raises(LimitExceeded):
            ledger.fund_certificate(numbers[7], period=PERIOD, category="base", on="2025-01-08")
        before = ledger.period_report(PERIOD).categories
        ledger.rebuild()
        assert ledger.period_report(PERIOD).categories == before
        report = ledger.auditor().verify()
        assert report.ok, report.problems
