"""Helpers for the command-line tests: the `pfdo` command bound to one store.

`Pfdo` runs the real `pfdo` command in process (click's CliRunner) against a SQLite file
in the test's own directory, and checks the exit code and the streams of each run: a
success prints one JSON document and nothing on stderr; a refusal exits 1 with one line
`Error: ...`; malformed input exits 2. `events()` counts the log, so a test can show that
a refused command wrote nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner, Result

from pfdo.cli import main

NUMBER = "1000000001"
SECOND = "1000000002"
CONTRACT = "1000000001-001"
#: who runs the tests' commands (`PFDO_ACTOR`, set by conftest.py; rule 25)
OPERATOR = "operator-0"


@dataclass
class Pfdo:
    """The `pfdo` command bound to one store."""

    db: str

    def __call__(self, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
        return CliRunner().invoke(main, ["--db", self.db, *args], env=env)

    def json(self, *args: str) -> Any:
        """Run a command with --json that must succeed; its one JSON document."""
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        return json.loads(result.stdout)

    def refused(self, *args: str) -> str:
        """Run a command the rules must refuse: exit 1; its one line `Error: ...`."""
        return one_error_line(self._failed(1, *args))

    def malformed(self, *args: str) -> str:
        """Run a command with malformed input: exit 2, `Error: ...` on stderr."""
        return self._failed(2, *args)

    def _failed(self, code: int, *args: str) -> str:
        result = self(*args, "--json")
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        assert result.stdout == ""
        return result.stderr

    def events(self) -> int:
        """How many events the log holds (rebuild folds them all): 0 when no command has
        created the store yet."""
        result = self("rebuild", "--json")
        if result.exit_code == 1 and result.stderr.startswith("Error: no pfdo store at "):
            return 0
        assert result.exit_code == 0, result.stderr
        return int(json.loads(result.stdout)["events"])

    def pot(self, number: str = NUMBER, period: str = "2025") -> dict[str, str]:
        """One period's balance of a certificate, without the period and category."""
        (row,) = self.json("balance", number, "--period", period)["periods"]
        return {k: v for k, v in row.items() if k not in ("period", "category")}

    def issue(self, number: str, child: str, birth_date: str, on: str = "2025-01-10") -> None:
        self.json(
            "certificate", "issue", "--child", child, "--birth-date", birth_date,
            "--municipality", "city", "--number", number, "--on", on,
        )  # fmt: skip

    def fund(self, number: str, category: str = "base", period: str = "2025") -> None:
        self.json(
            "certificate", "fund", number, "--period", period, "--category", category,
            "--on", "2025-01-10",
        )  # fmt: skip

    def enroll(self, number: str = NUMBER, *extra: str, program: str = "chess") -> Any:
        """Enrol for 2025-01-15..2025-04-10 (822.58 + 1500.00 + 1500.00 + 500.00)."""
        return self.json(
            "enroll", number, "--program", program, "--start", "2025-01-15",
            "--end", "2025-04-10", "--on", "2025-01-12", *extra,
        )  # fmt: skip


def pot(
    available: str, reserved: str = "0.00", spent: str = "0.00", expired: str = "0.00"
) -> dict[str, str]:
    """A `base` pot of 12000.00 split as given."""
    return {
        "nominal": "12000.00",
        "credited": "12000.00",
        "available": available,
        "reserved": reserved,
        "spent": spent,
        "expired": expired,
        "unit": "rub",
    }


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def set_up_year(pfdo: Pfdo) -> Pfdo:
    """The year of the `year` fixture, on `pfdo`'s store."""
    pfdo.json(
        "period", "open", "2025", "--municipality", "city", "--start", "2025-01-01",
        "--end", "2025-12-31", "--category", "base=12000,count=100,sum=1200000",
        "--category", "small=1000", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.json("provider", "add", "school-1", "--name", "School 1", "--on", "2025-01-01")
    pfdo.json(
        "program", "add", "chess", "--provider", "school-1", "--title", "Chess",
        "--monthly-price", "1500", "--min-age", "5", "--max-age", "12", "--on", "2025-01-01",
    )  # fmt: skip
    pfdo.issue(NUMBER, "child-1", "2015-06-01")
    pfdo.fund(NUMBER)
    return pfdo
