"""Idempotency: a request id remembers the command it ran, by fingerprint, and its result.

A command given a request id is saved together with a `RequestRecord` of that id, in the
same atomic `save` as the command's own events, so a retry finds the whole first result
or nothing at all. A retry replays the first result when it repeats the command exactly
(same fingerprint) and is refused (`IdempotencyConflict`) when it does not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from eventsourcing.domain import Aggregate
from pydantic import BaseModel, RootModel

from pfdo.application.commands import Command
from pfdo.domain.requests import RequestRecord
from pfdo.storage.pseudonyms import Pseudonyms

R = TypeVar("R", bound=BaseModel)
#: The record of a request id, or None when the id is new.
FindRecord = Callable[[str], RequestRecord | None]


def fingerprint(command: Command) -> str:
    """What a retry must repeat: every field, the business date (and the fields added
    after a release, `Command.later`) only if it was given, never the actor (the same
    request retried by another actor replays its first result)."""
    given = command.model_fields_set
    exclude = {"actor", *(name for name in ("on", *command.later) if name not in given)}
    payload = command.model_dump_json(exclude=exclude)
    return hashlib.sha256(f"{command.verb}:{payload}".encode()).hexdigest()


def replayed(
    find: FindRecord, command: Command, request_id: str | None, result_type: type[R]
) -> R | None:
    """The first result of a request id already used, marked `replayed=True`, or None for
    a new one."""
    record = None if request_id is None else find(request_id)
    if record is None:
        return None
    first = record.replay(command.verb, fingerprint(command))
    return marked(result_type.model_validate(first), replayed=True)


def marked(result: R, *, replayed: bool) -> R:
    """`result` saying whether it was replayed (`pfdo.application.results.Answer`); a
    result of another kind as it is."""
    if isinstance(result, RootModel):
        return cast(R, result.model_copy(update={"root": marked(result.root, replayed=replayed)}))
    if "replayed" in type(result).model_fields:
        return result.model_copy(update={"replayed": replayed})
    return result


def answered(result: R, request_id: str | None) -> R:
    """A first execution's result: `replayed=False` when a request id was given."""
    return result if request_id is None else marked(result, replayed=False)


def _stored(result: BaseModel) -> dict[str, Any]:
    """What a request record keeps of a result: its JSON form, never `replayed`."""
    stored = result.model_dump(mode="json")
    stored.pop("replayed", None)
    return stored


def request_record(
    ids: Pseudonyms, command: Command, request_id: str | None, result: BaseModel
) -> list[Aggregate]:
    """The record of a request id, to save beside its command's changes (none without);
    its id is keyed (`pfdo.storage.pseudonyms`), since a client may build request ids from a
    child's id."""
    if request_id is None:
        return []
    return [
        RequestRecord.record(
            ids.request_record(request_id),
            request_id,
            command.verb,
            fingerprint(command),
            _stored(result),
            command.on,
        )
    ]
