"""What a replay reports: the balances, period totals, registers and one history, read
from the read models it rebuilt, in the same shapes the ledger's own reports use."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pfdo.application.results import Movement
from pfdo.audit import audit_results as res
from pfdo.domain.units import RUB, UNITS, Unit
from pfdo.projections import tables as t

AMOUNTS = ("credited", "available", "reserved", "spent", "expired")


def summarise(ws: Any, certificate: str | None) -> dict[str, Any]:
    """`periods`, `balances`, `registers` and, for `certificate`, its `history`."""
    balances = [
        res.BalanceLine(**row)
        for _, row in sorted(ws.table(t.balances).items())
        if row["status"] == "funded"  # an unfunded pot (rule 20) holds nothing
    ]
    periods = []
    units_of: defaultdict[str, set[Unit]] = defaultdict(set)
    for row in ws.table(t.categories).values():
        units_of[row["period"]].add(row["unit"])
    for (code,), period in sorted(ws.table(t.periods).items()):
        for unit in [u for u in UNITS if u in (units_of[code] or {RUB})]:
            mine = [b for b in balances if b.period == code and b.unit == unit]
            sums = {f: sum(getattr(b, f) for b in mine) for f in AMOUNTS}
            periods.append(
                res.PeriodTotals(
                    period=code,
                    status=period["status"],
                    certificates=len(mine),
                    unit=unit,
                    **sums,
                )
            )
    registers: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in ws.table(t.contract_months).values():
        if row["status"] == "billed":
            line = registers[row["provider"], row["month"]]
            line[0] += 1
            line[1] += row["payable"]
            line[2] += row["parent"]
            if row["unit"] == "hours":
                line[3] += row["charged"] - row["refunded"]
    history = None
    if certificate is not None:
        history = [
            Movement(**{k: row[k] for k in Movement.model_fields})
            for row in ws.movements
            if row["number"] == certificate
        ]
    return {
        "periods": periods,
        "balances": balances,
        "registers": [
            res.RegisterTotal(
                provider=p, month=m, contracts=c, certificate=cert, parent=par, hours=hours
            )
            for (p, m), (c, cert, par, hours) in sorted(registers.items())
        ],
        "history": history,
    }
