"""Limits that change, waiting lists and unfunding (rules 19, 20 (docs/RULES.md)).

A category with a count limit of one; three more certificates join its list in turn. The
list is served whenever room appears, from its head, in order, stopping at the first that
does not fit; a certificate waits in one list at a time and leaves it when funded.
Afterwards, 8 processes fund into one category at once: never more funded than the
limit, every other certificate queued exactly once, and a raised limit serves them in
the order they joined.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from pfdo import Ledger, PfdoError
from pfdo.domain.errors import AlreadyExists, LimitExceeded, NotFound, Refused

PERIOD = "2025"


def _region(
    ledger: Ledger, children: int, *, count: int | None = 1, total: str | None = None
) -> list[str]:
    category: dict[str, Any] = {"nominal": "10000"}
    if count is not None:
        category["count"] = count
    if total is not None:
        category["sum"] = total
    ledger.open_period(
        PERIOD, municipality="m", start="2025-01-01", end="2025-12-31",
        categories={"base": category, "other": {"nominal": "5000"}}, on="2025-01-01",
    )  # fmt: skip
    return [
        ledger.issue_certificate(
            child=f"c{i}", birth_date="2015-01-01", municipality="m", on="2025-01-01"
        ).number
        for i in range(children)
    ]


def _queue(ledger: Ledger) -> list[tuple[int, str]]:
    return [(e.position, e.number) for e in ledger.queue(period=PERIOD, category="base").entries]


def test_a_queue_of_three_is_served_in_order_by_a_raised_count_limit(ledger: Ledger) -> None:
    first, a, b, c = _region(ledger, 4)
    ledger.fund_certificate(first, period=PERIOD, category="base", on="2025-01-02")
    with pytest.raises(LimitExceeded, match="reached its count limit of 1"):
        ledger.fund_certificate(a, period=PERIOD, category="base", on="2025-01-03")
    positions = [
        ledger.fund_certificate(n, period=PERIOD, category="base", queue=True, on=f"2025-01-0{d}")
        for n, d in ((a, 3), (b, 4), (c, 5))
    ]
    assert [(p.queued, p.position) for p in positions] == [(True, 1), (True, 2), (True, 3)]
    assert _queue(ledger) == [(1, a), (2, b), (3, c)]
    raised = ledger.change_limits(PERIOD, category="base", count=3, on="2025-02-01")
    assert raised.funded_from_queue == [a, b]  # c does not fit: serving stops there
    assert _queue(ledger) == [(1, c)]
    assert ledger.balance(a).periods[0].credited == 1000000
    assert [h.on.isoformat() for h in ledger.history(a).movements] == ["2025-02-01"]
    assert ledger.balance(c).type == "accounting"
    card = ledger.certificate(c)
    assert [(q.period, q.category, q.position) for q in card.queues] == [(PERIOD, "base", 1)]


def test_a_sum_limit_serves_the_head_only_when_it_fits(ledger: Ledger) -> None:
    first, a, b = _region(ledger, 3, count=None, total="15000")
    ledger.fund_certificate(first, period=PERIOD, category="base", on="2025-01-02")
    for n in (a, b):
        ledger.fund_certificate(n, period=PERIOD, category="base", queue=True, on="2025-01-03")
    assert ledger.change_limits(PERIOD, category="base", sum="29999.99").funded_from_queue == [a]
    assert ledger.change_limits(PERIOD, category="base", sum="30000").funded_from_queue == [b]


def test_lowering_a_limit_below_what_is_funded_is_refused(ledger: Ledger) -> None:
    first, second = _region(ledger, 2, count=2)
    for n in (first, second):
        ledger.fund_certificate(n, period=PERIOD, category="base", on="2025-01-02")
    position = ledger.log_position()
    with pytest.raises(LimitExceeded, match="has 2 funded certificates: its count limit"):
        ledger.change_limits(PERIOD, category="base", count=1)
    with pytest.raises(LimitExceeded, match=r"20000\.00 funded: its sum limit cannot be lowered"):
        ledger.change_limits(PERIOD, category="base", sum="19999.99")
    assert ledger.log_position() == position
    assert ledger.change_limits(PERIOD, category="base", count=2, sum="20000").count == 2


def test_a_certificate_waits_in_one_list_a_period_and_may_leave_it(ledger: Ledger) -> None:
    first, a = _region(ledger, 2)
    ledger.fund_certificate(first, period=PERIOD, category="base", on="2025-01-02")
    ledger.fund_certificate(a, period=PERIOD, category="base", queue=True, on="2025-01-03")
    with pytest.raises(AlreadyExists, match="already waits in the list of category base"):
        ledger.fund_certificate(a, period=PERIOD, category="base", queue=True, on="2025-01-04")
    # funded in another category, it leaves the list it waited in
    ledger.fund_certificate(a, period=PERIOD, category="other", on="2025-01-05")
    assert _queue(ledger) == []
    with pytest.raises(NotFound, match=f"certificate {a} waits in no list"):
        ledger.leave_queue(a, period=PERIOD)
    b = ledger.issue_certificate(child="late", birth_date="2014-01-01", municipality="m").number
    ledger.fund_certificate(b, period=PERIOD, category="base", queue=True, on="2025-01-06")
    assert ledger.leave_queue(b, period=PERIOD, on="2025-01-07").category == "base"
    assert ledger.change_limits(PERIOD, category="base", count=5).funded_from_queue == []
    ledger.fund_certificate(b, period=PERIOD, category="base", queue=True, on="2025-01-08")
    assert ledger.balance(b).periods[0].category == "base"  # room: funded, not queued


def test_unfunding_frees_a_place_that_serves_the_list(ledger: Ledger) -> None:
    first, a = _region(ledger, 2)
    ledger.fund_certificate(first, period=PERIOD, category="base", on="2025-01-02")
    ledger.fund_certificate(a, period=PERIOD, category="base", queue=True, on="2025-01-03")
    unfunded = ledger.unfund_certificate(first, period=PERIOD, on="2025-01-10")
    assert (unfunded.unfunded, unfunded.funded_from_queue) == (1000000, [a])
    assert ledger.balance(first).model_dump(mode="json") == {
        "number": first,
        "type": "accounting",
        "status": "active",
        "periods": [],
    }
    assert [(m.kind, m.amount) for m in ledger.history(first).movements] == [
        ("funded", 1000000),
        ("unfunded", 1000000),
    ]
    assert ledger.balance(first, as_of="2025-01-05").periods[0].available == 1000000
    report = ledger.auditor().verify()
    assert report.ok, report.problems


def test_unfunding_is_refused_while_money_is_reserved(ledger: Ledger) -> None:
    (number,) = _region(ledger, 1)
    ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-02")
    ledger.add_provider("P1", name="Школа", on="2025-01-01")
    ledger.add_program(
        "ART", provider="P1", title="Рисунок", monthly_price="1000", min_age=5, max_age=17,
        on="2025-01-01",
    )  # fmt: skip
    ledger.enroll(number, program="ART", start="2025-02-01", end="2025-02-28", on="2025-01-20")
    position = ledger.log_position()
    with pytest.raises(Refused, match=r"1000\.00 reserved and 0\.00 spent in period 2025"):
        ledger.unfund_certificate(number, period=PERIOD, on="2025-01-21")
    assert ledger.log_position() == position


def test_the_lists_lapse_at_period_close(ledger: Ledger) -> None:
    first, a = _region(ledger, 2)
    ledger.fund_certificate(first, period=PERIOD, category="base", on="2025-01-02")
    ledger.fund_certificate(a, period=PERIOD, category="base", queue=True, on="2025-01-03")
    ledger.close_period(PERIOD, on="2025-12-31")
    assert _queue(ledger) == []
    assert ledger.certificate(a).queues == []


WORKERS = 8
PER_WORKER = 2
LIMIT = 5


def _fund_all(args: tuple[str, list[str]]) -> list[dict[str, Any]]:
    db, numbers = args
    outcomes = []
    with Ledger(db) as ledger:
        for number in numbers:
            for _ in range(20):  # a caller retries a lost race with its request id
                try:
                    result = ledger.fund_certificate(
                        number, period=PERIOD, category="base", queue=True,
                        on="2025-01-10", request_id=f"fund-{number}",
                    )  # fmt: skip
                except PfdoError as error:
                    if "gave up after" not in str(error):
                        raise
                    continue
                outcomes.append(result.model_dump(mode="json"))
                break
    return outcomes


def test_eight_processes_funding_at_once_keep_within_the_limit(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        numbers = _region(ledger, WORKERS * PER_WORKER, count=LIMIT)
    batches = [numbers[i * PER_WORKER : (i + 1) * PER_WORKER] for i in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        outcomes = [
            o for batch in pool.map(_fund_all, [(db_url, b) for b in batches]) for o in batch
        ]
    assert len(outcomes) == len(numbers)
    funded = [o["number"] for o in outcomes if "nominal" in o]
    queued = [o for o in outcomes if o.get("queued")]
    assert len(funded) == LIMIT
    assert sorted(o["position"] for o in queued) == list(range(1, len(numbers) - LIMIT + 1))
    with Ledger(db_url) as ledger:
        waiting = [number for _, number in _queue(ledger)]
        assert sorted(waiting) == sorted(o["number"] for o in queued)
        assert [
            number for o in sorted(queued, key=lambda o: o["position"]) for number in [o["number"]]
        ] == waiting
        served = ledger.change_limits(PERIOD, category="base", count=LIMIT + 4, on="2025-02-01")
        assert served.funded_from_queue == waiting[:4]
        assert [number for _, number in _queue(ledger)] == waiting[4:]
        report = ledger.auditor().verify()
        assert report.ok, report.problems


def test_unfunding_is_refused_while_a_contract_paid_nothing_still_runs(ledger: Ledger) -> None:
    (number,) = _region(ledger, 1)
    ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-02")
    ledger.add_provider("P1", name="Школа", on="2025-01-01")
    for code, price in (("A", "20000"), ("B", "500")):
        ledger.add_program(
            code, provider="P1", title=code, monthly_price=price, min_age=5, max_age=17,
            on="2025-01-01",
        )  # fmt: skip
    first = ledger.enroll(
        number, program="A", start="2025-03-01", end="2025-03-31", on="2025-01-02"
    )
    free = ledger.enroll(number, program="B", start="2025-02-01", end="2025-02-28", on="2025-01-02")
    assert (first.certificate_share, free.certificate_share) == (1000000, 0)
    ledger.terminate(first.contract, reason="передумали", on="2025-01-03")  # all released
    with pytest.raises(Refused, match=f"contract\\(s\\) {free.contract} in period 2025"):
        ledger.unfund_certificate(number, period=PERIOD, on="2025-01-04")
    assert ledger.bill("2025-02", on="2025-03-01").billed == 1  # the parents pay it all
    assert ledger.unfund_certificate(number, period=PERIOD, on="2025-03-02").unfunded == 1000000
