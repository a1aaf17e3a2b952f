"""Aggregates kept warm between commands (`pfdo.storage.loading.WarmAggregates`) never decide on
a state the log has moved past: another `Ledger` on the same store changes what one
`Ledger` keeps, and the next command of the first decides on the log's state; a command
that fails leaves nothing of its attempt behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integration.year import PERIOD, funded_child, open_year, pot
from pfdo import Ledger
from pfdo.domain.errors import Refused


@pytest.fixture
def two(db_url: str) -> Iterator[tuple[Ledger, Ledger]]:
    with Ledger(db_url) as first, Ledger(db_url) as second:
        yield first, second


def test_a_certificate_another_ledger_changed_is_decided_again_on_the_log(
    two: tuple[Ledger, Ledger],
) -> None:
    first, second = two
    open_year(first)
    number = funded_child(first)  # the first keeps the certificate warm
    swim = second.enroll(number, program="SWIM", start="2025-02-01", end="2025-05-31",
                         on="2025-01-10")  # fmt: skip
    assert swim.certificate_share == 1_200_000  # all of the nominal, reserved
    chess = first.enroll(number, program="CHESS", start="2025-02-01", end="2025-05-31",
                         on="2025-01-11")  # fmt: skip
    # the kept certificate was behind: the save conflicted and the enrolment was decided
    # again on the certificate as the log holds it, with nothing left to reserve
    assert first.conflicts_retried == 1
    assert chess.certificate_share == 0
    balance = pot(first, number)
    assert balance["reserved"] == swim.certificate_share == balance["credited"]
    assert balance["available"] == 0


def test_a_period_another_ledger_changed_is_read_as_the_log_holds_it(
    two: tuple[Ledger, Ledger],
) -> None:
    first, second = two
    open_year(first)
    funded_child(first)  # the first keeps the period and the category's tally warm
    second.change_nominal(PERIOD, category="base", nominal="15000", on="2025-01-07")
    number = funded_child(first, child="child-2")
    assert pot(first, number)["credited"] == 1_500_000
    # the kept period was found behind the log before the save: decided again on it
    assert first.conflicts_retried == 1


def test_a_limit_set_through_another_ledger_holds_for_the_next_funding(
    two: tuple[Ledger, Ledger],
) -> None:
    first, second = two
    open_year(first)
    funded_child(first)
    second.change_limits(PERIOD, category="base", count=1, on="2025-01-07")
    number = first.issue_certificate(
        child="child-2", birth_date="2015-05-01", municipality="kazan", on="2025-01-05"
    ).number
    with pytest.raises(Refused, match="count limit"):
        first.fund_certificate(number, period=PERIOD, category="base", on="2025-01-08")
    assert second.balance(number, period=PERIOD).periods == []  # never funded


def test_a_refused_command_leaves_nothing_of_its_attempt_in_what_is_kept(
    ledger: Ledger, db_url: str
) -> None:
    open_year(ledger)
    first, second = funded_child(ledger), funded_child(ledger, child="child-2")
    ledger.enroll(first, program="SWIM", start="2025-02-01", end="2025-05-31", on="2025-01-10")
    with pytest.raises(Refused):  # SWIM takes one child
        ledger.enroll(second, program="SWIM", start="2025-02-01", end="2025-05-31",
                      on="2025-01-10")  # fmt: skip
    chess = ledger.enroll(second, program="CHESS", start="2025-02-01", end="2025-05-31",
                          on="2025-01-10")  # fmt: skip
    balance = pot(ledger, second)
    assert balance["reserved"] == chess.certificate_share == 600_000
    assert balance["available"] == 1_200_000 - 600_000
    with Ledger(db_url) as fresh:  # as a new process sees the log
        assert pot(fresh, second) == balance
