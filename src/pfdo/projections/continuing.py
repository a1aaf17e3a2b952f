"""Reading the read models for rule 23: the contracts that continue into a later period."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from pfdo.projections import tables as t


def period_before(connection: Connection, municipality: str, start: date) -> str | None:
    """The municipality's period that starts last before `start`: no other period of it
    starts between that period's contracts' ends and `start`."""
    p = t.periods
    query = (
        select(p.c.period)
        .where(p.c.municipality == municipality, p.c.start < start)
        .order_by(p.c.start.desc())
        .limit(1)
    )
    return connection.execute(query).scalar()


def continuing(connection: Connection, period: str, until: date) -> list[tuple[str, str]]:
    """The contracts of `period` that continue up to `until` or later and have no
    successor yet, in the order they were made, each with its certificate's number."""
    c = t.contracts
    query = (
        select(c.c.contract, c.c.number)
        .where(
            c.c.period == period,
            c.c.continues_until.is_not(None),
            c.c.continues_until >= until,
            c.c.continued_by.is_(None),
        )
        .order_by(c.c.made, c.c.contract)
    )
    return [(code, number) for code, number in connection.execute(query)]


def continuing_rows(connection: Connection, period: str) -> list[dict[str, Any]]:
    """The contracts of `period` that continue and have no successor yet, as rows, in
    the order they were made."""
    c = t.contracts
    query = (
        select(c)
        .where(c.c.period == period, c.c.continues_until.is_not(None), c.c.continued_by.is_(None))
        .order_by(c.c.made, c.c.contract)
    )
    return [dict(r) for r in connection.execute(query).mappings()]


def prolonged_into(connection: Connection, period: str) -> tuple[int, int, int]:
    """(contracts prolonged into `period`, their certificate shares in rubles, in hours)."""
    c = t.contracts
    query = select(c.c.unit, c.c.share).where(c.c.period == period, c.c.continues.is_not(None))
    count = rub = hours = 0
    for unit, share in connection.execute(query):
        count += 1
        if unit == "hours":
            hours += share
        else:
            rub += share
    return count, rub, hours


def period_after(connection: Connection, municipality: str, end: date) -> dict[str, Any] | None:
    """The municipality's first period that starts after `end`, as a row; None: none yet."""
    p = t.periods
    query = (
        select(p)
        .where(p.c.municipality == municipality, p.c.start > end)
        .order_by(p.c.start)
        .limit(1)
    )
    found = connection.execute(query).mappings().first()
    return dict(found) if found else None
