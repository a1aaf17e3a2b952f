"""The read side of the public API: balances, histories and payment registers.

Each report first lets the read models catch up with the log (another process may have
written), then answers from them. `balance(..., as_of=D)` answers by business date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from pfdo import results as res
from pfdo.commands import Command
from pfdo.domain.errors import NotFound
from pfdo.projections import queries
from pfdo.types import DateIn, MonthIn


class _BalanceQuery(Command):
    """Validation of a report's arguments (reusing the commands' field types)."""

    verb = "balance"
    number: str
    period: str | None = None
    as_of: DateIn | None = None


class _HistoryQuery(Command):
    verb = "history"
    number: str
    period: str | None = None


class _RegisterQuery(Command):
    verb = "register"
    provider: str
    month: MonthIn


class Reports:
    """Balances, histories and registers, read from the projections."""

    _engine: Engine

    def _settle(self) -> None:
        """Bring the read models level with everything decided so far."""
        raise NotImplementedError

    def balance(
        self, number: str, *, period: str | None = None, as_of: date | str | None = None
    ) -> res.Balance:
        """A certificate's money per period, now or as of a past business date."""
        q = _BalanceQuery.build(number=number, period=period, as_of=as_of)
        self._settle()
        with self._engine.connect() as connection:
            row = queries.certificate(connection, number)
            if row is None:
                raise NotFound(f"certificate {number} does not exist")
            current = queries.balances(connection, number, q.period)
            categories = {r["period"]: r["category"] for r in current}
            if q.as_of is None:
                amounts = {r["period"]: r for r in current}
            else:
                amounts = queries.balances_as_of(connection, number, q.period, q.as_of)
        periods = [
            res.PeriodBalance(
                period=p,
                category=categories[p],
                **{
                    k: v[k]
                    for k in ("nominal", "credited", "available", "reserved", "spent", "expired")
                },
            )
            for p, v in sorted(amounts.items())
        ]
        kind = row["kind"] if q.as_of is None else ("financing" if periods else "accounting")
        return res.Balance(number=number, type=kind, periods=periods)

    def history(self, number: str, *, period: str | None = None) -> res.History:
        """Every movement of a certificate's money, in log order."""
        _HistoryQuery.build(number=number, period=period)
        self._settle()
        with self._engine.connect() as connection:
            if queries.certificate(connection, number) is None:
                raise NotFound(f"certificate {number} does not exist")
            rows = queries.movements(connection, number, period)
        return res.History(
            number=number,
            movements=[
                res.Movement(
                    on=r["on"],
                    kind=r["kind"],
                    amount=r["amount"],
                    period=r["period"],
                    contract=r["contract"],
                    program=r["program"],
                    provider=r["provider"],
                    month=r["month"],
                )
                for r in rows
            ],
        )

    def register(self, provider: str, *, month: str) -> res.Register:
        """What the municipality owes a provider for a month, contract by contract."""
        q = _RegisterQuery.build(provider=provider, month=month)
        self._settle()
        with self._engine.connect() as connection:
            if queries.provider(connection, provider) is None:
                raise NotFound(f"provider {provider} does not exist")
            rows = queries.register_lines(connection, provider, q.month)
        lines = [
            res.RegisterLine(
                contract=r["contract"],
                number=r["number"],
                program=r["program"],
                certificate=r["charged"] - r["refunded"],
                parent=r["parent"],
                present=r["present"],
                recorded=r["recorded"],
            )
            for r in rows
        ]
        return res.Register(
            provider=provider,
            month=q.month,
            total_certificate=sum(line.certificate for line in lines),
            total_parent=sum(line.parent for line in lines),
            lines=lines,
        )
