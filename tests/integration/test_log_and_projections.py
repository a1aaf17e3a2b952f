"""The log as the source of truth: idempotent retries, refusals that write nothing,
business-date queries, and a rebuild that gives back exactly the live read models."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from integration.year import PERIOD, funded_child, open_year, pot
from pfdo import IdempotencyConflict, InvalidInput, Ledger, NotFound, PfdoError
from pfdo.projections import tables


def test_a_retried_request_returns_the_first_result_and_writes_nothing(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    first = ledger.enroll(
        number,
        program="CHESS",
        start="2025-02-01",
        end="2025-03-31",
        request_id="portal-42",
        on="2025-01-10",
    )
    position = ledger.log_position()
    again = ledger.enroll(
        number,
        program="CHESS",
        start="2025-02-01",
        end="2025-03-31",
        request_id="portal-42",
        on="2025-01-10",
    )
    assert (first.replayed, again.replayed) == (False, True)
    assert again == first.model_copy(update={"replayed": True})
    assert ledger.log_position() == position
    assert pot(ledger, number)["reserved"] == 300000


def test_a_request_id_reused_with_other_arguments_is_refused(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.enroll(
        number,
        program="CHESS",
        start="2025-02-01",
        end="2025-03-31",
        request_id="portal-42",
        on="2025-01-10",
    )
    with pytest.raises(IdempotencyConflict, match="'portal-42' was already used"):
        ledger.enroll(
            number,
            program="CHESS",
            start="2025-02-01",
            end="2025-04-30",
            request_id="portal-42",
            on="2025-01-10",
        )
    with pytest.raises(IdempotencyConflict):
        ledger.bill("2025-02", on="2025-03-01", request_id="portal-42")


def test_a_retried_billing_run_returns_the_first_totals(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-03-31", on="2025-01-10")
    first = ledger.bill("2025-02", on="2025-03-01", request_id="bill-feb")
    again = ledger.bill("2025-02", on="2025-03-01", request_id="bill-feb")
    assert again == first.model_copy(update={"replayed": True}) and first.charged == 150000


def test_refused_commands_write_nothing(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    position = ledger.log_position()
    refusals = [
        lambda: ledger.fund_certificate(number, period=PERIOD, category="base"),
        lambda: ledger.enroll(
            number, program="CHESS", start="2025-02-01", end="2027-02-01", on="2025-01-10"
        ),
        lambda: ledger.enroll(
            number,
            program="CHESS",
            start="2025-02-01",
            end="2025-03-01",
            mode="sometimes",
            on="2025-01-10",
        ),
        lambda: ledger.bill("2025-02", on="2025-02-15"),
        lambda: ledger.close_period(PERIOD, on="2025-06-01"),
        lambda: ledger.add_program(
            "X", provider="P1", title="x", monthly_price="10.001", min_age=5, max_age=6
        ),
    ]
    for refusal in refusals:
        with pytest.raises(PfdoError):
            refusal()
    assert ledger.log_position() == position


def test_balance_as_of_a_business_date_ignores_later_movements(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-03-31", on="2025-01-20")
    ledger.bill("2025-02", on="2025-03-01")
    (before_billing,) = ledger.balance(number, as_of="2025-02-28").periods
    assert (before_billing.available, before_billing.reserved, before_billing.spent) == (
        900000,
        300000,
        0,
    )
    assert ledger.balance(number, as_of="2025-01-05").type == "accounting"
    (now,) = ledger.balance(number).periods
    assert (now.reserved, now.spent) == (150000, 150000)


def test_history_lists_every_movement_with_its_contract_in_log_order(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    contract = ledger.enroll(
        number, program="CHESS", start="2025-02-01", end="2025-03-31", on="2025-01-20"
    ).contract
    ledger.bill("2025-02", on="2025-03-01")
    ledger.terminate(contract, on="2025-03-02")
    moves = [
        (m.on.isoformat(), m.kind, m.amount, m.contract, m.program, m.provider, m.month)
        for m in ledger.history(number).movements
    ]
    assert moves == [
        ("2025-01-06", "funded", 1200000, None, None, None, None),
        ("2025-01-20", "reserved", 300000, contract, "CHESS", "P1", None),
        ("2025-03-01", "charged", 150000, contract, "CHESS", "P1", "2025-02"),
    ]


def _snapshot(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    engine = ledger._engine
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(r) for r in connection.execute(select(table)).mappings()), key=repr
            )
            for table in tables.FOLDED_TABLES
        }


def test_a_rebuild_from_the_log_gives_exactly_the_live_rows(ledger: Ledger) -> None:
    open_year(ledger, nominal="5000")
    first, second = funded_child(ledger, "c1"), funded_child(ledger, "c2")
    a = ledger.enroll(
        first,
        program="CHESS",
        start="2025-01-15",
        end="2025-04-10",
        mode="attendance",
        on="2025-01-10",
    ).contract
    b = ledger.enroll(
        second, program="SWIM", start="2025-02-01", end="2025-05-31", on="2025-01-10"
    ).contract
    ledger.record_attendance(a, dates=["2025-01-16", "2025-01-20"], on="2025-01-20")
    ledger.record_attendance(a, dates=["2025-02-03"], present=False, on="2025-02-03")
    ledger.bill("2025-01", on="2025-02-01")
    ledger.bill("2025-02", on="2025-03-01")
    ledger.correct(b, month="2025-02", refund="100", reason="pool closed", on="2025-03-03")
    ledger.terminate(b, on="2025-03-10")
    ledger.change_nominal(PERIOD, category="base", nominal="6000", on="2025-03-11")
    ledger.catch_up()  # the read models follow the commands off their path
    live = _snapshot(ledger)
    report = ledger.rebuild()
    assert report.events == ledger.log_position()
    assert _snapshot(ledger) == live
    assert live["pfdo_movements"] and live["pfdo_contract_months"]


def test_known_at_a_log_position_shows_what_had_been_written_by_then(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-03-31", on="2025-01-20")
    before_billing = ledger.balance(number)
    position = ledger.log_position()
    ledger.bill("2025-02", on="2025-03-01")
    assert ledger.balance(number, known_at=position) == before_billing
    assert ledger.balance(number, known_at=str(position)) == before_billing
    assert [m.kind for m in ledger.history(number, known_at=position).movements] == [
        "funded",
        "reserved",
    ]


def test_a_back_dated_command_shows_as_of_its_business_date_but_not_before_it_was_known(
    ledger: Ledger,
) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    ledger.bill("2025-02", on="2025-03-01")
    known = datetime.now(UTC)
    time.sleep(0.01)
    # recorded now, effective 2025-01-20: an enrolment keyed in late
    ledger.enroll(number, program="CHESS", start="2025-02-01", end="2025-03-31", on="2025-01-20")
    (as_of_january,) = ledger.balance(number, as_of="2025-01-31").periods
    assert as_of_january.reserved == 300000
    (as_known,) = ledger.balance(number, as_of="2025-01-31", known_at=known).periods
    assert as_known.reserved == 0
    naive = known.replace(tzinfo=None).isoformat()
    assert ledger.balance(number, known_at=naive).periods[0].reserved == 0


def test_looking_back_before_a_certificate_existed_is_refused(ledger: Ledger) -> None:
    open_year(ledger)
    position = ledger.log_position()
    number = funded_child(ledger)
    with pytest.raises(NotFound, match="did not exist at the time asked about"):
        ledger.balance(number, known_at=position)
    with pytest.raises(InvalidInput, match="neither a log position nor a time"):
        ledger.balance(number, known_at="yesterday")
