"""`audit verify` checks the settlement invariants of docs/RULES.md (rules 16, 17).

A year with an advance, an invoice, a refund after it and the next invoice deducting it
verifies clean. Then the invoice event itself is edited (as someone who holds the file
could): besides the broken chain, the refold names the invoice whose due no longer
follows from its amount, advance and adjustments, and the provider whose invoiced months
no longer add up.
"""

from __future__ import annotations

import json
from pathlib import Path

from audit_support import Tamper

from pfdo import Ledger
from pfdo.audit.auditor import Auditor
from pfdo.audit.replay import replay


def _settled_year(path: str) -> None:
    with Ledger(path) as ledger:
        ledger.open_period(
            "2025", municipality="m", start="2025-01-01", end="2025-12-31",
            categories={"base": {"nominal": "10000"}}, on="2025-01-01",
        )  # fmt: skip
        ledger.period_settings("2025", advance=80, on="2025-01-01")
        ledger.add_provider("P1", name="Школа", on="2025-01-01")
        ledger.add_program(
            "ART", provider="P1", title="Рисунок", monthly_price="3000",
            normative_price="2500", min_age=5, max_age=17, on="2025-01-01",
        )  # fmt: skip
        number = ledger.issue_certificate(
            child="c", birth_date="2015-01-01", municipality="m", on="2025-01-01"
        ).number
        ledger.fund_certificate(number, period="2025", category="base", on="2025-01-02")
        contract = ledger.enroll(
            number, program="ART", start="2025-03-10", end="2025-05-31", on="2025-03-01"
        ).contract
        ledger.issue_advance(provider="P1", month="2025-04", on="2025-04-01")
        ledger.bill("2025-03", on="2025-04-01")
        ledger.issue_invoice(provider="P1", month="2025-03", on="2025-04-02")
        ledger.correct(contract, month="2025-03", refund="100", reason="отмена", on="2025-04-03")
        ledger.bill("2025-04", on="2025-05-01")
        ledger.issue_invoice(provider="P1", month="2025-04", on="2025-05-02")


def test_a_settled_year_verifies_and_an_edited_invoice_is_named(tmp_path: Path) -> None:
    path = str(tmp_path / "settled.sqlite")
    _settled_year(path)
    with Auditor.open(path) as auditor:
        clean = auditor.verify()
    assert clean.ok, clean.problems
    tamper = Tamper(path)
    april = tamper.first(
        "ProviderAccount.InvoiceIssued", after=tamper.first("ProviderAccount.InvoiceIssued")
    )
    state = json.loads(tamper.state(april))
    assert (state["amount"], state["advance"], state["adjustments"]) == (250000, 200000, 10000)
    state["due"] += 10000  # the refund not deducted after all
    tamper.set_state(april, json.dumps(state).encode())
    with Auditor.open(path) as auditor:
        result = auditor.verify()
    invariants = [p for p in result.problems if p.check == "invariant"]
    messages = [p.message for p in invariants]
    assert any(
        p.position == april and "due 50000 is not amount - advance - adjustments" in p.message
        for p in invariants
    ), messages
    assert any(
        p.aggregate == "provider P1" and "are not its net charges" in p.message for p in invariants
    ), messages


def test_an_export_with_settlement_and_waiting_lists_replays_clean(tmp_path: Path) -> None:
    path = str(tmp_path / "settled.sqlite")
    _settled_year(path)
    with Ledger(path) as ledger:
        late = ledger.issue_certificate(
            child="late", birth_date="2014-01-01", municipality="m", on="2025-05-03"
        ).number
        ledger.change_limits("2025", category="base", count=1, on="2025-05-03")
        ledger.fund_certificate(late, period="2025", category="base", queue=True, on="2025-05-04")
        ledger.change_limits("2025", category="base", count=2, on="2025-05-05")
        ledger.pay_invoice("P1/2025-03", on="2025-05-06")
    with Auditor.open(path) as auditor:
        auditor.export(tmp_path / "log.jsonl")
    replayed = replay(tmp_path / "log.jsonl")
    assert replayed.ok, replayed.problems
    assert sorted(b.number for b in replayed.balances) == sorted([late, _first_number(path)])


def _first_number(path: str) -> str:
    with Ledger(path) as ledger:
        return ledger.contracts(program="ART").contracts[0].number
