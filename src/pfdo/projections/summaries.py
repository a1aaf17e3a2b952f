"""Sums over the read models for the desk's exports and the period report.

Each query adds up rows the fold already keeps: every certificate's balance, a period's
balances per category, its certificate movements per provider and kind, the parents'
parts of its billed contract months. No figure is computed twice: the report's totals are
the sums of these rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, func, select

from pfdo.domain.balance import BALANCE_FIELDS
from pfdo.projections import tables as t

Row = dict[str, Any]


def all_balances(connection: Connection, period: str | None = None) -> list[Row]:
    """Every certificate's balance line (of one period, or of all), by period and number."""
    b = t.balances
    query = select(b)
    if period is not None:
        query = query.where(b.c.period == period)
    query = query.order_by(b.c.period, b.c.number)
    return [dict(r) for r in connection.execute(query).mappings()]


def categories_of(connection: Connection, period: str) -> list[Row]:
    """A period's categories with their limits and what is funded against them."""
    c = t.categories
    query = select(c).where(c.c.period == period).order_by(c.c.category)
    return [dict(r) for r in connection.execute(query).mappings()]


def balances_by_category(connection: Connection, period: str) -> dict[str, Row]:
    """A period's balances added up per category: certificates and each amount."""
    b = t.balances
    sums = [func.coalesce(func.sum(b.c[f]), 0).label(f) for f in BALANCE_FIELDS]
    query = (
        select(b.c.category, func.count().label("certificates"), *sums)
        .where(b.c.period == period)
        .group_by(b.c.category)
    )
    return {r["category"]: dict(r) for r in connection.execute(query).mappings()}


def movements_by_provider(
    connection: Connection, period: str
) -> dict[tuple[str, str], dict[str, int]]:
    """A period's movements of contracts' money added up per provider, unit and kind."""
    m = t.movements
    query = (
        select(m.c.provider, m.c.unit, m.c.kind, func.sum(m.c.amount))
        .where(and_(m.c.period == period, m.c.provider.is_not(None)))
        .group_by(m.c.provider, m.c.unit, m.c.kind)
    )
    found: dict[tuple[str, str], dict[str, int]] = {}
    for provider, unit, kind, amount in connection.execute(query):
        found.setdefault((provider, unit), {})[kind] = int(amount)
    return found


def movements_by_kind(connection: Connection, period: str) -> dict[str, int]:
    """A period's movements added up per kind, whoever they concern."""
    m = t.movements
    query = select(m.c.kind, func.sum(m.c.amount)).where(m.c.period == period).group_by(m.c.kind)
    return {kind: int(amount) for kind, amount in connection.execute(query)}


def contracts_by_provider(connection: Connection, period: str) -> dict[tuple[str, str], Row]:
    """Per provider and unit: its contracts in the period and the parents' parts of billed
    months."""
    c, cm = t.contracts, t.contract_months
    counted = (
        select(c.c.provider, c.c.unit, func.count())
        .where(c.c.period == period)
        .group_by(c.c.provider, c.c.unit)
    )
    found: dict[tuple[str, str], Row] = {
        (p, u): {"contracts": int(n), "parent": 0} for p, u, n in connection.execute(counted)
    }
    billed = (
        select(cm.c.provider, cm.c.unit, func.sum(cm.c.parent))
        .where(and_(cm.c.period == period, cm.c.status == "billed"))
        .group_by(cm.c.provider, cm.c.unit)
    )
    for provider, unit, parent in connection.execute(billed):
        row = found.setdefault((provider, unit), {"contracts": 0, "parent": 0})
        row["parent"] = int(parent)
    return found


def certificates_in(connection: Connection, municipality: str) -> int:
    """How many certificates a municipality has issued."""
    c = t.certificates
    query = select(func.count()).where(c.c.municipality == municipality)
    return int(connection.execute(query).scalar_one())
