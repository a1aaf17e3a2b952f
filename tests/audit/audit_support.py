"""Helpers for the audit tests: the example year, and a SQLite file to tamper with.

`play_year` plays examples/municipality_year.py's year (twelve children, every month
billed, a termination, a refund, a nominal raise, the period closed). `Tamper` edits a
pfdo SQLite file with the sqlite3 module, as someone holding the file could, bypassing
pfdo altogether.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from click.testing import CliRunner, Result

from pfdo import Ledger
from pfdo.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "municipality_year.py"
PROVIDERS = ("SCHOOL-1", "POOL", "IP-IVANOVA")
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@dataclass(frozen=True)
class Year:
    """A store holding the example year, and its certificate numbers."""

    db: str
    numbers: list[str]


def example() -> ModuleType:
    """examples/municipality_year.py, imported by its path."""
    spec = importlib.util.spec_from_file_location("municipality_year", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def play_year(db: str) -> list[str]:
    """Play the example year into `db`; the certificate numbers."""
    with Ledger(db) as ledger:
        return list(example().play_year(ledger))


class Tamper:
    """Direct edits of a pfdo SQLite file: the eventsourcing table `stored_events`
    (originator_id, originator_version, topic, state; the log position is the rowid)
    and pfdo's own tables."""

    def __init__(self, path: str) -> None:
        self.path = path

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.path)) as connection, connection:
            return connection.execute(statement, params).fetchall()

    def first(self, topic: str, after: int = 0) -> int:
        """The position of the first event of a topic (`Certificate.Charged`) after one."""
        rows = self.sql(
            "SELECT rowid FROM stored_events WHERE topic LIKE ? AND rowid > ? "
            "ORDER BY rowid LIMIT 1", f"%:{topic}", after,
        )  # fmt: skip
        return int(rows[0][0])

    def state(self, position: int) -> bytes:
        return bytes(self.sql("SELECT state FROM stored_events WHERE rowid = ?", position)[0][0])

    def number_at(self, position: int) -> str:
        """The certificate number an event's payload names."""
        state = self.state(position).decode()
        return state.split('"number":"', 1)[1][:10]

    def set_state(self, position: int, state: bytes) -> None:
        self.sql("UPDATE stored_events SET state = ? WHERE rowid = ?", state, position)

    def delete(self, position: int) -> None:
        self.sql("DELETE FROM stored_events WHERE rowid = ?", position)

    def swap(self, one: int, other: int) -> None:
        self.sql("UPDATE stored_events SET rowid = -1 WHERE rowid = ?", one)
        self.sql("UPDATE stored_events SET rowid = ? WHERE rowid = ?", one, other)
        self.sql("UPDATE stored_events SET rowid = ? WHERE rowid = -1", other)

    def insert(self, position: int, row: tuple[str, int, str, bytes]) -> None:
        """Insert an event at `position`, moving every later event one position on."""
        self.sql("UPDATE stored_events SET rowid = rowid + 1000000 WHERE rowid >= ?", position)
        self.sql("UPDATE stored_events SET rowid = rowid - 999999 WHERE rowid >= 1000000")
        self.sql(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)", position, *row,
        )  # fmt: skip

    def last_position(self) -> int:
        return int(self.sql("SELECT max(rowid) FROM stored_events")[0][0])


def pfdo(db: str | None, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run the `pfdo` command in process (on store `db`, unless None)."""
    store = ["--db", db] if db is not None else []
    return CliRunner().invoke(main, [*store, *args], env=env)
