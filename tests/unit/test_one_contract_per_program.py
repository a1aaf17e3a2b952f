"""Rule 14: one contract per child and program at a time.

A certificate funded for 2025 enrols in program `chess` (1500.00 a month, ages 5-12);
each test then tries a second contract in the same program, or in another one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from eventsourcing.domain import Snapshot

from pfdo.domain import billing
from pfdo.domain.base import StaleSnapshot
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.enrolment import enrol
from pfdo.domain.errors import Refused
from pfdo.domain.period import CategoryState, Period
from pfdo.domain.registry import Program, Provider

NUMBER = "1000000001"
ON = date(2025, 1, 10)


class Child:
    """A funded certificate, its provider's programs and the contracts it has made."""

    def __init__(self) -> None:
        base = CategoryState(
            nominal=12_000_00,
            count_limit=None,
            sum_limit=None,
            funded_count=0,
            funded_sum=0,
            unit="rub",
        )
        self.period = Period.open(
            "2025", "city", date(2025, 1, 1), date(2025, 12, 31), {"base": base}, ON
        )
        self.provider = Provider.admit("school-1", "School 1", "private", ON)
        self.programs = {
            code: Program.add(code, self.provider, code, 1500_00, 5, 12, None, ON)
            for code in ("chess", "art")
        }
        self.certificate = Certificate.issue(NUMBER, "child-1", date(2015, 6, 1), "city", ON)
        self.certificate.fund("2025", "base", 12_000_00, ON, "rub")
        self.contracts: dict[str, Contract] = {}

    def enrol(self, start: str, end: str, program: str = "chess") -> Contract:
        existing = [self.contracts[c] for c in self.certificate.contracts_in(program)]
        contract = enrol(
            self.certificate,
            self.programs[program],
            self.provider,
            self.period,
            date.fromisoformat(start),
            date.fromisoformat(end),
            "fixed",
            ON,
            existing,
        )
        self.contracts[contract.code] = contract
        return contract

    def terminate(self, contract: Contract, on: str) -> None:
        billing.terminate(contract, self.certificate, "moved away", date.fromisoformat(on))


@pytest.fixture
def child() -> Child:
    return Child()


def test_a_second_contract_in_the_same_program_overlapping_the_first_is_refused_naming_it(
    child: Child,
) -> None:
    child.enrol("2025-01-15", "2025-04-10")
    with pytest.raises(Refused) as refused:
        child.enrol("2025-04-10", "2025-06-30")
    assert str(refused.value) == (
        "certificate 1000000001 already has contract 1000000001-001 in program chess "
        "(2025-01-15..2025-04-10), which overlaps 2025-04-10..2025-06-30: "
        "one contract per child and program at a time"
    )


def test_a_refused_second_contract_changes_nothing(child: Child) -> None:
    child.enrol("2025-01-15", "2025-04-10")
    version = child.certificate.version
    with pytest.raises(Refused):
        child.enrol("2025-02-01", "2025-02-28")
    assert child.certificate.version == version
    assert child.certificate.contracts_in("chess") == ["1000000001-001"]


def test_a_contract_inside_or_around_the_first_is_refused(child: Child) -> None:
    child.enrol("2025-03-01", "2025-03-31")
    for start, end in [("2025-01-01", "2025-12-31"), ("2025-03-15", "2025-03-15")]:
        with pytest.raises(Refused, match="already has contract 1000000001-001"):
            child.enrol(start, end)


def test_an_adjacent_contract_in_the_same_program_is_accepted(child: Child) -> None:
    child.enrol("2025-01-15", "2025-04-10")
    assert child.enrol("2025-04-11", "2025-06-30").code == "1000000001-002"
    assert child.enrol("2025-01-01", "2025-01-14").code == "1000000001-003"


def test_an_overlapping_contract_in_another_program_is_accepted(child: Child) -> None:
    child.enrol("2025-01-15", "2025-04-10")
    assert child.enrol("2025-01-15", "2025-04-10", program="art").code == "1000000001-002"


def test_after_a_termination_a_contract_starting_after_its_date_is_accepted(
    child: Child,
) -> None:
    first = child.enrol("2025-01-15", "2025-06-30")
    child.terminate(first, "2025-03-20")
    assert child.enrol("2025-03-21", "2025-06-30").code == "1000000001-002"


def test_a_terminated_contract_counts_up_to_its_termination_date(child: Child) -> None:
    first = child.enrol("2025-01-15", "2025-06-30")
    child.terminate(first, "2025-03-20")
    with pytest.raises(Refused) as refused:
        child.enrol("2025-03-20", "2025-06-30")
    assert "contract 1000000001-001 in program chess (2025-01-15..2025-03-20, terminated)" in str(
        refused.value
    )


def test_a_contract_terminated_before_its_start_overlaps_nothing(child: Child) -> None:
    first = child.enrol("2025-03-01", "2025-06-30")
    child.terminate(first, "2025-02-01")
    assert child.enrol("2025-03-01", "2025-06-30").code == "1000000001-002"


def test_a_certificate_restored_from_a_snapshot_keeps_its_contracts_programs(
    child: Child,
) -> None:
    child.enrol("2025-01-15", "2025-04-10")
    child.enrol("2025-01-15", "2025-04-10", program="art")
    restored = Snapshot.take(child.certificate).mutate(None)
    assert isinstance(restored, Certificate)
    assert restored.contracts_in("chess") == ["1000000001-001"]
    assert restored.contracts_in("art") == ["1000000001-002"]


def test_a_snapshot_from_before_rule_14_cannot_be_upcast(child: Child) -> None:
    """Only the certificate's events say which program each contract is in: such a
    snapshot is discarded on load (`pfdo.storage.loading`) and the certificate replayed."""
    child.enrol("2025-01-15", "2025-04-10")
    snapshot = Snapshot.take(child.certificate)
    state = {k: v for k, v in snapshot.state.items() if k != "contract_programs"}
    del state["class_version"]  # version 1
    with pytest.raises(StaleSnapshot):
        replace(snapshot, state=state).mutate(None)
