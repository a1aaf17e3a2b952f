"""A funding in a category without limits that races a close or a change of nominal is
either taken by it or decided again after it, on SQLite and PostgreSQL: never credited in
a closed period, never left at the old nominal.

A close and a change of nominal find the certificates funded in the read models; a funding
in a category without limits writes its certificate and one of the category's tallies,
not the period. Each test lets a second `Ledger` commit at the worst moment of the first
one's command: after the first decided and before it saves, or after the first read the
funded certificates and before it saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integration.year import PERIOD, TOWN, funded_child, open_year, pot
from pfdo import Ledger, Refused


def _before_the_save(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], Any]
) -> None:
    """Run `meanwhile` once, after `ledger` next decides and just before it saves."""
    log = ledger._x.log
    original = log.save
    pending = [meanwhile]

    def save(*changed: Any, **guard: Any) -> Any:
        if pending:
            pending.pop()()
        return original(*changed, **guard)

    monkeypatch.setattr(log, "save", save)


def _after_the_catch_up(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], Any]
) -> None:
    """Run `meanwhile` once, just after `ledger`'s next command brings its read models
    level (the moment a close or a change of nominal reads the certificates funded)."""
    executor = ledger._x
    original = executor.settle
    pending = [meanwhile]

    def settle() -> None:
        original()
        if pending:
            pending.pop()()

    monkeypatch.setattr(executor, "settle", settle)


def _issued(ledger: Ledger, child: str) -> str:
    return ledger.issue_certificate(
        child=child, birth_date="2015-05-01", municipality=TOWN, on="2025-01-05"
    ).number


def _fund(ledger: Ledger, number: str) -> Callable[[], Any]:
    return lambda: ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-01-06")


def test_a_funding_saved_after_a_close_is_decided_again_and_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        open_year(first)
        funded_child(first)  # the category's tallies exist; the period is kept warm
        number = _issued(first, "child-2")
        _before_the_save(first, monkeypatch, lambda: second.close_period(PERIOD, on="2025-12-31"))
        with pytest.raises(Refused, match="closed"):
            _fund(first, number)()
        assert first.conflicts_retried >= 1
        assert first.balance(number).periods == []  # credited nothing


@pytest.mark.parametrize("racer", ["close", "nominal change"])
def test_a_funding_saved_while_the_funded_are_read_is_taken_by_the_command(
    db_url: str, monkeypatch: pytest.MonkeyPatch, racer: str
) -> None:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        open_year(first)
        earlier = funded_child(first)
        number = _issued(first, "child-2")
        _after_the_catch_up(second, monkeypatch, _fund(first, number))
        if racer == "close":
            taken = second.close_period(PERIOD, on="2025-12-31").certificates
        else:
            nominal = second.change_nominal(
                PERIOD, category="base", nominal="15000", on="2025-02-01"
            )
            taken = nominal.certificates
        assert second.conflicts_retried >= 1  # it conflicted on the funding's tally
        assert taken == 2
        for each in (earlier, number):
            balance = pot(first, each)
            if racer == "close":  # expired by the close
                assert balance["credited"] == balance["expired"] == 1_200_000
                assert balance["available"] == 0
            else:  # brought to the new nominal
                assert balance["credited"] == balance["available"] == 1_500_000


def test_a_funding_decided_before_a_nominal_change_is_decided_again_on_the_new_one(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        open_year(first)
        funded_child(first)
        number = _issued(first, "child-2")
        _before_the_save(
            first,
            monkeypatch,
            lambda: second.change_nominal(
                PERIOD, category="base", nominal="15000", on="2025-01-06"
            ),
        )
        _fund(first, number)()
        assert first.conflicts_retried >= 1
        assert pot(first, number)["credited"] == 1_500_000
