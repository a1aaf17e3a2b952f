"""`pfdo audit explain`: every kopeck of a certificate's balance for a period, traced to
the events that produced it.

A balance is a sum of movements, each one event of the log at a known position:

    credited  = funded + nominal changes
    available = funded + nominal changes - reserved + released + refunded - expired
    reserved  = reserved - charged - released
    spent     = charged - refunded
    expired   = expired

explain lists the movements with what each did to each column, adds them up, and checks
the sums three ways: against the stored balance, against the certificate as its own
events replay it (the aggregate), and against the log position by position (the event at
each movement's position must be the certificate's, of that kind and amount, asked for
by the movement's actor). Per
contract it shows what was reserved and where it went: charged, released, still reserved.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from eventsourcing.application import project_aggregate
from eventsourcing.utils import get_topic
from sqlalchemy import Engine

from pfdo.audit import audit_results as res
from pfdo.audit.problems import Problem, event_name
from pfdo.domain.balance import KIND_DELTAS, POT_FIELDS, delta, formula
from pfdo.domain.certificate import Certificate
from pfdo.domain.errors import NotFound
from pfdo.projections import queries
from pfdo.projections.canonical import parse_json, plaintext
from pfdo.projections.fold import MOVEMENT_KINDS
from pfdo.storage.loading import read_log
from pfdo.storage.store import EventLog

COLUMNS = {column: formula(column) for column in POT_FIELDS}
_KIND_OF_TOPIC = {get_topic(cls): kind for cls, kind in MOVEMENT_KINDS.items()}


def _problem(number: str, text: str, position: int | None = None) -> Problem:
    return Problem(
        check="explain",
        position=position,
        aggregate=f"certificate {number}",
        event=None,
        message=text,
    )


def _traced(log: EventLog, number: str, row: dict[str, Any]) -> tuple[str, Problem | None]:
    """The log's event at the movement's position, and what is wrong if it is not it."""
    found = read_log(log, row["seq"] - 1, 1)
    if not found or found[0].id != row["seq"]:
        return "?", _problem(number, "the log has no event at this position", row["seq"])
    stored = found[0]
    payload = parse_json(plaintext(log.mapper, stored.state))
    got = (_KIND_OF_TOPIC.get(stored.topic), payload.get("number"), payload.get("amount"))
    if got != (row["kind"], number, row["amount"]):
        text = f"the history says {row['kind']} {row['amount']}, the log's event says {got}"
        return event_name(stored.topic), _problem(number, text, row["seq"])
    actor = payload.get("actor")
    if actor != row["actor"]:  # rule 25: who asked for it, as the log says
        text = f"the history says {row['actor']!r} asked, the log's event says {actor!r}"
        return event_name(stored.topic), _problem(number, text, row["seq"])
    return event_name(stored.topic), None


def explain(log: EventLog, engine: Engine, number: str, period: str) -> res.Explanation:
    with engine.connect() as connection:
        balances = queries.balances(connection, number, period, unfunded=True)
        rows = queries.movements(connection, number, period)
    if not balances:
        raise NotFound(f"certificate {number} is not funded for period {period}")
    balance, problems = balances[0], []
    movements: list[res.TracedMovement] = []
    by_kind: Counter[str] = Counter()
    contracts: dict[str, tuple[str | None, str | None, Counter[str]]] = {}
    for row in rows:
        event, problem = _traced(log, number, row)
        problems.extend([problem] if problem else [])
        by_kind[row["kind"]] += row["amount"]
        deltas = {c: delta(row["kind"], row["amount"], c) for c in COLUMNS if c != "credited"}
        movements.append(
            res.TracedMovement(
                position=row["seq"],
                event=event,
                on=row["on"],
                kind=row["kind"],
                amount=row["amount"],
                contract=row["contract"],
                month=row["month"],
                **deltas,
                actor=row["actor"],
            )
        )
        if row["contract"] is not None:
            contracts.setdefault(row["contract"], (row["program"], row["provider"], Counter()))
            contracts[row["contract"]][2][row["kind"]] += row["amount"]
    columns = [
        res.ColumnTrace(
            column=c,
            formula=f,
            balance=balance[c],
            total=sum(delta(k, a, c) for k, a in by_kind.items()),
        )
        for c, f in COLUMNS.items()
    ]
    problems.extend(_check(log, number, period, columns))
    return res.Explanation(
        ok=not problems,
        number=number,
        period=period,
        category=balance["category"],
        unit=balance["unit"],
        by_kind={k: by_kind[k] for k in KIND_DELTAS},
        columns=columns,
        contracts=[
            res.ContractTrace(
                contract=code,
                program=program,
                provider=provider,
                reserved=s["reserved"],
                charged=s["charged"],
                released=s["released"],
                refunded=s["refunded"],
                still_reserved=s["reserved"] - s["charged"] - s["released"],
            )
            for code, (program, provider, s) in contracts.items()
        ],
        movements=movements,
        problems=problems,
    )


def _check(
    log: EventLog, number: str, period: str, columns: list[res.ColumnTrace]
) -> list[Problem]:
    problems = [
        _problem(
            number, f"{c.column}: the movements add up to {c.total}, the balance is {c.balance}"
        )
        for c in columns
        if c.total != c.balance
    ]
    # replayed from its own events alone (an audit reads no snapshot)
    certificate: Any = project_aggregate(None, log.events.get(Certificate.id_for(number)))
    if certificate is None:
        raise NotFound(f"certificate {number} does not exist")
    # an unfunded pot (rule 20) is gone from the certificate: all of it is zero
    pot = certificate.pots.get(period, dict.fromkeys(POT_FIELDS, 0))
    for c in columns:
        if pot.get(c.column) != c.total:
            problems.append(
                _problem(
                    number,
                    f"{c.column}: the certificate's own events give "
                    f"{pot.get(c.column)}, the movements {c.total}",
                )
            )
    return problems
