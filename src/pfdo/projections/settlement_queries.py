"""Reading what a provider's advances and invoices are built from (rules 16, 17).

An invoice must be built from the registers of one log position, which it records: the
month's register lines, the contract months still open, and the register totals of the
months invoiced before. `invoice_basis` reads the projector's position before and after
those queries and reads again if a catch-up committed in between, so what it returns is
the read models as of one position.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from pfdo.domain.units import to_rubles
from pfdo.projections import tables as t

Line = list[Any]


@dataclass(frozen=True)
class InvoiceBasis:
    """A month's register lines, its open contract months and the invoiced months'
    register totals, all as of log position `as_of`."""

    lines: list[Line]
    unbilled: list[str]
    registers: dict[str, int]
    as_of: int


def advance_lines(connection: Connection, provider: str, month: str) -> list[Line]:
    """Rule 16: [contract, number, floor(c_m * rate / 100)] of every contract month of
    the provider still open, at its period's advance rate; c_m of a contract in hours in
    the rubles its hours are paid at (rule 21)."""
    cm, p = t.contract_months, t.periods
    query = (
        select(
            cm.c.contract,
            cm.c.number,
            cm.c.certificate,
            cm.c.unit,
            cm.c.hour_cost,
            p.c.advance_rate,
        )
        .join(p, p.c.period == cm.c.period)
        .where(cm.c.provider == provider, cm.c.month == month, cm.c.status == "open")
        .order_by(cm.c.contract)
    )
    return [
        [code, number, to_rubles(part, unit, cost) * rate // 100]
        for code, number, part, unit, cost, rate in connection.execute(query)
    ]


def invoice_basis(
    engine: Engine,
    position: Callable[[], int],
    provider: str,
    month: str,
    invoiced: Collection[str],
    attempts: int = 5,
) -> InvoiceBasis:
    """What an invoice for `month` is built from, as of one log position."""
    for _ in range(attempts):
        before = position()
        with engine.connect() as connection:
            lines = register_lines(connection, provider, month)
            unbilled = open_contracts(connection, provider, month)
            registers = register_totals(connection, provider, invoiced)
        if position() == before:
            return InvoiceBasis(lines, unbilled, registers, before)
    raise RuntimeError("the read models kept moving while an invoice was being built")


def register_lines(connection: Connection, provider: str, month: str) -> list[Line]:
    """[contract, number, kopecks payable: certificate part less refunds, hours converted
    (rule 21)] of each billed contract month."""
    cm = t.contract_months
    query = (
        select(cm.c.contract, cm.c.number, cm.c.payable)
        .where(cm.c.provider == provider, cm.c.month == month, cm.c.status == "billed")
        .order_by(cm.c.contract)
    )
    return [[code, number, amount] for code, number, amount in connection.execute(query)]


def open_contracts(connection: Connection, provider: str, month: str) -> list[str]:
    cm = t.contract_months
    query = (
        select(cm.c.contract)
        .where(cm.c.provider == provider, cm.c.month == month, cm.c.status == "open")
        .order_by(cm.c.contract)
    )
    return list(connection.execute(query).scalars())


def register_totals(
    connection: Connection, provider: str, months: Collection[str]
) -> dict[str, int]:
    """month -> its register's total certificate part (charges less refunds, in rubles)."""
    if not months:
        return {}
    cm = t.contract_months
    query = (
        select(cm.c.month, func.sum(cm.c.payable))
        .where(cm.c.provider == provider, cm.c.month.in_(sorted(months)))
        .group_by(cm.c.month)
    )
    return {m: int(total or 0) for m, total in connection.execute(query)}


def providers_in(connection: Connection, period: str) -> list[str]:
    """The providers with a contract in `period`."""
    c = t.contracts
    query = select(c.c.provider).where(c.c.period == period).distinct().order_by(c.c.provider)
    return list(connection.execute(query).scalars())


def documents(
    connection: Connection,
    provider: str | None,
    months: tuple[str, str] | None,
    unpaid: bool,
) -> list[dict[str, Any]]:
    """The advances and invoices, by provider and month (an advance before its invoice)."""
    i = t.invoices
    query = select(i)
    if provider is not None:
        query = query.where(i.c.provider == provider)
    if months is not None:
        query = query.where(i.c.month >= months[0], i.c.month <= months[1])
    if unpaid:
        query = query.where(i.c.paid_on.is_(None))
    query = query.order_by(i.c.provider, i.c.month, i.c.kind)
    return [dict(r) for r in connection.execute(query).mappings()]
