"""Aggregates' state has one shape; snapshots of an older shape load into it.

A snapshot is a cache of an aggregate's state at a version. Periods, programs, contracts
and certificates version their state with `class_version`: a snapshot of version 1 (the
shape before units, shards, waiting lists and settings were kept as they are now) is
upcast on load by the aggregate's `upcast_v1_v2`, and gives exactly the state a replay of
the log gives. A certificate snapshot taken before the certificate kept its contracts'
programs cannot be upcast: it is passed over and the certificate replayed from its
events. Old events are upcast the same way: a period opened before units gave its
categories none.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from year import PERIOD, funded_child, open_year

from pfdo import Ledger
from pfdo.domain import funding
from pfdo.domain.base import StaleSnapshot
from pfdo.domain.certificate import Certificate
from pfdo.domain.contract import Contract
from pfdo.domain.period import Period
from pfdo.domain.registry import Program
from pfdo.storage.loading import load_batch
from pfdo.storage.store import EventLog

NUMBER = "1000000001"


def _a_billed_month(ledger: Ledger) -> dict[str, UUID]:
    """A period with settings, a program, a contract billed for February, its certificate."""
    open_year(ledger)
    ledger.period_settings(PERIOD, advance=80, on="2025-01-01")
    number = funded_child(ledger, number=NUMBER)
    contract = ledger.enroll(
        number, program="CHESS", start="2025-02-03", end="2025-06-30", mode="fixed", on="2025-01-20"
    ).contract
    ledger.bill("2025-02", on="2025-03-01")
    return {
        "period": Period.id_for(PERIOD),
        "program": Program.id_for("CHESS"),
        "contract": Contract.id_for(contract),
        "certificate": Certificate.id_for(number),
    }


def _replayed(ledger: Ledger, key: UUID) -> Aggregate:
    """The aggregate from its events alone."""
    aggregate = project_aggregate(None, ledger._log.events.get(key))
    assert isinstance(aggregate, Aggregate)
    return aggregate


def _state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _version_1(
    log: EventLog, aggregate: Aggregate, to_old: Callable[[dict[str, Any]], None]
) -> None:
    """Store a snapshot of `aggregate` as version 1 of its state, made by `to_old` from
    today's, in place of the stored one."""
    state = deepcopy(Snapshot.take(aggregate).state)  # not the aggregate's own dicts
    assert state.pop("class_version") == type(aggregate).class_version
    to_old(state)
    old = Snapshot(
        originator_id=aggregate.id,
        originator_version=aggregate.version,
        timestamp=Snapshot.create_timestamp(),
        topic=get_topic(type(aggregate)),
        state=state,
    )
    log.storage.replace_snapshots(
        [(aggregate.id, aggregate.version)], [log.mapper.to_stored_event(old)]
    )


def _old_period(state: dict[str, Any]) -> None:
    """Before units, shards and waiting lists; settings kept under private names."""
    for category in state["categories"].values():
        assert category["unit"] == "rub"
        assert (category["dealt_count"], category["dealt_sum"], category["generation"]) == (0, 0, 0)
        assert category.pop("queue") == []
        for key in ("unit", "dealt_count", "dealt_sum", "generation"):
            del category[key]
    state["_advance_rate"] = state.pop("advance_rate")
    assert state.pop("final_billing_from") is None  # never set: absent


def _old_program(state: dict[str, Any]) -> None:
    """Before normative costs, hours and the prolongation switch."""
    for key in ("normative", "hours", "hour_cost"):
        assert state.pop(key) is None
    assert state.pop("prolongation") is True


def _old_contract(state: dict[str, Any]) -> None:
    """Before units and the links across periods (rule 23)."""
    assert state.pop("unit") == "rub"
    assert state.pop("hour_cost") is None
    for key in ("continues_until", "continues", "continued_by"):
        assert state.pop(key) is None


def _old_certificate(state: dict[str, Any]) -> None:
    """Before units and annulment (its contracts' programs already kept)."""
    assert state.pop("status") == "active"
    for pot in state["pots"].values():
        assert pot.pop("unit") == "rub"


OLD_SHAPES = {
    "period": _old_period,
    "program": _old_program,
    "contract": _old_contract,
    "certificate": _old_certificate,
}


@pytest.mark.parametrize("kind", sorted(OLD_SHAPES))
def test_a_version_1_snapshot_loads_as_a_replay_of_the_log(ledger: Ledger, kind: str) -> None:
    key = _a_billed_month(ledger)[kind]
    replayed = _replayed(ledger, key)
    _version_1(ledger._log, replayed, OLD_SHAPES[kind])
    batch = load_batch(ledger._log, [key], ledger._decode)
    assert batch.snapshot_versions == {key: replayed.version}  # from the old snapshot
    loaded = batch.aggregates[key]
    assert _state(loaded) == _state(replayed)
    assert Snapshot.take(loaded).state["class_version"] == type(loaded).class_version  # today


def test_the_upcast_period_keeps_its_settings_and_takes_commands(db_url: str) -> None:
    with Ledger(db_url) as ledger:
        key = _a_billed_month(ledger)["period"]
        _version_1(ledger._log, _replayed(ledger, key), _old_period)
    with Ledger(db_url) as ledger:  # nothing kept in memory: the period is read from it
        period = load_batch(ledger._log, [key], ledger._decode).aggregates[key]
        assert isinstance(period, Period)
        assert (period.advance_rate, period.final_billing_from) == (80, None)
        assert period.waiting_numbers("base") == []
        assert not funding.limited(period, "base")
        assert (period.category("base")["dealt_count"], period.category("base")["generation"]) == (
            0,
            0,
        )
        ledger.period_settings(PERIOD, final_billing_from="2025-12-20", on="2025-02-01")
        ledger.change_limits(PERIOD, category="base", count=5, on="2025-02-01")
        number = ledger.issue_certificate(
            child="child-2", birth_date="2016-01-01", municipality="kazan", on="2025-02-02"
        ).number
        ledger.fund_certificate(number, period=PERIOD, category="base", on="2025-02-02")
        assert ledger.balance(number, period=PERIOD).periods[0].credited == 12_000_00
        period = _replayed(ledger, key)
        assert isinstance(period, Period)
        assert (period.advance_rate, period.final_billing_from) == (80, date(2025, 12, 20))
        assert funding.limited(period, "base")


def test_a_certificate_snapshot_without_its_contracts_programs_is_replayed(
    ledger: Ledger,
) -> None:
    key = _a_billed_month(ledger)["certificate"]
    replayed = _replayed(ledger, key)

    def before_rule_14(state: dict[str, Any]) -> None:
        _old_certificate(state)
        del state["contract_programs"]

    _version_1(ledger._log, replayed, before_rule_14)
    (stored,) = ledger._log.storage.load([key])[0]
    with pytest.raises(StaleSnapshot):
        ledger._log.mapper.to_domain_event(
            StoredEvent(stored.originator_id, stored.originator_version, stored.topic, stored.state)
        ).mutate(None)  # type: ignore[attr-defined]
    batch = load_batch(ledger._log, [key], ledger._decode)
    assert batch.snapshot_versions == {}  # passed over: replayed from its first event
    assert _state(batch.aggregates[key]) == _state(replayed)
    # and rule 14 still sees the contract in CHESS
    certificate = batch.aggregates[key]
    assert isinstance(certificate, Certificate)
    assert certificate.contracts_in("CHESS") == [f"{NUMBER}-001"]


def test_a_version_1_period_opened_event_gives_its_categories_rubles(ledger: Ledger) -> None:
    log = ledger._log
    v1_state = (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-12-20T10:00:00+00:00"},'
        b'"on":{"_type_":"date_iso","_data_":"2024-12-20"},'
        b'"originator_topic":"pfdo.domain.period:Period",'
        b'"period":"2024","municipality":"kazan",'
        b'"start":{"_type_":"date_iso","_data_":"2024-01-01"},'
        b'"end":{"_type_":"date_iso","_data_":"2024-12-31"},'
        b'"categories":{"base":{"nominal":1200000,"count_limit":null,"sum_limit":null,'
        b'"funded_count":0,"funded_sum":0}}}'
    )
    stored = StoredEvent(uuid4(), 1, get_topic(Period.Opened), v1_state)
    event = log.mapper.to_domain_event(stored)
    assert isinstance(event, Period.Opened)
    assert event.categories["base"].get("unit") == "rub"
    period = event.mutate(None)
    assert isinstance(period, Period)
    assert period.categories["base"] == {
        "nominal": 1200000,
        "count_limit": None,
        "sum_limit": None,
        "funded_count": 0,
        "funded_sum": 0,
        "unit": "rub",
        "dealt_count": 0,
        "dealt_sum": 0,
        "generation": 0,
        "queue": [],
    }
    assert (period.advance_rate, period.final_billing_from, period.start) == (
        0,
        None,
        date(2024, 1, 1),
    )
    again = log.mapper.to_stored_event(event)
    assert b'"class_version":2' in again.state


def test_a_version_2_certificate_snapshot_loads_as_an_active_certificate(ledger: Ledger) -> None:
    """Version 2 (before rule 24) had no status: its certificates were all active."""
    key = _a_billed_month(ledger)["certificate"]
    replayed = _replayed(ledger, key)
    state = deepcopy(Snapshot.take(replayed).state)
    state["class_version"] = 2
    assert state.pop("status") == "active"
    old = Snapshot(
        originator_id=replayed.id,
        originator_version=replayed.version,
        timestamp=Snapshot.create_timestamp(),
        topic=get_topic(type(replayed)),
        state=state,
    )
    ledger._log.storage.replace_snapshots(
        [(replayed.id, replayed.version)], [ledger._log.mapper.to_stored_event(old)]
    )
    batch = load_batch(ledger._log, [key], ledger._decode)
    assert batch.snapshot_versions == {key: replayed.version}
    assert _state(batch.aggregates[key]) == _state(replayed)
