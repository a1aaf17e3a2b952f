"""The benchmark's figures and their three renderings: a text table, Markdown and JSON.

A `Figure` is one measured number together with the peer it is compared with, measured
in the same run on the same disk, so that a reader can trust the ratio even when the
machine is noisy. A target, when the project has one, applies either to the figure or
to the ratio, and every row says whether it was met.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Target:
    """A bound on the figure (`on="value"`) or on figure / peer (`on="ratio"`)."""

    op: str
    bound: float
    on: str = "value"

    def met(self, value: float, ratio: float) -> bool:
        return _OPS[self.op](value if self.on == "value" else ratio, self.bound)

    def describe(self, unit: str) -> str:
        if self.on == "ratio":
            return f"ratio {self.op} {self.bound:g}x"
        return f"{self.op} {_number(self.bound)} {unit}"


@dataclass(frozen=True)
class Figure:
    """One measured number, its peer, and the ratio figure / peer."""

    key: str
    section: str
    name: str
    value: float
    unit: str
    peer: str
    peer_value: float
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.peer_value if self.peer_value else float("nan")

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value, self.ratio)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "section": self.section,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "peer": self.peer,
            "peer_value": self.peer_value,
            "ratio": self.ratio,
            "target": None if self.target is None else asdict(self.target),
            "target_text": "" if self.target is None else self.target.describe(self.unit),
            "met": self.met,
            "note": self.note,
        }


@dataclass
class Report:
    """Everything one run measured, with the machine and the data it ran on."""

    machine: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)

    def as_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "data": self.data,
            "seconds": round(self.seconds, 1),
            "figures": [f.as_json() for f in self.figures],
            "missed": [f.key for f in self.figures if f.met is False],
        }

    def write_json(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(self.as_json(), out, ensure_ascii=False, indent=2)
            out.write("\n")


def _number(x: float) -> str:
    if x != x:  # NaN
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _met(figure: Figure) -> str:
    return {None: "-", True: "yes", False: "NO"}[figure.met]


def _cells(figure: Figure) -> list[str]:
    return [
        figure.name,
        f"{_number(figure.value)} {figure.unit}",
        figure.peer,
        _number(figure.peer_value),
        f"{figure.ratio:.2f}x",
        "-" if figure.target is None else figure.target.describe(figure.unit),
        _met(figure),
    ]


HEADER = ["figure", "value", "peer (same run, same disk)", "peer value", "ratio", "target", "met"]


def _context_lines(report: Report) -> list[str]:
    lines = [f"{key}: {value}" for key, value in report.machine.items()]
    lines += [f"data, {key}: {value}" for key, value in report.data.items()]
    lines.append(f"run took {report.seconds:.0f} s")
    return lines


def text_table(report: Report) -> str:
    """A fixed-width table for the terminal, one block per section."""
    rows = [_cells(f) for f in report.figures]
    widths = [max(len(str(c)) for c in column) for column in zip(HEADER, *rows, strict=False)]
    out = [*_context_lines(report), ""]
    section = None
    rule = _line(["-" * w for w in widths], widths)
    for figure, cells in zip(report.figures, rows, strict=True):
        if figure.section != section:
            section = figure.section
            out += ["", f"== {section}", _line(HEADER, widths), rule]
        out.append(_line(cells, widths))
    notes = [f"  {f.name}: {f.note}" for f in report.figures if f.note]
    if notes:
        out += ["", "notes:", *notes]
    missed = [f.name for f in report.figures if f.met is False]
    out += ["", f"targets missed: {len(missed)}" + (": " + "; ".join(missed) if missed else "")]
    return "\n".join(out)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    first, *rest = cells
    right = (c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))
    return "  ".join([first.ljust(widths[0]), *right])


def markdown(report: Report) -> str:
    """The same table in Markdown, with the machine and data sizes above it."""
    out = [f"- {line}" for line in _context_lines(report)]
    out += ["", "| section | " + " | ".join(HEADER) + " |", "|---" * (len(HEADER) + 1) + "|"]
    for figure in report.figures:
        cells = [figure.section, *_cells(figure)]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    notes = [f"- {f.name}: {f.note}" for f in report.figures if f.note]
    if notes:
        out += ["", "Notes:", *notes]
    return "\n".join(out) + "\n"
