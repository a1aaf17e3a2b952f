"""The invariants of the rules (docs/RULES.md), checked on the read models refolded from the log.

After every event: no balance field is negative (each movement keeps `credited =
available + reserved + spent + expired` by construction, so only signs can break); an
enrolment's month prices and certificate parts are rules 5 and 6 recomputed; a billed
month's charge, release and parents' part are rule 9 recomputed.

After the whole log, for every certificate and period: the balance identity; credited
equals the nominal and the category's nominal (an unfunded pot holds nothing, rule 20);
spent equals the charges less refunds of its contract months (so the registers add up to
the certificates' spent money); reserved equals the certificate parts of its open
months; a closed period has nothing available or reserved and every month billed or
cancelled. For every contract: `sum(c_m) = s`, charged + released + still reserved `=
s`, each month consistent with its status, and the certificate's movements agree with
the contract's months. For every category: the funded count and sum, within its limits.
A partial export holds only part of a period, so the period-wide totals are skipped
there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from pfdo.audit.problems import Problem
from pfdo.audit.settlement_checks import SettlementChecks
from pfdo.domain.contract import Contract
from pfdo.domain.pricing import (
    bill_attendance,
    bill_fixed,
    month_prices,
    normative_cost,
    split_share,
)
from pfdo.domain.units import HOURS, RUB, to_rubles
from pfdo.projections import tables as t
from pfdo.projections.fold import MOVEMENT_KINDS
from pfdo.projections.movements import BALANCE_FIELDS
from pfdo.projections.workspace import Row, Workspace

AMOUNTS = ("credited", "available", "reserved", "spent", "expired")


class Tally:
    """Certificate movements summed per pot, per contract and per contract month."""

    def __init__(self) -> None:
        self.settlement: SettlementChecks | None = None
        self.pots: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.reserved: Counter[str] = Counter()
        self.months: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    def add(self, row: Row) -> None:
        self.pots[row["number"], row["period"]][row["kind"]] += row["amount"]
        if row["contract"] is not None and row["kind"] == "reserved":
            self.reserved[row["contract"]] += row["amount"]
        if row["month"] is not None:
            self.months[row["contract"], row["month"]][row["kind"]] += row["amount"]


class EventChecks:
    """What must hold right after each event."""

    def __init__(self, ws: Workspace, tally: Tally) -> None:
        self._ws = ws
        self._settlement = tally.settlement = SettlementChecks(ws)

    def after(self, event: Any, position: int = 0) -> list[str]:
        settled = self._settlement.after(event, position)
        if settled:
            return settled
        if type(event) in MOVEMENT_KINDS:
            row = self._ws.get(t.balances, event.number, event.period) or {}
            negative = [f"{f} {v}" for f in BALANCE_FIELDS if (v := row.get(f, 0)) < 0]
            if negative:
                return [f"the balance of {event.period} goes negative: {', '.join(negative)}"]
            return []
        if isinstance(event, Contract.Enrolled):
            return list(_enrolment(event))
        if isinstance(event, Contract.MonthBilled):
            return list(self._billing(event))
        return []

    def _billing(self, e: Contract.MonthBilled) -> Iterator[str]:
        contract = self._ws.get(t.contracts, e.contract)
        month = self._ws.get(t.contract_months, e.contract, e.month)
        if contract is None or month is None:
            return
        mode = contract["mode"]
        price, part = month["price"], month["certificate"]
        if mode == "fixed":
            bill = bill_fixed(price, part)
        elif not 0 <= e.present <= e.recorded or e.recorded == 0:
            yield f"month {e.month} billed on attendance {e.present} of {e.recorded} lessons"
            return
        else:
            bill = bill_attendance(price, part, e.present, e.recorded)
        got = (e.charged, e.released, e.parent)
        if got != (bill.charged, bill.released, bill.parent):
            yield (
                f"month {e.month} ({mode}) billed charged/released/parent {got}; rule 9 "
                f"gives {(bill.charged, bill.released, bill.parent)}"
            )


def _enrolment(e: Contract.Enrolled) -> Iterator[str]:
    expected = month_prices(e.monthly_price, e.start, e.end)
    prices = [[m, p] for m, p, _ in e.months]
    if prices != [[m, p] for m, p in expected]:
        yield f"month prices {prices} are not rule 5's {[[m, p] for m, p in expected]}"
        return
    parts = [c for _, _, c in e.months]
    if not 0 <= e.share <= e.price or parts != split_share(e.share, [p for _, p in expected]):
        yield f"certificate parts {parts} are not rule 6's split of the share {e.share}"
    if e.price != sum(p for _, p in expected):
        yield f"price {e.price} is not the sum of the month prices"
    normative = normative_cost(e.normative_price, e.start, e.end)
    if normative is not None and e.share > normative:
        yield f"share {e.share} is above rule 15's normative cost {normative}"
    if e.unit == HOURS and (e.share != e.price or e.hour_cost is None or normative is not None):
        yield (
            f"a contract in hours pays all of its {e.price} hours from the certificate at a "
            f"cost of a person-hour (rule 21), not a share of {e.share}"
        )


def check_final(ws: Any, tally: Tally, *, partial: bool) -> list[Problem]:
    """Every end-of-log invariant; `ws` is a refolded `TracingWorkspace`."""
    return [
        *_pots(ws, tally),
        *_contracts(ws, tally),
        *([] if partial else _totals(ws)),
        *([] if partial else _providers(ws, tally)),
    ]


def _providers(ws: Any, tally: Tally) -> Iterator[Problem]:
    if tally.settlement is None:
        return
    for provider, text in tally.settlement.final():
        key = (provider,)
        yield _problem(ws, t.providers, key, f"provider {provider}", text)


def _problem(ws: Any, table: Any, key: tuple[Any, ...], aggregate: str, text: str) -> Problem:
    return Problem(
        check="invariant",
        position=ws.writer(table, key),
        aggregate=aggregate,
        event=None,
        message=text,
    )


def _pots(ws: Any, tally: Tally) -> Iterator[Problem]:
    months_of: defaultdict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in ws.table(t.contract_months).values():
        months_of[row["number"], row["period"]].append(row)
    periods, categories = ws.table(t.periods), ws.table(t.categories)
    for key, b in ws.table(t.balances).items():
        number, period = key
        wrong = []
        parts = b["available"] + b["reserved"] + b["spent"] + b["expired"]
        if b["credited"] != parts or min(b[f] for f in AMOUNTS) < 0:
            wrong.append(
                f"credited {b['credited']} is not available + reserved + spent + "
                f"expired = {parts}, all >= 0"
            )
        category = categories.get((period, b["category"]))
        if b["status"] == "unfunded":  # rule 20: its credit left, nothing else may be in it
            if any(b[f] for f in (*AMOUNTS, "nominal")):
                wrong.append("unfunded, yet it holds money")
        elif b["credited"] != b["nominal"] or (category and category["nominal"] != b["credited"]):
            wrong.append(f"credited {b['credited']} is not the category's nominal")
        months = months_of[key]
        if any(m["unit"] != b["unit"] for m in months):
            wrong.append(f"a pot in {b['unit']} pays a contract in another unit (rule 22)")
        spent = sum(m["charged"] - m["refunded"] for m in months)
        sums = tally.pots[key]
        if b["spent"] != spent or b["spent"] != sums["charged"] - sums["refunded"]:
            wrong.append(
                f"spent {b['spent']} is not the charges less refunds of its months "
                f"({spent}) and of its movements "
                f"({sums['charged'] - sums['refunded']})"
            )
        reserved = sum(m["certificate"] for m in months if m["status"] == "open")
        if b["reserved"] != reserved:
            wrong.append(
                f"reserved {b['reserved']} is not the certificate parts of its open "
                f"months ({reserved})"
            )
        closed = periods.get((period,), {}).get("status") == "closed"
        if closed and (b["available"] or b["reserved"]):
            wrong.append("the period is closed but money is still available or reserved")
        if not closed and b["expired"]:
            wrong.append(f"expired {b['expired']} while the period is open")
        for text in wrong:
            yield _problem(ws, t.balances, key, f"certificate {number}", f"{period}: {text}")


def _contracts(ws: Any, tally: Tally) -> Iterator[Problem]:
    months_of: defaultdict[str, list[Row]] = defaultdict(list)
    for row in ws.table(t.contract_months).values():
        months_of[row["contract"]].append(row)
    for key, c in ws.table(t.contracts).items():
        months, wrong = months_of[c["contract"]], []
        parts = sum(m["certificate"] for m in months)
        if parts != c["share"] or c["share"] != tally.reserved[c["contract"]]:
            wrong.append(
                f"the certificate parts of its months do not add up to its share "
                f"{c['share']} and its reservation"
            )
        settled = sum(m["charged"] + m["released"] for m in months if m["status"] != "open")
        held = sum(m["certificate"] for m in months if m["status"] == "open")
        if settled + held != c["share"]:
            wrong.append(
                f"charged + released + still reserved = {settled + held}, "
                f"not the share {c['share']}"
            )
        wrong.extend(_month_faults(months, tally))
        for text in wrong:
            yield _problem(ws, t.contracts, key, f"contract {c['contract']}", text)


def _month_faults(months: list[Row], tally: Tally) -> Iterator[str]:
    for m in sorted(months, key=lambda row: row["month"]):
        status, part = m["status"], m["certificate"]
        moved = tally.months[m["contract"], m["month"]]
        if status == "billed" and m["charged"] + m["released"] != part:
            yield f"{m['month']}: charged + released is not its certificate part {part}"
        if status == "cancelled" and (m["charged"] or m["released"] != part):
            yield f"{m['month']}: cancelled, but not all of its part {part} was released"
        if status == "open" and (m["charged"] or m["released"] or m["refunded"]):
            yield f"{m['month']}: open, yet charged, released or refunded"
        if m["refunded"] > m["charged"]:
            yield f"{m['month']}: refunded {m['refunded']} is more than charged {m['charged']}"
        payable = to_rubles(m["charged"] - m["refunded"], m["unit"], m["hour_cost"])
        if m["payable"] != payable:
            yield f"{m['month']}: its register line pays {m['payable']}, rule 21 gives {payable}"
        own = (m["charged"], m["released"], m["refunded"])
        if own != (moved["charged"], moved["released"], moved["refunded"]):
            yield (
                f"{m['month']}: charged/released/refunded {own} disagree with the "
                f"certificate's movements "
                f"{(moved['charged'], moved['released'], moved['refunded'])}"
            )


def _totals(ws: Any) -> Iterator[Problem]:
    count: Counter[tuple[str, str]] = Counter()
    credited: Counter[tuple[str, str]] = Counter()
    expired: Counter[tuple[str, str]] = Counter()
    for b in ws.table(t.balances).values():
        if b["status"] != "funded":
            continue
        count[b["period"], b["category"]] += 1
        credited[b["period"], b["category"]] += b["credited"]
        expired[b["period"], b["unit"]] += b["expired"]
    for key, c in ws.table(t.categories).items():
        over = [
            f"{what} {funded} is above its limit {limit}"
            for what, funded, limit in (
                ("funded count", c["funded_count"], c["count_limit"]),
                ("funded sum", c["funded_sum"], c["sum_limit"]),
            )
            if limit is not None and funded > limit
        ]
        for text in over:
            yield _problem(ws, t.categories, key, f"period {key[0]}", f"category {key[1]}: {text}")
        if (c["funded_count"], c["funded_sum"]) != (count[key], credited[key]):
            yield _problem(
                ws,
                t.categories,
                key,
                f"period {key[0]}",
                f"category {key[1]}: funded count/sum {c['funded_count']}/"
                f"{c['funded_sum']} disagree with its certificates "
                f"({count[key]}/{credited[key]})",
            )
    open_months = Counter(
        m["period"] for m in ws.table(t.contract_months).values() if m["status"] == "open"
    )
    for key, p in ws.table(t.periods).items():
        for column, unit in (("expired", RUB), ("expired_hours", HOURS)):
            if p[column] != expired[key[0], unit]:
                yield _problem(
                    ws,
                    t.periods,
                    key,
                    f"period {key[0]}",
                    f"{column} {p[column]} is not its certificates' {expired[key[0], unit]}",
                )
        if p["status"] == "closed" and open_months[key[0]]:
            yield _problem(
                ws,
                t.periods,
                key,
                f"period {key[0]}",
                f"closed with {open_months[key[0]]} month(s) neither billed nor cancelled",
            )
