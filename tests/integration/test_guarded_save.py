"""The save of a command on each store (`pfdo.storage.sqlite.GuardedRecorder`,
`pfdo.storage.postgres.OneTripRecorder`, which sends it in one round trip): a refused
insert writes nothing, says why as the library would, and leaves its pooled connection
fit for the next command.

These tests refuse it both ways it can be refused (a version already taken, and an
aggregate the decision only read changed since) and then go on writing through the same
`Ledger`.
"""

from __future__ import annotations

import pytest
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    RecordConflictError,
    StoredEvent,
)

from integration.year import funded_child, open_year, pot
from pfdo import Ledger
from pfdo.domain.certificate import Certificate
from pfdo.domain.period import Period
from pfdo.storage import ReadChangedMeanwhile
from pfdo.storage.postgres import OneTripRecorder
from pfdo.storage.sqlite import GuardedRecorder


def _recorder(ledger: Ledger) -> ApplicationRecorder:
    recorder = ledger._x.log.recorder
    assert isinstance(recorder, GuardedRecorder | OneTripRecorder)
    return recorder


def _last(recorder: ApplicationRecorder, aggregate_id: object) -> StoredEvent:
    return list(recorder.select_events(aggregate_id))[-1]  # type: ignore[arg-type]


def test_a_version_already_taken_is_a_conflict_that_writes_nothing(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    recorder = _recorder(ledger)
    last = _last(recorder, Certificate.id_for(number))
    before = recorder.max_notification_id()
    with pytest.raises(RecordConflictError) as raised:
        recorder.insert_events([last])
    assert isinstance(raised.value, IntegrityError)
    assert recorder.max_notification_id() == before
    # the pooled connection was rolled back: the next command writes through it
    other = funded_child(ledger, child="child-2")
    assert pot(ledger, other)["credited"] == 1_200_000
    assert recorder.max_notification_id() > before


def test_a_read_only_aggregate_changed_since_refuses_the_whole_insert(ledger: Ledger) -> None:
    open_year(ledger)
    number = funded_child(ledger)
    recorder = _recorder(ledger)
    period = _last(recorder, Period.id_for("2025"))
    certificate = _last(recorder, Certificate.id_for(number))
    next_one = StoredEvent(
        originator_id=period.originator_id,
        originator_version=period.originator_version + 1,
        topic=period.topic,
        state=period.state,
    )
    before = recorder.max_notification_id()
    stale = {certificate.originator_id: certificate.originator_version - 1}
    with pytest.raises(ReadChangedMeanwhile):
        recorder.insert_events([next_one], unchanged=stale)
    assert recorder.max_notification_id() == before
    assert _last(recorder, Period.id_for("2025")).originator_version == period.originator_version
    other = funded_child(ledger, child="child-2")
    assert pot(ledger, other)["credited"] == 1_200_000
