"""A certificate's movements read from its own events, for questions about the past.

Two clocks answer two questions. "As of" a business date D keeps the movements whose
business date is on or before D, whenever they were recorded. "Known at" a log position
or a recorded time keeps what had been written by then, whatever its business date.
Both fold the certificate's own events straight from the log, so neither depends on the
live read models (an auditor can compare the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pfdo.domain.certificate import ACTIVE, ANNULLED, Certificate
from pfdo.projections.decoding import EventDecoder
from pfdo.projections.fold import MOVEMENT_KINDS, movement_row
from pfdo.storage.loading import read_aggregate_log
from pfdo.storage.store import EventLog

Row = dict[str, Any]


@dataclass(frozen=True)
class KnownAt:
    """What the system knew: up to a log position, or up to a recorded time."""

    position: int | None = None
    recorded: datetime | None = None

    def admits(self, seq: int, recorded_at: datetime) -> bool:
        if self.position is not None and seq > self.position:
            return False
        return self.recorded is None or recorded_at <= self.recorded


class Timeline:
    """Reads certificates' movements from the log."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self._decoder = EventDecoder(log.mapper, {Certificate.Issued, *MOVEMENT_KINDS})
        self._standing = EventDecoder(
            log.mapper, {Certificate.Issued, Certificate.Moved, Certificate.Annulled}
        )

    def movements(
        self, number: str, *, as_of: date | None = None, known_at: KnownAt | None = None
    ) -> list[Row] | None:
        """The certificate's movements in log order (with `category` on funding), or None
        when the certificate did not exist at the time asked about."""
        rows: list[Row] = []
        units: dict[str, str] = {}  # period -> the unit of its pot
        issued = False
        for logged in read_aggregate_log(self._log, Certificate.id_for(number)):
            event = self._decoder.decode(logged)
            if event is None or (known_at and not known_at.admits(logged.id, event.timestamp)):
                continue
            if isinstance(event, Certificate.Issued):
                issued = as_of is None or event.on <= as_of
                continue
            if as_of is not None and event.on > as_of:
                continue
            if isinstance(event, Certificate.Funded):
                units[event.period] = event.unit
            row = movement_row(event, logged.id, units.get(event.period, "rub"))
            row["category"] = getattr(event, "category", None)
            rows.append(row)
        return rows if issued else None

    def standing(
        self, number: str, *, as_of: date | None = None, known_at: KnownAt | None = None
    ) -> tuple[str, str] | None:
        """The certificate's municipality and status (rule 24) at the time asked about,
        by the same two clocks as `movements`; None when it did not exist then."""
        standing: tuple[str, str] | None = None
        for logged in read_aggregate_log(self._log, Certificate.id_for(number)):
            event = self._standing.decode(logged)
            if event is None or (known_at and not known_at.admits(logged.id, event.timestamp)):
                continue
            if as_of is not None and event.on > as_of:
                continue
            if isinstance(event, Certificate.Issued):
                standing = event.municipality, ACTIVE
            elif standing is not None and isinstance(event, Certificate.Moved):
                standing = event.municipality, standing[1]
            elif standing is not None and isinstance(event, Certificate.Annulled):
                standing = standing[0], ANNULLED
        return standing
