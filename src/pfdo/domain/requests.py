"""Idempotency: a request id remembers the command it was used for and its result.

The record is saved in the same atomic `save` as the command's own events, so a retry
either finds the whole first result or nothing at all.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from pfdo.domain.base import PfdoCreated
from pfdo.domain.errors import IdempotencyConflict


class RequestRecord(Aggregate):
    """A command that ran under a request id, with its fingerprint and its result."""

    if TYPE_CHECKING:  # state set by the events' apply(); not dataclass fields
        request_id: str
        command: str
        fingerprint: str
        result: dict[str, Any]

    class Recorded(PfdoCreated):
        request_id: str
        command: str
        fingerprint: str
        result: dict[str, Any]

        def apply(self, aggregate: RequestRecord) -> None:
            aggregate.request_id = self.request_id
            aggregate.command = self.command
            aggregate.fingerprint = self.fingerprint
            aggregate.result = self.result

    @classmethod
    def record(
        cls,
        record: UUID,
        request_id: str,
        command: str,
        fingerprint: str,
        result: dict[str, Any],
        on: date,
    ) -> RequestRecord:
        """Record a command's result under the id the application derives from the request
        id (keyed: `pfdo.storage.pseudonyms`), so that a second use of the id finds this record."""
        return cls._create(
            cls.Recorded,
            id=record,
            request_id=request_id,
            command=command,
            fingerprint=fingerprint,
            result=result,
            on=on,
        )

    def replay(self, command: str, fingerprint: str) -> dict[str, Any]:
        """The first result, if this retry asks for the same command with the same arguments."""
        if (command, fingerprint) != (self.command, self.fingerprint):
            raise IdempotencyConflict(
                f"request id {self.request_id!r} was already used for another command "
                f"or other arguments ({self.command}); use a new request id",
                request_id=self.request_id,
            )
        return self.result
