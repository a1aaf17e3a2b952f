"""Sixteen processes funding one category at once (issue 14), on each store.

Each process funds its own certificates once each, with no retry of its own: every
command is funded, refused by the limit or queued, and none gives up after the
executor's retries. A category without limits counts its fundings in tallies
(`pfdo.domain.tally`), so its writers meet on no aggregate; a first limit set while
they fund seals the tallies, and the limit then holds. A category with a count or a sum
limit deals its room over shards (`pfdo.domain.room`): its fundings write no record of
the period, only a certificate that joins the waiting list does.
"""

from __future__ import annotations

import multiprocessing
import re
from typing import Any

import pytest

from pfdo import Ledger, PfdoError
from pfdo.domain.errors import LimitExceeded
from pfdo.domain.period import Period

PERIOD = "2025"
WORKERS = 16
PER_WORKER = 3


def _region(ledger: Ledger, children: int, category: dict[str, Any]) -> list[str]:
    ledger.open_period(
        PERIOD, municipality="m", start="2025-01-01", end="2025-12-31",
        categories={"base": category}, on="2025-01-01",
    )  # fmt: skip
    with ledger.bulk(chunk=100):
        return [
            ledger.issue_certificate(
                child=f"c{i}", birth_date="2015-01-01", municipality="m", on="2025-01-01"
            ).number
            for i in range(children)
        ]


def _fund_each_once(args: tuple[str, list[str], bool]) -> list[str]:
    """Fund each number once: 'funded', 'queued', 'limit' (refused by it) or the error."""
    db, numbers, queue = args
    outcomes = []
    with Ledger(db) as ledger:
        for number in numbers:
            try:
                result = ledger.fund_certificate(
                    number, period=PERIOD, category="base", queue=queue, on="2025-01-10"
                )
            except LimitExceeded:
                outcomes.append("limit")
                continue
            except PfdoError as error:
                outcomes.append(str(error))
                continue
            outcomes.append("queued" if getattr(result, "queued", False) else "funded")
    return outcomes


def _run(db: str, numbers: list[str], queue: bool) -> list[str]:
    batches = [numbers[i::WORKERS] for i in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        return [o for b in pool.map(_fund_each_once, [(db, b, queue) for b in batches]) for o in b]


def _funded_count(ledger: Ledger) -> int:
    (category,) = [c for c in ledger.period_report(PERIOD).categories if c.category == "base"]
    return category.funded_count


def _period_events(ledger: Ledger) -> list[str]:
    """The names of the period's events, in order."""
    events = ledger._x.log.recorder.select_events(Period.id_for(PERIOD))
    return [e.topic.rsplit(".", 1)[-1] for e in events]


def test_sixteen_processes_funding_a_category_without_limits_never_give_up(
    db_url: str,
) -> None:
    with Ledger(db_url) as ledger:
        numbers = _region(ledger, WORKERS * PER_WORKER, {"nominal": "10000"})
    outcomes = _run(db_url, numbers, queue=False)
    assert outcomes == ["funded"] * len(numbers)
    with Ledger(db_url) as ledger:
        assert _funded_count(ledger) == len(numbers)
        with_limit = ledger.change_limits(PERIOD, category="base", count=len(numbers) + 1)
        assert with_limit.count == len(numbers) + 1
        report = ledger.auditor().verify()
        assert report.ok, report.problems


def test_sixteen_processes_funding_a_category_with_a_count_limit_keep_within_it(
    db_url: str,
) -> None:
    limit = 20
    with Ledger(db_url) as ledger:
        numbers = _region(ledger, WORKERS * PER_WORKER, {"nominal": "10000", "count": limit})
    with Ledger(db_url) as ledger:
        opened = _period_events(ledger)
    outcomes = _run(db_url, numbers, queue=True)
    assert sorted(set(outcomes)) == ["funded", "queued"], outcomes
    assert outcomes.count("funded") == limit
    with Ledger(db_url) as ledger:
        assert _funded_count(ledger) == limit
        assert len(ledger.queue(period=PERIOD, category="base").entries) == len(numbers) - limit
        # the fundings wrote no record of the period: only the certificates queued did
        assert _period_events(ledger) == [*opened, *["Queued"] * (len(numbers) - limit)]
        report = ledger.auditor().verify()
        assert report.ok, report.problems


def test_sixteen_processes_funding_a_category_with_a_sum_limit_keep_within_it(
    db_url: str,
) -> None:
    # room for 20 nominals and a half: the half is room no funding can take
    with Ledger(db_url) as ledger:
        numbers = _region(ledger, WORKERS * PER_WORKER, {"nominal": "10000", "sum": "205000"})
        opened = _period_events(ledger)
    outcomes = _run(db_url, numbers, queue=False)
    assert sorted(set(outcomes)) == ["funded", "limit"], outcomes
    assert outcomes.count("funded") == 20
    with Ledger(db_url) as ledger:
        (category,) = ledger.period_report(PERIOD).categories
        assert (category.funded_count, category.funded_sum) == (20, 20_000_000)
        assert _period_events(ledger) == opened  # no funding wrote the period
        full = re.escape("200000.00 funded + 10000.00 > 205000.00")
        late = ledger.issue_certificate(
            child="late", birth_date="2015-01-01", municipality="m", on="2025-01-11"
        ).number
        with pytest.raises(LimitExceeded, match=full):
            ledger.fund_certificate(late, period=PERIOD, category="base", on="2025-01-11")
        raised = ledger.change_limits(PERIOD, category="base", sum="215000", on="2025-01-11")
        assert raised.sum == 21_500_000
        ledger.fund_certificate(late, period=PERIOD, category="base", on="2025-01-11")
        report = ledger.auditor().verify()
        assert report.ok, report.problems


def _set_a_first_limit(db: str) -> int:
    """While the others fund: a count limit 5 above what is funded by then."""
    with Ledger(db) as ledger:
        for _ in range(50):
            try:
                return ledger.change_limits(
                    PERIOD, category="base", count=_funded_count(ledger) + 5, on="2025-01-10"
                ).count
            except LimitExceeded:  # more were funded meanwhile: try above them
                continue
    raise AssertionError("no limit could be set")


def _task(args: tuple[str, list[str] | None]) -> list[str] | int:
    db, numbers = args
    return _set_a_first_limit(db) if numbers is None else _fund_each_once((db, numbers, False))


def test_a_first_limit_set_while_sixteen_processes_fund_holds(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        numbers = _region(ledger, WORKERS * PER_WORKER, {"nominal": "10000"})
    tasks: list[tuple[str, list[str] | None]] = [
        (db_url, numbers[i::WORKERS]) for i in range(WORKERS)
    ]
    tasks.insert(WORKERS // 2, (db_url, None))
    with multiprocessing.get_context("spawn").Pool(WORKERS + 1) as pool:
        done = pool.map(_task, tasks, chunksize=1)
    (limit,) = [d for d in done if isinstance(d, int)]
    outcomes = [o for d in done if isinstance(d, list) for o in d]
    assert sorted(set(outcomes)) <= ["funded", "limit"], outcomes
    with Ledger(db_url) as ledger:
        funded = _funded_count(ledger)
        assert funded == outcomes.count("funded") <= limit
        assert funded == limit or "limit" not in outcomes
        report = ledger.auditor().verify()
        assert report.ok, report.problems
