"""Stored events outlive their classes: an old version is upcast when it is read back.

pfdo's events start at class_version 1. A later schema sets `class_version = 2` and adds a
static `upcast_v1_v2(state)`; the event log's mapper applies it to every stored v1 event.
This test stores a v1 event as an older pfdo would have and reads it with a v2 class.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from pfdo.domain.base import PfdoEvent
from pfdo.storage.store import StoreURL, open_event_log


class Ticket(Aggregate):
    class Priced(PfdoEvent):
        """v1 carried `amount`; v2 adds `currency`, which v1 events lacked."""

        class_version = 2
        amount: int
        currency: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["currency"] = "RUB"


def test_a_stored_v1_event_is_upcast_to_the_current_version(db_url: str) -> None:
    log = open_event_log(StoreURL.parse(db_url))
    try:
        v1_state = (
            b'{"timestamp":{"_type_":"datetime_iso","_data_":"2025-01-05T10:00:00+00:00"},'
            b'"on":{"_type_":"date_iso","_data_":"2025-01-05"},"amount":150000}'
        )
        stored = StoredEvent(
            originator_id=uuid4(),
            originator_version=2,
            topic=get_topic(Ticket.Priced),
            state=v1_state,
        )
        log.recorder.insert_events([stored])
        (notification,) = log.recorder.select_notifications(start=1, limit=10)
        event = log.mapper.to_domain_event(notification)
        assert isinstance(event, Ticket.Priced)
        assert (event.on, event.amount, event.currency) == (date(2025, 1, 5), 150000, "RUB")
        # and a new event is stored with its version, so it is never upcast twice
        again = log.mapper.to_stored_event(event)
        assert b'"class_version":2' in again.state
    finally:
        log.close()
