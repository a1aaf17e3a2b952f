"""Reading the read models: balances, histories, registers, the lists and cards of the
registry, and what billing must visit.

Every query is answered from the projection tables.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select

from pfdo.projections import tables as t

Row = dict[str, Any]


def certificate(connection: Connection, number: str) -> Row | None:
    found = (
        connection.execute(select(t.certificates).where(t.certificates.c.number == number))
        .mappings()
        .first()
    )
    return dict(found) if found else None


def period(connection: Connection, code: str) -> Row | None:
    found = (
        connection.execute(select(t.periods).where(t.periods.c.period == code)).mappings().first()
    )
    return dict(found) if found else None


def category(connection: Connection, period: str, name: str) -> Row | None:
    c = t.categories
    found = (
        connection.execute(select(c).where(c.c.period == period, c.c.category == name))
        .mappings()
        .first()
    )
    return dict(found) if found else None


def provider(connection: Connection, code: str) -> Row | None:
    found = (
        connection.execute(select(t.providers).where(t.providers.c.provider == code))
        .mappings()
        .first()
    )
    return dict(found) if found else None


def balances(
    connection: Connection, number: str, period: str | None, *, unfunded: bool = False
) -> list[Row]:
    """A certificate's pots (with `unfunded`, also those unfunded since: rule 20)."""
    query = select(t.balances).where(t.balances.c.number == number)
    if not unfunded:
        query = query.where(t.balances.c.status == "funded")
    if period is not None:
        query = query.where(t.balances.c.period == period)
    return [dict(r) for r in connection.execute(query.order_by(t.balances.c.period)).mappings()]


def movements(connection: Connection, number: str, period: str | None) -> list[Row]:
    query = select(t.movements).where(t.movements.c.number == number)
    if period is not None:
        query = query.where(t.movements.c.period == period)
    return [dict(r) for r in connection.execute(query.order_by(t.movements.c.seq)).mappings()]


def register_lines(connection: Connection, provider: str, month: str) -> list[Row]:
    cm = t.contract_months
    query = (
        select(cm)
        .where(and_(cm.c.provider == provider, cm.c.month == month, cm.c.status == "billed"))
        .order_by(cm.c.contract)
    )
    return [dict(r) for r in connection.execute(query).mappings()]


def open_contracts_in(
    connection: Connection, month: str, periods: list[str] | None = None
) -> list[tuple[str, str]]:
    """Contracts with month `month` neither billed nor cancelled (of `periods` only, when
    given), each with the number of the certificate that pays it."""
    cm = t.contract_months
    query = select(cm.c.contract, cm.c.number).where(
        and_(cm.c.month == month, cm.c.status == "open")
    )
    if periods is not None:
        query = query.where(cm.c.period.in_(periods))
    return [(code, number) for code, number in connection.execute(query.order_by(cm.c.contract))]


def billable_early(connection: Connection, month: str, on: date) -> list[str]:
    """The open periods whose last month is `month` and may be billed on `on`, before
    the next month begins (rule 18)."""
    p = t.periods
    query = select(p.c.period, p.c.end).where(
        p.c.status == "open", p.c.final_billing_from.is_not(None), p.c.final_billing_from <= on
    )
    return [code for code, end in connection.execute(query) if end.isoformat()[:7] == month]


def unbilled_months(connection: Connection, period: str) -> list[str]:
    """`contract month` labels of a period still open."""
    cm = t.contract_months
    query = (
        select(cm.c.contract, cm.c.month)
        .where(and_(cm.c.period == period, cm.c.status == "open"))
        .order_by(cm.c.contract, cm.c.month)
    )
    return [f"{contract} {month}" for contract, month in connection.execute(query)]


def funded_numbers(connection: Connection, period: str, category: str | None = None) -> list[str]:
    query = select(t.balances.c.number).where(
        t.balances.c.period == period, t.balances.c.status == "funded"
    )
    if category is not None:
        query = query.where(t.balances.c.category == category)
    return list(connection.execute(query.order_by(t.balances.c.number)).scalars())


def program(connection: Connection, code: str) -> Row | None:
    found = (
        connection.execute(select(t.programs).where(t.programs.c.program == code))
        .mappings()
        .first()
    )
    return dict(found) if found else None


def contract(connection: Connection, code: str) -> Row | None:
    found = (
        connection.execute(select(t.contracts).where(t.contracts.c.contract == code))
        .mappings()
        .first()
    )
    return dict(found) if found else None


def providers(connection: Connection) -> list[Row]:
    query = select(t.providers).order_by(t.providers.c.provider)
    return [dict(r) for r in connection.execute(query).mappings()]


def programs(connection: Connection, provider: str | None = None) -> list[Row]:
    query = select(t.programs)
    if provider is not None:
        query = query.where(t.programs.c.provider == provider)
    return [dict(r) for r in connection.execute(query.order_by(t.programs.c.program)).mappings()]


def periods(connection: Connection) -> list[Row]:
    """Every period, each with its `categories` (a list of rows, by name)."""
    found = [
        dict(r)
        for r in connection.execute(select(t.periods).order_by(t.periods.c.period)).mappings()
    ]
    by_period: dict[str, list[Row]] = {p["period"]: [] for p in found}
    query = select(t.categories).order_by(t.categories.c.period, t.categories.c.category)
    for r in connection.execute(query).mappings():
        if r["period"] in by_period:
            by_period[r["period"]].append(dict(r))
    for p in found:
        p["categories"] = by_period[p["period"]]
    return found


def contracts_of(
    connection: Connection, *, number: str | None = None, program: str | None = None
) -> list[Row]:
    """Contracts of a certificate or of a program, by contract id."""
    query = select(t.contracts)
    if number is not None:
        query = query.where(t.contracts.c.number == number)
    if program is not None:
        query = query.where(t.contracts.c.program == program)
    return [dict(r) for r in connection.execute(query.order_by(t.contracts.c.contract)).mappings()]


def contract_months(connection: Connection, code: str) -> list[Row]:
    cm = t.contract_months
    query = select(cm).where(cm.c.contract == code).order_by(cm.c.month)
    return [dict(r) for r in connection.execute(query).mappings()]


def waiting_list(connection: Connection, period: str, category: str | None = None) -> list[Row]:
    """The certificates waiting in a period's lists (rule 19), each list head first;
    a closed period's lists have lapsed."""
    w, p = t.waiting, t.periods
    query = (
        select(w.c.category, w.c.number, w.c.since)
        .join(p, p.c.period == w.c.period)
        .where(w.c.period == period, w.c.status == "waiting", p.c.status == "open")
    )
    if category is not None:
        query = query.where(w.c.category == category)
    rows = connection.execute(query.order_by(w.c.category, w.c.seq)).mappings()
    return [dict(r) for r in rows]


def waiting_of(connection: Connection, number: str) -> list[Row]:
    """Where a certificate waits: period, category, since (at most one list a period)."""
    w, p = t.waiting, t.periods
    query = (
        select(w.c.period, w.c.category, w.c.since)
        .join(p, p.c.period == w.c.period)
        .where(w.c.number == number, w.c.status == "waiting", p.c.status == "open")
        .order_by(w.c.period)
    )
    return [dict(r) for r in connection.execute(query).mappings()]
