"""Decoding stored events fast for the folds, and not at all when no fold needs them.

The library's mapper decodes every event with the standard `json` module and an object
hook. A rebuild reads millions of events, and many (attendance marks, request records,
program admissions) change no read model: those are skipped by their topic before any
decoding. The rest are parsed with orjson; the library's typed values
(`{"_type_": ..., "_data_": ...}`, which pfdo's events carry only at their top level) are
turned back into dates and datetimes, and class-version upcasters are applied exactly as
the library's mapper applies them. A store with a cipher or compressor falls back to the
library's mapper.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Notification,
    Transcoding,
)
from eventsourcing.utils import resolve_topic

from pfdo.storage.loading import LoggedEvent
from pfdo.storage.store import DateAsISO


class EventDecoder:
    """Stored events -> domain events, for the event classes a reader needs."""

    def __init__(self, mapper: Mapper[Any], wanted: Collection[type] | None) -> None:
        """Decode the events of the classes `wanted` (None: every class)."""
        self._mapper = mapper
        self._wanted = None if wanted is None else set(wanted)
        self._classes: dict[str, tuple[type, int] | None] = {}
        transcoder = mapper.transcoder
        self._typed: dict[str, Callable[[Any], Any]] = {}
        self._fast = False
        if isinstance(transcoder, JSONTranscoder) and not (mapper.cipher or mapper.compressor):
            self._fast = True
            self._typed = {name: _parser(t) for name, t in transcoder.names.items()}

    def _wanted_class(self, topic: str) -> tuple[type, int] | None:
        """The event class of `topic` and its class version, or None when not wanted;
        resolved once per topic."""
        cls = resolve_topic(topic)
        wanted = self._wanted is None or cls in self._wanted
        self._classes[topic] = (cls, getattr(cls, "class_version", 1)) if wanted else None
        return self._classes[topic]

    def decode(self, notification: LoggedEvent) -> Any | None:
        """The domain event, or None when no fold handles its class."""
        try:
            wanted = self._classes[notification.topic]
        except KeyError:
            wanted = self._wanted_class(notification.topic)
        if wanted is None:
            return None
        if not self._fast:
            return self._decode_slowly(notification)
        cls, class_version = wanted
        state: dict[str, Any] = orjson.loads(notification.state)
        typed = self._typed
        for key, value in state.items():
            if type(value) is dict and "_type_" in value:
                state[key] = typed[value["_type_"]](value["_data_"])
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        state["originator_id"] = notification.originator_id
        state["originator_version"] = notification.originator_version
        event: Any = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _decode_slowly(self, n: LoggedEvent) -> Any:
        """The library's own decoding, for stores with a cipher or a compressor."""
        return self._mapper.to_domain_event(
            Notification(
                id=n.id,
                originator_id=n.originator_id,
                originator_version=n.originator_version,
                topic=n.topic,
                state=n.state,
            )
        )


def _parser(transcoding: Transcoding) -> Callable[[Any], Any]:
    """How to turn a typed value's data back into its value: the transcoding's own
    `decode`, or the standard library's parser it would call, for the ISO dates and
    datetimes of every event (one Python call fewer per value)."""
    if type(transcoding) is DatetimeAsISO:
        return datetime.fromisoformat
    if type(transcoding) is DateAsISO:
        return date.fromisoformat
    return transcoding.decode
