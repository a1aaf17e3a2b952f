"""What a replay reports: the balances, period totals, registers and one history, read
from the read models it rebuilt, in the same shapes the ledger's own reports use."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pfdo.audit import results as res
from pfdo.projections import tables as t
from pfdo.results import Movement

AMOUNTS = ("credited", "available", "reserved", "spent", "expired")


def summarise(ws: Any, certificate: str | None) -> dict[str, Any]:
    """`periods`, `balances`, `registers` and, for `certificate`, its `history`."""
    balances = [
        res.BalanceLine(**row)
        for _, row in sorted(ws.table(t.balances).items())
        if row["status"] == "funded"  # an unfunded pot (rule 20) holds nothing
    ]
    periods = []
    for (code,), period in sorted(ws.table(t.periods).items()):
        mine = [b for b in balances if b.period == code]
        sums = {f: sum(getattr(b, f) for b in mine) for f in AMOUNTS}
        periods.append(
            res.PeriodTotals(period=code, status=period["status"], certificates=len(mine), **sums)
        )
    registers: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in ws.table(t.contract_months).values():
        if row["status"] == "billed":
            line = registers[row["provider"], row["month"]]
            line[0] += 1
            line[1] += row["charged"] - row["refunded"]
            line[2] += row["parent"]
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
            res.RegisterTotal(provider=p, month=m, contracts=c, certificate=cert, parent=par)
            for (p, m), (c, cert, par) in sorted(registers.items())
        ],
        "history": history,
    }
