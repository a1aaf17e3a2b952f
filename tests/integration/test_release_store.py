"""A store written by an earlier release opens, refolds, verifies and bills under today's code.

The store and its expected answers were cut by `tests/fixtures/make_release_store.py` with
the release of the day (its docstring says how). Moving a module must keep every stored
event topic resolving: this test fails at the first event that no longer decodes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pfdo import Ledger

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "release-expected.json").read_text())


@pytest.fixture
def release_store(tmp_path: Path) -> str:
    copy = tmp_path / "release-store.sqlite"
    shutil.copyfile(FIXTURES / "release-store.sqlite", copy)
    return str(copy)


def without_actors(history: dict[str, Any]) -> dict[str, Any]:
    """A history as the release answered it: without the actors (rule 25), which the
    release did not record (`test_actor.py` checks that its events read None)."""
    for movement in history["movements"]:
        movement.pop("actor")
    return history


def answers(ledger: Ledger, numbers: list[str]) -> dict[str, Any]:
    return {
        "balances": {n: _release_balance(ledger, n) for n in numbers},
        "histories": {
            n: without_actors(ledger.history(n).model_dump(mode="json")) for n in numbers[:3]
        },
        "register": ledger.register("POOL", month="2025-10").model_dump(mode="json"),
        "invoices": ledger.invoices(provider="POOL").model_dump(mode="json"),
    }


def _release_balance(ledger: Ledger, number: str) -> dict[str, Any]:
    """The balance in the release's keys: the status (rule 24) came after it, and every
    certificate of the release is active."""
    balance = ledger.balance(number).model_dump(mode="json")
    assert balance.pop("status") == "active"
    return balance


def test_the_release_store_refolds_to_the_releases_answers(release_store: str) -> None:
    numbers = EXPECTED["numbers"]
    with Ledger(release_store) as ledger:
        rebuilt = ledger.rebuild()
        assert rebuilt.events == EXPECTED["before"]["head"]["position"]
        got = answers(ledger, numbers)
    for key, value in got.items():
        assert value == EXPECTED["before"][key], key


def test_the_release_store_verifies_with_the_same_chain_head(release_store: str) -> None:
    with Ledger(release_store) as ledger:
        verification = ledger.auditor().verify()
    assert verification.problems == []
    assert verification.ok
    assert verification.head.model_dump(mode="json") == EXPECTED["before"]["head"]


def test_the_release_store_bills_the_next_month_as_the_release_did(release_store: str) -> None:
    numbers = EXPECTED["numbers"]
    with Ledger(release_store) as ledger:
        billed = ledger.bill("2025-11", on="2025-12-01", request_id="fixture-bill")
        # a result given a request id says it was not replayed (a key added since)
        assert billed.model_dump(mode="json") == {**EXPECTED["bill"], "replayed": False}
        got = answers(ledger, numbers)
        verification = ledger.auditor().verify()
    for key, value in got.items():
        assert value == EXPECTED["after"][key], key
    assert verification.ok, verification.problems
    assert verification.head.position == EXPECTED["after"]["head"]["position"]
