"""A decision made on records another writer changed meanwhile is made again, never refused
for money the stale records still showed, on SQLite and PostgreSQL.

Each test lets a second `Ledger` commit in the middle of a first one's decision, right
after the first has read a contract and before it reads the contract's certificate: the
moment at which the two records disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integration.year import funded_child, open_year, pot
from pfdo import Ledger, Refused
from pfdo.application import billing_run
from pfdo.domain.contract import Contract


def _interrupt_after_first_contract_read(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], Any]
) -> list[int]:
    """Run `meanwhile` once, just after `ledger` next reads a contract; count the reads."""
    executor = ledger._x
    original = executor.load
    reads: list[int] = []

    def load(cls: type[Any], aggregate_id: Any) -> Any:
        found = original(cls, aggregate_id)
        if cls is Contract:
            reads.append(1)
            if len(reads) == 1:
                meanwhile()
        return found

    monkeypatch.setattr(executor, "load", load)
    return reads


def _enrolled(ledger: Ledger, end: str = "2025-04-30") -> tuple[str, str]:
    open_year(ledger)
    number = funded_child(ledger, "child-1")
    contract = ledger.enroll(
        number, program="CHESS", start="2025-02-01", end=end, on="2025-01-20"
    ).contract
    return number, contract


def test_a_termination_raced_by_another_is_refused_as_terminated_not_for_money(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        number, contract = _enrolled(first)
        reads = _interrupt_after_first_contract_read(
            first, monkeypatch, lambda: second.terminate(contract, on="2025-02-10")
        )
        with pytest.raises(Refused, match="already terminated on 2025-02-10"):
            first.terminate(contract, on="2025-02-12")
        assert len(reads) == 2  # decided once on the stale contract, then again
        balance = pot(first, number)
        assert balance["credited"] == balance["available"] + balance["reserved"]


def test_a_correction_decided_on_a_stale_contract_is_decided_again(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        number, contract = _enrolled(first)
        first.bill("2025-02", on="2025-03-01")
        spent = pot(first, number)["spent"]
        charged = f"{spent // 100}.{spent % 100:02d}"  # rubles
        reads = _interrupt_after_first_contract_read(
            first,
            monkeypatch,
            lambda: second.correct(
                contract, month="2025-02", refund=charged, reason="закрыто на карантин"
            ),
        )
        with pytest.raises(Refused, match="exceeds what is left to refund"):
            first.correct(contract, month="2025-02", refund=charged, reason="повтор")
        assert len(reads) == 2
        after = pot(first, number)
        assert after["spent"] == 0
        assert after["credited"] == after["available"] + after["reserved"] + after["spent"]


def test_a_billing_run_overtaken_between_its_reads_charges_nothing_twice(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        number, _ = _enrolled(first, end="2025-02-28")  # all its reserve is February's
        loads: list[int] = []
        original = billing_run.load_batch

        def load_batch(*args: Any) -> Any:
            loaded = original(*args)
            loads.append(1)
            if len(loads) == 1:  # the batch's first read: another run bills it all now
                second.bill("2025-02", on="2025-03-01")
            return loaded

        monkeypatch.setattr(billing_run, "load_batch", load_batch)
        assert first.bill("2025-02", on="2025-03-01").billed == 0
        balance = pot(first, number)
        (line,) = first.register("P1", month="2025-02").lines
        assert balance["spent"] == line.certificate > 0
        assert balance["credited"] == balance["available"] + balance["reserved"] + balance["spent"]
