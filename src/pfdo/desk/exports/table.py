"""A table to export: typed columns, rows of plain values and a totals row.

Each column has a kind that says how a spreadsheet must hold its cells: `text`, `count`
(a whole number), `money` (kopecks inside, rubles with two decimals outside) or `date`.
The totals are the sums of the `money` columns (and of those chosen), computed here once so
that every format (and the command's JSON) shows the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal["text", "count", "money", "date"]
Value = str | int | date | None


@dataclass(frozen=True)
class Column:
    """One column: its key (the header, as the JSON names it) and its kind."""

    key: str
    kind: Kind = "text"
    total: bool | None = None  # summed in the totals row; by default money columns are

    @property
    def summed(self) -> bool:
        return self.total if self.total is not None else self.kind == "money"


@dataclass(frozen=True)
class Table:
    """A named table: its columns, its rows (keyed by column), and the totals row."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Value]]
    totals_label: str = "total"
    totals: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        sums = {c.key: sum(_number(r.get(c.key)) for r in self.rows) for c in self.summed}
        object.__setattr__(self, "totals", sums)

    @property
    def summed(self) -> list[Column]:
        return [c for c in self.columns if c.summed]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


def _number(value: Value) -> int:
    return value if isinstance(value, int) else 0
