"""The base of every pfdo aggregate and event.

Each event carries `on`, the business date of the command that caused it, beside the
`timestamp` at which it was recorded. Events are versioned with `class_version`: a later
schema adds `upcast_vN_vN+1` static methods and old stored events are upcast on load.
An aggregate's state is versioned the same way, for its snapshots: an aggregate whose
state changes shape sets `class_version` and the upcasters that bring an older snapshot's
state to the current shape, so that the apply methods and the commands read one shape
with no fallbacks; a snapshot that cannot be upcast raises `StaleSnapshot`, and is
discarded (snapshots are a cache of the events).

Each event also carries `actor`, who asked for the command that wrote it (rule 25): a
keyword-only field, so that the events' own fields keep their order. The domain never sets
it: the application stamps the command's actor on every event the command wrote, before
the save, so the stored payload (and the audit chain over it) holds it. An event recorded
before rule 25 has none and reads `None` (the field's default).
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:pfdo")


@lru_cache(maxsize=65_536)
def stable_id(kind: str, key: str) -> UUID:
    """The aggregate id of a `kind` (period, certificate, ...) named `key` (remembered:
    a bulk names the same few periods and programs at every command)."""
    return uuid5(_NAMESPACE, f"{kind}:{key}")


class StaleSnapshot(Exception):
    """Raised by an aggregate's snapshot upcaster for a snapshot whose state cannot be
    brought to the current shape (it lacks what only the events hold): loading discards
    the snapshot and replays the aggregate from its events."""


class PfdoEvent(Aggregate.Event):
    """An event that changes an existing aggregate, on a business date, by an actor."""

    on: date
    actor: str | None = field(default=None, kw_only=True)


class PfdoCreated(Aggregate.Created):
    """The event that brings an aggregate into being, on a business date, by an actor."""

    on: date
    actor: str | None = field(default=None, kw_only=True)
