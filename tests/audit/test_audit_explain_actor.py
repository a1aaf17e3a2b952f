"""`audit explain` names who asked for each movement (rule 25), as the log records it,
and names a history line whose actor was edited by hand."""

from __future__ import annotations

from audit_support import Tamper, Year

from pfdo import Ledger


def test_each_traced_movement_carries_the_actor_of_its_event(year: Year) -> None:
    with Ledger(year.db) as ledger:
        for number in year.numbers:
            trace = ledger.auditor().explain(number, period="2025")
            history = ledger.history(number, period="2025").movements
            assert trace.ok, trace.problems
            assert [m.actor for m in trace.movements] == [m.actor for m in history]
            assert all(m.actor for m in trace.movements)


def test_a_movement_whose_actor_was_edited_by_hand_is_named_by_explain(tamper: Tamper) -> None:
    position = tamper.first("Certificate.Reserved")
    number = tamper.number_at(position)
    tamper.sql("UPDATE pfdo_movements SET actor = 'someone-else' WHERE seq = ?", position)
    with Ledger(tamper.path) as ledger:
        trace = ledger.auditor().explain(number, period="2025")
    assert not trace.ok
    (problem,) = trace.problems
    assert problem.position == position
    assert "'someone-else' asked" in problem.message
