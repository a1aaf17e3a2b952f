"""Every kopeck of a balance traced to its events, on SQLite and PostgreSQL (the test on
`tamper` edits a SQLite file behind pfdo's back, so it runs on SQLite only)."""

from __future__ import annotations

from collections import Counter

import pytest
from audit_support import Tamper, Year

from pfdo import Ledger, NotFound
from pfdo.projections.movements import KIND_DELTAS


def test_every_certificates_movements_add_up_to_its_balance(year: Year) -> None:
    with Ledger(year.db) as ledger:
        for number in year.numbers:
            (balance,) = ledger.balance(number, period="2025").periods
            trace = ledger.auditor().explain(number, period="2025")
            assert trace.ok, trace.problems
            for column in trace.columns:
                assert column.total == column.balance == getattr(balance, column.column)
                if column.column != "credited":
                    assert sum(getattr(m, column.column) for m in trace.movements) == column.total
            by_kind: Counter[str] = Counter()
            for movement in trace.movements:
                by_kind[movement.kind] += movement.amount
            assert trace.by_kind == {kind: by_kind[kind] for kind in KIND_DELTAS}


def test_each_movement_is_traced_to_the_certificates_event_at_its_position(year: Year) -> None:
    with Ledger(year.db) as ledger:
        number = year.numbers[3]  # the pool, with a refund in February
        trace = ledger.auditor().explain(number, period="2025")
        history = ledger.history(number).movements
    assert [(m.kind, m.amount) for m in trace.movements] == [(m.kind, m.amount) for m in history]
    positions = [m.position for m in trace.movements]
    assert positions == sorted(positions)
    assert trace.movements[0].event == "Certificate.Funded"
    assert "Certificate.Refunded" in {m.event for m in trace.movements}


def test_a_contracts_reservation_is_shown_charged_released_and_refunded(year: Year) -> None:
    with Ledger(year.db) as ledger:
        trace = ledger.auditor().explain(year.numbers[3], period="2025")
    (contract,) = trace.contracts
    assert contract.still_reserved == 0  # the year is closed
    assert contract.reserved == contract.charged + contract.released
    assert contract.refunded == 75000  # 750.00 back for the pool's closed fortnight


def test_explaining_a_period_the_certificate_is_not_funded_for_is_refused(year: Year) -> None:
    with Ledger(year.db) as ledger, pytest.raises(NotFound, match="not funded for period 2024"):
        ledger.auditor().explain(year.numbers[0], period="2024")


def test_a_history_line_edited_by_hand_is_named_by_explain(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Charged")
    number = tamper.number_at(position)
    tamper.sql("UPDATE pfdo_movements SET amount = amount + 1 WHERE seq = ?", position)
    with Ledger(tamper.path) as ledger:
        trace = ledger.auditor().explain(number, period="2025")
    assert not trace.ok
    assert trace.problems[0].position == position
    assert "the log's event says" in trace.problems[0].message
