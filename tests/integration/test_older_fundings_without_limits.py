"""A store written by an older pfdo, whose fundings in a category without limits were
all counted on the `Period` (`Period.CertificateFunded`), keeps its answers: the newer
fundings count in tallies, the category's figures add both, a first limit is checked
against all of them, and a rebuild and an audit agree.
"""

from __future__ import annotations

from datetime import date

import pytest

from pfdo import Ledger
from pfdo.domain import funding
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import LimitExceeded
from pfdo.domain.period import Period

PERIOD = "2025"


def _fund_as_older_pfdo(ledger: Ledger, number: str) -> None:
    """What every funding wrote before the tallies: the certificate and the period."""
    x = ledger._x
    certificate = x.get(Certificate, number, "certificate")
    period = x.get(Period, PERIOD, "period")
    funding.fund_on_period(certificate, period, "base", date(2025, 1, 5))
    x.save(certificate, period)


def test_older_fundings_on_the_period_and_newer_ones_in_tallies_add_up(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        ledger.open_period(
            PERIOD, municipality="m", start="2025-01-01", end="2025-12-31",
            categories={"base": {"nominal": "10000"}}, on="2025-01-01",
        )  # fmt: skip
        numbers = [
            ledger.issue_certificate(
                child=f"c{i}", birth_date="2015-01-01", municipality="m", on="2025-01-01"
            ).number
            for i in range(7)
        ]
        for number in numbers[:3]:
            _fund_as_older_pfdo(ledger, number)
        for number in numbers[3:6]:
            ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-06")
        ledger.unfund_certificate(numbers[0], period=PERIOD, on="2025-01-07")
        ledger.unfund_certificate(numbers[4], period=PERIOD, on="2025-01-07")
        (category,) = ledger.period_report(PERIOD).categories
        assert (category.funded_count, category.funded_sum) == (4, 4_000_000)
        with pytest.raises(LimitExceeded, match="has 4 funded certificates"):
            ledger.change_limits(PERIOD, category="base", count=3, on="2025-01-08")
        assert ledger.change_limits(PERIOD, category="base", count=5, on="2025-01-08").count == 5
        ledger.fund_certificate(numbers[0], period=PERIOD, category="base", on="2025-01-09")
        with pytest.raises(LimitExceeded, match="reached its count limit of 5"):
            ledger.fund_certificate(numbers[6], period=PERIOD, category="base", on="2025-01-09")
        before = ledger.period_report(PERIOD).categories
        ledger.rebuild()
        assert ledger.period_report(PERIOD).categories == before
        report = ledger.auditor().verify()
        assert report.ok, report.problems
