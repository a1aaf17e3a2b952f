"""What an audit finds, as data: each problem names where (log position), whose
(aggregate, event) and what is wrong. Checks return problems; they never raise them.

Aggregates are named as people know them ("certificate 1000000001", "contract
1000000001-001"), from the payload of one of their events: every event of pfdo carries
its aggregate's key, except a few that carry it only in the aggregate's first event.
A child registration is named by its certificate number, never by the child's id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pfdo.application.results import Result

#: aggregate class -> (what people call it, the payload field that names it)
_NAMING: Mapping[str, tuple[str, str]] = {
    "Certificate": ("certificate", "number"),
    "Contract": ("contract", "contract"),
    "Period": ("period", "period"),
    "Provider": ("provider", "provider"),
    "Program": ("program", "program"),
    "Municipality": ("municipality", "municipality"),
    "ChildRegistration": ("child registration of certificate", "number"),
    "RequestRecord": ("request", "request_id"),
}
MAX_PROBLEMS = 1000


class Problem(Result):
    """One thing an audit found wrong.

    Attributes:
        check: the check that found it (`chain`, `checkpoint`, `read model`, an invariant,
            ...).
        position: the log position concerned, if any.
        aggregate: the aggregate concerned (`Certificate 1234567890`), if known.
        event: the event's name (`Certificate.Charged`), if any.
        message: what is wrong, for people.
    """

    check: str
    position: int | None
    aggregate: str | None
    event: str | None
    message: str


def event_name(topic: str) -> str:
    """`pfdo.domain.certificate:Certificate.Charged` -> `Certificate.Charged`."""
    return topic.partition(":")[2] or topic


def aggregate_class(topic: str) -> str:
    return event_name(topic).rpartition(".")[0]


def describe(topic: str, payload: Mapping[str, Any]) -> str | None:
    """The aggregate's name from one of its events, when that event carries its key."""
    kind, field = _NAMING.get(aggregate_class(topic), ("", ""))
    value = payload.get(field) if field else None
    return f"{kind} {value}" if isinstance(value, str) else None


class Names:
    """Names aggregates by id: from events seen, or by asking `first_event` (the
    aggregate's first event as (topic, payload), or None when it cannot be found)."""

    def __init__(self, first_event: Callable[[str], tuple[str, Any] | None] | None = None):
        self._first_event = first_event
        self._known: dict[str, str] = {}

    def learn(self, originator_id: str, topic: str, payload: Mapping[str, Any]) -> None:
        if originator_id not in self._known and (name := describe(topic, payload)):
            self._known[originator_id] = name

    def name(self, originator_id: str, topic: str | None = None, payload: Any = None) -> str:
        if topic is not None and isinstance(payload, Mapping):
            self.learn(originator_id, topic, payload)
        if originator_id not in self._known and self._first_event is not None:
            first = self._first_event(originator_id)
            if first is not None:
                self.learn(originator_id, *first)
        return self._known.get(originator_id, f"aggregate {originator_id}")


#: the order problems are listed in: what happened to the log first, what follows last
_RANK = {"log": 0, "chain": 0, "export": 0, "checkpoint": 1, "personal-data": 1}


class Problems:
    """Problems as found; at most MAX_PROBLEMS of each check are kept (the rest counted),
    so that a wiped table cannot crowd out the one changed event that explains it."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._kept: Counter[str] = Counter()
        self._dropped: Counter[str] = Counter()

    def add(
        self,
        check: str,
        message: str,
        *,
        position: int | None = None,
        aggregate: str | None = None,
        event: str | None = None,
    ) -> None:
        if self._kept[check] >= MAX_PROBLEMS:
            self._dropped[check] += 1
            return
        self._kept[check] += 1
        self.items.append(
            Problem(
                check=check, position=position, aggregate=aggregate, event=event, message=message
            )
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(**problem.model_dump())

    def listed(self) -> list[Problem]:
        """The problems, the log's first, each kind in log order."""
        ordered = sorted(
            self.items,
            key=lambda p: (_RANK.get(p.check, 2), p.position is None, p.position or 0),
        )
        more = [
            Problem(
                check=check,
                position=None,
                aggregate=None,
                event=None,
                message=f"{count} more {check} problems were found and not listed",
            )
            for check, count in sorted(self._dropped.items())
        ]
        return ordered + more
