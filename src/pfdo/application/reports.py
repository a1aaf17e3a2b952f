"""The read side of the public API: balances, histories, payment registers, and the
lists and cards of the registry (providers, programs, periods, certificates, contracts).

Each report first lets the read models catch up with the log (another process may have
written), then answers from them. Questions about the past (`as_of` a business date,
`known_at` a log position or recorded time) are answered from the log itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, StrictBool, model_validator
from sqlalchemy import Engine

from pfdo.application import results as res
from pfdo.application.commands import Command
from pfdo.application.continuing import continuing_line
from pfdo.application.failures import translated
from pfdo.application.fields import CertificateNumber, Code, ContractCode, DateIn, MonthIn
from pfdo.domain.certificate import ACTIVE
from pfdo.domain.errors import NotFound
from pfdo.domain.units import HOURS
from pfdo.projections import continuing, queries
from pfdo.projections import settlement_queries as sq
from pfdo.projections.movements import fold_balances
from pfdo.projections.timeline import KnownAt, Timeline
from pfdo.storage.store import StoreURL

_POSITION = re.compile(r"[0-9]{1,18}", re.ASCII)


def _known_at(value: Any) -> KnownAt | None:
    """`--known-at`: a log position (digits) or a recorded time (ISO, UTC when naive)."""
    if value is None or isinstance(value, KnownAt):
        return value
    if isinstance(value, bool) or (isinstance(value, int) and value < 0):
        raise ValueError(f"{value!r} is not a log position: expected a whole number 0 or more")
    if isinstance(value, int) or (isinstance(value, str) and _POSITION.fullmatch(value)):
        return KnownAt(position=int(value))
    if isinstance(value, str):
        try:
            if not value.isascii():
                raise ValueError(value)
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is neither a log position nor a time like 2025-12-31T18:00:00"
            ) from None
        return KnownAt(recorded=moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    if isinstance(value, datetime):
        return KnownAt(recorded=value if value.tzinfo else value.replace(tzinfo=UTC))
    raise ValueError(f"{value!r} is neither a log position nor a time")


class _CertificateQuery(Command):
    """Validation of a report's arguments (reusing the commands' field types)."""

    verb = "balance"
    number: CertificateNumber
    period: Code | None = None
    as_of: DateIn | None = None
    known_at: Annotated[KnownAt | None, BeforeValidator(_known_at)] = None

    @property
    def looks_back(self) -> bool:
        return self.as_of is not None or self.known_at is not None


class _HistoryQuery(_CertificateQuery):
    verb = "history"


class _RegisterQuery(Command):
    verb = "register"
    provider: Code
    month: MonthIn


class _ProgramListQuery(Command):
    verb = "program list"
    provider: Code | None = None


class _CertificateCardQuery(Command):
    verb = "certificate show"
    number: CertificateNumber


class _QueueQuery(Command):
    verb = "queue show"
    period: Code
    category: Code


class _InvoiceQuery(Command):
    verb = "invoice list"
    provider: Code | None = None
    period: Code | None = None
    unpaid: StrictBool = False


class _ContractQuery(Command):
    verb = "contract show"
    contract: ContractCode


class _ContractListQuery(Command):
    verb = "contract list"
    number: CertificateNumber | None = None
    program: Code | None = None

    @model_validator(mode="after")
    def _one_of(self) -> _ContractListQuery:
        if (self.number is None) == (self.program is None):
            raise ValueError("give exactly one of a certificate and a program")
        return self


def _fields_of(model: type[BaseModel], row: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a read-model row that `model` has fields for."""
    return {k: row[k] for k in model.model_fields if k != "replayed"}


def _contract_line(row: dict[str, Any]) -> dict[str, Any]:
    return _fields_of(res.ContractLine, row)


_MONTH_FIELDS = tuple(res.ContractMonth.model_fields)


def _month(row: dict[str, Any]) -> dict[str, Any]:
    """A contract month as its card shows it: lessons are counted when it is billed."""
    month = {k: row[k] for k in _MONTH_FIELDS}
    if row["status"] != "billed":
        month.update(present=None, recorded=None)
    return month


_AMOUNTS = ("nominal", "credited", "available", "reserved", "spent", "expired")


class Reports:
    """Balances, histories and registers, read from the projections (the present) or
    from the log itself (the past: `as_of` a business date, `known_at` a log position or
    recorded time). Mixed into `Ledger`: call them on a `Ledger`.

    Every report first lets the read models catch up with the log, so a caller reads its
    own writes; on a read-only store it answers from the read models as stored. Reports
    write nothing to the store. Amounts are kopecks as integers (see `pfdo.application.results`).
    """

    store: StoreURL
    _engine: Engine
    _timeline: Timeline

    def _settle(self) -> None:
        """Bring the read models level with everything decided so far."""
        raise NotImplementedError

    def _check_period(self, q: _CertificateQuery) -> None:
        """A report asked about a period that does not exist would answer with nothing."""
        if q.period is None:
            return
        with self._engine.connect() as connection:
            if queries.period(connection, q.period) is None:
                raise NotFound(f"period {q.period} does not exist", period=q.period)

    def _past(self, q: _CertificateQuery) -> list[dict[str, Any]]:
        rows = self._timeline.movements(q.number, as_of=q.as_of, known_at=q.known_at)
        if rows is None:
            raise NotFound(
                f"certificate {q.number} did not exist at the time asked about",
                certificate=q.number,
            )
        return [r for r in rows if q.period is None or r["period"] == q.period]

    @translated
    def balance(
        self,
        number: str,
        *,
        period: str | None = None,
        as_of: date | str | None = None,
        known_at: int | str | datetime | None = None,
    ) -> res.Balance:
        """A certificate's money per period: now, as of a past business date, or as the
        system knew it at a log position or recorded time (those two from the log).
        `known_at`: a log position (an `int` or digits) or a time (`datetime` or ISO text,
        UTC when naive). `period` keeps that period's line only.

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the certificate does not exist (or did not at the time asked about),
            or the `period` given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _CertificateQuery.build(number=number, period=period, as_of=as_of, known_at=known_at)
        self._settle()
        self._check_period(q)
        if q.looks_back:
            moves = self._past(q)
            categories = _funded_periods(moves)
            units = {m["period"]: m["unit"] for m in moves}
            folded = fold_balances((m["period"], m["kind"], m["amount"]) for m in moves)
            amounts: dict[str, Any] = {p: folded[p] for p in categories}
            kind = "financing" if categories else "accounting"
            standing = self._timeline.standing(q.number, as_of=q.as_of, known_at=q.known_at)
            status = ACTIVE if standing is None else standing[1]
        else:
            with self._engine.connect() as connection:
                row = queries.certificate(connection, number)
                if row is None:
                    raise NotFound(f"certificate {number} does not exist", certificate=number)
                current = queries.balances(connection, number, q.period)
            categories = {r["period"]: r["category"] for r in current}
            units = {r["period"]: r["unit"] for r in current}
            amounts = {r["period"]: r for r in current}
            kind = row["kind"]
            status = row["status"]
        periods = [
            res.PeriodBalance(
                period=p, category=categories[p], unit=units[p], **{k: v[k] for k in _AMOUNTS}
            )
            for p, v in sorted(amounts.items())
        ]
        return res.Balance(number=number, type=kind, status=status, periods=periods)

    @translated
    def history(
        self,
        number: str,
        *,
        period: str | None = None,
        as_of: date | str | None = None,
        known_at: int | str | datetime | None = None,
    ) -> res.History:
        """Every movement of a certificate's money, in log order (optionally as of a
        business date or as known at a log position or recorded time, as for `balance`).

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the certificate does not exist (or did not at the time asked about),
            or the `period` given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _HistoryQuery.build(number=number, period=period, as_of=as_of, known_at=known_at)
        self._settle()
        self._check_period(q)
        if q.looks_back:
            rows = self._past(q)
        else:
            with self._engine.connect() as connection:
                if queries.certificate(connection, number) is None:
                    raise NotFound(f"certificate {number} does not exist", certificate=number)
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
                    unit=r["unit"],
                    actor=r["actor"],
                )
                for r in rows
            ],
        )

    @translated
    def register(self, provider: str, *, month: str) -> res.Register:
        """What the municipality owes a provider for a month (`YYYY-MM`), contract by
        contract.

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the provider does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _RegisterQuery.build(provider=provider, month=month)
        self._settle()
        with self._engine.connect() as connection:
            if queries.provider(connection, provider) is None:
                raise NotFound(f"provider {provider} does not exist", provider=provider)
            rows = queries.register_lines(connection, provider, q.month)
        lines = [
            res.RegisterLine(
                contract=r["contract"],
                number=r["number"],
                program=r["program"],
                certificate=r["payable"],
                parent=r["parent"],
                present=r["present"],
                recorded=r["recorded"],
                unit=r["unit"],
                hours=r["charged"] - r["refunded"] if r["unit"] == HOURS else None,
            )
            for r in rows
        ]
        return res.Register(
            provider=provider,
            month=q.month,
            total_certificate=sum(line.certificate for line in lines),
            total_parent=sum(line.parent for line in lines),
            lines=lines,
            total_hours=sum(line.hours or 0 for line in lines),
        )

    # -- lists and cards ------------------------------------------------------------------

    @translated
    def providers(self) -> res.ProviderList:
        """Every provider of the registry, admitted or excluded, by code.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        self._settle()
        with self._engine.connect() as connection:
            rows = queries.providers(connection)
        return res.ProviderList(
            providers=[res.ProviderResult(**_fields_of(res.ProviderResult, r)) for r in rows]
        )

    @translated
    def programs(self, *, provider: str | None = None) -> res.ProgramList:
        """Every program (or a provider's), open or withdrawn, by code.

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the `provider` given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _ProgramListQuery.build(provider=provider)
        self._settle()
        with self._engine.connect() as connection:
            if q.provider is not None and queries.provider(connection, q.provider) is None:
                raise NotFound(f"provider {q.provider} does not exist", provider=q.provider)
            rows = queries.programs(connection, q.provider)
        return res.ProgramList(
            programs=[res.ProgramLine(**_fields_of(res.ProgramLine, r)) for r in rows]
        )

    @translated
    def periods(self) -> res.PeriodList:
        """Every period, open or closed, with its categories' nominals and limits.

        Raises:
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        self._settle()
        with self._engine.connect() as connection:
            rows = queries.periods(connection)
        return res.PeriodList(
            periods=[
                res.PeriodLine(
                    period=r["period"],
                    municipality=r["municipality"],
                    start=r["start"],
                    end=r["end"],
                    status=r["status"],
                    categories=[
                        res.CategoryResult(
                            name=c["category"],
                            nominal=c["nominal"],
                            count_limit=c["count_limit"],
                            sum_limit=c["sum_limit"],
                            unit=c["unit"],
                        )
                        for c in r["categories"]
                    ],
                )
                for r in rows
            ]
        )

    @translated
    def certificate(self, number: str) -> res.CertificateCard:
        """A certificate's card: its type, its money per period (the balance lines), its
        contracts and the waiting lists it is on (rule 19).

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the certificate does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _CertificateCardQuery.build(number=number)
        self._settle()
        with self._engine.connect() as connection:
            row = queries.certificate(connection, q.number)
            if row is None:
                raise NotFound(f"certificate {q.number} does not exist", certificate=q.number)
            lines = queries.balances(connection, q.number, None)
            contracts = queries.contracts_of(connection, number=q.number)
            places = [
                res.QueueLine(
                    period=w["period"],
                    category=w["category"],
                    position=_position(connection, w["period"], w["category"], q.number),
                    since=w["since"],
                )
                for w in queries.waiting_of(connection, q.number)
            ]
        return res.CertificateCard(
            number=q.number,
            municipality=row["municipality"],
            type=row["kind"],
            status=row["status"],
            periods=[
                res.PeriodBalance(
                    period=r["period"],
                    category=r["category"],
                    unit=r["unit"],
                    **{k: r[k] for k in _AMOUNTS},
                )
                for r in lines
            ],
            contracts=[res.ContractLine(**_contract_line(c)) for c in contracts],
            queues=places,
        )

    @translated
    def queue(self, *, period: str, category: str) -> res.QueueView:
        """A category's waiting list, head first (rule 19; a closed period's has lapsed).

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the period does not exist, or has no such category.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _QueueQuery.build(period=period, category=category)
        self._settle()
        with self._engine.connect() as connection:
            if queries.period(connection, q.period) is None:
                raise NotFound(f"period {q.period} does not exist", period=q.period)
            if queries.category(connection, q.period, q.category) is None:
                raise NotFound(
                    f"period {q.period} has no category {q.category}",
                    period=q.period,
                    category=q.category,
                )
            rows = queries.waiting_list(connection, q.period, q.category)
        entries = [
            res.QueueEntry(position=i, number=r["number"], since=r["since"])
            for i, r in enumerate(rows, start=1)
        ]
        return res.QueueView(period=q.period, category=q.category, entries=entries)

    @translated
    def invoices(
        self,
        *,
        provider: str | None = None,
        period: str | None = None,
        unpaid: bool = False,
    ) -> res.InvoiceList:
        """Advances and invoices, by provider and month; `unpaid`: the municipality's
        payables. `period` keeps the months inside the period's dates.

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the `provider` or `period` given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _InvoiceQuery.build(provider=provider, period=period, unpaid=unpaid)
        self._settle()
        with self._engine.connect() as connection:
            months = None
            if q.period is not None:
                row = queries.period(connection, q.period)
                if row is None:
                    raise NotFound(f"period {q.period} does not exist", period=q.period)
                months = (row["start"].isoformat()[:7], row["end"].isoformat()[:7])
            if q.provider is not None and queries.provider(connection, q.provider) is None:
                raise NotFound(f"provider {q.provider} does not exist", provider=q.provider)
            rows = sq.documents(connection, q.provider, months, q.unpaid)
        invoices = [res.InvoiceSummary(**r) for r in rows]
        return res.InvoiceList(invoices=invoices, total_due=sum(i.due for i in invoices))

    @translated
    def contract(self, contract: str) -> res.ContractCard:
        """A contract's card: its terms and each month with what was reserved, charged,
        released and refunded, and the lessons billing counted (None until billed).

        Raises:
            InvalidInput: an argument is malformed (a certificate number, code, date,
            month or log position out of form, or a value of the wrong type).
            NotFound: the contract does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _ContractQuery.build(contract=contract)
        self._settle()
        with self._engine.connect() as connection:
            row = queries.contract(connection, q.contract)
            if row is None:
                raise NotFound(f"contract {q.contract} does not exist", contract=q.contract)
            months = queries.contract_months(connection, q.contract)
        return res.ContractCard(
            **_contract_line(row),
            months=[res.ContractMonth(**_month(m)) for m in months],
            actor=row["actor"],
            terminated_by=row["terminated_by"],
            continues_until=row["continues_until"],
            continues=row["continues"],
            continued_by=row["continued_by"],
        )

    @translated
    def continuing(self, period: str) -> res.ContinuingList:
        """The contracts of `period` that continue beyond it and are not prolonged yet
        (rule 23), each with the dates and price its successor will have at the
        program's prices of today.

        Raises:
            InvalidInput: the period's code is malformed.
            NotFound: the period does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _ContinuingQuery.build(period=period)
        self._settle()
        with self._engine.connect() as connection:
            row = queries.period(connection, q.period)
            if row is None:
                raise NotFound(f"period {q.period} does not exist", period=q.period)
            following = continuing.period_after(connection, row["municipality"], row["end"])
            lines = [
                continuing_line(r, queries.program(connection, r["program"]), following)
                for r in continuing.continuing_rows(connection, q.period)
            ]
        return res.ContinuingList(
            period=q.period,
            contracts=lines,
            price=sum(line.price for line in lines if line.unit != HOURS),
            price_hours=sum(line.price for line in lines if line.unit == HOURS),
        )

    @translated
    def contracts(
        self, *, certificate: str | None = None, program: str | None = None
    ) -> res.ContractList:
        """The contracts of a certificate or of a program (exactly one of them).

        Raises:
            InvalidInput: neither or both of `certificate` and `program` are given, or one
            is malformed.
            NotFound: the certificate or program given does not exist.
            StoreUnavailable: the store is busy, unreachable or failing.
        """
        q = _ContractListQuery.build(number=certificate, program=program)
        self._settle()
        with self._engine.connect() as connection:
            if q.number is not None and queries.certificate(connection, q.number) is None:
                raise NotFound(f"certificate {q.number} does not exist", certificate=q.number)
            if q.program is not None and queries.program(connection, q.program) is None:
                raise NotFound(f"program {q.program} does not exist", program=q.program)
            rows = queries.contracts_of(connection, number=q.number, program=q.program)
        return res.ContractList(contracts=[res.ContractLine(**_contract_line(r)) for r in rows])


class _ContinuingQuery(Command):
    verb = "contract list --continuing"
    period: Code


def _position(connection: Any, period: str, category: str, number: str) -> int:
    numbers = [r["number"] for r in queries.waiting_list(connection, period, category)]
    return numbers.index(number) + 1


def _funded_periods(moves: list[dict[str, Any]]) -> dict[str, str]:
    """period -> category of the pots funded by the end of `moves` (rule 20: an
    unfunded period is no longer one of them, until funded again)."""
    funded: dict[str, str] = {}
    for m in moves:
        if m["kind"] == "funded":
            funded[m["period"]] = m["category"]
        elif m["kind"] == "unfunded":
            funded.pop(m["period"], None)
    return funded
