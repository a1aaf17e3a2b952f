"""Bulk commands: decided in memory, saved in chunks, with the same results as one by one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from integration.year import PERIOD, TOWN, open_year, pot
from pfdo import AlreadyExists, Ledger, LimitExceeded, Refused


def _enrol_children(ledger: Ledger, count: int) -> list[str]:
    numbers = []
    for i in range(count):
        number = ledger.issue_certificate(
            child=f"b{i}", birth_date="2014-03-01", municipality=TOWN, on="2025-01-05"
        ).number
        ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-06")
        ledger.enroll(
            number,
            program="CHESS",
            start="2025-02-01",
            end="2025-04-30",
            mode="attendance" if i % 3 else "fixed",
            on="2025-01-20",
        )
        numbers.append(number)
    return numbers


def test_a_bulk_gives_the_same_balances_and_history_as_commands_one_by_one(
    new_store: Callable[[], str],
) -> None:
    with Ledger(new_store()) as single, Ledger(new_store()) as bulk_ledger:
        for ledger in (single, bulk_ledger):
            open_year(ledger)
            ledger.add_program(
                "POOL",
                provider="P1",
                title="Бассейн",
                monthly_price="2000",
                min_age=5,
                max_age=17,
                capacity=3,
                on="2024-12-20",
            )
        one_by_one = []
        for i in range(12):
            try:
                one_by_one.append(_enrol_children_once(single, i))
            except Refused as refusal:
                one_by_one.append(str(refusal))
        in_bulk = []
        with bulk_ledger.bulk(chunk=7) as bulk:
            for i in range(12):
                try:
                    in_bulk.append(_enrol_children_once(bulk, i))
                except Refused as refusal:
                    in_bulk.append(str(refusal))
        assert in_bulk == one_by_one
        assert any(isinstance(outcome, str) for outcome in in_bulk)
        for outcome in in_bulk:
            if not isinstance(outcome, str):
                assert bulk_ledger.balance(outcome) == single.balance(outcome)
                assert bulk_ledger.history(outcome) == single.history(outcome)


def _enrol_children_once(ledger: Ledger, i: int) -> str:
    number = ledger.issue_certificate(
        child=f"k{i}",
        birth_date="2014-03-01",
        municipality=TOWN,
        number=f"70000000{i:02d}",  # generated numbers are keyed per store: the two differ
        on="2025-01-05",
    ).number
    ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-06")
    ledger.enroll(
        number, program="POOL", start=f"2025-0{2 + i % 3}-01", end="2025-05-31", on="2025-01-20"
    )
    return number


def test_a_refused_command_inside_a_bulk_writes_nothing_and_the_bulk_goes_on(
    ledger: Ledger,
) -> None:
    open_year(ledger, count=2)
    with ledger.bulk(chunk=100) as bulk:
        first = bulk.issue_certificate(
            child="a", birth_date="2014-03-01", municipality=TOWN, on="2025-01-05"
        ).number
        bulk.fund_certificate(first, period=PERIOD, category="base", on="2025-01-06")
        with pytest.raises(AlreadyExists):
            bulk.fund_certificate(first, period=PERIOD, category="base", on="2025-01-06")
        others = [
            bulk.issue_certificate(
                child=c, birth_date="2014-03-01", municipality=TOWN, on="2025-01-05"
            ).number
            for c in ("b", "c")
        ]
        bulk.fund_certificate(others[0], period=PERIOD, category="base", on="2025-01-06")
        with pytest.raises(LimitExceeded):  # the certificate had its event before the period
            bulk.fund_certificate(others[1], period=PERIOD, category="base", on="2025-01-06")
        bulk.enroll(first, program="CHESS", start="2025-02-01", end="2025-02-28", on="2025-01-20")
    assert pot(ledger, first)["reserved"] == 150000
    assert pot(ledger, others[0])["available"] == 1200000
    assert ledger.balance(others[1]).type == "accounting"
    assert len(ledger.history(first).movements) == 2


def test_a_bulk_that_raises_writes_nothing_since_its_last_chunk(ledger: Ledger) -> None:
    open_year(ledger)
    position = ledger.log_position()
    with pytest.raises(RuntimeError, match="operator stopped"), ledger.bulk(chunk=1000) as bulk:
        _enrol_children(bulk, 3)
        raise RuntimeError("operator stopped the import")
    assert ledger.log_position() == position


def test_a_bulk_saves_each_full_chunk_as_it_goes(ledger: Ledger) -> None:
    open_year(ledger)
    with ledger.bulk(chunk=4) as bulk:
        numbers = _enrol_children(bulk, 3)  # 9 commands: two chunks saved, one pending
        assert bulk.balance(numbers[0]).periods[0].reserved > 0  # reports see the bulk
    assert [pot(ledger, n)["reserved"] for n in numbers] == [450000, 450000, 450000]


def test_billing_and_reports_inside_a_bulk_see_every_command_before_them(ledger: Ledger) -> None:
    open_year(ledger)
    with ledger.bulk(chunk=1000) as bulk:
        numbers = _enrol_children(bulk, 3)
        run = bulk.bill("2025-02", on="2025-03-01")
        assert run.billed == 1 and len(run.attendance_missing) == 2
    assert pot(ledger, numbers[0])["spent"] == 150000


def test_a_prefetched_bulk_reads_no_contract_or_request_record_one_by_one(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_year(ledger)
    contracts = [f"{number}-001" for number in _enrol_children(ledger, 3)]
    with ledger.bulk() as bulk:
        bulk.prefetch(contracts=contracts, request_ids=[f"marks-{c}" for c in contracts])
        first, *others = contracts
        bulk.record_attendance(
            first, dates=["2025-02-04"], on="2025-02-28", request_id=f"marks-{first}"
        )  # the period is loaded here, once for the bulk

        def no_single_loads(*_: object) -> None:
            raise AssertionError("a load one by one after the prefetch")

        monkeypatch.setattr(ledger._x, "load", no_single_loads)
        for code in others:
            bulk.record_attendance(
                code, dates=["2025-02-04"], on="2025-02-28", request_id=f"marks-{code}"
            )
        monkeypatch.undo()
    again = ledger.record_attendance(
        contracts[0], dates=["2025-02-04"], on="2025-02-28", request_id=f"marks-{contracts[0]}"
    )
    assert again.recorded == 1  # the request record was written in the bulk: a replay
    assert ledger.requests_replayed == 1
