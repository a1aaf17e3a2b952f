"""Plain-text rendering of the API's results, for people at a terminal.

The JSON form of a result (`model_dump(mode="json")`) is the one source for both outputs:
`--json` prints it as it is; without `--json` its plain values become `key: value` lines
and its lists of records become small aligned tables (a record nested in a table's row,
such as a period's category, is written inside its cell as `name key value ...`; a record
that is a value of its own, such as a chain's head, as `key value, key value`). No
amount is computed here: money is already a ruble string with two decimals. Long runs can
show a progress bar.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from pfdo.application.results import Result

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def as_json(result: Result) -> str:
    """The one JSON document a command prints with `--json`."""
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2)


def as_text(result: Result) -> str:
    """A few `key: value` lines, then one small table per list of records."""
    lines: list[str] = []
    tables: list[tuple[str, list[Mapping[str, Any]]]] = []
    for key, value in result.model_dump(mode="json").items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.append((key, value))
        elif isinstance(value, dict):
            lines.append(f"{key}: {pairs(value)}")
        elif isinstance(value, list):
            lines.append(f"{key}: {', '.join(_cell(v) for v in value) or '-'}")
        else:
            lines.append(f"{key}: {_cell(value)}")
    for key, rows in tables:
        lines.append(f"{key}:")
        lines.extend(f"  {line}" for line in table(rows))
    return "\n".join(lines)


def pairs(value: Mapping[str, Any]) -> str:
    """A record on one line, every value named: `position 14, hash 9f2c...`."""
    return ", ".join(f"{k} {_cell(v)}" for k, v in value.items()) or "-"


def table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Rows of records as aligned text; numbers and amounts are aligned to the right."""
    headers = list(rows[0])
    cells = [[_cell(row.get(h)) for h in headers] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if _NUMBER.match(v) else v.ljust(w)
            for v, w in zip(values, widths, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), *(line(r) for r in cells)]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return _record(value)
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value) or "-"
    return str(value)


def _record(value: Mapping[str, Any]) -> str:
    """A record inside a table cell (a period's category): its first value, then the
    others that are set as `key value`, e.g. `base 12000.00 count_limit 100`."""
    first, *rest = value.items()
    return " ".join([_cell(first[1]), *(f"{k} {_cell(v)}" for k, v in rest if v is not None)])


class Progress:
    """A progress bar on standard error, fed by an API's `progress(done, total)` calls."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
