"""Refolding the log in memory, exactly as the projector folds it, for the auditor.

`verify` and `replay` decode each event and fold it with the projector's own `fold_event`
into a workspace that starts empty, so a difference from the stored read models can only
come from the stored rows or from the log, never from a second implementation of the
fold. This workspace also remembers the log position of the event that last wrote each
row, so that a row that differs, or breaks an invariant, is traced to an event. Movement
rows (the histories) are handed to a callback as they are made, and kept only on request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Mapper
from sqlalchemy import Table

from pfdo.audit.invariants import EventChecks, Tally
from pfdo.projections import tables as t
from pfdo.projections.decoding import EventDecoder
from pfdo.projections.fold import fold_event, handled_event_types
from pfdo.projections.workspace import Key, Row, Workspace, primary_key
from pfdo.storage.loading import LoggedEvent


class TracingWorkspace(Workspace):
    """An in-memory workspace that knows which log position last wrote each row."""

    def __init__(self, on_movement: Callable[[Row], None], *, keep_movements: bool) -> None:
        super().__init__(None)
        self.position = 0
        self.rows: dict[Table, dict[Key, Row]] = {}
        self.writers: dict[Table, dict[Key, int]] = {}
        self.movements: list[Row] = []
        self._on_movement = on_movement
        self._keep = keep_movements

    def put(self, table: Table, row: Row) -> None:
        super().put(table, row)
        key = tuple(row[name] for name in primary_key(table))
        self.rows.setdefault(table, {})[key] = row
        self.writers.setdefault(table, {})[key] = self.position

    def require(self, table: Table, *key: Any) -> Row:
        row = super().require(table, *key)
        self.writers.setdefault(table, {})[key] = self.position
        return row

    def append(self, table: Table, row: Row) -> None:
        if table is t.movements:
            self._on_movement(row)
            if self._keep:
                self.movements.append(row)
        else:
            super().append(table, row)

    def table(self, table: Table) -> dict[Key, Row]:
        return self.rows.get(table, {})

    def writer(self, table: Table, key: Key) -> int | None:
        return self.writers.get(table, {}).get(key)


class Refolder:
    """Decodes and folds events one by one, checking each as it goes."""

    def __init__(
        self,
        mapper: Mapper[Any],
        on_movement: Callable[[Row], None] | None = None,
        *,
        keep_movements: bool = False,
    ) -> None:
        self.tally = Tally()

        def movement(row: Row) -> None:
            self.tally.add(row)
            if on_movement is not None:
                on_movement(row)

        self.ws = TracingWorkspace(movement, keep_movements=keep_movements)
        self._decoder = EventDecoder(mapper, handled_event_types())
        self._checks = EventChecks(self.ws, self.tally)

    def fold(self, stored: LoggedEvent) -> list[str]:
        """Fold one event; what is wrong with it, if anything (an empty list if not)."""
        self.ws.position = stored.id
        try:
            event = self._decoder.decode(stored)
            if event is None:
                return []
            fold_event(self.ws, event, stored.id)
        except Exception as error:  # a tampered log can hold anything: report, go on
            return [f"the event cannot be folded: {type(error).__name__}: {error}"]
        return self._checks.after(event, stored.id)
